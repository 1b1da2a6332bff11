//! `primaryjoin=` / `secondaryjoin=`: the Python expression, written in the class body, in a
//! lambda or in a string that SQLAlchemy evaluates, to a [`JoinExpr`].
//!
//! Only a known subset is read: columns (`Class.attr`, a bare attribute of the class body,
//! `table.c.column`), `==` and the other comparisons, `and_` / `or_` / `not_` / `&` / `|` /
//! `~`, `foreign(...)` / `remote(...)`, literals, `func.*(...)`, `cast(...)` and the comparison
//! methods (`.like(...)`, `.is_(...)`, `.in_(...)`, ...). Anything else leaves the relationship
//! out with a warning rather than guessing its join.

use indexmap::IndexMap;

use super::{Extractor, Resolved};
use crate::diagnostics as diag;
use crate::ir::join::{ColumnPath, JoinArg, JoinExpr, JoinExprKind, JoinForm, JoinOp};
use crate::ir::ClassDecl;
use crate::parse::{self, Embedded};
use crate::source::Span;
use crate::syntax::{BinOp, CmpOp, Expr, ExprKind, Stmt, StmtKind, UnaryOp};

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
struct Ctx<'a> {
    form: JoinForm,
    class: &'a ClassDecl,
    option: &'static str,
    key: &'a str,
}

/// Comparison methods of SQLAlchemy's column operators: `(name, takes a sequence)`.
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

/// SQLAlchemy functions a join condition may call, by their public name.
const FUNCTIONS: &[&str] = &[
    "and_",
    "or_",
    "not_",
    "foreign",
    "remote",
    "null",
    "true",
    "false",
    "literal",
    "bindparam",
    "cast",
    "type_coerce",
];

/// Python's builtin functions: a bare name that is none of the model's falls back to one of
/// these, which SQLAlchemy binds as a value (`id == Address.user_id` compares with `id()`).
const BUILTIN_FUNCTIONS: &[&str] = &[
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "breakpoint",
    "callable",
    "chr",
    "compile",
    "delattr",
    "dir",
    "divmod",
    "eval",
    "exec",
    "format",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "hex",
    "id",
    "input",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "locals",
    "max",
    "min",
    "next",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "repr",
    "round",
    "setattr",
    "sorted",
    "sum",
    "vars",
];

