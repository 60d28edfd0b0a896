//! Two stores that were there before order-sync: their tables (written per backend, as their
//! DBAs would) and the `[store]` mapping that describes them, as environment variables.

use crate::helpers::Backend;

/// The backend's spelling of a few column types.
fn ddl(backend: Backend, template: &str) -> String {
    let (pk, datetime) = match backend {
        // SERIAL is a 32-bit (int4) id: order-sync reads it as well as BIGINT.
        Backend::Postgres => ("SERIAL PRIMARY KEY", "TIMESTAMP"),
        Backend::Mysql => ("INT NOT NULL AUTO_INCREMENT PRIMARY KEY", "DATETIME"),
        Backend::Sqlite => ("INTEGER PRIMARY KEY", "DATETIME"),
    };
    template.replace("{pk}", pk).replace("{datetime}", datetime)
}

/// A shop with its own names everywhere, status codes such as `placed`/`processing`, 32-bit
/// ids, NUMERIC(12,2) money, TIMESTAMP times and NOT NULL DEFAULT columns order-sync knows nothing of.
pub fn renamed_shop_tables(backend: Backend) -> String {
    ddl(
        backend,
        "CREATE TABLE shop_customer (cust_no {pk}, mail VARCHAR(255), given_name VARCHAR(255), \
           family_name VARCHAR(255), firm VARCHAR(255), tel VARCHAR(64), \
           created_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP); \
         CREATE TABLE shop_product (prod_no {pk}, code VARCHAR(64) NOT NULL, title VARCHAR(255) NOT NULL, \
           category VARCHAR(16) NOT NULL DEFAULT 'item', price NUMERIC(12,2)); \
         CREATE TABLE shop_order (order_no {pk}, ref VARCHAR(40) NOT NULL UNIQUE, cust_no INT, \
           state VARCHAR(20) NOT NULL, pay VARCHAR(20), po VARCHAR(40), cur CHAR(3), \
           created TIMESTAMP DEFAULT CURRENT_TIMESTAMP, modified TIMESTAMP NULL, replaces INT, \
           why_cancelled VARCHAR(80), channel VARCHAR(20) NOT NULL DEFAULT 'web', \
           grand_total NUMERIC(12,2) NOT NULL DEFAULT 0); \
         CREATE INDEX shop_order_state ON shop_order (state); \
         CREATE TABLE shop_order_line (line_id {pk}, order_no INT NOT NULL, pos INT NOT NULL, prod_no INT, \
           qty NUMERIC(10,2), price NUMERIC(12,2), line_total NUMERIC(12,2) NOT NULL DEFAULT 0, \
           warehouse VARCHAR(20) NOT NULL DEFAULT 'main'); \
         CREATE TABLE shop_order_log (log_id {pk}, order_no INT NOT NULL, old_state VARCHAR(20), \
           new_state VARCHAR(20) NOT NULL, at TIMESTAMP NOT NULL, who VARCHAR(120) NOT NULL, note TEXT, \
           notified SMALLINT NOT NULL DEFAULT 0);",
    )
}

