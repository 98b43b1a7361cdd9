import { execSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './processes.js';

/** Where the start-up scenario compiles the gateway (removed afterwards). */
export const COMPILED_DIR = join(ROOT, 'bench', 'results', '.dist');

/** tsc emits only .ts output: worker scripts (.mjs) and static assets are copied beside it. */
function copyAssets(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) copyAssets(source, to);
    else if (!entry.name.endsWith('.ts')) {
      const target = join(to, relative(join(ROOT, 'src'), source));
      mkdirSync(join(target, '..'), { recursive: true });
      cpSync(source, target);
    }
  }
}

/**
 * `tsc -p tsconfig.build.json` into a scratch directory, as the Dockerfile does (plus the
 * non-TypeScript files under src/ that tsc does not copy), so start-up can be timed on compiled JS too. Returns the
 * entry, or null when the build fails (others' work in progress may not compile).
 */
export function buildCompiled(): string | null {
  rmSync(COMPILED_DIR, { recursive: true, force: true });
  try {
    execSync(`npx tsc -p tsconfig.build.json --outDir ${COMPILED_DIR}`, { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    console.warn(
      `  compiled build failed, start-up measured with tsx only: ${(error as Error).message.slice(0, 300)}`,
    );
    return null;
  }
  copyAssets(join(ROOT, 'src'), join(COMPILED_DIR, 'src'));
  writeFileSync(join(COMPILED_DIR, 'package.json'), '{ "type": "module" }\n');
  if (!existsSync(join(COMPILED_DIR, 'node_modules')))
    symlinkSync(join(ROOT, 'node_modules'), join(COMPILED_DIR, 'node_modules'));
  return join(COMPILED_DIR, 'src', 'main.js');
}

export function removeCompiled(): void {
  rmSync(COMPILED_DIR, { recursive: true, force: true });
}
