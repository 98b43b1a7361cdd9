/** Shapes of the simulated upstream's world. Only the simulator sees names and content. */
export type PartyType = 1 | 2 | 3;
export type Party = { type: PartyType; id: string };

export type Department = { id: number; name: string };
export type Employee = {
  openUserId: string;
  userid: string;
  name: string;
  departmentId: number;
  editions: number[];
};
export type Customer = { externalUserId: string; name: string; followers: string[] };
export type GroupMember = { memberid: string; jointime: number; type: PartyType };
export type GroupChat = {
  chatId: string;
  /** '' = unnamed group, which search_chat never finds. */
  name: string;
  kind: 'internal' | 'customer';
  creator: string;
  createTime: number;
  members: GroupMember[];
};
export type SingleChat = { a: Party; b: Party };
export type AgreeStatus = 'Agree' | 'Disagree';
/** `pending` customers have not answered yet; the API reports them as Disagree. */
export type Consent = {
  openUserId: string;
  externalUserId: string;
  status: AgreeStatus;
  changeTime: number;
  pending: boolean;
};
export type RoomConsent = { chatId: string; externalUserId: string; status: AgreeStatus; changeTime: number };

export type CorpData = {
  corpId: string;
  name: string;
  departments: Department[];
  employees: Employee[];
  customers: Customer[];
  robots: string[];
  groups: GroupChat[];
  singles: SingleChat[];
  consents: Consent[];
  roomConsents: RoomConsent[];
};

/** A generated message before archiving: what the sender produced. */
export type DraftMessage = {
  sender: Party;
  receivers: Party[];
  chatId: string | null;
  msgtype: number;
  content: Record<string, unknown>;
  /** What search_msg and keyword rules look at (text, file names, link titles, …). */
  searchText: string;
  /** Behaviour flags for keyword semantics that are not visible in text. */
  recalled: boolean;
  welcome: boolean;
  qrCode: boolean;
};

/**
 * How a sync_msg record may break the documented shape (docs/upstream.md §8.13: no page promises every
 * field): `no_encrypt_info` (service_encrypt_info missing), `unknown_msgtype` (outside 0..28),
 * `wrong_type` (send_time a string).
 */
export const MALFORMATIONS = ['no_encrypt_info', 'unknown_msgtype', 'wrong_type'] as const;
export type Malformation = (typeof MALFORMATIONS)[number];

export type ArchivedMessage = DraftMessage & {
  msgid: string;
  seq: number;
  sendTime: number;
  secretKey: string;
  encryptedSecretKey: string;
  publicKeyVer: number;
  /** Set on records the control API made malformed (`POST /__sim/messages {malformed}`). */
  malformed?: Malformation;
};
