//! Where a mapped value lives: a column of the section's table, or a column of a row that
//! belongs to it (an address row, a key–value row, a lookup table), plus row filters and fixed
//! values — checked once, like every name.

use std::collections::BTreeMap;

use super::{Code, Ident};
use crate::config::{Literal, Source};

/// A value order-sync reads: a column of the row, or of a joined row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Src {
    Col(Ident),
    Join(Box<Join>),
    /// The first value that is neither empty nor 0.
    First(Vec<Src>),
}

/// `column` of the row of `table` whose `key` equals the section row's `on` and whose columns
/// equal `filters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    pub table: Ident,
    pub column: Ident,
    pub key: Ident,
    pub on: Ident,
    pub filters: Vec<(Ident, Code)>,
}

impl Src {
    /// The section table's own column, when the value is one.
    pub fn column(&self) -> Option<&Ident> {
        match self {
            Src::Col(c) => Some(c),
            _ => None,
        }
    }

    pub fn join(&self) -> Option<&Join> {
        match self {
            Src::Join(j) => Some(j),
            _ => None,
        }
    }

    /// Every joined value this one reads.
    pub fn joins(&self) -> Vec<&Join> {
        match self {
            Src::Col(_) => Vec::new(),
            Src::Join(j) => vec![j],
            Src::First(all) => all.iter().flat_map(Src::joins).collect(),
        }
    }

    /// Checks `value` for the setting `section.name`; `id` is the section table's id, the
    /// default `on` of a joined value. An empty column is `None`.
    pub fn optional(
        section: &str,
        name: &str,
        value: &Source,
        id: &Ident,
    ) -> Result<Option<Src>, String> {
        let key = format!("{section}.{name}");
        let j = match value {
            Source::Column(c) => return Ok(Ident::optional(&key, c, false)?.map(Src::Col)),
            Source::Joined(j) => j,
            Source::First(all) => {
                let all: Vec<Src> = all
                    .iter()
                    .map(|v| Src::required(section, name, v, id))
                    .collect::<Result<_, _>>()?;
                return Ok((!all.is_empty()).then_some(Src::First(all)));
            }
        };
        let part = |p: &str, v: &str| Ident::required(&format!("{key}.{p}"), v, p == "table");
        Ok(Some(Src::Join(Box::new(Join {
            table: part("table", &j.table)?,
            column: part("column", &j.column)?,
            key: part("key", &j.key)?,
            on: match j.on.as_str() {
                "" => id.clone(),
                on => part("on", on)?,
            },
            filters: filters(&format!("{key}.where"), &j.filter)?,
        }))))
    }

    pub fn required(section: &str, name: &str, value: &Source, id: &Ident) -> Result<Src, String> {
        Src::optional(section, name, value, id)?
            .ok_or_else(|| format!("store.{section}.{name} must be set"))
    }
}

/// Checked `column = value` pairs: a row filter's, or fixed values of inserted rows.
pub fn filters(key: &str, given: &BTreeMap<String, Literal>) -> Result<Vec<(Ident, Code)>, String> {
    given
        .iter()
        .map(|(column, value)| {
            let column = Ident::required(key, column, false)?;
            let value = match value {
                Literal::Int(i) => Code::Int(*i),
                Literal::Text(t) => Code::Text(t.clone()),
            };
            Ok((column, value))
        })
        .collect()
}
