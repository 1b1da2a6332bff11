//! `primaryjoin=` / `secondaryjoin=`: the Python expression, written in the class body, in a
//! lambda or in a string that SQLAlchemy evaluates, to a [`JoinExpr`].
//!
//! Only a known subset is read: columns (`Class.attr`, a bare attribute of the class body,
//! `table.c.column`), `==` and the other comparisons, `and_` / `or_` / `not_` / `&` / `|` /
//! `~`, `foreign(...)` / `remote(...)`, literals, `func.*(...)`, `cast(...)` and the comparison
//! methods (`.like(...)`, `.is_(...)`, `.in_(...)`, ...). Anything else leaves the relationship
//! out with a warning rather than guessing its join.

mod names;

use super::Extractor;
use crate::diagnostics as diag;
use crate::ir::join::{JoinArg, JoinExpr, JoinExprKind, JoinForm, JoinOp};

use crate::parse::{self, Embedded};
use crate::source::Span;
use crate::syntax::{BinOp, CmpOp, Expr, ExprKind, UnaryOp};

pub(super) use names::definitions;

/// Why a join condition is not read.
enum NotRead {
    /// sa2rs does not read this part: the relationship is left out with a warning.
    Unreadable { span: Span, what: String },
    /// Python or SQLAlchemy would fail here; the error has been reported.
    Reported,
}

type Read = Result<JoinExpr, NotRead>;

fn unreadable(span: Span, what: impl Into<String>) -> NotRead {
    NotRead::Unreadable {
        span,
        what: what.into(),
    }
}

/// What a join expression is read against.
/// The class whose body declares the relationship.
pub(super) struct JoinClass<'a> {
    pub name: &'a str,
    pub name_span: Span,
    /// Its columns declared so far.
    pub columns: &'a [crate::ir::ColumnDecl],
}

struct Ctx<'a> {
    form: JoinForm,
    class: JoinClass<'a>,
    /// Where the relationship's statement starts in the class body.
    at: u32,
    option: &'static str,
    key: &'a str,
}

/// Comparison methods of SQLAlchemy's column operators.
const COMPARISON_METHODS: &[&str] = &[
    "like",
    "ilike",
    "notlike",
    "not_like",
    "notilike",
    "not_ilike",
    "is_",
    "is_not",
    "isnot",
    "is_distinct_from",
    "is_not_distinct_from",
    "isnot_distinct_from",
    "in_",
    "not_in",
    "notin_",
    "between",
    "startswith",
    "endswith",
    "contains",
    "istartswith",
    "iendswith",
    "icontains",
];

/// Methods that build their right side out of their argument (`'%' || x || '%'`): sa2rs reads
/// them only with literal arguments.
const PATTERN_METHODS: &[&str] = &[
    "startswith",
    "endswith",
    "contains",
    "istartswith",
    "iendswith",
    "icontains",
];

/// Where the text of a string literal starts in the source, when the literal's bytes between
/// its quotes are exactly its value (no escapes, no implicit concatenation).
fn literal_content_offset(source: &str, value: &str) -> Option<usize> {
    let prefix = source.find(['"', '\''])?;
    if !source[..prefix]
        .chars()
        .all(|c| matches!(c, 'r' | 'R' | 'u' | 'U'))
    {
        return None;
    }
    let rest = &source[prefix..];
    let quote = if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
        3
    } else {
        1
    };
    let content = rest.get(quote..rest.len().checked_sub(quote)?)?;
    (content == value).then_some(prefix + quote)
}

