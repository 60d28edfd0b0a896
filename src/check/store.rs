//! `check`, store side: the live schema against the `[store]` mapping, one line per table and
//! column, the status values the store holds, order-sync's own tables and the wake-up trigger.

use std::collections::BTreeSet;

use super::CheckItem;
use crate::app::{Access, connect_store};
use crate::config::{MoneyFormat, Settings};
use crate::store::mapping::{Ident, Mapping};
use crate::store::schema::{Column, Kind};
use crate::store::{Store, StoreError};

/// What order-sync does with a column, and so which types fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Id,
    Money,
    Quantity,
    Time,
    Status,
    Text,
}

struct Col<'a> {
    key: String,
    column: &'a Ident,
    role: Role,
    /// order-sync writes this column (status moves, reissues, history rows).
    written: bool,
}

struct Table<'a> {
    key: &'static str,
    table: &'a Ident,
    columns: Vec<Col<'a>>,
    /// order-sync inserts fresh rows (not copies): unmapped NOT NULL columns need a default.
    inserts_fresh: bool,
}

fn col<'a>(
    section: &str,
    name: &str,
    column: Option<&'a Ident>,
    role: Role,
    written: bool,
) -> Option<Col<'a>> {
    column.map(|column| Col {
        key: format!("store.{section}.{name}"),
        column,
        role,
        written,
    })
}

fn tables(m: &Mapping) -> Vec<Table<'_>> {
    use Role::*;
    let o = &m.orders;
    let number_written = !o.number_is_id();
    let orders = vec![
        col("orders", "id", Some(&o.id), Id, false),
        col("orders", "number", Some(&o.number), Text, number_written),
        col("orders", "customer_id", o.customer_id.as_ref(), Id, false),
        col("orders", "status", Some(&o.status), Status, true),
        col(
            "orders",
            "payment_method",
            o.payment_method.as_ref(),
            Text,
            false,
        ),
        col("orders", "po_number", o.po_number.as_ref(), Text, false),
        col("orders", "currency", o.currency.as_ref(), Text, false),
        col("orders", "placed_at", Some(&o.placed_at), Time, true),
        col("orders", "updated_at", o.updated_at.as_ref(), Time, true),
        col("orders", "reissue_of", o.reissue_of.as_ref(), Id, true),
        col(
            "orders",
            "cancel_reason",
            o.cancel_reason.as_ref(),
            Text,
            true,
        ),
        col("orders", "total", o.total.as_ref(), Money, true),
        col(
            "orders",
            "customer_email",
            o.customer_email.as_ref(),
            Text,
            false,
        ),
        col(
            "orders",
            "customer_first_name",
            o.customer_first_name.as_ref(),
            Text,
            false,
        ),
        col(
            "orders",
            "customer_last_name",
            o.customer_last_name.as_ref(),
            Text,
            false,
        ),
        col(
            "orders",
            "customer_company",
            o.customer_company.as_ref(),
            Text,
            false,
        ),
        col(
            "orders",
            "customer_phone",
            o.customer_phone.as_ref(),
            Text,
            false,
        ),
    ];
    let l = &m.lines;
    let lines = vec![
        col("order_lines", "id", Some(&l.id), Id, false),
        col("order_lines", "order_id", Some(&l.order_id), Id, true),
        col("order_lines", "line_no", l.line_no.as_ref(), Id, false),
        col(
            "order_lines",
            "product_id",
            l.product_id.as_ref(),
            Id,
            false,
        ),
        col("order_lines", "sku", l.sku.as_ref(), Text, false),
        col("order_lines", "name", l.name.as_ref(), Text, false),
        col(
            "order_lines",
            "quantity",
            Some(&l.quantity),
            Quantity,
            false,
        ),
        col(
            "order_lines",
            "unit_price",
            Some(&l.unit_price),
            Money,
            true,
        ),
        col("order_lines", "total", l.total.as_ref(), Money, true),
    ];
    let mut out = vec![
        Table {
            key: "store.orders.table",
            table: &o.table,
            columns: orders.into_iter().flatten().collect(),
            inserts_fresh: false,
        },
        Table {
            key: "store.order_lines.table",
            table: &l.table,
            columns: lines.into_iter().flatten().collect(),
            inserts_fresh: false,
        },
    ];
    if let Some(c) = &m.customers {
        let cols = [
            col("customers", "id", Some(&c.id), Id, false),
            col("customers", "email", Some(&c.email), Text, false),
            col(
                "customers",
                "first_name",
                c.first_name.as_ref(),
                Text,
                false,
            ),
            col("customers", "last_name", Some(&c.last_name), Text, false),
            col("customers", "company", c.company.as_ref(), Text, false),
            col("customers", "phone", c.phone.as_ref(), Text, false),
        ];
        out.push(Table {
            key: "store.customers.table",
            table: &c.table,
            columns: cols.into_iter().flatten().collect(),
            inserts_fresh: false,
        });
    }
    if let Some(p) = &m.products {
        let cols = [
            col("products", "id", Some(&p.id), Id, false),
            col("products", "sku", Some(&p.sku), Text, false),
            col("products", "name", p.name.as_ref(), Text, false),
            col("products", "kind", p.kind.as_ref(), Text, false),
        ];
        out.push(Table {
            key: "store.products.table",
            table: &p.table,
            columns: cols.into_iter().flatten().collect(),
            inserts_fresh: false,
        });
    }
    if let Some(p) = &m.payments {
        let cols = [
            col("payments", "order_id", Some(&p.order_id), Id, true),
            col("payments", "method", Some(&p.method), Text, false),
            col("payments", "po_number", p.po_number.as_ref(), Text, false),
        ];
        out.push(Table {
            key: "store.payments.table",
            table: &p.table,
            columns: cols.into_iter().flatten().collect(),
            inserts_fresh: false,
        });
    }
    if let Some(h) = &m.history {
        let cols = [
            col("status_history", "id", h.id.as_ref(), Id, false),
            col("status_history", "order_id", Some(&h.order_id), Id, true),
            col(
                "status_history",
                "from_status",
                h.from_status.as_ref(),
                Status,
                true,
            ),
            col(
                "status_history",
                "to_status",
                Some(&h.to_status),
                Status,
                true,
            ),
            col(
                "status_history",
                "changed_at",
                h.changed_at.as_ref(),
                Time,
                true,
            ),
            col("status_history", "actor", h.actor.as_ref(), Text, true),
            col("status_history", "reason", h.reason.as_ref(), Text, true),
        ];
        out.push(Table {
            key: "store.status_history.table",
            table: &h.table,
            columns: cols.into_iter().flatten().collect(),
            inserts_fresh: true,
        });
    }
    out
}

