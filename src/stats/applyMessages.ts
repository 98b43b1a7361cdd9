import type { IndexedMessage } from '../datasources/store/MessageIndex.js';
import { DAY_S, dayBucket, hourBucket } from './bucketsFor.js';
import { classifyMessage, type Direction } from './classifyMessage.js';
import { latencyBin } from './latencyHistogram.js';
import {
  type ChatState,
  type Counters,
  type Dimension,
  type PendingTurn,
  type RollupDelta,
  rollupKey,
  type StatsDelta,
} from './StatsStore.js';

const DIRECTION_FIELD: Record<Direction, string> = {
  EMPLOYEE_TO_CUSTOMER: 'dEC',
  CUSTOMER_TO_EMPLOYEE: 'dCE',
  INTERNAL: 'dIN',
  OTHER: 'dOT',
};

/** An answered turn: the alert evaluator resolves the chat's open alerts with it. */
export type ClosedTurn = {
  chatKey: string;
  turn: PendingTurn;
  reply: { msgid: string; at: number; employeeId: string };
};

export type Folded = {
  delta: StatsDelta;
  rollup: RollupDelta;
  chats: Map<string, ChatState>;
  closed: ClosedTurn[];
};

/**
 * Adds counters into a delta, to both the hour and the day bucket of `at`. The counters of a
 * (dimension, bucket) pair are found through a map per bucket, so the `dim@bucket` key is built
 * once per pair, not once per increment (folding was a fifth of the gateway's CPU while ingesting).
 */
export class DeltaBuilder {
  readonly delta: StatsDelta = new Map();
  readonly #byBucket = new Map<string, Map<string, Counters>>();

  add(dims: readonly Dimension[], at: number | string, field: string, n = 1): void {
    bump(this.slots(dims, at), field, n);
  }

  /** The counters every increment of `dims` at `at` goes to (hour and day bucket of each dimension). */
  slots(dims: readonly Dimension[], at: number | string): Counters[] {
    const hour = typeof at === 'string' ? at : hourBucket(at);
    const day = typeof at === 'string' ? `d${Math.floor(Number(at.slice(1)) / 24)}` : dayBucket(at);
    const out: Counters[] = [];
    for (const bucket of [hour, day]) {
      let byDim = this.#byBucket.get(bucket);
      if (!byDim) {
        byDim = new Map();
        this.#byBucket.set(bucket, byDim);
      }
      for (const dim of dims) {
        let counters = byDim.get(dim);
        if (!counters) {
          counters = this.delta.get(`${dim}@${bucket}`) ?? {};
          byDim.set(dim, counters);
          this.delta.set(`${dim}@${bucket}`, counters);
        }
        out.push(counters);
      }
    }
    return out;
  }
}

function bump(slots: readonly Counters[], field: string, n = 1): void {
  for (const counters of slots) counters[field] = (counters[field] ?? 0) + n;
}

/**
 * Folds messages (in archive order) into counter increments and new chat states. Pure: the
 * caller reads the states before and commits the result atomically with the watermark.
 *
 * The math (docs/statistics.md):
 * - every message adds one to the rollup of its UTC day, msgtype and direction: once for the corp
 *   (employee '') and once for each employee it counts for;
 * - every message counts once per dimension (corp, chat, and the employees/customers it counts
 *   for, see classifyMessage) under its msgtype (`t<n>`) and direction, in its send hour;
 * - a conversation starts with a chat's first message, or the first after `gapS` of silence (`cs`);
 * - a customer message (CUSTOMER_TO_EMPLOYEE) counts in `cm`; it opens a turn when none is waiting;
 * - the next employee message in the chat (EMPLOYEE_TO_CUSTOMER) answers the turn: every waiting
 *   customer message counts as replied (`cr`, in its own hour), and one reply-time sample
 *   (reply send time − the turn's first customer message) goes to `rn`/`rs`/`rh<bin>`, in the
 *   turn's hour; the first answered turn of a conversation is also its first response (`fn`/`fs`/`fh<bin>`).
 */