impl Extractor<'_> {
    /// Reads `primaryjoin=` / `secondaryjoin=` of relationship `key` declared in `class` by the
    /// statement starting at `at`.
    /// `None` when it cannot be read (a warning or an error has been reported).
    pub(super) fn join_arg(
        &mut self,
        value: &Expr,
        option: &'static str,
        class: JoinClass<'_>,
        key: &str,
        at: u32,
    ) -> Option<JoinArg> {
        let mut ctx = Ctx {
            form: JoinForm::Direct,
            class,
            at,
            option,
            key,
        };
        let read = match &value.kind {
            ExprKind::Str(text) => {
                ctx.form = JoinForm::Text;
                self.join_text(text, value.span, &ctx)
            }
            ExprKind::Lambda { params, body } => {
                ctx.form = JoinForm::Lambda;
                if params.is_empty() {
                    self.join_expr(body, &ctx)
                } else {
                    Err(unreadable(value.span, "a `lambda` that takes parameters"))
                }
            }
            _ => self.join_expr(value, &ctx),
        };
        match read {
            Ok(expr) => Some(JoinArg {
                option,
                form: ctx.form,
                expr,
                span: value.span,
            }),
            Err(NotRead::Unreadable { span, what }) => {
                self.diags
                    .push(diag::join_not_read(span, option, key, &what, value.span));
                None
            }
            Err(NotRead::Reported) => None,
        }
    }

    /// A string SQLAlchemy evaluates: parsed as Python, with spans on the string's bytes.
    fn join_text(&mut self, text: &str, span: Span, ctx: &Ctx) -> Read {
        let source = self.files.slice(span);
        let at = match literal_content_offset(source, text) {
            Some(offset) => Embedded::At(span.start + offset as u32),
            None => Embedded::Within(span),
        };
        let path = self.files.name(self.file).to_owned();
        match parse::parse_expression(self.file, text, at, &path) {
            Ok(parsed) => self.join_expr(&parsed.expr, ctx),
            Err(e) => {
                self.diags.push(diag::join_syntax_error(
                    e.span, ctx.option, ctx.key, &e.message,
                ));
                Err(NotRead::Reported)
            }
        }
    }

    fn join_expr(&mut self, e: &Expr, ctx: &Ctx) -> Read {
        let kind = match &e.kind {
            ExprKind::Str(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::NoneLit => JoinExprKind::Group(Vec::new()),
            ExprKind::Name(n) if self.is_builtin_here(n, ctx) => match ctx.form {
                // A class or table of that name comes first: decided when resolving.
                JoinForm::Text => JoinExprKind::Builtin(n.clone()),
                JoinForm::Direct | JoinForm::Lambda => JoinExprKind::Group(Vec::new()),
            },
            ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {
                let (path, owner_span) = self.join_column(e, ctx)?;
                JoinExprKind::Column { path, owner_span }
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                let (op, right) = match (ops.as_slice(), comparators.as_slice()) {
                    ([op], [right]) => (*op, right),
                    _ => return Err(unreadable(e.span, "a chained comparison")),
                };
                let op = match op {
                    CmpOp::Eq => JoinOp::Eq,
                    CmpOp::NotEq => JoinOp::NotEq,
                    CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE => JoinOp::Comparison,
                    CmpOp::Is | CmpOp::IsNot => {
                        return Err(unreadable(
                            e.span,
                            "Python's `is` (SQLAlchemy's is `.is_(...)`)",
                        ))
                    }
                    CmpOp::In | CmpOp::NotIn => {
                        return Err(unreadable(
                            e.span,
                            "Python's `in` (SQLAlchemy's is `.in_(...)`)",
                        ))
                    }
                };
                let left = self.join_expr(left, ctx)?;
                let right = self.join_expr(right, ctx)?;
                return binary(e.span, op, left, right);
            }
            ExprKind::BoolOp { .. } => {
                return Err(unreadable(
                    e.span,
                    "Python's `and` / `or` (SQLAlchemy's are `and_(...)` / `or_(...)`)",
                ))
            }
            ExprKind::BinOp { left, op, right } => {
                let l = self.join_expr(left, ctx)?;
                let r = self.join_expr(right, ctx)?;
                if is_literal(&l) && is_literal(&r) {
                    JoinExprKind::Group(Vec::new())
                } else {
                    match op {
                        BinOp::BitAnd | BinOp::BitOr => JoinExprKind::Group(vec![l, r]),
                        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                            return binary(e.span, JoinOp::Arithmetic, l, r)
                        }
                        BinOp::Other => return Err(unreadable(e.span, "this operator")),
                    }
                }
            }
            ExprKind::UnaryOp { op, operand } => {
                let inner = self.join_expr(operand, ctx)?;
                match op {
                    UnaryOp::Invert => return Ok(negated(inner, e.span)),
                    UnaryOp::Neg if is_literal(&inner) => JoinExprKind::Group(Vec::new()),
                    UnaryOp::Neg => JoinExprKind::Group(vec![inner]),
                    UnaryOp::Not => {
                        return Err(unreadable(
                            e.span,
                            "Python's `not` (SQLAlchemy's is `not_(...)` or `~`)",
                        ))
                    }
                    UnaryOp::Pos => return Err(unreadable(e.span, "unary `+`")),
                }
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => return self.join_call(e, func, args, keywords, ctx),
            ExprKind::Lambda { .. } => return Err(unreadable(e.span, "a nested `lambda`")),
            _ => return Err(unreadable(e.span, "this expression")),
        };
        Ok(JoinExpr { kind, span: e.span })
    }

    fn join_call(
        &mut self,
        e: &Expr,
        func: &Expr,
        args: &[Expr],
        keywords: &[crate::syntax::Keyword],
        ctx: &Ctx,
    ) -> Read {
        // `func.lower(x)`: any SQL function, a group of its arguments.
        if let ExprKind::Attribute { value, .. } = &func.kind {
            if self.join_function(value, ctx).as_deref() == Some("func") {
                let items = self.join_exprs(args, ctx)?;
                return Ok(group(items, e.span));
            }
        }
        if let Some(name) = self.join_function(func, ctx) {
            if !keywords.is_empty() && matches!(name.as_str(), "and_" | "or_" | "not_") {
                return Err(unreadable(e.span, format!("keyword arguments to `{name}`")));
            }
            return match name.as_str() {
                "and_" | "or_" => Ok(group(self.join_exprs(args, ctx)?, e.span)),
                "not_" | "foreign" | "remote" => {
                    let [arg] = args else {
                        return Err(unreadable(
                            e.span,
                            format!("`{name}(...)` without exactly one argument"),
                        ));
                    };
                    let inner = self.join_expr(arg, ctx)?;
                    Ok(match name.as_str() {
                        "not_" => negated(inner, e.span),
                        _ => JoinExpr {
                            kind: JoinExprKind::Annotated {
                                foreign: name == "foreign",
                                remote: name == "remote",
                                inner: Box::new(inner),
                            },
                            span: e.span,
                        },
                    })
                }
                "null" | "true" | "false" | "literal" | "bindparam" => {
                    Ok(group(Vec::new(), e.span))
                }
                "cast" | "type_coerce" => match args.first() {
                    Some(arg) => {
                        let inner = self.join_expr(arg, ctx)?;
                        Ok(group(vec![inner], e.span))
                    }
                    None => Err(unreadable(e.span, format!("`{name}()` without arguments"))),
                },
                _ => Err(unreadable(func.span, format!("`{name}(...)`"))),
            };
        }
        // A comparison method of a column: `Address.email.like("%@x")`.
        let ExprKind::Attribute {
            value: receiver,
            attr: method,
        } = &func.kind
        else {
            return Err(unreadable(func.span, "this call"));
        };
        if !COMPARISON_METHODS.contains(&method.as_str()) {
            return Err(unreadable(
                func.span,
                format!("the method `.{method}(...)`"),
            ));
        }
        let left = self.join_expr(receiver, ctx)?;
        if is_literal(&left) {
            return Err(unreadable(
                receiver.span,
                "a method called on a Python value",
            ));
        }
        if PATTERN_METHODS.contains(&method.as_str())
            && !args.iter().all(|a| {
                matches!(
                    a.kind,
                    ExprKind::Str(_) | ExprKind::Int(_) | ExprKind::Float(_)
                )
            })
        {
            return Err(unreadable(
                e.span,
                format!("`.{method}(...)` of anything but a literal"),
            ));
        }
        let right = match (method.as_str(), args) {
            ("between", _) => group(self.join_exprs(args, ctx)?, e.span),
            ("in_" | "not_in" | "notin_", [seq]) => match &seq.kind {
                ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => {
                    group(self.join_exprs(items, ctx)?, seq.span)
                }
                _ => self.join_expr(seq, ctx)?,
            },
            (_, [arg]) => self.join_expr(arg, ctx)?,
            _ => {
                return Err(unreadable(
                    e.span,
                    format!("`.{method}(...)` with these arguments"),
                ))
            }
        };
        binary(e.span, JoinOp::Comparison, left, right)
    }

    fn join_exprs(&mut self, items: &[Expr], ctx: &Ctx) -> Result<Vec<JoinExpr>, NotRead> {
        items.iter().map(|a| self.join_expr(a, ctx)).collect()
    }
}

