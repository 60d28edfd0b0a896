-- order-sync's own tables (order_sync_*), beside the store's, for MySQL ≥ 8.0 and MariaDB ≥ 10.6.
-- Times are epoch milliseconds (BIGINT) so comparisons are exact on every backend.
CREATE TABLE order_sync_state (
    order_id          BIGINT NOT NULL PRIMARY KEY, -- the store's order id
    state             VARCHAR(16) NOT NULL,        -- 'pending', 'done' or 'parked'
    attempts          BIGINT NOT NULL DEFAULT 0,   -- claims so far
    next_attempt_at   BIGINT NOT NULL DEFAULT 0,   -- not claimed before this time (backoff)
    lease_owner       VARCHAR(255),                -- worker holding the claim
    lease_token       VARCHAR(64),                 -- fencing token: write-back must present it
    rescued_from      VARCHAR(255),                -- previous holder when a claim took over an expired lease
    lease_expires_at  BIGINT,                      -- a crashed worker's claim ends here
    route             VARCHAR(32),
    sf_account_id     VARCHAR(18),
    sf_contact_id     VARCHAR(18),
    sf_opportunity_id VARCHAR(18),
    sf_quote_id       VARCHAR(18),
    sf_order_id       VARCHAR(18),
    last_error_class  VARCHAR(16),                 -- 'transient', 'rejected' or 'fatal'
    last_error_code   VARCHAR(255),                -- Salesforce errorCode, when there is one
    last_error        TEXT,                        -- plain words for a service rep
    parked_at         BIGINT,
    synced_at         BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    KEY order_sync_state_queue (state, next_attempt_at, order_id),
    KEY order_sync_state_lease (lease_token)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- One row per attempt, for `orders show` and for post-mortems.
CREATE TABLE order_sync_attempts (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id    BIGINT NOT NULL,
    attempt     BIGINT NOT NULL,
    worker      VARCHAR(255) NOT NULL,
    finished_at BIGINT NOT NULL,
    outcome     VARCHAR(32) NOT NULL,              -- 'sent', 'transient', 'rejected', 'status_changed'
    error_code  VARCHAR(255),
    message     TEXT,
    KEY order_sync_attempts_order_id (order_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Small named values: the repair loop's watermark, API usage for `status`.
CREATE TABLE order_sync_kv (
    `key`      VARCHAR(191) NOT NULL PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- One row per order with an open stuck-order alert: the row is the "already alerted" mark.
CREATE TABLE order_sync_alerts (
    order_id  BIGINT NOT NULL PRIMARY KEY,
    raised_at BIGINT NOT NULL,
    reason    TEXT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Which order a reissued order replaces, for stores with no column for it (store.orders.reissue_of = "").
CREATE TABLE order_sync_reissues (
    order_id   BIGINT NOT NULL PRIMARY KEY,
    reissue_of BIGINT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
