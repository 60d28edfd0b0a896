-- The last reconcile (`order-sync reconcile`, or the schedule in `run`): always one row, id 1.
-- It also holds the schedule's turn, so that one replica at a time runs the scheduled reconcile.
CREATE TABLE order_sync_reconcile (
    id          INTEGER PRIMARY KEY,        -- always 1
    ran_at      BIGINT,                     -- when the last reconcile finished (NULL: none yet)
    run_by      TEXT,                       -- the schedule's worker, or who ran the command
    scope       TEXT,                       -- the sent orders it compared, in words
    checked     BIGINT NOT NULL DEFAULT 0,  -- sent orders compared
    in_flight   BIGINT NOT NULL DEFAULT 0,  -- of those, with a status change on its way (stage not compared)
    api_calls   BIGINT NOT NULL DEFAULT 0,
    next_due_at BIGINT NOT NULL DEFAULT 0,  -- the scheduled reconcile is due from here; taking it moves this on
    turn_holder TEXT                        -- the replica running the scheduled reconcile now
);
INSERT INTO order_sync_reconcile (id) VALUES (1);

-- What the last reconcile found: one row per disagreement, replaced as a whole by each reconcile.
CREATE TABLE order_sync_drift (
    id                INTEGER PRIMARY KEY,
    order_id          BIGINT NOT NULL,  -- the store's order id (an orphan: the id Salesforce's records carry)
    order_number      TEXT,             -- NULL for an orphan
    kind              TEXT NOT NULL,    -- 'missing', 'amount', 'lines', 'status', 'duplicate', 'orphan', 'stale_id'
    what              TEXT NOT NULL,    -- what differs, in words
    mend              TEXT NOT NULL,    -- 'resend', 'adopt' or 'human'
    fix               TEXT NOT NULL,    -- what Fix does, or what a person must do in Salesforce
    sf_account_id     TEXT,             -- 'adopt': the ids Salesforce uses now (the others NULL)
    sf_contact_id     TEXT,
    sf_opportunity_id TEXT,
    sf_quote_id       TEXT,
    sf_order_id       TEXT,
    first_seen_at     BIGINT NOT NULL,  -- when a reconcile first found this order disagreeing so (kept across reconciles)
    fix_queued_at     BIGINT,           -- a rep's Fix on the console, and who
    fix_queued_by     TEXT
);
CREATE INDEX order_sync_drift_order ON order_sync_drift (order_id);
