//! Recursive-descent parser for the SOQL subset the fake supports:
//! `SELECT f, Rel.f, (subquery), ... | COUNT() FROM Obj [WHERE expr]
//! [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]`, where a subquery is
//! the same grammar with a child relationship name after FROM (parent-to-child, nested).

use chrono::{DateTime, NaiveDate, Utc};

use super::lexer::{Token, tokenize};

#[derive(Clone, Debug)]
pub(crate) enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    DateTime(DateTime<Utc>),
    Date(NaiveDate),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug)]
pub(crate) enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(String, Op, Literal),
    In(String, bool, Vec<Literal>),
    Like(String, String),
}

#[derive(Clone, Debug)]
pub(crate) struct OrderKey {
    pub field: String,
    pub desc: bool,
    pub nulls_first: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Query {
    pub count: bool,
    pub fields: Vec<String>,
    /// Parent-to-child subqueries; their `object` is a child relationship name.
    pub children: Vec<Query>,
    pub object: String,
    pub filter: Option<Expr>,
    pub order: Vec<OrderKey>,
    pub limit: Option<usize>,
    pub offset: usize,
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

pub(crate) fn parse(src: &str) -> Result<Query, String> {
    let mut p = Parser {
        tokens: tokenize(src)?,
        pos: 0,
    };
    let q = p.query()?;
    match p.peek() {
        None => Ok(q),
        Some(t) => Err(format!("unexpected token: {t:?}")),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.is_kw(kw);
        self.pos += usize::from(hit);
        hit
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), String> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(format!("expected {kw}"))
        }
    }

    fn eat_sym(&mut self, sym: &str) -> bool {
        let hit = matches!(self.peek(), Some(Token::Sym(s)) if *s == sym);
        self.pos += usize::from(hit);
        hit
    }

    fn ident(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Ident(s)) => Ok(s),
            other => Err(format!("expected a field or object name, found {other:?}")),
        }
    }

    fn number(&mut self) -> Result<usize, String> {
        match self.next() {
            Some(Token::Num(n)) if n >= 0.0 && n.fract() == 0.0 => Ok(n as usize),
            other => Err(format!("expected a non-negative integer, found {other:?}")),
        }
    }

    fn query(&mut self) -> Result<Query, String> {
        self.expect_kw("SELECT")?;
        let (count, fields, children) = self.select_list()?;
        self.expect_kw("FROM")?;
        let object = self.ident()?;
        let filter = if self.eat_kw("WHERE") {
            Some(self.or_expr()?)
        } else {
            None
        };
        let mut order = Vec::new();
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            order = self.order_list()?;
        }
        let limit = if self.eat_kw("LIMIT") {
            Some(self.number()?)
        } else {
            None
        };
        let offset = if self.eat_kw("OFFSET") {
            self.number()?
        } else {
            0
        };
        Ok(Query {
            count,
            fields,
            children,
            object,
            filter,
            order,
            limit,
            offset,
        })
    }

    fn select_list(&mut self) -> Result<(bool, Vec<String>, Vec<Query>), String> {
        if self.is_kw("COUNT") && self.tokens.get(self.pos + 1) == Some(&Token::Sym("(")) {
            self.pos += 2;
            if !self.eat_sym(")") {
                return Err("only COUNT() is supported".into());
            }
            return Ok((true, Vec::new(), Vec::new()));
        }
        let (mut fields, mut children) = (Vec::new(), Vec::new());
        loop {
            if self.eat_sym("(") {
                children.push(self.query()?);
                if !self.eat_sym(")") {
                    return Err("expected ')' after a subquery".into());
                }
            } else {
                fields.push(self.ident()?);
            }
            if !self.eat_sym(",") {
                return Ok((false, fields, children));
            }
        }
    }

    fn order_list(&mut self) -> Result<Vec<OrderKey>, String> {
        let mut keys = Vec::new();
        loop {
            let field = self.ident()?;
            let desc = if self.eat_kw("DESC") {
                true
            } else {
                self.eat_kw("ASC");
                false
            };
            // Salesforce puts nulls first when ascending and last when descending.
            let mut nulls_first = !desc;
            if self.eat_kw("NULLS") {
                nulls_first = if self.eat_kw("FIRST") {
                    true
                } else {
                    self.expect_kw("LAST")?;
                    false
                };
            }
            keys.push(OrderKey {
                field,
                desc,
                nulls_first,
            });
            if !self.eat_sym(",") {
                return Ok(keys);
            }
        }
    }

    fn or_expr(&mut self) -> Result<Expr, String> {
        let mut left = self.and_expr()?;
        while self.eat_kw("OR") {
            left = Expr::Or(Box::new(left), Box::new(self.and_expr()?));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.eat_kw("AND") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat_kw("NOT") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat_sym("(") {
            let e = self.or_expr()?;
            return if self.eat_sym(")") {
                Ok(e)
            } else {
                Err("expected ')'".into())
            };
        }
        self.condition()
    }

    fn condition(&mut self) -> Result<Expr, String> {
        let field = self.ident()?;
        if self.eat_kw("LIKE") {
            return match self.next() {
                Some(Token::Str(s)) => Ok(Expr::Like(field, s)),
                other => Err(format!("LIKE needs a string, found {other:?}")),
            };
        }
        let negated = self.eat_kw("NOT");
        if self.eat_kw("IN") {
            return Ok(Expr::In(field, negated, self.literal_list()?));
        }
        if negated {
            return Err("expected IN after NOT".into());
        }
        let op = match self.next() {
            Some(Token::Sym("=")) => Op::Eq,
            Some(Token::Sym("!=")) => Op::Ne,
            Some(Token::Sym("<")) => Op::Lt,
            Some(Token::Sym("<=")) => Op::Le,
            Some(Token::Sym(">")) => Op::Gt,
            Some(Token::Sym(">=")) => Op::Ge,
            other => return Err(format!("expected a comparison operator, found {other:?}")),
        };
        Ok(Expr::Cmp(field, op, self.literal()?))
    }

    fn literal_list(&mut self) -> Result<Vec<Literal>, String> {
        if !self.eat_sym("(") {
            return Err("expected '(' after IN".into());
        }
        let mut items = vec![self.literal()?];
        while self.eat_sym(",") {
            items.push(self.literal()?);
        }
        if self.eat_sym(")") {
            Ok(items)
        } else {
            Err("expected ')'".into())
        }
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Literal::Str(s)),
            Some(Token::Num(n)) => Ok(Literal::Num(n)),
            Some(Token::DateTime(t)) => Ok(Literal::DateTime(t)),
            Some(Token::Date(d)) => Ok(Literal::Date(d)),
            Some(Token::Ident(s)) if s.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Token::Ident(s)) if s.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            Some(Token::Ident(s)) if s.eq_ignore_ascii_case("null") => Ok(Literal::Null),
            other => Err(format!("expected a literal value, found {other:?}")),
        }
    }
}
