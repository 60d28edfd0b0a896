-- One row per order with an open stuck-order alert: the row is the "already alerted" mark,
-- so an alert is raised once (across replicas) and cleared when the order moves.
CREATE TABLE order_sync_alerts (
    order_id  BIGINT PRIMARY KEY,
    raised_at BIGINT NOT NULL,      -- epoch ms
    reason    TEXT NOT NULL
);
