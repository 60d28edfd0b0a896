//! What differs between the backends, one file each: quoting, placeholders, casts, conflict
//! handling, the claim's locking, introspection, connecting and migrations.
//!
//! Statements are written once (`store::statements`) in terms of these pieces; a new backend is
//! one more file here plus its migrations.

mod mysql;
mod postgres;
mod sqlite;

pub use mysql::MYSQL;
pub use postgres::POSTGRES;
pub use sqlite::SQLITE;

pub(crate) use mysql::connect as connect_mysql;
pub(crate) use postgres::connect as connect_postgres;
pub(crate) use sqlite::connect as connect_sqlite;

use super::mapping::Ident;

/// The SQL one backend speaks where the others differ.
/// The SQL one backend speaks where the others differ. The provided methods are standard SQL
/// (as SQLite and PostgreSQL speak it); a backend overrides what it says otherwise.
pub trait Dialect: Send + Sync + 'static {
    /// "sqlite", "postgres" or "mysql".
    fn name(&self) -> &'static str;
    /// `expr` as a 64-bit integer.
    fn int(&self, expr: &str) -> String;
    /// Lists a table's columns as `name, data_type` (text) and `nullable, has_default,
    /// generated, auto` (0/1); params `:schema` (NULL: the current one) and `:table`.
    fn columns_sql(&self) -> &'static str;
    /// The database's own clock, now, as naive UTC text: one cheap statement. Times order-sync
    /// writes and the change watermark follow the store's clock, not the worker's. None: the
    /// database runs inside the worker (SQLite), whose clock is its own.
    fn now_utc_sql(&self) -> Option<&'static str>;

    /// One identifier part, quoted.
    fn quote_part(&self, part: &str) -> String {
        format!("\"{part}\"")
    }
    /// `$1` placeholders (reusable) rather than `?` (one per occurrence).
    fn numbered_params(&self) -> bool {
        true
    }
    /// `expr` as text, whatever its column type.
    fn text(&self, expr: &str) -> String {
        format!("CAST({expr} AS TEXT)")
    }
    /// `expr` as text that groups and compares byte for byte (see [`Dialect::equals`]).
    fn exact_text(&self, expr: &str) -> String {
        self.text(expr)
    }
    /// `expr = param`, exactly: byte for byte where the backend's default comparison is not
    /// (MySQL's collations ignore case and trailing spaces). Still uses an index on `expr`.
    fn equals(&self, expr: &str, param: &str) -> String {
        format!("{expr} = {param}")
    }
    /// `expr` equals one of `params`, exactly (as [`Dialect::equals`]).
    fn equals_any(&self, expr: &str, params: &[String]) -> String {
        match params {
            [one] => self.equals(expr, one),
            _ => format!("{expr} IN ({})", params.join(", ")),
        }
    }
    /// A column of `data_type` (as [`Dialect::columns_sql`] names it) holds instants this
    /// backend's sessions read and write in UTC, whatever `store.timezone` says.
    fn reads_in_utc(&self, _data_type: &str) -> bool {
        false
    }
    /// A bound time (naive local text) as the value of a time column.
    fn time_param(&self, param: &str) -> String {
        param.to_string()
    }
    /// A bound exact decimal (text) as the value of a money column.
    fn money_param(&self, param: &str) -> String {
        param.to_string()
    }
    fn concat(&self, a: &str, b: &str) -> String {
        format!("({a} || {b})")
    }
    /// Rows after `(a, b)` = `(pa, pb)` in (a, b) order, as an index range on (a, b): a row value,
    /// which PostgreSQL and SQLite scan in index order (a LIMIT reads only what it returns).
    fn after_key(&self, a: &str, b: &str, pa: &str, pb: &str) -> String {
        format!("({a}, {b}) > ({pa}, {pb})")
    }
    /// `INSERT INTO {into} {rest}` that leaves a row whose `key` exists alone and counts it as
    /// no row touched.
    fn insert_ignoring(&self, into: &str, rest: &str, key: &str) -> String {
        format!("INSERT INTO {into} {rest} ON CONFLICT ({key}) DO NOTHING")
    }
    /// Appended to an INSERT so a row whose `key` exists gets `columns` from the new row.
    fn on_conflict_update(&self, key: &str, columns: &[&str]) -> String {
        let set: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        format!(" ON CONFLICT ({key}) DO UPDATE SET {}", set.join(", "))
    }
    /// Appended to the claim's SELECT so replicas skip rows another replica is claiming; None
    /// when the backend has a single writer (SQLite).
    fn claim_lock(&self) -> Option<&'static str> {
        None
    }
    /// `UPDATE … RETURNING` exists; without it the claim selects, then updates.
    fn update_returning(&self) -> bool {
        true
    }
    /// Appended to an INSERT to get the new row's id back; empty where the driver reports it.
    fn returning(&self, column: &str) -> String {
        format!(" RETURNING {column}")
    }

    /// An identifier (column, or schema.table), quoted.
    fn quote(&self, ident: &Ident) -> String {
        ident
            .parts()
            .map(|p| self.quote_part(p))
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// The dialect for a database URL, by its scheme.
pub fn for_url(url: &str) -> Option<&'static dyn Dialect> {
    let scheme = url.split(':').next().unwrap_or("");
    match scheme {
        "sqlite" => Some(SQLITE),
        "postgres" | "postgresql" => Some(POSTGRES),
        "mysql" | "mariadb" => Some(MYSQL),
        _ => None,
    }
}