export function applyMessages(
  messages: readonly IndexedMessage[],
  before: ReadonlyMap<string, ChatState | null>,
  gapS: number,
): Folded {
  const out = new DeltaBuilder();
  const rollup: RollupDelta = new Map();
  const chats = new Map<string, ChatState>();
  const closed: ClosedTurn[] = [];
  for (const m of messages) {
    const c = classifyMessage(m);
    const prior = chats.get(c.chatKey) ?? before.get(c.chatKey) ?? null;
    const s: ChatState = prior
      ? {
          ...prior,
          pending: prior.pending ? { ...prior.pending, waiting: [...prior.pending.waiting] } : null,
        }
      : { last: Number.NEGATIVE_INFINITY, answered: false, pending: null };
    const dims: Dimension[] = [
      'c',
      `k:${c.chatKey}`,
      ...c.employeeIds.map((id) => `e:${id}` as const),
      ...c.customerIds.map((id) => `x:${id}` as const),
    ];
    const slots = out.slots(dims, m.sendTime);
    if (m.sendTime - s.last >= gapS) {
      bump(slots, 'cs');
      s.answered = false;
    }
    s.last = Math.max(s.last, m.sendTime);
    bump(slots, 'n');
    bump(slots, `t${m.msgtype}`);
    bump(slots, DIRECTION_FIELD[c.direction]);
    const day = Math.floor(m.sendTime / DAY_S);
    for (const employeeId of ['', ...c.employeeIds]) {
      const key = rollupKey({ day, msgtype: m.msgtype, direction: c.direction, employeeId });
      rollup.set(key, (rollup.get(key) ?? 0) + 1);
    }

    if (c.direction === 'CUSTOMER_TO_EMPLOYEE') {
      bump(slots, 'cm');
      if (!s.pending) {
        s.pending = {
          msgid: m.msgid,
          at: m.sendTime,
          customerId: m.sender.id,
          kind: c.kind,
          employeeIds: c.employeeReceivers,
          parties: c.kind === 'SINGLE' ? [m.sender, ...m.receivers.slice(0, 1)] : [],
          chatId: m.chatId,
          waiting: [],
        };
      }
      const hour = hourBucket(m.sendTime);
      const same = s.pending.waiting.find(([h, id]) => h === hour && id === m.sender.id);
      if (same) same[2] += 1;
      else s.pending.waiting.push([hour, m.sender.id, 1]);
    } else if (c.direction === 'EMPLOYEE_TO_CUSTOMER' && s.pending) {
      const turn = s.pending;
      const singleEmployee = turn.kind === 'SINGLE' ? turn.employeeIds.slice(0, 1) : [];
      for (const [hour, customerId, n] of turn.waiting) {
        const replied: Dimension[] = [
          'c',
          `k:${c.chatKey}`,
          `x:${customerId}`,
          ...singleEmployee.map((id) => `e:${id}` as const),
        ];
        out.add(replied, hour, 'cr', n);
      }
      const wait = Math.max(0, m.sendTime - turn.at);
      const sampleDims: Dimension[] = ['c', `k:${c.chatKey}`, `x:${turn.customerId}`, `e:${m.sender.id}`];
      const sample = out.slots(sampleDims, hourBucket(turn.at));
      bump(sample, 'rn');
      bump(sample, 'rs', wait);
      bump(sample, `rh${latencyBin(wait)}`);
      if (!s.answered) {
        bump(sample, 'fn');
        bump(sample, 'fs', wait);
        bump(sample, `fh${latencyBin(wait)}`);
        s.answered = true;
      }
      closed.push({
        chatKey: c.chatKey,
        turn,
        reply: { msgid: m.msgid, at: m.sendTime, employeeId: m.sender.id },
      });
      s.pending = null;
    }
    chats.set(c.chatKey, s);
  }
  return { delta: out.delta, rollup, chats, closed };
}
