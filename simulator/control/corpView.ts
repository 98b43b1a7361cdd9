import type { CorpRuntime } from '../domain/CorpRuntime.js';

/** GET /__sim/corps: everything a test needs to address the demo world. */
export function corpView(corp: CorpRuntime) {
  const d = corp.data;
  return {
    corpId: d.corpId,
    name: d.name,
    authorized: corp.authorized,
    displayAuthorized: corp.display.authorized,
    keySet: corp.keys.version !== null,
    publicKeyVer: corp.keys.version,
    messageCount: corp.messages.length,
    backlogPending: corp.backlog.length,
    departments: d.departments,
    employees: d.employees,
    customers: d.customers,
    robots: d.robots,
    chats: [
      ...d.groups.map((g) => ({
        chatId: g.chatId,
        type: 'group' as const,
        kind: g.kind,
        name: g.name,
        creator: g.creator,
        createTime: g.createTime,
        members: g.members,
      })),
      ...d.singles.map((s) => ({
        type: 'single' as const,
        kind: s.b.type === 2 ? 'customer' : 'internal',
        parties: [s.a, s.b],
      })),
    ],
    consents: d.consents,
    roomConsents: d.roomConsents,
    ruleCount: corp.rules.size,
  };
}
