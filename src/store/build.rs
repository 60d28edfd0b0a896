//! Building statements from the mapping and the dialect, once at start-up.
//!
//! [`B`] turns mapped names into quoted, cast SQL expressions; each statement family
//! (claim, moves, repair, …) builds its own statements with it.

use super::dialect::Dialect;
use super::mapping::{Code, Ident, Join, Mapping, Src};
use super::sql::{Stmt, Value, constant};
use crate::domain::OrderStatus;

/// Every statement the store runs, rendered for one dialect.
pub(crate) struct Statements {
    pub claim: super::claim::ClaimSql,
    pub moves: super::moves::MoveSql,
    pub outcome: super::outcome::OutcomeSql,
    pub repair: super::repair::RepairSql,
    pub admin: super::admin::AdminSql,
    pub alerts: super::alerts::AlertSql,
    pub activity: super::activity::ActivitySql,
    pub catalog: super::catalog::CatalogSql,
    pub schema: super::schema::SchemaSql,
    pub seed: super::seed::SeedSql,
    pub changes: super::changes::ChangeSql,
    pub clock: super::clock::ClockSql,
    pub resend: super::resend::ResendSql,
    pub scan: super::scan::ScanSql,
    pub drift: super::drift::DriftSql,
}

impl Statements {
    pub fn build(map: &Mapping, dialect: &'static dyn Dialect) -> Statements {
        let b = B { d: dialect, m: map };
        Statements {
            claim: super::claim::ClaimSql::build(&b),
            moves: super::moves::MoveSql::build(&b),
            outcome: super::outcome::OutcomeSql::build(&b),
            repair: super::repair::RepairSql::build(&b),
            admin: super::admin::AdminSql::build(&b),
            alerts: super::alerts::AlertSql::build(&b),
            activity: super::activity::ActivitySql::build(&b),
            catalog: super::catalog::CatalogSql::build(&b),
            schema: super::schema::SchemaSql::build(&b),
            seed: super::seed::SeedSql::build(&b),
            changes: super::changes::ChangeSql::build(&b),
            clock: super::clock::ClockSql::build(&b),
            resend: super::resend::ResendSql::build(&b),
            scan: super::scan::ScanSql::build(&b),
            drift: super::drift::DriftSql::build(&b),
        }
    }
}

/// A value a statement reads: a column of the aliased row, or a value joined to it.
pub(crate) trait Expr {
    fn expr(&self, b: &B, alias: &str) -> String;
}

impl Expr for Ident {
    fn expr(&self, b: &B, alias: &str) -> String {
        b.c(alias, self)
    }
}

impl Expr for Src {
    fn expr(&self, b: &B, alias: &str) -> String {
        match self {
            Src::Col(c) => b.c(alias, c),
            Src::Join(j) => b.joined(alias, j),
            Src::First(all) => {
                let each: Vec<String> = all
                    .iter()
                    .map(|s| format!("NULLIF(NULLIF({}, '0'), '')", b.d.text(&s.expr(b, alias))))
                    .collect();
                format!("COALESCE({})", each.join(", "))
            }
        }
    }
}

/// The statement builder: the dialect and the mapping, and the expressions statements share.
pub(crate) struct B<'a> {
    pub d: &'a dyn Dialect,
    pub m: &'a Mapping,
}

