import { builder } from './builder.js';
import { ChatMemberRef, ParticipantRef } from './refs.js';

/** Upstream party types: 1 employee (open_userid), 2 external contact, 3 robot. */
export const ParticipantType = builder.enumType('ParticipantType', {
  values: {
    EMPLOYEE: { value: 1, description: 'An employee; id is the open_userid.' },
    EXTERNAL: { value: 2, description: 'An external contact (customer); id is the external_userid.' },
    ROBOT: { value: 3, description: 'A robot.' },
  } as const,
});

export const ParticipantInput = builder.inputType('ParticipantInput', {
  fields: (t) => ({
    type: t.field({ type: ParticipantType, required: true }),
    id: t.string({ required: true }),
  }),
});

const participantType = (type: number) => (type === 1 || type === 2 || type === 3 ? type : null);

builder.objectType(ParticipantRef, {
  description: 'A party of a conversation. Names are never available: render them with ww-open-data.',
  fields: (t) => ({
    type: t.field({
      type: ParticipantType,
      description: 'Upstream types outside 1..3 resolve to an error rather than a guess.',
      resolve: (p) => {
        const type = participantType(p.type);
        if (type === null) throw new Error(`unknown participant type ${p.type}`);
        return type;
      },
    }),
    id: t.exposeString('id'),
  }),
});

builder.objectType(ChatMemberRef, {
  description: 'A group member as groupchat/get reports it.',
  fields: (t) => ({
    participant: t.field({ type: ParticipantRef, resolve: (m) => ({ type: m.type, id: m.id }) }),
    type: t.field({ type: ParticipantType, resolve: (m) => participantType(m.type) ?? 3 }),
    id: t.exposeString('id'),
    joinedAt: t.field({ type: 'DateTime', nullable: true, resolve: (m) => m.joinedAt }),
  }),
});
