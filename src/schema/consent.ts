import { corpConsents } from '../resolvers/consentResolvers.js';
import { builder } from './builder.js';
import { ConsentRef, CorpRef } from './refs.js';

export const ConsentStatus = builder.enumType('ConsentStatus', {
  values: {
    AGREE: { description: 'upstream "Agree"' },
    DISAGREE: { description: 'upstream "Disagree"' },
    DEFAULT_AGREE: { description: 'upstream "Default_Agree" (legacy msgaudit value)' },
  } as const,
});

export const ConsentPairInput = builder.inputType('ConsentPairInput', {
  fields: (t) => ({
    employeeId: t.string({ required: true, description: 'open_userid' }),
    externalUserId: t.string({ required: true }),
  }),
});

builder.objectType(ConsentRef, {
  description: 'Whether an external contact agreed to archiving (getagreestatus/single or /room).',
  fields: (t) => ({
    employeeId: t.exposeString('employeeId', { nullable: true, description: 'Single chats only.' }),
    externalUserId: t.exposeString('externalUserId'),
    chatId: t.exposeString('chatId', { nullable: true, description: 'Group consents only.' }),
    status: t.field({ type: ConsentStatus, resolve: (c) => c.status }),
    changedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.changedAt }),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  consents: t.field({
    type: [ConsentRef],
    description:
      'Agree status of employee–customer pairs: ≤1000 pairs, sent upstream in deduplicated batches of ≤100. ' +
      'Pairs upstream does not report are left out.',
    args: { pairs: t.arg({ type: [ConsentPairInput], required: true }) },
    resolve: (corp, args, ctx) => corpConsents(corp.corpId, args, ctx),
  }),
}));
