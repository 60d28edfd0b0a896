//! The reissue's statements: copies of the order, its lines (nested rows under their parent's
//! copy), its payment row and the rows joined to them, built from the tables' live columns.

use super::super::build::B;
use super::super::mapping::{Ident, Src};
use super::super::schema::Column;
use super::super::sql::Stmt;

pub(crate) struct ReissueSql {
    /// The row a new order's id is taken from, when the orders table does not number its own.
    pub id_row: Option<Stmt>,
    pub order: Stmt,
    /// A priced line's copy, returning its id.
    pub line: Stmt,
    /// A nested row's copy under its parent's copy, returning its id.
    pub child: Stmt,
    /// The ids of a line's nested rows.
    pub children: Option<Stmt>,
    pub payment: Option<Stmt>,
    pub link: Option<Stmt>,
    /// Copies of the rows joined to the order (addresses, key–value rows): `:id` → `:new_id`.
    pub order_rows: Vec<Stmt>,
    /// Copies of the rows joined to a line: `:line_id` → `:new_line_id`.
    pub line_rows: Vec<Stmt>,
    /// The accepted price (and line total) written into joined rows of the copied line.
    pub line_values: Vec<Stmt>,
}

/// The live columns of every table a reissue copies.
pub(crate) struct Columns {
    pub orders: Vec<Column>,
    pub lines: Vec<Column>,
    pub payments: Vec<Column>,
    /// Tables of rows joined to the order, and to a line, with their key column.
    pub order_joined: Vec<(Ident, Ident, Vec<Column>)>,
    pub line_joined: Vec<(Ident, Ident, Vec<Column>)>,
}

impl ReissueSql {
    pub fn build(b: &B, cols: &Columns) -> ReissueSql {
        let (o, l) = (&b.m.orders, &b.m.lines);
        let (placed, updated) = (
            b.d.time_param(":now_placed"),
            b.d.time_param(":now_updated"),
        );
        // Columns set anew; the id and the cancel reason are left out for the database to fill.
        let mut set: Vec<(&Ident, String)> = vec![(&o.status, ":placed".into())];
        if !o.number_is_id() {
            set.push((&o.number, b.d.concat(&b.c("src", &o.number), ":suffix")));
        }
        set.push((&o.placed_at, placed));
        for (col, value) in [
            (&o.updated_at, updated),
            (&o.reissue_of, b.c("src", &o.id)),
            (&o.total, b.d.money_param(":total")),
        ] {
            if let Some(c) = col {
                set.push((c, value));
            }
        }
        if o.id_from.is_some() {
            set.push((&o.id, ":new_id".into()));
        }
        let unset = [
            o.id.name(),
            o.cancel_reason.as_ref().map_or("", |c| c.name()),
        ];
        let order_cols: Vec<Column> = cols
            .orders
            .iter()
            .filter(|c| !unset.contains(&c.name.as_str()))
            .cloned()
            .collect();
        let src_id = format!("{} = :id", b.c("src", &o.id));
        let returning = match o.id_from {
            Some(_) => String::new(),
            None => b.d.returning(&b.q(&o.id)),
        };
        let order = format!(
            "{}{returning}",
            copy_sql(b, &o.table, &order_cols, &set, &src_id)
        );
        let id_row = o.id_from.as_ref().map(|(table, id, fixed)| {
            let names: Vec<String> = fixed.iter().map(|(c, _)| b.q(c)).collect();
            let values: Vec<String> = fixed
                .iter()
                .map(|(_, v)| super::super::sql::constant(&v.into()))
                .collect();
            b.stmt(format!(
                "INSERT INTO {} ({}) VALUES ({}){}",
                b.t(table),
                names.join(", "),
                values.join(", "),
                b.d.returning(&b.q(id))
            ))
        });
        let line_cols: Vec<Column> = cols
            .lines
            .iter()
            .filter(|c| c.name != l.id.name())
            .cloned()
            .collect();
        let mut child_set = vec![(&l.order_id, ":new_id".to_string())];
        if let Some(p) = &l.parent {
            child_set.push((p, ":new_parent".to_string()));
        }
        let mut line_set = child_set.clone();
        for (src, value) in [
            (Some(&l.price), ":price"),
            (l.total.as_ref(), ":line_total"),
        ] {
            if let Some(c) = src.and_then(Src::column) {
                line_set.push((c, b.d.money_param(value)));
            }
        }
        let by_line = format!("{} = :line_id", b.c("src", &l.id));
        let returning = b.d.returning(&b.q(&l.id));
        ReissueSql {
            id_row,
            order: b.stmt(order),
            line: b.stmt(copy_sql(b, &l.table, &line_cols, &line_set, &by_line) + &returning),
            child: b.stmt(copy_sql(b, &l.table, &line_cols, &child_set, &by_line) + &returning),
            children: l.parent.as_ref().map(|p| {
                b.stmt(format!(
                    "SELECT {} FROM {} c WHERE {} = :line_id ORDER BY {}",
                    b.int("c", Some(&l.id)),
                    b.t(&l.table),
                    b.c("c", p),
                    b.c("c", &l.id)
                ))
            }),
            payment: b.m.payments.as_ref().map(|p| {
                let set = [(&p.order_id, ":new_id".to_string())];
                b.stmt(copy_sql(b, &p.table, &cols.payments, &set, &format!("{} = :id", b.c("src", &p.order_id))))
            }),
            link: o.reissue_of.is_none().then(|| {
                b.stmt("INSERT INTO order_sync_reissues (order_id, reissue_of, created_at) VALUES (:new_id, :id, :created)")
            }),
            order_rows: joined_copies(b, &cols.order_joined, ":id", ":new_id"),
            line_rows: joined_copies(b, &cols.line_joined, ":line_id", ":new_line_id"),
            line_values: line_values(b),
        }
    }
}

