import { readFileSync, writeFileSync } from 'node:fs';
import { ROOT } from './processes.js';
import { type BenchResults, evaluateGoals, renderMarkdown } from './report.js';

/** `tsx bench/render.ts bench/results/<run>.json`: rewrites BENCHMARKS.md from a recorded run (no re-measuring). */
const path = process.argv[2];
if (!path) throw new Error('usage: tsx bench/render.ts bench/results/<run>.json');
const results = JSON.parse(readFileSync(`${ROOT}/${path}`, 'utf8')) as BenchResults;
// Goals are re-judged with the current rules; every measured figure comes from the file.
results.goals = evaluateGoals(results);
writeFileSync(`${ROOT}/BENCHMARKS.md`, renderMarkdown(results, path));
console.log(`BENCHMARKS.md rendered from ${path}`);
