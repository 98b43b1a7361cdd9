import type {
  Consent,
  CorpData,
  Customer,
  Employee,
  GroupChat,
  GroupMember,
  RoomConsent,
  SingleChat,
} from '../domain/types.js';
import { Prng } from './Prng.js';
import { CORP_NAMES, DEPARTMENTS, GROUP_NAMES, personName } from './textCorpus.js';

const DAY_S = 86_400;

/** WeCom-looking opaque ids: `prefix` + 30 chars, like woAJ2GCAAA…; deterministic per PRNG. */
function opaqueId(prng: Prng, prefix: string): string {
  return `${prefix}${prng.token(30).replace(/[-_]/g, 'A')}`;
}

/**
 * The demo world for one seed: corps with departments, employees, customers, robots, internal and
 * customer groups, single chats and consent states. Times are relative to `startS` (the clock at start).
 */
export function generateDemoData(seed: number, corpCount: number, startS: number): CorpData[] {
  const root = new Prng(seed);
  const corps: CorpData[] = [];
  const names = root.fork('corp-names').shuffle([...CORP_NAMES]);
  for (let c = 0; c < corpCount; c += 1) {
    const p = root.fork(`corp-${c}`);
    const corpId = `ww${p.token(16).replace(/[-_]/g, '0').toLowerCase()}`;
    const departments = DEPARTMENTS.slice(0, p.int(3, DEPARTMENTS.length)).map((name, i) => ({
      id: i + 1,
      name,
    }));
    const employees: Employee[] = Array.from({ length: p.int(8, 12) }, (_, i) => ({
      openUserId: opaqueId(p, 'wo'),
      userid: `user${String(i + 1).padStart(3, '0')}`,
      name: personName(p),
      departmentId: p.pick(departments).id,
      editions: p.pick([[1], [2], [2, 3], [3]]),
    }));
    const customers: Customer[] = Array.from({ length: p.int(10, 15) }, () => ({
      externalUserId: opaqueId(p, 'wm'),
      name: personName(p),
      followers: p.sample(employees, p.int(1, 2)).map((e) => e.openUserId),
    }));
    const robots = [opaqueId(p, 'wb')];
    const groups = makeGroups(p, employees, customers, robots, startS);
    const singles: SingleChat[] = [];
    for (let i = 0; i + 1 < employees.length; i += 2) {
      singles.push({
        a: { type: 1, id: employees[i]!.openUserId },
        b: { type: 1, id: employees[i + 1]!.openUserId },
      });
    }
    const consents: Consent[] = [];
    for (const customer of customers) {
      for (const follower of customer.followers) {
        singles.push({ a: { type: 1, id: follower }, b: { type: 2, id: customer.externalUserId } });
        const roll = p.next();
        consents.push({
          openUserId: follower,
          externalUserId: customer.externalUserId,
          status: roll < 0.7 ? 'Agree' : 'Disagree',
          changeTime: startS - p.int(1, 60) * DAY_S,
          pending: roll >= 0.85,
        });
      }
    }
    const roomConsents: RoomConsent[] = [];
    for (const group of groups.filter((g) => g.kind === 'customer')) {
      for (const m of group.members.filter((x) => x.type === 2)) {
        roomConsents.push({
          chatId: group.chatId,
          externalUserId: m.memberid,
          status: p.chance(0.75) ? 'Agree' : 'Disagree',
          changeTime: m.jointime + p.int(60, 3600),
        });
      }
    }
    corps.push({
      corpId,
      name: names[c % names.length]!,
      departments,
      employees,
      customers,
      robots,
      groups,
      singles,
      consents,
      roomConsents,
    });
  }
  return corps;
}

function makeGroups(
  p: Prng,
  employees: Employee[],
  customers: Customer[],
  robots: string[],
  startS: number,
): GroupChat[] {
  const groups: GroupChat[] = [];
  const names = p.shuffle([...GROUP_NAMES]);
  for (let g = 0; g < 6; g += 1) {
    const kind = g < 3 ? 'internal' : 'customer';
    const createTime = startS - p.int(20, 200) * DAY_S;
    const staff = p.sample(employees, p.int(3, 5));
    const members: GroupMember[] = staff.map((e, i) => ({
      memberid: e.openUserId,
      jointime: createTime + i * p.int(1, 600),
      type: 1,
    }));
    if (kind === 'customer') {
      for (const c of p.sample(customers, p.int(2, 4))) {
        members.push({ memberid: c.externalUserId, jointime: createTime + p.int(600, 86_400), type: 2 });
      }
    }
    if (g === 0) members.push({ memberid: robots[0]!, jointime: createTime + 60, type: 3 });
    groups.push({
      chatId: opaqueId(p, 'wr'),
      // One unnamed internal group: search_chat must not find it.
      name: g === 2 ? '' : names[g % names.length]!,
      kind,
      creator: staff[0]!.openUserId,
      createTime,
      members,
    });
  }
  return groups;
}
