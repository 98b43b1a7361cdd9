import { z } from 'zod';

/**
 * `GET /cgi-bin/get_jsapi_ticket` (the corp's ticket, for `ww.register` `getConfigSignature`) and
 * `GET /cgi-bin/ticket/get?type=agent_config` (the app's, for `getAgentConfigSignature`): both
 * answer `{errcode, errmsg, ticket, expires_in}`.
 */
export const jsapiTicketResponse = z.object({
  ticket: z.string().min(1),
  expires_in: z.number().int().positive(),
});
