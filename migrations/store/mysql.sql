-- The store's tables as the default [store] mapping names them, for MySQL/MariaDB. In production
-- the store owns them and order-sync never creates, alters or drops them;
-- `order-sync migrate --with-store-tables` creates these for development, the demo and tests.
-- No CHECK or foreign-key constraints: bad rows must reach order-sync and be parked with a reason.
CREATE TABLE IF NOT EXISTS customers (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email      TEXT,
    first_name TEXT,
    last_name  TEXT,
    company    TEXT,
    phone      TEXT
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS products (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sku        VARCHAR(191) NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       VARCHAR(32) NOT NULL DEFAULT 'standard', -- 'standard' or 'evaluation' (the zero-dollar EVAL)
    list_price DECIMAL(14,2)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS orders (
    id             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_number   VARCHAR(191) NOT NULL UNIQUE,
    customer_id    BIGINT,
    status         VARCHAR(64) NOT NULL,   -- one of the eight labels, exact text
    payment_method TEXT,            -- 'credit_card' or 'purchase_order'
    po_number      TEXT,
    currency       TEXT,
    placed_at      DATETIME(6),
    updated_at     DATETIME(6),
    reissue_of     BIGINT UNIQUE,          -- the zero-dollar order this priced order replaces
    cancel_reason  VARCHAR(255),
    KEY orders_status_placed_at (status, placed_at, id),
    KEY orders_updated_at (updated_at, id) -- order-sync finds later status changes by updated_at
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS order_lines (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id   BIGINT NOT NULL,
    line_no    BIGINT NOT NULL,
    product_id BIGINT,
    quantity   BIGINT,
    unit_price DECIMAL(14,2),
    KEY order_lines_order_id (order_id, line_no)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS order_status_history (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id    BIGINT NOT NULL,
    from_status VARCHAR(64),
    to_status   VARCHAR(64) NOT NULL,
    changed_at  DATETIME(6) NOT NULL,
    actor       VARCHAR(255) NOT NULL,
    reason      TEXT,
    KEY order_status_history_order_id (order_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
