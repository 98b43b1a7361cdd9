/** What the gateway asks of the WeCom host: the API client, the token chain, JS-SDK tickets. */
import type {
  ChatdataApi,
  ChatdataRequest,
  ChatdataResponse,
  PermanentCodeResponse,
} from './upstreamSchemas.js';

/** Suite ticket → suite token → per-corp token, cached and single-flighted across replicas. */
export interface TokenChain {
  /**
   * Stores a pushed suite_ticket unless a newer one (by the event's `TimeStamp`, unix seconds)
   * is already stored: pushes may arrive out of order, and the newest wins (docs/upstream.md §8.12).
   */
  setSuiteTicket(ticket: string, timestampS: number): Promise<void>;
  getSuiteToken(): Promise<string>;
  getCorpToken(corpId: string): Promise<string>;
  /** Drops a cached token only if it still is `token` (another caller may have refreshed already). */
  invalidateSuiteToken(token: string): Promise<void>;
  invalidateCorpToken(corpId: string, token: string): Promise<void>;
  /** Drops a corp's cached token whatever it is (new permanent code, or to ask the upstream afresh). */
  forgetCorpToken(corpId: string): Promise<void>;
}

/** `config` signs with the corp's jsapi_ticket, `agentConfig` with the app's (type=agent_config). */
export type JsapiTicketKind = 'corp' | 'agent';

/** JS-SDK tickets, cached like tokens (shared by replicas, one fetch per lifetime). */
export interface JsapiTickets {
  getTicket(corpId: string, kind: JsapiTicketKind): Promise<string>;
  /** The authorized app's agent id in the corp (stored from its authorization, else WECOM_AGENT_ID); null when unknown. */
  agentId(corpId: string): Promise<number | null>;
  /** Drops the corp's cached tickets (cancel_auth). */
  forget(corpId: string): Promise<void>;
}

/** Uploaded temp media (the export template). */
export type UploadedMedia = { mediaId: string; createdAt: number };

/** The WeCom HTTP API, every response zod-validated; failures are `WecomError`s. */
export interface WecomApi {
  /** Any `/cgi-bin/chatdata/*` API with the corp's access token; token errors refresh once and retry once. */
  chatdata<A extends ChatdataApi>(
    corpId: string,
    api: A,
    body: ChatdataRequest<A>,
  ): Promise<ChatdataResponse<A>>;
  /** `POST /cgi-bin/media/upload?type=file` (multipart, field `media`) with the corp token. */
  uploadMedia(corpId: string, filename: string, content: Uint8Array): Promise<UploadedMedia>;
  /** `service/get_permanent_code` with the suite token. */
  getPermanentCode(authCode: string): Promise<PermanentCodeResponse>;
}
