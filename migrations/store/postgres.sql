-- The store's tables as the default [store] mapping names them. In production the store owns
-- them and order-sync never creates, alters or drops them; `order-sync migrate --with-store-tables`
-- creates these for development, the demo and tests. The columns here are the contract; order-sync validates
-- every row itself, so there are deliberately no CHECK or foreign-key constraints that a real
-- store might lack (bad rows must reach order-sync and be parked with a reason).
-- Money is NUMERIC, never a float.
CREATE TABLE IF NOT EXISTS customers (
    id         BIGSERIAL PRIMARY KEY,
    email      TEXT,
    first_name TEXT,
    last_name  TEXT,
    company    TEXT,
    phone      TEXT
);

CREATE TABLE IF NOT EXISTS products (
    id         BIGSERIAL PRIMARY KEY,
    sku        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'standard', -- 'standard' or 'evaluation' (the zero-dollar EVAL)
    list_price NUMERIC(14,2)  -- exact decimal or NULL
);

CREATE TABLE IF NOT EXISTS orders (
    id             BIGSERIAL PRIMARY KEY,
    order_number   TEXT NOT NULL UNIQUE,
    customer_id    BIGINT,
    status         TEXT NOT NULL,        -- one of the eight labels, exact text
    payment_method TEXT,                 -- 'credit_card' or 'purchase_order'
    po_number      TEXT,
    currency       TEXT,
    placed_at      TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ,
    reissue_of     BIGINT UNIQUE,       -- the zero-dollar order this priced order replaces
    cancel_reason  TEXT
);
CREATE INDEX IF NOT EXISTS orders_status_placed_at ON orders (status, placed_at, id);
-- order-sync finds later status changes by updated_at: without this index that is a table scan.
CREATE INDEX IF NOT EXISTS orders_updated_at ON orders (updated_at, id);

CREATE TABLE IF NOT EXISTS order_lines (
    id         BIGSERIAL PRIMARY KEY,
    order_id   BIGINT NOT NULL,
    line_no    BIGINT NOT NULL,
    product_id BIGINT,
    quantity   BIGINT,
    unit_price NUMERIC(14,2)  -- exact decimal
);
CREATE INDEX IF NOT EXISTS order_lines_order_id ON order_lines (order_id, line_no);

CREATE TABLE IF NOT EXISTS order_status_history (
    id          BIGSERIAL PRIMARY KEY,
    order_id    BIGINT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT
);
CREATE INDEX IF NOT EXISTS order_status_history_order_id ON order_status_history (order_id, id);
