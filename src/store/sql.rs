//! Statements with named parameters (`:name`), rendered once per dialect, and the values bound to them.
//!
//! A template is written once for every backend; [`Stmt::render`] turns `:name` into `$1` or
//! `?` and records the order in which values must be bound, so no call site counts placeholders.

use std::collections::HashMap;
use std::sync::Arc;

use super::dialect::Dialect;
use super::mapping::Code;

/// A value bound to a statement: always typed, so a NULL is a NULL of the column's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(Some(v.to_string()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        Value::Text(v)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Value {
        Value::Text(v.map(str::to_string))
    }
}
impl From<&Code> for Value {
    fn from(c: &Code) -> Value {
        match c {
            Code::Text(t) => Value::Text(Some(t.clone())),
            Code::Int(i) => Value::Int(Some(*i)),
        }
    }
}

/// Named values for one execution: `args! { "id" => 5, "now" => now }`.
#[derive(Debug, Default, Clone)]
pub struct Args(HashMap<&'static str, Value>);

impl Args {
    pub fn new() -> Args {
        Args::default()
    }

    pub fn set(mut self, name: &'static str, value: impl Into<Value>) -> Args {
        self.0.insert(name, value.into());
        self
    }
}

macro_rules! args {
    ($($name:literal => $value:expr),* $(,)?) => {
        $crate::store::sql::Args::new()$(.set($name, $value))*
    };
}
pub(crate) use args;

/// A rendered statement: its SQL text for one dialect and the parameter names in bind order.
#[derive(Debug, Clone)]
pub struct Stmt {
    sql: Arc<str>,
    params: Vec<String>,
}

impl Stmt {
    /// Renders `template` for `dialect`: numbered (`$1`, reused for a repeated name) or
    /// positional (`?`, one per occurrence).
    pub fn render(dialect: &dyn Dialect, template: &str) -> Stmt {
        let mut sql = String::with_capacity(template.len());
        let mut params: Vec<String> = Vec::new();
        let mut chars = template.char_indices().peekable();
        let mut in_literal = false;
        while let Some((i, c)) = chars.next() {
            in_literal ^= c == '\'';
            let starts_name = c == ':'
                && !in_literal
                && chars
                    .peek()
                    .is_some_and(|(_, n)| n.is_ascii_lowercase() || *n == '_')
                && !template[..i].ends_with(':');
            if !starts_name {
                sql.push(c);
                continue;
            }
            let mut name = String::new();
            while let Some((_, n)) = chars
                .peek()
                .copied()
                .filter(|(_, n)| n.is_ascii_alphanumeric() || *n == '_')
            {
                name.push(n);
                chars.next();
            }
            if dialect.numbered_params() {
                let n = match params.iter().position(|p| *p == name) {
                    Some(k) => k + 1,
                    None => {
                        params.push(name);
                        params.len()
                    }
                };
                sql.push_str(&format!("${n}"));
            } else {
                params.push(name);
                sql.push('?');
            }
        }
        Stmt {
            sql: sql.into(),
            params,
        }
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub(crate) fn shared_sql(&self) -> Arc<str> {
        self.sql.clone()
    }

    /// The values in bind order. A name the statement uses but `args` lacks is a bug in the
    /// store module, caught by its tests: it panics with both names.
    pub(crate) fn ordered(&self, args: &Args) -> Vec<Value> {
        self.params
            .iter()
            .map(|p| {
                args.0
                    .get(p.as_str())
                    .cloned()
                    .or_else(|| constant_value(p))
                    .unwrap_or_else(|| {
                        panic!("statement parameter :{p} not given for `{}`", self.sql)
                    })
            })
            .collect()
    }
}

/// A value the mapping fixes (a status code, a row filter's value, a column set on inserts),
/// as a parameter whose name carries the value: `:k_t_<hex>` for text, `:k_i_<n>` and
/// `:k_n_<n>` for integers. The value is bound like any other, never spliced into the SQL.
pub fn constant(value: &Value) -> String {
    match value {
        Value::Int(Some(i)) if *i < 0 => format!(":k_n_{}", i.unsigned_abs()),
        Value::Int(Some(i)) => format!(":k_i_{i}"),
        Value::Int(None) => ":k_z".into(),
        Value::Text(None) => ":k_zt".into(),
        Value::Text(Some(t)) => format!(":k_t_{}", hex(t)),
    }
}

/// `text`'s bytes as lowercase hex: a spelling no quote or delimiter can break.
pub(crate) fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The value a [`constant`] parameter's name carries.
fn constant_value(name: &str) -> Option<Value> {
    if let Some(hex) = name.strip_prefix("k_t_") {
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect();
        return String::from_utf8(bytes?).ok().map(|t| Value::Text(Some(t)));
    }
    match name {
        "k_z" => return Some(Value::Int(None)),
        "k_zt" => return Some(Value::Text(None)),
        _ => {}
    }
    let (sign, digits) = match name.strip_prefix("k_i_") {
        Some(d) => (1, d),
        None => (-1, name.strip_prefix("k_n_")?),
    };
    digits
        .parse::<i64>()
        .ok()
        .map(|n| Value::Int(Some(sign * n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::dialect::{MYSQL, POSTGRES, SQLITE};

    #[test]
    fn named_parameters_become_numbered_or_positional_placeholders() {
        let t = "UPDATE t SET a = :now, b = :id WHERE c = :now AND d = ':x'";
        let pg = Stmt::render(POSTGRES, t);
        assert_eq!(
            pg.sql(),
            "UPDATE t SET a = $1, b = $2 WHERE c = $1 AND d = ':x'"
        );
        let my = Stmt::render(MYSQL, "UPDATE t SET a = :now, b = :id WHERE c = :now");
        assert_eq!(my.sql(), "UPDATE t SET a = ?, b = ? WHERE c = ?");
        let args = args! { "now" => 7, "id" => "x" };
        assert_eq!(
            my.ordered(&args),
            vec![Value::from(7), Value::from("x"), Value::from(7)]
        );
        assert_eq!(Stmt::render(SQLITE, "SELECT 1").sql(), "SELECT 1");
    }

    #[test]
    fn constants_carry_their_own_value_and_never_reach_the_sql_text() {
        let values = [
            Value::from("wc-processing"),
            Value::from("it's $$ :x ü"),
            Value::from(17),
            Value::from(-3),
            Value::Int(None),
        ];
        let template: Vec<String> = values.iter().map(constant).collect();
        let stmt = Stmt::render(MYSQL, &format!("SELECT {}", template.join(", ")));
        assert_eq!(stmt.sql(), "SELECT ?, ?, ?, ?, ?");
        assert_eq!(stmt.ordered(&Args::new()), values.to_vec());
    }
}
