import { expect } from 'vitest';
import type { Simulator } from '../../simulator/createSimulator.js';
import type { MessageIndex } from '../../src/datasources/store/MessageIndex.js';

/** The msgids the simulator has archived for a corp (its ground truth). */
export function simulatorMsgids(sim: Simulator, corpId: string): string[] {
  const corp = sim.state.corpList().find((c) => c.corpId === corpId);
  if (!corp) throw new Error(`simulator has no corp ${corpId}`);
  return corp.messages.map((m) => m.msgid);
}

/** Every msgid of the index, in archive order (pages through the whole corp). */
export async function indexedMsgids(index: MessageIndex, corpId: string): Promise<string[]> {
  const ids: string[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await index.query({ corpId, first: 1000, after });
    ids.push(...page.items.map((m) => m.msgid));
    if (!page.hasMore || page.endSeq === null) return ids;
    after = page.endSeq;
  }
}

/** Nothing missing, nothing doubled, archive order = the simulator's order. */
export async function expectExactlyOnce(index: MessageIndex, sim: Simulator, corpId: string): Promise<void> {
  const expected = simulatorMsgids(sim, corpId);
  const actual = await indexedMsgids(index, corpId);
  expect(new Set(actual).size).toBe(actual.length);
  expect(actual).toEqual(expected);
}
