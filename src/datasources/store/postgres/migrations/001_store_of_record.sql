-- The store of record. Every table is keyed by corp_id first, so it distributes on Citus with
-- corp_id as the distribution column (or shards by corp) without a change of key.

CREATE TABLE corps (
  corp_id text PRIMARY KEY,
  -- The CorpRecord (name, status, times, public key version, agent id, edition, …) as JSON, so a
  -- field added to the record needs no migration; only what is queried is a column.
  record jsonb NOT NULL,
  -- Permanent code sealed with GATEWAY_MASTER_KEY (AES-256-GCM, AAD = the corp id).
  sealed_permanent_code text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every private key version ever set for a corp, sealed with GATEWAY_MASTER_KEY.
CREATE TABLE corp_keys (
  corp_id text NOT NULL,
  version integer NOT NULL,
  public_key_pem text NOT NULL,
  sealed_private_key text NOT NULL,
  -- pending: generated and stored, set_public_key not (yet) confirmed; active: confirmed upstream.
  state text NOT NULL CHECK (state IN ('pending', 'active')),
  created_at bigint NOT NULL,
  PRIMARY KEY (corp_id, version)
);

-- Sync bookkeeping per corp and stream ('sync' = sync_msg, 'hits' = get_hit_msg_list). The
-- message stream's cursor commits in the same transaction as its page (PgMessageIndex).
CREATE TABLE sync_state (
  corp_id text NOT NULL,
  stream text NOT NULL CHECK (stream IN ('sync', 'hits')),
  cursor text,
  cursor_updated_at bigint,
  last_callback_at bigint,
  last_sync_started_at bigint,
  last_sync_ok_at bigint,
  last_error jsonb,
  -- Message stream only: the highest seq given out and the number of messages archived.
  last_seq bigint NOT NULL DEFAULT 0,
  message_count bigint NOT NULL DEFAULT 0,
  quarantined_count bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (corp_id, stream)
);

-- The archive: one row per message (metadata and the message's encrypted secret key; content
-- never leaves WeCom), partitioned by send day so retention drops whole partitions. Partitions
-- are created ahead of need (PgPartitions); the default partition only catches what is outside
-- every day partition (a clock far off), so nothing is refused.
CREATE TABLE messages (
  corp_id text NOT NULL,
  -- Unix seconds (sync_msg send_time): the partition key. A msgid always comes with the same send
  -- time, so (corp_id, msgid, send_time) is as unique as (corp_id, msgid).
  send_time bigint NOT NULL,
  msgid text NOT NULL,
  -- Per-corp archive order, given once at the first write: the stable cursor of every listing.
  seq bigint NOT NULL,
  msgtype integer NOT NULL,
  sender_type smallint NOT NULL,
  sender_id text NOT NULL,
  -- Single chats: the receiver (so a participant's traffic is one index range); groups: null.
  peer_id text,
  chat_id text,
  -- The chat's key: the chatid of a group, `s:<idA>|<idB>` (sorted) for a single chat.
  chat_key text NOT NULL,
  -- [[type, id], …] as sync_msg gave them.
  receivers jsonb NOT NULL,
  -- RSA ciphertext of the message's secret key, raw bytes (256 for RSA-2048; base64 costs 344).
  encrypted_secret_key bytea NOT NULL,
  -- Only when the upstream's string is not canonical base64 (then it is kept verbatim here).
  encrypted_secret_key_text text,
  public_key_version integer NOT NULL,
  PRIMARY KEY (corp_id, msgid, send_time)
) PARTITION BY RANGE (send_time);

CREATE TABLE messages_default PARTITION OF messages DEFAULT;

CREATE INDEX messages_corp_seq ON messages (corp_id, seq);
CREATE INDEX messages_corp_chat_seq ON messages (corp_id, chat_key, seq);
CREATE INDEX messages_corp_sender_seq ON messages (corp_id, sender_id, seq);
CREATE INDEX messages_corp_peer_seq ON messages (corp_id, peer_id, seq) WHERE peer_id IS NOT NULL;
CREATE INDEX messages_corp_type_seq ON messages (corp_id, msgtype, seq);

-- Records of sync_msg pages that broke the documented shape: kept aside, never stop a corp.
CREATE TABLE quarantined_records (
  corp_id text NOT NULL,
  id bigserial NOT NULL,
  msgid text,
  -- sha256 of `raw`: the same record kept aside twice (a page fetched again) is one entry.
  digest text NOT NULL,
  raw text NOT NULL,
  reason text NOT NULL,
  recorded_at bigint NOT NULL,
  PRIMARY KEY (corp_id, id),
  UNIQUE (corp_id, digest)
);

-- Keyword-rule hits per message and rule (get_hit_msg_list). Writes merge by (msgid, rule).
CREATE TABLE keyword_hits (
  corp_id text NOT NULL,
  msgid text NOT NULL,
  rule_id text NOT NULL,
  has_hit_keyword boolean NOT NULL,
  semantics integer[] NOT NULL,
  send_time bigint,
  recorded_at bigint NOT NULL,
  PRIMARY KEY (corp_id, msgid, rule_id)
);
CREATE INDEX keyword_hits_corp_rule_time ON keyword_hits (corp_id, rule_id, recorded_at);
CREATE INDEX keyword_hits_recorded ON keyword_hits (recorded_at);

-- Analysis and export jobs the gateway started (the upstream has no list API).
CREATE TABLE tasks (
  corp_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('analysis', 'export')),
  job_id text NOT NULL,
  record jsonb NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (corp_id, kind, job_id)
);
CREATE INDEX tasks_created ON tasks (created_at);