/// Whether a column of `kind` serves `role`: Ok(note) or Err(why not).
fn fits(role: Role, kind: Kind, written: bool, s: &Settings) -> Result<&'static str, String> {
    use Kind::*;
    let integer_codes = s.store.status_codes == crate::config::StatusCodeType::Integer;
    match (role, kind) {
        (Role::Id, Integer) => Ok(""),
        (Role::Id, _) => Err("order-sync reads ids as whole numbers".into()),
        (Role::Money, Integer) if s.store.money == MoneyFormat::Cents => Ok(" (cents)"),
        (Role::Money, _) if s.store.money == MoneyFormat::Cents => {
            Err("store.money = \"cents\" needs an integer column".into())
        }
        (Role::Money, Decimal | Text) => Ok(""),
        (Role::Money, Integer) => {
            Ok(" (whole amounts only; set store.money = \"cents\" if it holds cents)")
        }
        (Role::Money, Float) => {
            Ok(" (floating point: an amount that is not exact parks its order)")
        }
        (Role::Quantity, Integer | Decimal | Text | Float) => Ok(""),
        (Role::Time, Time | Text) => Ok(""),
        (Role::Time, Date) if written => Ok(" (a date: order-sync's changes keep the day only)"),
        (Role::Time, Date | Integer) => Ok(""),
        (Role::Status, Integer) if integer_codes => Ok(""),
        (Role::Status, Text) if !integer_codes => Ok(""),
        (Role::Status, _) => Err(format!(
            "store.status_codes = \"{}\" does not fit this column",
            if integer_codes { "integer" } else { "text" }
        )),
        (Role::Text, Text | Integer | Decimal) => Ok(""),
        (_, k) => Err(format!("order-sync cannot use a {k:?} column here")),
    }
}

pub(super) async fn checks(settings: &Settings) -> (Vec<CheckItem>, Option<BTreeSet<String>>) {
    let backend = settings
        .database
        .url
        .split(':')
        .next()
        .unwrap_or("")
        .to_string();
    let store = match connect_store(settings, Access::Existing).await {
        Ok(s) => s,
        Err(e) => {
            let item = CheckItem::fail(
                format!("store not reachable ({backend}): {e:#}"),
                "check database.url, that the database runs and that this user may connect",
            );
            return (vec![item], None);
        }
    };
    let mut items = vec![CheckItem::pass(format!("store reachable ({backend})"))];
    let result = store_items(&store, settings, &mut items).await;
    let skus = match result {
        Ok(()) => store
            .product_skus()
            .await
            .ok()
            .map(|s| s.into_iter().collect()),
        Err(e) => {
            items.push(CheckItem::fail(
                format!("store could not be read: {e}"),
                "check the [store] mapping",
            ));
            None
        }
    };
    store.close().await;
    let all_ok = items.iter().all(|i| i.ok);
    (items, skus.filter(|_| all_ok))
}