pub const RENAMED_SHOP: &[(&str, &str)] = &[
    ("ORDER_SYNC__STORE__ORDERS__TABLE", "shop_order"),
    ("ORDER_SYNC__STORE__ORDERS__ID", "order_no"),
    ("ORDER_SYNC__STORE__ORDERS__NUMBER", "ref"),
    ("ORDER_SYNC__STORE__ORDERS__CUSTOMER_ID", "cust_no"),
    ("ORDER_SYNC__STORE__ORDERS__STATUS", "state"),
    ("ORDER_SYNC__STORE__ORDERS__PAYMENT_METHOD", "pay"),
    ("ORDER_SYNC__STORE__ORDERS__PO_NUMBER", "po"),
    ("ORDER_SYNC__STORE__ORDERS__CURRENCY", "cur"),
    ("ORDER_SYNC__STORE__ORDERS__PLACED_AT", "created"),
    ("ORDER_SYNC__STORE__ORDERS__UPDATED_AT", "modified"),
    ("ORDER_SYNC__STORE__ORDERS__REISSUE_OF", "replaces"),
    ("ORDER_SYNC__STORE__ORDERS__CANCEL_REASON", "why_cancelled"),
    ("ORDER_SYNC__STORE__ORDERS__TOTAL", "grand_total"),
    ("ORDER_SYNC__STORE__ORDER_LINES__TABLE", "shop_order_line"),
    ("ORDER_SYNC__STORE__ORDER_LINES__ID", "line_id"),
    ("ORDER_SYNC__STORE__ORDER_LINES__ORDER_ID", "order_no"),
    ("ORDER_SYNC__STORE__ORDER_LINES__LINE_NO", "pos"),
    ("ORDER_SYNC__STORE__ORDER_LINES__PRODUCT_ID", "prod_no"),
    ("ORDER_SYNC__STORE__ORDER_LINES__QUANTITY", "qty"),
    ("ORDER_SYNC__STORE__ORDER_LINES__UNIT_PRICE", "price"),
    ("ORDER_SYNC__STORE__ORDER_LINES__TOTAL", "line_total"),
    ("ORDER_SYNC__STORE__CUSTOMERS__TABLE", "shop_customer"),
    ("ORDER_SYNC__STORE__CUSTOMERS__ID", "cust_no"),
    ("ORDER_SYNC__STORE__CUSTOMERS__EMAIL", "mail"),
    ("ORDER_SYNC__STORE__CUSTOMERS__FIRST_NAME", "given_name"),
    ("ORDER_SYNC__STORE__CUSTOMERS__LAST_NAME", "family_name"),
    ("ORDER_SYNC__STORE__CUSTOMERS__COMPANY", "firm"),
    ("ORDER_SYNC__STORE__CUSTOMERS__PHONE", "tel"),
    ("ORDER_SYNC__STORE__PRODUCTS__TABLE", "shop_product"),
    ("ORDER_SYNC__STORE__PRODUCTS__ID", "prod_no"),
    ("ORDER_SYNC__STORE__PRODUCTS__SKU", "code"),
    ("ORDER_SYNC__STORE__PRODUCTS__NAME", "title"),
    ("ORDER_SYNC__STORE__PRODUCTS__KIND", "category"),
    ("ORDER_SYNC__STORE__PRODUCTS__LIST_PRICE", "price"),
    ("ORDER_SYNC__STORE__STATUS_HISTORY__TABLE", "shop_order_log"),
    ("ORDER_SYNC__STORE__STATUS_HISTORY__ID", "log_id"),
    ("ORDER_SYNC__STORE__STATUS_HISTORY__ORDER_ID", "order_no"),
    (
        "ORDER_SYNC__STORE__STATUS_HISTORY__FROM_STATUS",
        "old_state",
    ),
    ("ORDER_SYNC__STORE__STATUS_HISTORY__TO_STATUS", "new_state"),
    ("ORDER_SYNC__STORE__STATUS_HISTORY__CHANGED_AT", "at"),
    ("ORDER_SYNC__STORE__STATUS_HISTORY__ACTOR", "who"),
    ("ORDER_SYNC__STORE__STATUS_HISTORY__REASON", "note"),
    ("ORDER_SYNC__STORE__STATUSES__ORDER_PLACED", "placed"),
    ("ORDER_SYNC__STORE__STATUSES__IN_PROCESS", "processing"),
    (
        "ORDER_SYNC__STORE__STATUSES__AWAITING_EVALUATION",
        "evaluating",
    ),
    (
        "ORDER_SYNC__STORE__STATUSES__AWAITING_PAYMENT",
        "awaiting_po",
    ),
    (
        "ORDER_SYNC__STORE__STATUSES__AWAITING_CUSTOMER_APPROVAL",
        "quoted",
    ),
    ("ORDER_SYNC__STORE__STATUSES__CANCELED", "cancelled"),
    ("ORDER_SYNC__STORE__STATUSES__COMPLETED", "shipped"),
    ("ORDER_SYNC__STORE__STATUSES__INCOMPLETE", "failed"),
    ("ORDER_SYNC__STORE__PAYMENT_METHODS__CREDIT_CARD", "card"),
    (
        "ORDER_SYNC__STORE__PAYMENT_METHODS__PURCHASE_ORDER",
        "invoice",
    ),
    ("ORDER_SYNC__STORE__PRODUCT_KINDS__STANDARD", "item"),
    ("ORDER_SYNC__STORE__PRODUCT_KINDS__EVALUATION", "eval"),
];

/// OpenCart 3's order tables (the columns that matter, and enough of the others): integer
/// status ids, the customer on the order row (customer_id 0 for a guest), the sku (`model`) on
/// the line, no products table read, a log with no "from" or actor, many NOT NULL columns
/// without defaults — which a reissue must copy.
pub fn opencart_tables(backend: Backend) -> String {
    ddl(
        backend,
        "CREATE TABLE oc_order (order_id {pk}, invoice_no INT NOT NULL DEFAULT 0, \
           invoice_prefix VARCHAR(26) NOT NULL, store_id INT NOT NULL DEFAULT 0, store_name VARCHAR(64) NOT NULL, \
           store_url VARCHAR(255) NOT NULL, customer_id INT NOT NULL DEFAULT 0, customer_group_id INT NOT NULL DEFAULT 0, \
           firstname VARCHAR(32) NOT NULL, lastname VARCHAR(32) NOT NULL, email VARCHAR(96) NOT NULL, \
           telephone VARCHAR(32) NOT NULL, payment_company VARCHAR(60) NOT NULL DEFAULT '', \
           payment_method VARCHAR(128) NOT NULL, payment_code VARCHAR(128) NOT NULL, comment TEXT NOT NULL, \
           total DECIMAL(15,4) NOT NULL DEFAULT 0.0000, order_status_id INT NOT NULL DEFAULT 0, \
           currency_code VARCHAR(3) NOT NULL, currency_value DECIMAL(15,8) NOT NULL DEFAULT 1.00000000, \
           ip VARCHAR(40) NOT NULL, user_agent VARCHAR(255) NOT NULL, date_added {datetime} NOT NULL, \
           date_modified {datetime} NOT NULL); \
         CREATE INDEX oc_order_status ON oc_order (order_status_id); \
         CREATE TABLE oc_order_product (order_product_id {pk}, order_id INT NOT NULL, product_id INT NOT NULL, \
           name VARCHAR(255) NOT NULL, model VARCHAR(64) NOT NULL, quantity INT NOT NULL, \
           price DECIMAL(15,4) NOT NULL DEFAULT 0.0000, total DECIMAL(15,4) NOT NULL DEFAULT 0.0000, \
           tax DECIMAL(15,4) NOT NULL DEFAULT 0.0000, reward INT NOT NULL); \
         CREATE TABLE oc_order_history (order_history_id {pk}, order_id INT NOT NULL, order_status_id INT NOT NULL, \
           notify SMALLINT NOT NULL DEFAULT 0, comment TEXT NOT NULL, date_added {datetime} NOT NULL);",
    )
}
