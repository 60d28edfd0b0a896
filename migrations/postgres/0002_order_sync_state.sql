-- order-sync's own tables. Times are epoch milliseconds (BIGINT) so comparisons are exact
-- and identical on SQLite and PostgreSQL.
CREATE TABLE order_sync_state (
    order_id          BIGINT PRIMARY KEY,          -- orders.id
    state             TEXT NOT NULL,               -- 'pending', 'done' or 'parked'
    attempts          BIGINT NOT NULL DEFAULT 0,  -- claims so far
    next_attempt_at   BIGINT NOT NULL DEFAULT 0,  -- not claimed before this time (backoff)
    lease_owner       TEXT,                        -- worker holding the claim
    lease_token       TEXT,                        -- fencing token: write-back must present it
    rescued_from      TEXT,                        -- previous holder when a claim took over an expired lease
    lease_expires_at  BIGINT,                     -- a crashed worker's claim ends here
    route             TEXT,
    sf_account_id     TEXT,
    sf_contact_id     TEXT,
    sf_opportunity_id TEXT,
    sf_quote_id       TEXT,
    sf_order_id       TEXT,
    last_error_class  TEXT,                        -- 'transient', 'rejected' or 'fatal'
    last_error_code   TEXT,                        -- Salesforce errorCode, when there is one
    last_error        TEXT,                        -- plain words for a service rep
    parked_at         BIGINT,
    synced_at         BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX order_sync_state_due ON order_sync_state (next_attempt_at) WHERE state = 'pending';
CREATE INDEX order_sync_state_lease ON order_sync_state (lease_token);

-- One row per attempt, for `orders show` and for post-mortems.
CREATE TABLE order_sync_attempts (
    id          BIGSERIAL PRIMARY KEY,
    order_id    BIGINT NOT NULL,
    attempt     BIGINT NOT NULL,
    worker      TEXT NOT NULL,
    finished_at BIGINT NOT NULL,
    outcome     TEXT NOT NULL,                     -- 'sent', 'transient', 'rejected', 'lease_lost', 'status_changed'
    error_code  TEXT,
    message     TEXT
);
CREATE INDEX order_sync_attempts_order_id ON order_sync_attempts (order_id, id);

-- Small named values: the repair loop's watermark, counters.
CREATE TABLE order_sync_kv (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Wake the push loop at once when an order enters Order Placed (LISTEN order_sync_placed);
-- the poll stays as the fallback.
CREATE FUNCTION order_sync_notify_placed() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'Order Placed' THEN
        PERFORM pg_notify('order_sync_placed', NEW.id::text);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER orders_notify_placed
    AFTER INSERT OR UPDATE OF status ON orders
    FOR EACH ROW EXECUTE FUNCTION order_sync_notify_placed();
