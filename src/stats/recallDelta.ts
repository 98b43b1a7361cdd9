import type { ArchivedMessage } from '../datasources/store/ports.js';
import { DeltaBuilder } from './applyMessages.js';
import { classifyMessage } from './classifyMessage.js';
import type { Dimension, StatsDelta } from './StatsStore.js';

/** One recall (`rc`) in the message's send hour, for the same dimensions its message counts in. */
export function recallDelta(m: ArchivedMessage): StatsDelta {
  const c = classifyMessage(m);
  const dims: Dimension[] = [
    'c',
    `k:${c.chatKey}`,
    ...c.employeeIds.map((id) => `e:${id}` as const),
    ...c.customerIds.map((id) => `x:${id}` as const),
  ];
  const out = new DeltaBuilder();
  out.add(dims, m.sendTime, 'rc');
  return out.delta;
}
