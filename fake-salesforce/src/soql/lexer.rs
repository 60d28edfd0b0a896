//! SOQL tokenizer: identifiers (with dots), quoted strings with backslash escapes,
//! numbers, date and datetime literals, and comparison punctuation.

use chrono::{DateTime, NaiveDate, Utc};

use crate::record::{parse_date, parse_datetime};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Token {
    Ident(String),
    Str(String),
    Num(f64),
    DateTime(DateTime<Utc>),
    Date(NaiveDate),
    Sym(&'static str),
}

const SYMBOLS: &[&str] = &["!=", "<>", "<=", ">=", "=", "<", ">", "(", ")", ","];

pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let (s, next) = string_literal(&chars, i + 1)?;
            out.push(Token::Str(s));
            i = next;
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || ".:+-".contains(chars[i]))
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(literal(&text)?);
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let sym = SYMBOLS
                .iter()
                .find(|s| rest.starts_with(*s))
                .ok_or(format!("unexpected token: '{c}'"))?;
            out.push(Token::Sym(if *sym == "<>" { "!=" } else { sym }));
            i += sym.len();
        }
    }
    Ok(out)
}

/// Reads a single-quoted literal starting after the opening quote; returns the end index.
fn string_literal(chars: &[char], mut i: usize) -> Result<(String, usize), String> {
    let mut s = String::new();
    while let Some(&c) = chars.get(i) {
        match c {
            '\'' => return Ok((s, i + 1)),
            '\\' => {
                let e = chars.get(i + 1).ok_or("unterminated string literal")?;
                s.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    '\'' | '"' | '\\' | '_' | '%' => *e,
                    other => {
                        return Err(format!(
                            "Invalid string literal: unknown escape '\\{other}'"
                        ));
                    }
                });
                i += 2;
            }
            _ => {
                s.push(c);
                i += 1;
            }
        }
    }
    Err("unterminated string literal".into())
}

fn literal(text: &str) -> Result<Token, String> {
    if let Ok(n) = text.parse::<f64>() {
        return Ok(Token::Num(n));
    }
    if let Some(d) = parse_date(text) {
        return Ok(Token::Date(d));
    }
    // SOQL datetime literals need a zone (`Z` or `+0000`); the helper also accepts naive ones.
    let zoned = text.ends_with('Z') || text.rfind(['+', '-']).is_some_and(|p| p > 10);
    match parse_datetime(text) {
        Some(t) if zoned => Ok(Token::DateTime(t)),
        _ => Err(format!("unexpected token: '{text}'")),
    }
}
