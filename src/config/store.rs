//! `[store]`: how the store's own tables, columns and codes map onto order-sync's contract.
//!
//! Every key names a store column (or table); an empty string means "the store has no such
//! column". Names are checked and quoted by `store::mapping`, never spliced in as given.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// How money columns hold amounts.
    pub money: MoneyFormat,
    /// The zone of naive (time-zone-less) times in the store: "UTC", "Europe/Berlin", "+01:00".
    pub timezone: String,
    /// Whether the status column holds text ("processing") or integer codes (2).
    pub status_codes: StatusCodeType,
    /// PostgreSQL only: `migrate` installs a trigger on the orders table that wakes the push
    /// loop at once; off, the poll every `sync.poll_interval` finds new orders.
    pub notify_trigger: bool,
    pub orders: OrdersTable,
    pub order_lines: LinesTable,
    pub customers: CustomersTable,
    pub products: ProductsTable,
    pub payments: PaymentsTable,
    pub status_history: HistoryTable,
    pub statuses: StatusCodes,
    pub payment_methods: PaymentMethods,
    pub product_kinds: ProductKinds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneyFormat {
    /// An exact decimal: NUMERIC/DECIMAL, or text such as "12.50".
    Decimal,
    /// Integer minor units: 1250 is 12.50.
    Cents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusCodeType {
    Text,
    Integer,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrdersTable {
    pub table: String,
    pub id: String,
    pub number: String,
    pub customer_id: String,
    pub status: String,
    pub payment_method: String,
    pub po_number: String,
    pub currency: String,
    pub placed_at: String,
    pub updated_at: String,
    pub reissue_of: String,
    pub cancel_reason: String,
    pub total: String,
    pub customer_email: String,
    pub customer_first_name: String,
    pub customer_last_name: String,
    pub customer_company: String,
    pub customer_phone: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesTable {
    pub table: String,
    pub id: String,
    pub order_id: String,
    pub line_no: String,
    pub product_id: String,
    pub sku: String,
    pub name: String,
    pub quantity: String,
    pub unit_price: String,
    pub total: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomersTable {
    pub table: String,
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phone: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductsTable {
    pub table: String,
    pub id: String,
    pub sku: String,
    pub name: String,
    pub kind: String,
    pub list_price: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentsTable {
    pub table: String,
    pub order_id: String,
    pub method: String,
    pub po_number: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryTable {
    pub table: String,
    pub id: String,
    pub order_id: String,
    pub from_status: String,
    pub to_status: String,
    pub changed_at: String,
    pub actor: String,
    pub reason: String,
}

/// The store's value for each of the eight statuses.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusCodes {
    pub order_placed: String,
    pub in_process: String,
    pub awaiting_evaluation: String,
    pub awaiting_payment: String,
    pub awaiting_customer_approval: String,
    pub canceled: String,
    pub completed: String,
    pub incomplete: String,
}

/// The store's value(s) for each payment method; several values are separated by commas.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethods {
    pub credit_card: String,
    pub purchase_order: String,
}

/// The store's value(s) for each product kind, and a sku pattern for stores that keep no kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductKinds {
    pub standard: String,
    pub evaluation: String,
    /// Skus matching this pattern (`*` any characters) are evaluations, e.g. "EVAL*".
    pub evaluation_sku_pattern: String,
}
