//! `__tablename__` and `__mapper_args__`, as literals or as `@declared_attr` functions evaluated
//! for the class being mapped.
//!
//! A small evaluator covers the forms models use: string and number literals, `cls.__name__`,
//! `.lower()` / `.upper()`, `+`, f-strings, dict literals and `dict(...)`, and
//! `if has_inherited_table(cls): return None`. Anything else is reported as not ported.

use super::{Extractor, Resolved};
use crate::diagnostics as diag;
use crate::ir::{ColumnName, Identity, MapperArgs, Spanned};
use crate::source::Span;
use crate::syntax::{BoolOp, Expr, ExprKind, FStringPart, FunctionDef, Stmt, StmtKind, UnaryOp};

/// The value of a dunder, as far as sa2rs evaluates it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    None,
    /// A dict with string keys (spanned at each key), in order.
    Dict(Vec<(Spanned<String>, Spanned<Value>)>),
    /// A name that refers to a class attribute: `type`, `cls.type`, `Employee.type`.
    Column(ColumnName),
    Unknown,
}

/// The class a dunder is evaluated for.
pub(super) struct ClassContext<'a> {
    pub name: &'a str,
    /// `has_inherited_table(cls)`: some class of its MRO (other than itself) is mapped.
    pub has_inherited_table: bool,
    /// The module of the class statement defining the dunder: its names resolve there.
    pub module: &'a str,
}

/// Where a dunder's value comes from.
#[derive(Debug, Clone)]
pub(super) enum Dunder {
    /// `__tablename__ = "user"`
    Value(Expr),
    /// `def __tablename__(cls): ...`, `declared` when decorated with `@declared_attr`.
    Function { def: FunctionDef, declared: bool },
}

impl Dunder {
    pub(super) fn is_declared(&self) -> bool {
        matches!(self, Dunder::Function { declared: true, .. })
    }

    pub(super) fn span(&self) -> Span {
        match self {
            Dunder::Value(e) => e.span,
            Dunder::Function { def, .. } => def.name_span,
        }
    }
}

/// The outcome of running a function body.
enum Flow {
    Returned(Spanned<Value>),
    FellThrough,
}

