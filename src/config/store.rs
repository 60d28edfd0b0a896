//! `[store]`: how the store's own tables, columns and codes map onto order-sync's contract.
//!
//! Every key names a store column (or table); an empty string means "the store has no such
//! column". Names are checked and quoted by `store::mapping`, never spliced in as given.

use std::collections::BTreeMap;

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

/// Where a value lives: a column of the section's table (`"email"`), or a column of another
/// table's row that belongs to it (`{ table, column, key, on, where }`): an address row
/// (`address_type = 'billing'`), a key–value row (`meta_key = '_qty'`), a lookup table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Source {
    Column(String),
    Joined(JoinedValue),
    /// The first of these that is neither empty nor 0 (a variation's id, else its product's).
    First(Vec<Source>),
}

impl Source {
    /// The column's name; empty for a joined value and for "no such column".
    pub fn column_name(&self) -> &str {
        match self {
            Source::Column(c) => c,
            Source::Joined(_) | Source::First(_) => "",
        }
    }
}

impl From<&str> for Source {
    fn from(c: &str) -> Source {
        Source::Column(c.to_string())
    }
}

impl Default for Source {
    fn default() -> Source {
        Source::Column(String::new())
    }
}

/// A value from another table's row: `column` of the row of `table` whose `key` equals this
/// table's `on` (default: its id) and whose columns equal `where`'s values.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinedValue {
    pub table: String,
    pub column: String,
    pub key: String,
    #[serde(default)]
    pub on: String,
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, Literal>,
}

/// A fixed value in the mapping: a row filter's, or one order-sync writes on rows it inserts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    Int(i64),
    Text(String),
}

/// How a store nests line rows (Magento: a configurable's child, a bundle's parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NestedPrice {
    /// The parent's price when it has one, else the sum of its children's (Magento:
    /// configurables and fixed-price bundles price the parent, dynamic bundles the children).
    #[default]
    ParentOrChildren,
    /// Only the parent row carries the price; children are parts, never priced.
    Parent,
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
    /// Row filters: only rows whose columns hold these values are orders (`type = "shop_order"`).
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, Literal>,
    pub id: String,
    pub number: String,
    pub customer_id: String,
    pub status: String,
    pub payment_method: Source,
    pub po_number: Source,
    pub currency: Source,
    pub placed_at: String,
    pub updated_at: String,
    pub reissue_of: String,
    pub cancel_reason: String,
    pub total: String,
    pub customer_email: Source,
    pub customer_first_name: Source,
    pub customer_last_name: Source,
    pub customer_company: Source,
    pub customer_phone: Source,
    /// Where a reissued order's id comes from when the orders table does not number its rows
    /// (WooCommerce takes it from a placeholder `wp_posts` row); empty table: the database.
    #[serde(default)]
    pub id_from: IdFrom,
}

/// A row order-sync inserts first, with fixed values, to get a new order's id from it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdFrom {
    pub table: String,
    pub id: String,
    #[serde(default)]
    pub set: BTreeMap<String, Literal>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesTable {
    pub table: String,
    /// Row filters: only rows whose columns hold these values are lines (`order_item_type = "line_item"`).
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, Literal>,
    pub id: String,
    pub order_id: String,
    pub line_no: String,
    pub product_id: Source,
    pub sku: Source,
    pub name: Source,
    pub quantity: Source,
    /// The price of one unit; or leave it empty and give `amount`.
    pub unit_price: Source,
    /// The line's amount (quantity × unit price), when the store keeps no unit price: the unit
    /// price is amount ÷ quantity, exact to the cent, or the order parks.
    #[serde(default)]
    pub amount: Source,
    pub total: Source,
    /// The column naming a child row's parent line (Magento `parent_item_id`): one Salesforce
    /// line per top-level row, its children folded in. Empty: lines are flat.
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub nested_price: NestedPrice,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomersTable {
    pub table: String,
    pub id: String,
    /// A column that is 1 (or true) for a guest's row (PrestaShop `is_guest`): the order is
    /// keyed by e-mail like any guest's, not by the row's id.
    #[serde(default)]
    pub guest: String,
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
    /// Fixed values on the rows order-sync inserts (`comment_type = "order_note"`).
    #[serde(default)]
    pub set: BTreeMap<String, Literal>,
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