/// Copies of the rows of each joined table whose key is `from`, keyed `to`.
fn joined_copies(b: &B, tables: &[(Ident, Ident, Vec<Column>)], from: &str, to: &str) -> Vec<Stmt> {
    tables
        .iter()
        .map(|(table, key, columns)| {
            let filter = format!("{} = {from}", b.c("src", key));
            b.stmt(copy_sql(
                b,
                table,
                columns,
                &[(key, to.to_string())],
                &filter,
            ))
        })
        .collect()
}

/// `UPDATE joined SET column = value` for the line's price and total kept in joined rows.
fn line_values(b: &B) -> Vec<Stmt> {
    let l = &b.m.lines;
    [
        (Some(&l.price), ":price"),
        (l.total.as_ref(), ":line_total"),
    ]
    .into_iter()
    .filter_map(|(src, value)| Some((src?.join()?, value)))
    .map(|(j, value)| {
        let mut cond = vec![format!("{} = :new_line_id", b.q(&j.key))];
        cond.extend(b.filter_conds("", &j.filters));
        b.stmt(format!(
            "UPDATE {} SET {} = {value} WHERE {}",
            b.t(&j.table),
            b.q(&j.column),
            cond.join(" AND ")
        ))
    })
    .collect()
}

/// The tables of rows joined to `id`'s rows (their `on` is the id), once each, with their key.
pub(crate) fn joined_tables<'a>(
    values: impl Iterator<Item = Option<&'a Src>>,
    id: &Ident,
) -> Vec<(Ident, Ident)> {
    let mut out: Vec<(Ident, Ident)> = Vec::new();
    for j in values.flatten().flat_map(Src::joins) {
        if j.on == *id && !out.iter().any(|(t, k)| *t == j.table && *k == j.key) {
            out.push((j.table.clone(), j.key.clone()));
        }
    }
    out
}

/// `INSERT INTO table (copied…, set…) SELECT copied…, values… FROM table src WHERE filter`.
fn copy_sql(
    b: &B,
    table: &Ident,
    columns: &[Column],
    set: &[(&Ident, String)],
    filter: &str,
) -> String {
    let skip: Vec<&str> = set.iter().map(|(c, _)| c.name()).collect();
    let copied: Vec<String> = columns
        .iter()
        .filter(|c| c.writable() && c.auto == 0 && !skip.contains(&c.name.as_str()))
        .map(|c| b.d.quote_part(&c.name))
        .collect();
    let mut names = copied.clone();
    names.extend(set.iter().map(|(c, _)| b.q(c)));
    let mut values: Vec<String> = copied.iter().map(|c| format!("src.{c}")).collect();
    values.extend(set.iter().map(|(_, v)| v.clone()));
    format!(
        "INSERT INTO {t} ({}) SELECT {} FROM {t} src WHERE {filter}",
        names.join(", "),
        values.join(", "),
        t = b.t(table)
    )
}
