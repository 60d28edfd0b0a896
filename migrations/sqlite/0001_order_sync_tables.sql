-- order-sync's own tables (order_sync_*), beside the store's. Times are epoch milliseconds
-- (INTEGER) so comparisons are exact on every backend. IF NOT EXISTS: databases set up by
-- builds before this ledger (_order_sync_migrations) already have them.
CREATE TABLE IF NOT EXISTS order_sync_state (
    order_id          INTEGER PRIMARY KEY,         -- the store's order id
    state             TEXT NOT NULL,               -- 'pending', 'done' or 'parked'
    attempts          INTEGER NOT NULL DEFAULT 0,  -- claims so far
    next_attempt_at   INTEGER NOT NULL DEFAULT 0,  -- not claimed before this time (backoff)
    lease_owner       TEXT,                        -- worker holding the claim
    lease_token       TEXT,                        -- fencing token: write-back must present it
    rescued_from      TEXT,                        -- previous holder when a claim took over an expired lease
    lease_expires_at  INTEGER,                     -- a crashed worker's claim ends here
    route             TEXT,
    sf_account_id     TEXT,
    sf_contact_id     TEXT,
    sf_opportunity_id TEXT,
    sf_quote_id       TEXT,
    sf_order_id       TEXT,
    last_error_class  TEXT,                        -- 'transient', 'rejected' or 'fatal'
    last_error_code   TEXT,                        -- Salesforce errorCode, when there is one
    last_error        TEXT,                        -- plain words for a service rep
    parked_at         INTEGER,
    synced_at         INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
-- The claim's queue: pending rows by due time (the state is a bound value, so no partial index).
CREATE INDEX IF NOT EXISTS order_sync_state_queue ON order_sync_state (state, next_attempt_at, order_id);
CREATE INDEX IF NOT EXISTS order_sync_state_lease ON order_sync_state (lease_token);

-- One row per attempt, for `orders show` and for post-mortems.
CREATE TABLE IF NOT EXISTS order_sync_attempts (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    worker      TEXT NOT NULL,
    finished_at INTEGER NOT NULL,
    outcome     TEXT NOT NULL,                     -- 'sent', 'transient', 'rejected', 'status_changed'
    error_code  TEXT,
    message     TEXT
);
CREATE INDEX IF NOT EXISTS order_sync_attempts_order_id ON order_sync_attempts (order_id, id);

-- Small named values: the repair loop's watermark, API usage for `status`.
CREATE TABLE IF NOT EXISTS order_sync_kv (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- One row per order with an open stuck-order alert: the row is the "already alerted" mark,
-- so an alert is raised once (across replicas) and cleared when the order moves.
CREATE TABLE IF NOT EXISTS order_sync_alerts (
    order_id  INTEGER PRIMARY KEY,
    raised_at INTEGER NOT NULL,
    reason    TEXT NOT NULL
);

-- Which order a reissued order replaces, for stores with no column for it (store.orders.reissue_of = "").
CREATE TABLE IF NOT EXISTS order_sync_reissues (
    order_id   INTEGER PRIMARY KEY,     -- the priced order order-sync inserted
    reissue_of INTEGER NOT NULL UNIQUE, -- the canceled evaluation order
    created_at INTEGER NOT NULL
);
