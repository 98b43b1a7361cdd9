import type { IndexedMessage } from '../../../src/datasources/store/MessageIndex.js';

/** 2024-04-08T00:00:00Z: a UTC midnight, so hour and day buckets line up with the fixture. */
export const T0 = 1_712_534_400;
export const CORP = 'wwcorpStats';
export const E = 'woEmployee';
export const E2 = 'woEmployee2';
export const X = 'wmCustomerX';
export const Y = 'wmCustomerY';
export const R = 'wbRobot';
export const GROUP = 'wrGroup';

const emp = (id: string) => ({ type: 1, id });
const cust = (id: string) => ({ type: 2, id });

let seq = 0;
function m(
  at: number,
  sender: { type: number; id: string },
  receivers: { type: number; id: string }[],
  over: Partial<IndexedMessage> = {},
): IndexedMessage {
  seq += 1;
  return {
    corpId: CORP,
    msgid: `m${seq}`,
    seq,
    sender,
    receivers,
    chatId: null,
    sendTime: T0 + at,
    msgtype: 1,
    encryptedSecretKey: 'k',
    publicKeyVersion: 1,
    ...over,
  };
}

const inGroup = (at: number, sender: { type: number; id: string }) => {
  const members = [emp(E), cust(Y), { type: 3, id: R }];
  return m(
    at,
    sender,
    members.filter((p) => p.id !== sender.id),
    { chatId: GROUP },
  );
};

/**
 * The hand-computed conversation of docs/statistics.md (times in seconds after T0):
 *  1   0     X→E text      opens a turn (conversation 1 of E↔X starts)
 *  2   30    X→E image     waits in the same turn
 *  3   90    E→X           answers: reply 90 s, first response 90 s, 2 replied
 *  4   100   E→E2          internal (conversation of E↔E2 starts)
 *  5   200   X→E           opens a turn
 *  6   500   E→X           answers: reply 300 s, 1 replied
 *  7   3700  Y→group       opens the group's turn (group conversation starts), hour 1
 *  8   3760  E→group       answers: reply 60 s, first response 60 s
 *  9   3800  robot→group   other
 * 10   4000  X→E           opens a turn, hour 1
 * 11   32800 E→X           8 h after message 10: a new conversation starts, and answers the turn:
 *                          reply 28800 s, also the new conversation's first response
 * 12   33000 X→E           unanswered
 */
export function conversation(): IndexedMessage[] {
  seq = 0;
  return [
    m(0, cust(X), [emp(E)]),
    m(30, cust(X), [emp(E)], { msgtype: 2 }),
    m(90, emp(E), [cust(X)]),
    m(100, emp(E), [emp(E2)]),
    m(200, cust(X), [emp(E)]),
    m(500, emp(E), [cust(X)]),
    inGroup(3700, cust(Y)),
    inGroup(3760, emp(E)),
    inGroup(3800, { type: 3, id: R }),
    m(4000, cust(X), [emp(E)]),
    m(32_800, emp(E), [cust(X)]),
    m(33_000, cust(X), [emp(E)]),
  ];
}