impl Extractor<'_> {
    /// The value of a dunder for the class `cx`; `None` (with a warning naming `what`) when sa2rs
    /// cannot evaluate it.
    pub(super) fn eval_dunder(
        &mut self,
        d: &Dunder,
        cx: &ClassContext,
        what: &str,
    ) -> Option<Spanned<Value>> {
        let value = match d {
            Dunder::Value(e) => Some(Spanned::new(self.eval(e, None, cx), e.span)),
            Dunder::Function {
                def,
                declared: true,
            } => {
                let cls = def.params.first().map(|p| p.name.as_str());
                match self.run(&def.body, cls, cx) {
                    Some(Flow::Returned(v)) => Some(v),
                    Some(Flow::FellThrough) => Some(Spanned::new(Value::None, def.name_span)),
                    None => None,
                }
            }
            Dunder::Function {
                declared: false, ..
            } => None,
        };
        match value {
            Some(v) if v.value != Value::Unknown => Some(v),
            _ => {
                let what = match d {
                    Dunder::Value(_) => format!("this `{what}` expression"),
                    Dunder::Function { .. } => format!("this computed `{what}`"),
                };
                self.diags.push(diag::not_ported(
                    d.span(),
                    &what,
                    "sa2rs cannot evaluate it",
                ));
                None
            }
        }
    }

    /// Runs a function body of `if` / `return` statements.
    fn run(&mut self, body: &[Stmt], cls: Option<&str>, cx: &ClassContext) -> Option<Flow> {
        for (i, stmt) in body.iter().enumerate() {
            match &stmt.kind {
                StmtKind::Expr(Expr {
                    kind: ExprKind::Str(_),
                    ..
                }) if i == 0 => {}
                StmtKind::Pass => {}
                StmtKind::Return(Some(e)) => {
                    return Some(Flow::Returned(Spanned::new(self.eval(e, cls, cx), e.span)))
                }
                StmtKind::Return(None) => {
                    return Some(Flow::Returned(Spanned::new(Value::None, stmt.span)))
                }
                StmtKind::If { test, body, orelse } => {
                    let Value::Bool(b) = self.eval(test, cls, cx) else {
                        return None;
                    };
                    match self.run(if b { body } else { orelse }, cls, cx)? {
                        Flow::Returned(v) => return Some(Flow::Returned(v)),
                        Flow::FellThrough => {}
                    }
                }
                _ => return None,
            }
        }
        Some(Flow::FellThrough)
    }

    /// Evaluates an expression; `cls` is the name of the function's class parameter, if any.
    fn eval(&mut self, e: &Expr, cls: Option<&str>, cx: &ClassContext) -> Value {
        match &e.kind {
            ExprKind::Str(s) => Value::Str(s.clone()),
            ExprKind::Int(Some(i)) => Value::Int(*i),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::NoneLit => Value::None,
            ExprKind::Name(n) if Some(n.as_str()) == cls => Value::Unknown,
            ExprKind::Name(n) => Value::Column(ColumnName {
                class: None,
                attr: n.clone(),
            }),
            ExprKind::Attribute { value, attr } => match value.dotted().as_deref() {
                Some([c]) if Some(*c) == cls && attr == "__name__" => {
                    Value::Str(cx.name.to_owned())
                }
                Some([c]) if Some(*c) == cls => Value::Column(ColumnName {
                    class: None,
                    attr: attr.clone(),
                }),
                // `__table__.c.type`, `cls.__table__.c.type`
                Some([.., "__table__", "c"]) => Value::Column(ColumnName {
                    class: None,
                    attr: attr.clone(),
                }),
                Some([c]) => Value::Column(ColumnName {
                    class: Some((*c).to_owned()),
                    attr: attr.clone(),
                }),
                _ => Value::Unknown,
            },
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                if let ExprKind::Attribute { value, attr } = &func.kind {
                    if args.is_empty() && keywords.is_empty() {
                        if let Value::Str(s) = self.eval(value, cls, cx) {
                            match attr.as_str() {
                                "lower" => return Value::Str(s.to_lowercase()),
                                "upper" => return Value::Str(s.to_uppercase()),
                                _ => {}
                            }
                        }
                    }
                }
                match self.resolve_in(func, cx.module) {
                    Some(Resolved::Sqla(n)) if n == "has_inherited_table" => {
                        Value::Bool(cx.has_inherited_table)
                    }
                    Some(Resolved::Python(n)) if n == "dict" && args.is_empty() => {
                        let mut items = Vec::new();
                        for kw in keywords {
                            let Some(k) = &kw.name else {
                                return Value::Unknown;
                            };
                            let v = self.eval(&kw.value, cls, cx);
                            items.push((
                                Spanned::new(k.clone(), kw.name_span),
                                Spanned::new(v, kw.value.span),
                            ));
                        }
                        Value::Dict(items)
                    }
                    _ => Value::Unknown,
                }
            }
            ExprKind::BinOp { left, right, op } if *op == crate::syntax::BinOp::Add => {
                match (self.eval(left, cls, cx), self.eval(right, cls, cx)) {
                    (Value::Str(a), Value::Str(b)) => Value::Str(a + &b),
                    _ => Value::Unknown,
                }
            }
            ExprKind::FString(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        FStringPart::Literal(s) => out.push_str(s),
                        FStringPart::Value(v) => match self.eval(v, cls, cx) {
                            Value::Str(s) => out.push_str(&s),
                            Value::Int(i) => out.push_str(&i.to_string()),
                            _ => return Value::Unknown,
                        },
                    }
                }
                Value::Str(out)
            }
            ExprKind::Dict(items) => {
                let mut out = Vec::new();
                for (k, v) in items {
                    let Some(k) = k.as_ref() else {
                        return Value::Unknown;
                    };
                    let Some(key) = k.as_str() else {
                        return Value::Unknown;
                    };
                    let value = self.eval(v, cls, cx);
                    out.push((
                        Spanned::new(key.to_owned(), k.span),
                        Spanned::new(value, v.span),
                    ));
                }
                Value::Dict(out)
            }
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => match self.eval(operand, cls, cx) {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Unknown,
            },
            ExprKind::UnaryOp {
                op: UnaryOp::Neg,
                operand,
            } => match self.eval(operand, cls, cx) {
                Value::Int(i) => i.checked_neg().map_or(Value::Unknown, Value::Int),
                _ => Value::Unknown,
            },
            ExprKind::BoolOp { op, values } => {
                let mut acc = *op == BoolOp::And;
                for v in values {
                    let Value::Bool(b) = self.eval(v, cls, cx) else {
                        return Value::Unknown;
                    };
                    acc = if *op == BoolOp::And {
                        acc && b
                    } else {
                        acc || b
                    };
                }
                Value::Bool(acc)
            }
            _ => Value::Unknown,
        }
    }

    /// What a name of `module` names: this module's scope, or the imports of another module
    /// (a mixin's dunder defined there).
    fn resolve_in(&self, e: &Expr, module: &str) -> Option<Resolved> {
        if module == self.module {
            return self.scope.resolve(e);
        }
        let parts = e.dotted()?;
        let (first, rest) = parts.split_first()?;
        let ns = self.index.namespace(module)?;
        let Some(path) = ns.import(first) else {
            return matches!(*first, "dict" | "list" | "tuple")
                .then(|| Resolved::Python((*first).to_owned()));
        };
        let full: Vec<&str> = path.split('.').chain(rest.iter().copied()).collect();
        match full.first() {
            Some(&("sqlalchemy" | "flask_sqlalchemy")) => {
                full.last().map(|n| Resolved::Sqla((*n).to_owned()))
            }
            _ => Some(Resolved::Imported(full.join("."))),
        }
    }

    /// Reads the inheritance settings of an evaluated `__mapper_args__`. Keys sa2rs does not port
    /// are reported once each (a mixin's arguments apply to every class using it).
    pub(super) fn mapper_args(&mut self, value: &Spanned<Value>) -> MapperArgs {
        let mut args = MapperArgs::default();
        let Value::Dict(items) = &value.value else {
            self.diags
                .push(self.not_literal(value.span, "`__mapper_args__`"));
            return args;
        };
        for (key, v) in items {
            match key.value.as_str() {
                "polymorphic_on" => match &v.value {
                    Value::Column(c) => args.polymorphic_on = Some(Spanned::new(c.clone(), v.span)),
                    Value::Str(s) => {
                        args.polymorphic_on = Some(Spanned::new(
                            ColumnName {
                                class: None,
                                attr: s.clone(),
                            },
                            v.span,
                        ))
                    }
                    _ => self.once(v.span, |span| {
                        diag::not_ported(
                            span,
                            "a `polymorphic_on` that is not a column",
                            "the discriminator is left out of the output",
                        )
                    }),
                },
                "polymorphic_identity" => match &v.value {
                    Value::Str(s) => {
                        args.polymorphic_identity =
                            Some(Spanned::new(Identity::Str(s.clone()), v.span))
                    }
                    Value::Int(i) => {
                        args.polymorphic_identity = Some(Spanned::new(Identity::Int(*i), v.span))
                    }
                    Value::None => {}
                    _ => self.once(v.span, |span| {
                        diag::not_literal(span, "the `polymorphic_identity`")
                    }),
                },
                "polymorphic_abstract" => args.polymorphic_abstract = v.value == Value::Bool(true),
                "concrete" => match &v.value {
                    Value::Bool(true) => args.concrete = Some(key.span),
                    Value::Bool(false) | Value::None => {}
                    _ => self.once(v.span, |span| diag::not_literal(span, "`concrete`")),
                },
                other => {
                    let done = if other == "inherit_condition" {
                        args.inherit_condition = Some(key.span);
                        "the foreign keys between the two tables are not checked"
                    } else {
                        "ignored"
                    };
                    let what = format!("`__mapper_args__` key `{other}`");
                    self.once(key.span, |span| diag::not_ported(span, &what, done));
                }
            }
        }
        args
    }
}