fn group(items: Vec<JoinExpr>, span: Span) -> JoinExpr {
    JoinExpr {
        kind: JoinExprKind::Group(items),
        span,
    }
}

/// A Python value (SQLAlchemy makes it a bound parameter): a group of nothing.
fn is_literal(e: &JoinExpr) -> bool {
    match &e.kind {
        JoinExprKind::Group(items) => items.is_empty(),
        JoinExprKind::Builtin(_) => true,
        _ => false,
    }
}

fn contains_comparison(e: &JoinExpr) -> bool {
    match &e.kind {
        JoinExprKind::Column { .. } | JoinExprKind::Builtin(_) => false,
        JoinExprKind::Binary { op, left, right } => {
            op.is_comparison() || contains_comparison(left) || contains_comparison(right)
        }
        JoinExprKind::Group(items) => items.iter().any(contains_comparison),
        JoinExprKind::Annotated { inner, .. } => contains_comparison(inner),
    }
}

/// A binary operator. Comparisons nested inside an operand are not read: SQLAlchemy visits
/// them lazily, in an order sa2rs does not reproduce.
fn binary(span: Span, op: JoinOp, left: JoinExpr, right: JoinExpr) -> Read {
    if is_literal(&left) && is_literal(&right) && op.is_comparison() {
        return Err(unreadable(span, "a comparison of two Python values"));
    }
    for side in [&left, &right] {
        if contains_comparison(side) {
            return Err(unreadable(side.span, "a comparison inside a comparison"));
        }
    }
    Ok(JoinExpr {
        kind: JoinExprKind::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        span,
    })
}

/// `not_(x)` / `~x`: a comparison takes its negated operator; anything else is wrapped.
fn negated(inner: JoinExpr, span: Span) -> JoinExpr {
    match inner.kind {
        JoinExprKind::Binary { op, left, right } if op.is_comparison() => JoinExpr {
            kind: JoinExprKind::Binary {
                op: op.negated(),
                left,
                right,
            },
            span,
        },
        kind => group(
            vec![JoinExpr {
                kind,
                span: inner.span,
            }],
            span,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::literal_content_offset;

    #[test]
    fn content_offset_only_when_bytes_are_the_value() {
        assert_eq!(literal_content_offset("\"a == b\"", "a == b"), Some(1));
        assert_eq!(literal_content_offset("r'a == b'", "a == b"), Some(2));
        assert_eq!(literal_content_offset("\"\"\"a\"\"\"", "a"), Some(3));
        assert_eq!(literal_content_offset("\"a\\x41\"", "aA"), None);
        assert_eq!(literal_content_offset("\"a\" \"b\"", "ab"), None);
        assert_eq!(literal_content_offset("b\"a\"", "a"), None);
    }
}
