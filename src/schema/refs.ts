import type { PublicKeyInfo } from '../datasources/corps/ports.js';
import type { AnalysisTaskRecord, CorpRecord, ExportTaskRecord } from '../datasources/store/ports.js';
import type { AnalysisSummaryShape } from '../resolvers/analysisResolvers.js';
import type { CorpEdition } from '../resolvers/corpEdition.js';
import type { MessageDisplay } from '../resolvers/messageResolvers.js';
import type {
  ApplicableRangeShape,
  AuthorizedUserShape,
  ChatMemberShape,
  ChatShape,
  ConsentShape,
  KeywordHitShape,
  KeywordRuleShape,
  MessageShape,
  ParticipantShape,
} from '../resolvers/shapes.js';
import type { ViewerShape } from '../resolvers/viewerResolvers.js';
import { builder } from './builder.js';

/**
 * Object refs declared apart from their implementations, so domain files can point at each
 * other without import-order traps. Each ref is implemented in the file named after it.
 */
export const CorpRef = builder.objectRef<CorpRecord>('Corp');
export const CorpAuthorizationRef = builder.objectRef<CorpRecord>('CorpAuthorization');
export const CorpEditionRef = builder.objectRef<CorpEdition>('CorpEdition');
export const PublicKeyInfoRef = builder.objectRef<PublicKeyInfo>('PublicKeyInfo');
export const ChatRef = builder.objectRef<ChatShape>('Chat');
export const ChatMemberRef = builder.objectRef<ChatMemberShape>('ChatMember');
export const ParticipantRef = builder.objectRef<ParticipantShape>('Participant');
export const MessageRef = builder.objectRef<MessageShape>('Message');
export const MessageDisplayRef = builder.objectRef<MessageDisplay>('MessageDisplay');
export const KeywordRuleRef = builder.objectRef<KeywordRuleShape>('KeywordRule');
export const ApplicableRangeRef = builder.objectRef<ApplicableRangeShape>('ApplicableRange');
export const KeywordHitRef = builder.objectRef<KeywordHitShape>('KeywordHit');
export const ConsentRef = builder.objectRef<ConsentShape>('Consent');
export const AnalysisTaskRef = builder.objectRef<AnalysisTaskRecord>('AnalysisTask');
export const AnalysisSummaryRef = builder.objectRef<AnalysisSummaryShape>('AnalysisSummary');
export const ExportTaskRef = builder.objectRef<ExportTaskRecord>('ExportTask');
export const ViewerRef = builder.objectRef<ViewerShape>('Viewer');

export const CorpConnection = builder.connectionObject({ type: CorpRef, name: 'CorpConnection' });
export const ChatConnection = builder.connectionObject({ type: ChatRef, name: 'ChatConnection' });
export const MessageConnection = builder.connectionObject({
  type: MessageRef,
  name: 'MessageConnection',
  fields: (t) => ({
    totalCount: t.int({
      nullable: true,
      description:
        'Messages matching the filter, from the index (cheap: a sorted-set count). Null for searchMessages, ' +
        'where upstream reports no total.',
      resolve: (conn) => (conn as { totalCount?: () => Promise<number> }).totalCount?.() ?? null,
    }),
  }),
});
export const KeywordRuleConnection = builder.connectionObject({
  type: KeywordRuleRef,
  name: 'KeywordRuleConnection',
});
export const KeywordHitConnection = builder.connectionObject({
  type: KeywordHitRef,
  name: 'KeywordHitConnection',
});
export const ParticipantConnection = builder.connectionObject(
  { type: ParticipantRef, name: 'ParticipantConnection' },
  {
    name: 'ParticipantEdge',
    description: 'An authorized user, with the archive editions granted to them.',
    fields: (t) => ({
      editions: t.field({
        type: ['Int'],
        description: 'get_auth_user_list edition_list: 1 internal, 2 internal+external, 3 +voice calls.',
        resolve: (edge) => (edge.node as Partial<AuthorizedUserShape>).editions ?? [],
      }),
    }),
  },
);
