-- cancel_auth events the upstream did not confirm (the corp token was still granted), re-asked
-- on the watchdog's passes for a bounded time: applied if the token is refused meanwhile,
-- dropped after the window. Durable because a real cancel whose confirmation came late must
-- not be forgotten by a restart. Keyed by corp_id first, like every per-corp table.
CREATE TABLE pending_cancels (
  corp_id text NOT NULL,
  -- 'archive' or 'display': each app's authorization is cancelled on its own.
  app text NOT NULL,
  -- The first unconfirmed cancel_auth (unix ms): the re-check window runs from it.
  received_at bigint NOT NULL,
  PRIMARY KEY (corp_id, app)
);