impl B<'_> {
    pub fn stmt(&self, template: impl AsRef<str>) -> Stmt {
        Stmt::render(self.d, template.as_ref())
    }

    /// A table, quoted.
    pub fn t(&self, table: &Ident) -> String {
        self.d.quote(table)
    }

    /// A column, quoted (no alias: for INSERT column lists and SET clauses).
    pub fn q(&self, column: &Ident) -> String {
        self.d.quote(column)
    }

    /// `alias.column`, quoted.
    pub fn c(&self, alias: &str, column: &Ident) -> String {
        format!("{alias}.{}", self.d.quote(column))
    }

    /// `alias.column` (or the joined value) as text, or a text NULL when the store has none.
    pub fn text<E: Expr + ?Sized>(&self, alias: &str, column: Option<&E>) -> String {
        self.d
            .text(&column.map_or("NULL".to_string(), |c| c.expr(self, alias)))
    }

    /// `alias.column` (or the joined value) as a 64-bit integer, or an integer NULL.
    pub fn int<E: Expr + ?Sized>(&self, alias: &str, column: Option<&E>) -> String {
        self.d
            .int(&column.map_or("NULL".to_string(), |c| c.expr(self, alias)))
    }

    /// The value of the row of `j.table` that belongs to `alias`'s row: one scalar subquery
    /// (MIN: a store that keeps two such rows gives one answer, always the same).
    pub fn joined(&self, alias: &str, j: &Join) -> String {
        let mut cond = vec![format!(
            "{} = {}",
            self.c("jv", &j.key),
            self.c(alias, &j.on)
        )];
        cond.extend(self.filter_conds("jv", &j.filters));
        format!(
            "(SELECT MIN({}) FROM {} jv WHERE {})",
            self.c("jv", &j.column),
            self.t(&j.table),
            cond.join(" AND ")
        )
    }

    /// `alias.column = value` for each fixed pair, the values bound as constants (alias "":
    /// an UPDATE's own row).
    pub fn filter_conds(&self, alias: &str, filters: &[(Ident, Code)]) -> Vec<String> {
        filters
            .iter()
            .map(|(c, v)| {
                let param = constant(&Value::from(v));
                let column = match alias {
                    "" => self.q(c),
                    a => self.c(a, c),
                };
                match v {
                    Code::Text(_) => self.d.equals(&column, &param),
                    Code::Int(_) => format!("{column} = {param}"),
                }
            })
            .collect()
    }

    /// ` AND …` for each of `filters` on `alias` (empty when there are none).
    pub fn and_filters(&self, alias: &str, filters: &[(Ident, Code)]) -> String {
        self.filter_conds(alias, filters)
            .iter()
            .map(|c| format!(" AND {c}"))
            .collect()
    }

    /// ` AND …` for the orders' row filters on `alias`.
    pub fn orders_filter(&self, alias: &str) -> String {
        self.and_filters(alias, &self.m.orders.filters)
    }

    pub fn orders(&self) -> String {
        self.t(&self.m.orders.table)
    }

    /// `alias`'s order id.
    pub fn id(&self, alias: &str) -> String {
        self.c(alias, &self.m.orders.id)
    }

    /// The order `alias` reissues (NULL when none; 0 counts as none): the store's column, or
    /// order-sync's own link table when the store has no such column.
    pub fn reissue_of(&self, alias: &str) -> String {
        match &self.m.orders.reissue_of {
            Some(c) => self.d.int(&format!("NULLIF({}, 0)", self.c(alias, c))),
            None => format!(
                "(SELECT x.reissue_of FROM order_sync_reissues x WHERE x.order_id = {})",
                self.id(alias)
            ),
        }
    }

    /// Joins `r`, the order that `o` reissues.
    pub fn join_reissued(&self) -> String {
        format!(
            "LEFT JOIN {} r ON {} = {}",
            self.orders(),
            self.id("r"),
            self.reissue_of("o")
        )
    }

    /// The id keying `o`'s Opportunity and Quote: the first order of its reissue chain (needs `r`).
    pub fn opportunity_key(&self) -> String {
        self.d.int(&format!(
            "CASE WHEN {ro} IS NULL THEN {o} ELSE COALESCE({rr}, {r}) END",
            ro = self.reissue_of("o"),
            o = self.id("o"),
            rr = self.reissue_of("r"),
            r = self.id("r"),
        ))
    }

    /// `alias`'s status is one of the store's codes for `status` (alias "" for an UPDATE's own row).
    pub fn status_in(&self, alias: &str, status: OrderStatus) -> String {
        let column = match alias {
            "" => self.q(&self.m.orders.status),
            a => self.c(a, &self.m.orders.status),
        };
        let codes: Vec<String> = self
            .m
            .codes(status)
            .iter()
            .map(|c| constant(&Value::from(c)))
            .collect();
        self.d.equals_any(&column, &codes)
    }

    /// The `key` column of order_sync_kv (a reserved word in MySQL).
    pub fn kv_key(&self) -> String {
        self.d.quote_part("key")
    }
}
