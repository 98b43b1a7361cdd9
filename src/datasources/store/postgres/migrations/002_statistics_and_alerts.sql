-- Statistics and reply-time alerts (PgStatsStore, PgAlertStore). Keyed by corp_id first, like
-- every table of the store of record, so they distribute on Citus by corp_id.

-- "Aggregated up to seq" per corp: the compare-and-set of every statistics commit.
CREATE TABLE stats_watermarks (
  corp_id text PRIMARY KEY,
  seq bigint NOT NULL
);

-- Rolling counters: one row per corp × dimension × bucket, the counters as a JSON object of
-- integers ({"n": 12, "t1": 9, …}). A row per bucket (not per counter) keeps the table as many
-- times smaller as a bucket has counters; `read` sums one dimension's buckets in one index scan.
CREATE TABLE stats_counters (
  corp_id text NOT NULL,
  -- 'c', 'e:<open_userid>', 'x:<external_userid>', 'k:<chatKey>'
  dimension text NOT NULL,
  -- 'h<hour since epoch>' or 'd<UTC day since epoch>'
  bucket text NOT NULL,
  counters jsonb NOT NULL,
  -- End of the bucket, unix s: the retention pass drops rows by it.
  ends_at bigint NOT NULL,
  PRIMARY KEY (corp_id, dimension, bucket)
);
CREATE INDEX stats_counters_ends_at ON stats_counters (ends_at);

-- Per-chat reply pairing state; pending_at is the start of the waiting turn (null: none), the
-- index the alert evaluator scans.
CREATE TABLE stats_chats (
  corp_id text NOT NULL,
  chat_key text NOT NULL,
  state jsonb NOT NULL,
  pending_at bigint,
  PRIMARY KEY (corp_id, chat_key)
);
CREATE INDEX stats_chats_pending ON stats_chats (corp_id, pending_at, chat_key) WHERE pending_at IS NOT NULL;

-- Recalls counted (once per message), and recalls waiting for their message to be indexed.
CREATE TABLE stats_recalls (
  corp_id text NOT NULL,
  msgid text NOT NULL,
  counted_at bigint NOT NULL,
  PRIMARY KEY (corp_id, msgid)
);
CREATE INDEX stats_recalls_counted_at ON stats_recalls (counted_at);

CREATE TABLE stats_awaited_recalls (
  corp_id text NOT NULL,
  msgid text NOT NULL,
  PRIMARY KEY (corp_id, msgid)
);

-- Messages per UTC day × employee × msgtype × direction, added by the same commit as the counters
-- (so exactly once). employee_id '' is the corp row: every message once. An employee row counts
-- the messages that employee counts for (sent, or received in a single chat, as the per-employee
-- statistics), so employee rows may sum to more than the corp row.
CREATE TABLE message_rollup (
  corp_id text NOT NULL,
  day integer NOT NULL,
  employee_id text NOT NULL,
  msgtype integer NOT NULL,
  direction text NOT NULL CHECK (direction IN ('EMPLOYEE_TO_CUSTOMER', 'CUSTOMER_TO_EMPLOYEE', 'INTERNAL', 'OTHER')),
  messages bigint NOT NULL,
  PRIMARY KEY (corp_id, day, employee_id, msgtype, direction)
);
CREATE INDEX message_rollup_day ON message_rollup (day);

CREATE TABLE alert_rules (
  corp_id text NOT NULL,
  rule_id text NOT NULL,
  -- The ReplyTimeoutRule as JSON; only the listing order is a column.
  record jsonb NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (corp_id, rule_id)
);

-- The per-corp opening counter of alerts (their listing cursor).
CREATE TABLE alert_seqs (
  corp_id text PRIMARY KEY,
  last_seq bigint NOT NULL
);

CREATE TABLE reply_alerts (
  corp_id text NOT NULL,
  alert_id text NOT NULL,
  seq bigint NOT NULL,
  chat_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('OPEN', 'RESOLVED')),
  -- The alert as opened (without seq and resolution) as JSON.
  record jsonb NOT NULL,
  resolved_at bigint,
  resolved_by jsonb,
  PRIMARY KEY (corp_id, alert_id),
  UNIQUE (corp_id, seq)
);
CREATE INDEX reply_alerts_status_seq ON reply_alerts (corp_id, status, seq);
CREATE INDEX reply_alerts_open_chat ON reply_alerts (corp_id, chat_key) WHERE status = 'OPEN';