/// The first position at which each module-level name is bound (classes, functions,
/// assignments), to tell a class body that uses a name before the module defines it.
pub(super) fn module_definitions(body: &[Stmt]) -> IndexMap<String, u32> {
    fn walk(body: &[Stmt], out: &mut IndexMap<String, u32>) {
        for stmt in body {
            let at = stmt.span.start;
            match &stmt.kind {
                StmtKind::ClassDef(c) => {
                    out.entry(c.name.clone()).or_insert(at);
                }
                StmtKind::FunctionDef(f) => {
                    out.entry(f.name.clone()).or_insert(at);
                }
                StmtKind::Assign { targets, .. } => {
                    for n in targets.iter().filter_map(Expr::as_name) {
                        out.entry(n.to_owned()).or_insert(at);
                    }
                }
                StmtKind::AnnAssign { target, .. } => {
                    if let Some(n) = target.as_name() {
                        out.entry(n.to_owned()).or_insert(at);
                    }
                }
                StmtKind::If { body, orelse, .. } => {
                    walk(body, out);
                    walk(orelse, out);
                }
                StmtKind::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                } => {
                    walk(body, out);
                    for h in handlers {
                        walk(h, out);
                    }
                    walk(orelse, out);
                    walk(finalbody, out);
                }
                _ => {}
            }
        }
    }
    let mut out = IndexMap::new();
    walk(body, &mut out);
    out
}

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
    /// Reads `primaryjoin=` / `secondaryjoin=` of relationship `key` declared in `class`.
    /// `None` when it cannot be read (a warning or an error has been reported).
    pub(super) fn join_arg(
        &mut self,
        value: &Expr,
        option: &'static str,
        class: &ClassDecl,
        key: &str,
    ) -> Option<JoinArg> {
        let mut ctx = Ctx {
            form: JoinForm::Direct,
            class,
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

    /// The SQLAlchemy function `func` names (`and_`, `foreign`, `func`, ...), if any: in a
    /// string any of SQLAlchemy's names; elsewhere a name imported from SQLAlchemy.
    fn join_function(&mut self, func: &Expr, ctx: &Ctx) -> Option<String> {
        let name = match ctx.form {
            JoinForm::Text => func.as_name()?.to_owned(),
            JoinForm::Direct | JoinForm::Lambda => match self.scope.resolve_sqla(func)? {
                Resolved::Sqla(n) => n,
                _ => return None,
            },
        };
        (name == "func" || FUNCTIONS.contains(&name.as_str())).then_some(name)
    }

    /// A column reference: `Class.attr`, `table.c.column`, `Class.__table__.c.column`, or a
    /// bare attribute of the class body (written directly in the class).
    fn join_column(&mut self, e: &Expr, ctx: &Ctx) -> Result<(ColumnPath, Span), NotRead> {
        let (owner, path) = match &e.kind {
            ExprKind::Name(n) => {
                let own = ctx.form == JoinForm::Direct
                    && ctx
                        .class
                        .columns
                        .iter()
                        .any(|c| c.attr.as_ref().is_some_and(|a| &a.value == n));
                return match (own, ctx.form) {
                    (true, _) => Ok((ColumnPath::Own(n.clone()), e.span)),
                    (false, JoinForm::Direct) => Err(unreadable(
                        e.span,
                        format!("the name `{n}`, which is not a column declared above"),
                    )),
                    (false, _) => Err(unreadable(
                        e.span,
                        format!("the bare name `{n}` (in a string or a lambda it is not a column of the class)"),
                    )),
                };
            }
            ExprKind::Attribute { value, attr } => match table_of(value) {
                Some((owner, true)) => (
                    owner,
                    ColumnPath::ClassTable {
                        owner: owner.as_name().unwrap_or_default().to_owned(),
                        column: attr.clone(),
                    },
                ),
                Some((owner, false)) => (
                    owner,
                    ColumnPath::TableColumn {
                        owner: owner.as_name().unwrap_or_default().to_owned(),
                        column: attr.clone(),
                    },
                ),
                None => match value.as_name() {
                    Some(owner) => (
                        value.as_ref(),
                        ColumnPath::Attr {
                            owner: owner.to_owned(),
                            attr: attr.clone(),
                        },
                    ),
                    None => return Err(unreadable(e.span, "this attribute")),
                },
            },
            ExprKind::Subscript { value, slice } => match (table_of(value), slice.as_str()) {
                (Some((owner, is_class)), Some(column)) => {
                    let owner_name = owner.as_name().unwrap_or_default().to_owned();
                    let column = column.to_owned();
                    let path = if is_class {
                        ColumnPath::ClassTable {
                            owner: owner_name,
                            column,
                        }
                    } else {
                        ColumnPath::TableColumn {
                            owner: owner_name,
                            column,
                        }
                    };
                    (owner, path)
                }
                _ => return Err(unreadable(e.span, "this subscript")),
            },
            _ => return Err(unreadable(e.span, "this expression")),
        };
        self.join_owner(owner, ctx)?;
        Ok((path, owner.span))
    }

    /// Whether a bare name falls back to a Python builtin function where the join runs: it is
    /// not a column of the class body above (in the class body) nor a module-level name.
    fn is_builtin_here(&self, name: &str, ctx: &Ctx) -> bool {
        if !BUILTIN_FUNCTIONS.contains(&name) {
            return false;
        }
        let in_body = ctx.form == JoinForm::Direct
            && (ctx
                .class
                .columns
                .iter()
                .any(|c| c.attr.as_ref().is_some_and(|a| a.value == name))
                || ctx.class.relationships.iter().any(|r| r.attr.value == name));
        let in_module = ctx.form != JoinForm::Text && self.scope.binding(name).is_some();
        !in_body && !in_module
    }

    /// Checks the name owning a column (a class or a table variable) as Python would see it
    /// where the join condition runs. Strings are checked against the registry later.
    fn join_owner(&mut self, owner: &Expr, ctx: &Ctx) -> Result<(), NotRead> {
        let Some(name) = owner.as_name() else {
            return Err(unreadable(owner.span, "this expression"));
        };
        if ctx.form == JoinForm::Text {
            return Ok(());
        }
        match self.scope.resolve(owner) {
            Some(Resolved::Local(_)) => {
                let later = name == ctx.class.name
                    || self
                        .module_defs
                        .get(name)
                        .is_some_and(|&at| at > ctx.class.name_span.start);
                if ctx.form == JoinForm::Direct && later {
                    self.diags.push(diag::join_name_not_defined_yet(
                        owner.span,
                        name,
                        ctx.option,
                        ctx.key,
                        &ctx.class.name,
                    ));
                    return Err(NotRead::Reported);
                }
                Ok(())
            }
            Some(Resolved::Imported(_)) => Ok(()),
            _ => Err(unreadable(
                owner.span,
                format!("`{name}`, which is not a class or table of the models"),
            )),
        }
    }
}

/// For `X.c` / `X.columns` (`is_class == false`) and `X.__table__.c` (`true`): `X`.
fn table_of(e: &Expr) -> Option<(&Expr, bool)> {
    let ExprKind::Attribute { value, attr } = &e.kind else {
        return None;
    };
    if attr != "c" && attr != "columns" {
        return None;
    }
    match &value.kind {
        ExprKind::Name(_) => Some((value, false)),
        ExprKind::Attribute {
            value: owner,
            attr: table,
        } if table == "__table__" && owner.as_name().is_some() => Some((owner, true)),
        _ => None,
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
