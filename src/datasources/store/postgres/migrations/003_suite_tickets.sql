-- The newest suite_ticket of each app (the archive suite and the display app). Provider-wide,
-- not per corp: on Citus a reference table. Kept here, not in Redis, because WeCom pushes a ticket
-- only every 10 minutes: a Redis restarted empty would otherwise leave the gateway without suite
-- tokens (so without corp tokens) until the next push.
CREATE TABLE suite_tickets (
  suite_id text PRIMARY KEY,
  ticket text NOT NULL,
  -- The push's TimeStamp (unix s): the newest by it wins, not the latest to arrive.
  pushed_at bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