async fn store_items(
    store: &Store,
    settings: &Settings,
    items: &mut Vec<CheckItem>,
) -> Result<(), StoreError> {
    items.push(if store.own_tables_migrated().await? {
        CheckItem::pass("order-sync's own tables (order_sync_*) are migrated")
    } else {
        CheckItem::fail(
            "order-sync's own tables (order_sync_*) are missing",
            "run `order-sync migrate`",
        )
    });
    for t in tables(store.mapping()) {
        let columns = store.columns(t.table).await?;
        if columns.is_empty() {
            items.push(CheckItem::fail(
                format!("table {} ({}) not found", t.table, t.key),
                format!("set {} to the name of your store's table (schema.table if it is in another schema)", t.key),
            ));
            continue;
        }
        items.push(CheckItem::pass(format!("table {} ({})", t.table, t.key)));
        items.extend(
            t.columns
                .iter()
                .map(|c| column_item(&t, c, &columns, settings)),
        );
        if t.inserts_fresh {
            items.extend(unmapped_required(&t, &columns));
        }
    }
    items.extend(status_items(store).await?);
    items.push(trigger_item(store, settings).await?);
    items.push(lifecycle_item(store, settings));
    Ok(())
}

/// Later status changes are found by the orders' updated_at column, or not at all.
fn lifecycle_item(store: &Store, s: &Settings) -> CheckItem {
    let o = &store.mapping().orders;
    match (&o.updated_at, s.lifecycle.enabled) {
        (_, false) => CheckItem::pass(
            "later status changes are not sent to Salesforce (lifecycle.enabled is off)",
        ),
        (Some(u), true) => CheckItem::pass(format!(
            "later status changes are found by {}.{u}: the store must set it on every change, and \
             index it, so finding them stays cheap",
            o.table
        )),
        (None, true) => CheckItem::fail(
            "later status changes cannot be found: store.orders.updated_at is not mapped",
            "map store.orders.updated_at to the column your store sets on every change, or set \
             lifecycle.enabled = false",
        ),
    }
}

fn column_item(t: &Table, c: &Col, columns: &[Column], s: &Settings) -> CheckItem {
    let Some(found) = columns.iter().find(|x| x.name == c.column.name()) else {
        return CheckItem::fail(
            format!("{} → {}.{}: no such column", c.key, t.table, c.column),
            format!(
                "set {} to the column that holds it, or \"\" if the store has none (where allowed)",
                c.key
            ),
        );
    };
    let label = format!("{} → {}.{} ({})", c.key, t.table, c.column, found.data_type);
    if c.written && !found.writable() {
        return CheckItem::fail(
            label,
            "order-sync writes this column, but it is generated by the database",
        );
    }
    match fits(c.role, found.kind(), c.written, s) {
        Ok(note) => CheckItem::pass(format!("{label}{note}")),
        Err(why) => CheckItem::fail(label, why),
    }
}

/// Columns of a table order-sync inserts into that it would leave out, though they need a value.
fn unmapped_required(t: &Table, columns: &[Column]) -> Option<CheckItem> {
    let mapped: Vec<&str> = t.columns.iter().map(|c| c.column.name()).collect();
    let missing: Vec<&str> = columns
        .iter()
        .filter(|c| c.must_be_given() && !mapped.contains(&c.name.as_str()))
        .map(|c| c.name.as_str())
        .collect();
    (!missing.is_empty()).then(|| {
        CheckItem::fail(
            format!(
                "{}: {} NOT NULL without a default and not mapped",
                t.table,
                missing.join(", ")
            ),
            "order-sync's rows there would be refused: map the column(s), or give them a default",
        )
    })
}

async fn status_items(store: &Store) -> Result<Vec<CheckItem>, StoreError> {
    let counts = store.status_counts().await?;
    if counts.unknown_statuses.is_empty() {
        return Ok(vec![CheckItem::pass(
            "every status value in the orders table is one of the eight (store.statuses)",
        )]);
    }
    let found: Vec<String> = counts
        .unknown_statuses
        .iter()
        .map(|(v, n)| format!("{v:?} ({n} orders)"))
        .collect();
    Ok(vec![CheckItem::fail(
        format!(
            "the orders table holds status values outside store.statuses: {}",
            found.join(", ")
        ),
        "map them in [store.statuses] if they are one of the eight, or fix the rows: order-sync never moves such orders",
    )])
}

async fn trigger_item(store: &Store, s: &Settings) -> Result<CheckItem, StoreError> {
    let poll = humantime::format_duration(s.sync.poll_interval);
    Ok(
        match (store.trigger_installed().await?, s.store.notify_trigger) {
            (Some(true), true) => CheckItem::pass(format!(
                "wake-up trigger {} is installed",
                crate::store::TRIGGER
            )),
            (Some(false), true) => CheckItem::fail(
                format!("wake-up trigger {} is not installed", crate::store::TRIGGER),
                "run `order-sync migrate` (store.notify_trigger is on), or turn store.notify_trigger off",
            ),
            (Some(true), false) => CheckItem::pass(format!(
                "wake-up trigger {} is installed but store.notify_trigger is off: it is not listened to",
                crate::store::TRIGGER
            )),
            _ => CheckItem::pass(format!(
                "no trigger on the store's tables; new orders are found by the poll every {poll}"
            )),
        },
    )
}
