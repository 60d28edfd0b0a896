-- Store → Salesforce for every later status change of a sent order (the lifecycle loop).
-- sf_status: the store status Salesforce was last brought in line with (NULL: as routed).
ALTER TABLE order_sync_state ADD COLUMN sf_status TEXT;

-- Sent orders whose store status Salesforce does not show yet: one row per order, a claim
-- with a lease like order_sync_state's, parked with a reason when Salesforce refuses it.
CREATE TABLE order_sync_changes (
    order_id         BIGINT NOT NULL PRIMARY KEY,
    status           TEXT NOT NULL,      -- the store status label last seen (informational)
    state            TEXT NOT NULL,      -- 'pending' or 'parked'
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    lease_token      TEXT,
    lease_expires_at BIGINT,
    last_error_class TEXT,
    last_error_code  TEXT,
    last_error       TEXT,
    detected_at      BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX order_sync_changes_queue ON order_sync_changes (state, next_attempt_at);
CREATE INDEX order_sync_changes_lease ON order_sync_changes (lease_token);
