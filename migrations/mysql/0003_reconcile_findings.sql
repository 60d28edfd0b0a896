-- The last reconcile (`order-sync reconcile`, or the schedule in `run`): always one row, id 1.
-- It also holds the schedule's turn, so that one replica at a time runs the scheduled reconcile.
CREATE TABLE order_sync_reconcile (
    id          INTEGER NOT NULL PRIMARY KEY,  -- always 1
    ran_at      BIGINT,                        -- when the last reconcile finished (NULL: none yet)
    run_by      VARCHAR(255),                  -- the schedule's worker, or who ran the command
    scope       VARCHAR(255),                  -- the sent orders it compared, in words
    checked     BIGINT NOT NULL DEFAULT 0,     -- sent orders compared
    in_flight   BIGINT NOT NULL DEFAULT 0,     -- of those, with a status change on its way (stage not compared)
    api_calls   BIGINT NOT NULL DEFAULT 0,
    next_due_at BIGINT NOT NULL DEFAULT 0,     -- the scheduled reconcile is due from here; taking it moves this on
    turn_holder VARCHAR(255)                   -- the replica running the scheduled reconcile now
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
INSERT INTO order_sync_reconcile (id) VALUES (1);

-- What the last reconcile found: one row per disagreement, replaced as a whole by each reconcile.
CREATE TABLE order_sync_drift (
    id                BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id          BIGINT NOT NULL,      -- the store's order id (an orphan: the id Salesforce's records carry)
    order_number      VARCHAR(255),         -- NULL for an orphan
    kind              VARCHAR(32) NOT NULL, -- 'missing', 'amount', 'lines', 'status', 'duplicate', 'orphan', 'stale_id'
    what              TEXT NOT NULL,        -- what differs, in words
    mend              VARCHAR(16) NOT NULL, -- 'resend', 'adopt' or 'human'
    fix               TEXT NOT NULL,        -- what Fix does, or what a person must do in Salesforce
    sf_account_id     VARCHAR(18),          -- 'adopt': the ids Salesforce uses now (the others NULL)
    sf_contact_id     VARCHAR(18),
    sf_opportunity_id VARCHAR(18),
    sf_quote_id       VARCHAR(18),
    sf_order_id       VARCHAR(18),
    first_seen_at     BIGINT NOT NULL,      -- when a reconcile first found this order disagreeing so (kept across reconciles)
    fix_queued_at     BIGINT,               -- a rep's Fix on the console, and who
    fix_queued_by     VARCHAR(255),
    KEY order_sync_drift_order (order_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
