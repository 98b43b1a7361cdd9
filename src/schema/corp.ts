import type { EventFailure } from '../datasources/store/ports.js';
import {
  authorizedUsers,
  corpEditions,
  corpPublicKey,
  listCorps,
  loadCorp,
  rotatePublicKey,
} from '../resolvers/corpResolvers.js';
import { builder } from './builder.js';
import {
  CorpAuthorizationRef,
  CorpConnection,
  CorpEditionRef,
  CorpRef,
  ParticipantConnection,
  PublicKeyInfoRef,
} from './refs.js';

export const CorpStatus = builder.enumType('CorpStatus', {
  values: {
    ACTIVE: { description: 'Authorized (create_auth processed).' },
    CANCELLED: {
      description:
        'The corp cancelled the authorization (cancel_auth, confirmed upstream). Seen in ' +
        'corpAuthorizationChanged only: a cancelled corp leaves corps and its archive is purged.',
    },
  } as const,
});

builder.node(CorpRef, {
  description: 'A corp that authorized the archive app. Visible only to clients granted this corp.',
  id: { resolve: (corp) => corp.corpId },
  loadOne: (corpId, ctx) => loadCorp(corpId, ctx),
  fields: (t) => ({
    corpId: t.exposeString('corpId'),
    name: t.exposeString('name', { nullable: true }),
    authorization: t.field({ type: CorpAuthorizationRef, resolve: (corp) => corp }),
    publicKey: t.field({
      type: PublicKeyInfoRef,
      nullable: true,
      description: 'The current key pair version; null until the first set_public_key succeeded.',
      resolve: (corp, _args, ctx) => corpPublicKey(corp, ctx),
    }),
    authorizedUsers: t.field({
      type: ParticipantConnection,
      description: 'Employees in the archive scope (get_auth_user_list). first: 1..100, default 20.',
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: (corp, args, ctx) => authorizedUsers(corp, args, ctx),
    }),
  }),
});

const ArchiveExpiryKind = builder.enumType('ArchiveExpiryKind', {
  values: {
    TRIAL: { description: 'The trial of the archive API ended (trial_expired).' },
    PAID: { description: 'The paid archive API expired (advanced_api_expired).' },
  } as const,
});

const ArchiveExpiryRef = builder
  .objectRef<{ kind: 'TRIAL' | 'PAID'; at: number }>('ArchiveExpiry')
  .implement({
    description: "The corp's archive API expired, as WeCom pushed it; a new authorization clears it.",
    fields: (t) => ({
      kind: t.field({ type: ArchiveExpiryKind, resolve: (e) => e.kind }),
      at: t.field({ type: 'DateTime', resolve: (e) => new Date(e.at) }),
    }),
  });

const EventFailureRef = builder.objectRef<EventFailure>('CallbackEventFailure').implement({
  description: 'A callback event of the corp the gateway gave up on (it failed for good, not transiently).',
  fields: (t) => ({
    infoType: t.exposeString('infoType'),
    code: t.exposeString('code', {
      description: 'The error code, as in GraphQL errors (UPSTREAM_ERROR, …).',
    }),
    message: t.exposeString('message'),
    at: t.field({ type: 'DateTime', resolve: (f) => new Date(f.at) }),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  lastEventFailure: t.field({
    type: EventFailureRef,
    nullable: true,
    description:
      'The last callback event of this corp that failed for good; transient failures (45009, 45033, -1, ' +
      'timeouts, 5xx) are retried until they succeed and never show here.',
    resolve: (corp) => corp.lastEventFailure ?? null,
  }),
}));

builder.objectType(CorpAuthorizationRef, {
  fields: (t) => ({
    archiveEdition: t.int({
      nullable: true,
      description: 'The ChatArchiveApi edition the last expiry event named (<ChatArchiveApi><Edition>).',
      resolve: (corp) => corp.archiveEdition ?? null,
    }),
    archiveExpiry: t.field({
      type: ArchiveExpiryRef,
      nullable: true,
      description: 'Set by advanced_api_expired / trial_expired; null while the archive API is live.',
      resolve: (corp) => corp.archiveExpiry ?? null,
    }),
    needsPermanentCodeReset: t.boolean({
      description:
        'The corp is authorized upstream but the gateway holds no permanent code for it (an exchange ' +
        'whose answer was lost): trigger reset_permanent_code for it in the provider console.',
      resolve: (corp) => corp.needsPermanentCodeReset === true,
    }),
    status: t.field({ type: CorpStatus, resolve: (corp) => corp.status }),
    since: t.field({
      type: 'DateTime',
      description: 'When the current authorization was granted.',
      resolve: (corp) => new Date(corp.authorizedAt),
    }),
    cancelledAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (corp) => (corp.cancelledAt === null ? null : new Date(corp.cancelledAt)),
    }),
    editions: t.field({
      type: [CorpEditionRef],
      description: 'Paid archive editions (get_corp_auth_info); [] for a cancelled corp.',
      resolve: (corp, _args, ctx) => corpEditions(corp, ctx),
    }),
  }),
});

builder.objectType(CorpEditionRef, {
  description: 'One entry of get_corp_auth_info auth_edition_list.',
  fields: (t) => ({
    edition: t.exposeInt('edition', {
      description: '1 internal, 2 internal+external, 3 internal+external+voice.',
    }),
    status: t.exposeInt('status', { nullable: true, description: 'Upstream edition status, as reported.' }),
    beginAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.beginAt }),
    endAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.endAt }),
    msgDurationDays: t.exposeInt('msgDurationDays', { nullable: true }),
    authUserCount: t.exposeInt('authUserCount', { nullable: true }),
  }),
});

builder.objectType(PublicKeyInfoRef, {
  description: 'The RSA-2048 public key the upstream encrypts per-message secret keys with.',
  fields: (t) => ({
    version: t.exposeInt('version'),
    publicKeyPem: t.exposeString('publicKeyPem'),
    createdAt: t.field({ type: 'DateTime', resolve: (k) => new Date(k.createdAt) }),
  }),
});

builder.queryFields((t) => ({
  corps: t.field({
    type: CorpConnection,
    description: 'The corps this client may see (scope corp:read), by corpId. first: 1..100, default 20.',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx) => listCorps(args, ctx),
  }),
  corp: t.field({
    type: CorpRef,
    nullable: true,
    description: "FORBIDDEN outside the client's corps; null when the corp has not authorized the app.",
    args: { corpId: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => loadCorp(args.corpId, ctx),
  }),
}));

builder.mutationFields((t) => ({
  rotatePublicKey: t.field({
    type: PublicKeyInfoRef,
    description: 'Generates the next key pair and sets it upstream (scope admin). Old keys are kept.',
    args: { corpId: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => rotatePublicKey(args, ctx),
  }),
}));
