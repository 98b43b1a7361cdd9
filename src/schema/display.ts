import { displayKeys, type JsapiSignatures, jsapiSignatures } from '../resolvers/displayResolvers.js';
import { builder } from './builder.js';
import { CorpRef, MessageDisplayRef } from './refs.js';

const JsapiSignaturesRef = builder.objectRef<JsapiSignatures>('JsapiSignatures').implement({
  description:
    'What `ww.register` of @wecom/jssdk needs for the display component: return ' +
    '{timestamp, nonceStr, signature: configSignature} from getConfigSignature and ' +
    '{timestamp, nonceStr, signature: agentConfigSignature} from getAgentConfigSignature.',
  fields: (t) => ({
    corpId: t.exposeString('corpId'),
    agentId: t.exposeInt('agentId', {
      nullable: true,
      description:
        "The authorized app's agent id in the corp (from its authorization, else WECOM_AGENT_ID); null when unknown.",
    }),
    url: t.exposeString('url', { description: 'The URL signed: the page URL without its #fragment.' }),
    timestamp: t.exposeInt('timestamp', { description: 'Unix seconds.' }),
    nonceStr: t.exposeString('nonceStr'),
    configSignature: t.exposeString('configSignature', {
      description: "sha1 over the corp's jsapi_ticket (ww.register getConfigSignature).",
    }),
    agentConfigSignature: t.exposeString('agentConfigSignature', {
      description: "sha1 over the app's agent_config ticket (ww.register getAgentConfigSignature).",
    }),
  }),
});

builder.queryFields((t) => ({
  jsapiSignatures: t.field({
    type: JsapiSignaturesRef,
    description:
      'JS-SDK config and agentConfig signatures for the page at url (absolute http(s); a #fragment is ' +
      'dropped, as WeCom signs without it). Scope content:display. Tickets are cached upstream-wide.',
    args: {
      corpId: t.arg.string({ required: true }),
      url: t.arg.string({ required: true }),
    },
    resolve: (_root, args, ctx) => jsapiSignatures(args, ctx),
  }),
}));

builder.objectFields(CorpRef, (t) => ({
  displayKeys: t.field({
    type: [MessageDisplayRef],
    nullable: { list: false, items: true },
    description:
      'ww-open-message secret keys for 1..100 messages (Message ids or msgids), in order; null for a message ' +
      'the index does not hold. Scope content:display.',
    args: { messageIds: t.arg.idList({ required: true }) },
    resolve: (corp, args, ctx) => displayKeys(corp.corpId, args, ctx),
  }),
}));
