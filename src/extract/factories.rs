//! Column factories: `functools.partial(Column, nullable=False)` bound to a name (often `Column`
//! itself), and plain functions whose body returns a column or relationship
//! (`def fk(table): return Column(Integer, ForeignKey(f"{table}.id"))`), also imported from
//! another module of the input. A call to one is expanded into the call it stands for before
//! the column is read.

use super::index::Export;
use super::{Extractor, Resolved};
use crate::source::Span;
use crate::syntax::{Expr, ExprKind, FStringPart, Keyword, Param, Stmt, StmtKind};

/// What a factory call stands for.
#[derive(Debug, Clone)]
pub struct Factory {
    /// The SQLAlchemy construct it calls: `Column`, `mapped_column` or `relationship`.
    pub callee: String,
    pub args: Vec<Expr>,
    pub keywords: Vec<Keyword>,
    /// For a function factory, its parameters (substituted in `args` and `keywords`).
    pub params: Option<Vec<Param>>,
    pub span: Span,
}

impl PartialEq for Factory {
    /// Two reads of the same factory are the same factory (extraction passes compare indexes).
    fn eq(&self, other: &Self) -> bool {
        self.span == other.span && self.callee == other.callee
    }
}

const CONSTRUCTS: &[&str] = &["Column", "mapped_column", "relationship"];

impl Extractor<'_> {
    /// Reads the module's factories, in order (a factory may build on an earlier one).
    pub(super) fn collect_factories(&mut self, body: &[Stmt]) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::Assign { targets, value } => {
                    let [target] = targets.as_slice() else {
                        continue;
                    };
                    let Some(name) = target.as_name() else {
                        continue;
                    };
                    if let Some(f) = self.read_partial(name, value) {
                        self.factories.insert(name.to_owned(), f);
                    }
                }
                StmtKind::FunctionDef(def) if def.decorators.is_empty() => {
                    let body: Vec<&Stmt> = def
                        .body
                        .iter()
                        .filter(|s| !matches!(&s.kind, StmtKind::Expr(e) if e.as_str().is_some()))
                        .collect();
                    let Some((last, before)) = body.split_last() else {
                        continue;
                    };
                    let StmtKind::Return(Some(call)) = &last.kind else {
                        continue;
                    };
                    // Local assignments before the `return`: names bound to expressions are
                    // substituted; names bound by unpacking become values computed at run
                    // time, which reading the column reports.
                    let mut locals: Vec<(String, Expr)> = Vec::new();
                    let simple = before.iter().all(|s| match &s.kind {
                        StmtKind::Assign { targets, value } => {
                            for t in targets {
                                match &t.kind {
                                    ExprKind::Name(n) => locals.push((n.clone(), value.clone())),
                                    ExprKind::Tuple(items) | ExprKind::List(items) => {
                                        for i in items {
                                            if let Some(n) = i.as_name() {
                                                locals.push((n.to_owned(), runtime_value(i.span)));
                                            }
                                        }
                                    }
                                    _ => {}
                                }
                            }
                            true
                        }
                        _ => false,
                    });
                    if !simple {
                        continue;
                    }
                    let call = locals.iter().rev().fold(call.clone(), |e, (n, v)| {
                        substitute(&e, &[(n.clone(), v.clone())], 0)
                    });
                    if let Some(mut f) = self.target_of(&call, &def.name) {
                        f.params = Some(def.params.clone());
                        f.span = def.name_span;
                        self.factories.insert(def.name.clone(), f);
                    }
                }
                _ => {}
            }
        }
    }

    /// `name = partial(target, *args, **keywords)`.
    fn read_partial(&mut self, name: &str, value: &Expr) -> Option<Factory> {
        let ExprKind::Call {
            func,
            args,
            keywords,
        } = &value.kind
        else {
            return None;
        };
        let partial = match self.scope.resolve(func)? {
            Resolved::Imported(p) | Resolved::Python(p) => p == "functools.partial",
            _ => false,
        };
        let (target, rest) = args.split_first()?;
        if !partial {
            return None;
        }
        // The target as a call with the partial's arguments, read like a factory body.
        let call = Expr {
            kind: ExprKind::Call {
                func: Box::new(target.clone()),
                args: rest.to_vec(),
                keywords: keywords.clone(),
            },
            span: value.span,
        };
        self.target_of(&call, name)
    }

    /// The factory a call to a construct (or to an earlier factory) makes; `defining` is the
    /// name being defined, so that `Column = partial(Column, ...)` means SQLAlchemy's `Column`.
    fn target_of(&mut self, call: &Expr, defining: &str) -> Option<Factory> {
        let ExprKind::Call {
            func,
            args,
            keywords,
        } = &call.kind
        else {
            return None;
        };
        if let Some(n) = func.as_name() {
            if n == defining && CONSTRUCTS.contains(&n) {
                return Some(self.factory(n, args, keywords, call.span));
            }
            if let Some(inner) = self
                .factories
                .get(n)
                .filter(|f| f.params.is_none())
                .cloned()
            {
                let (args, keywords) = partial_args(&inner, args, keywords);
                return Some(Factory {
                    args,
                    keywords,
                    span: call.span,
                    ..inner
                });
            }
        }
        match self.scope.resolve_sqla(func)? {
            Resolved::Sqla(n) if CONSTRUCTS.contains(&n.as_str()) => {
                Some(self.factory(&n, args, keywords, call.span))
            }
            _ => None,
        }
    }

    /// A factory whose SQLAlchemy names are spelled `sqlalchemy.X`, so that it reads the same
    /// from any module.
    fn factory(
        &mut self,
        callee: &str,
        args: &[Expr],
        keywords: &[Keyword],
        span: Span,
    ) -> Factory {
        let args = args.iter().map(|a| self.qualified(a)).collect();
        let keywords = keywords
            .iter()
            .map(|k| Keyword {
                value: self.qualified(&k.value),
                ..k.clone()
            })
            .collect();
        Factory {
            callee: callee.to_owned(),
            args,
            keywords,
            params: None,
            span,
        }
    }

    fn qualified(&mut self, e: &Expr) -> Expr {
        if let ExprKind::Name(n) = &e.kind {
            if let Some(Resolved::Sqla(s)) = self.scope.resolve(e) {
                return sqla_path(&s, e.span);
            }
            let _ = n;
        }
        let mut out = e.clone();
        match &mut out.kind {
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                **func = self.qualified(func);
                for a in args.iter_mut() {
                    *a = self.qualified(a);
                }
                for k in keywords.iter_mut() {
                    k.value = self.qualified(&k.value);
                }
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items.iter_mut() {
                    *i = self.qualified(i);
                }
            }
            // `func.now`, `sa.text`: the object the attribute is read from.
            ExprKind::Attribute { value, .. } => **value = self.qualified(value),
            _ => {}
        }
        out
    }

    /// The factory a call's function names, if it names one.
    fn factory_of(&mut self, func: &Expr) -> Option<Factory> {
        if let Some(n) = func.as_name() {
            if let Some(f) = self.factories.get(n) {
                return Some(f.clone());
            }
        }
        match self.scope.resolve(func)? {
            Resolved::Imported(path) => match self.index.lookup(&path)? {
                (_, Export::Factory(f)) => Some(*f),
                _ => None,
            },
            _ => None,
        }
    }

    /// The call a factory call stands for: `None` when `call` does not call a factory.
    pub(super) fn expand_factory(&mut self, call: &Expr) -> Option<Expr> {
        let ExprKind::Call {
            func,
            args,
            keywords,
        } = &call.kind
        else {
            return None;
        };
        let f = self.factory_of(func)?;
        let (args, keywords) = match &f.params {
            None => partial_args(&f, args, keywords),
            Some(params) => {
                let bound = bind(params, args, keywords);
                let sub = |e: &Expr| substitute(e, &bound, 0);
                (
                    f.args.iter().map(sub).collect(),
                    f.keywords
                        .iter()
                        .map(|k| Keyword {
                            value: sub(&k.value),
                            ..k.clone()
                        })
                        .collect(),
                )
            }
        };
        Some(Expr {
            kind: ExprKind::Call {
                func: Box::new(sqla_path(&f.callee, call.span)),
                args,
                keywords,
            },
            span: call.span,
        })
    }
}

/// `partial(f, *a, **k)(*b, **l)` calls `f(*a, *b, **{**k, **l})`.
fn partial_args(f: &Factory, args: &[Expr], keywords: &[Keyword]) -> (Vec<Expr>, Vec<Keyword>) {
    let mut all_args = f.args.clone();
    all_args.extend(args.iter().cloned());
    let mut all_kw: Vec<Keyword> = f
        .keywords
        .iter()
        .filter(|k| !keywords.iter().any(|c| c.name == k.name))
        .cloned()
        .collect();
    all_kw.extend(keywords.iter().cloned());
    (all_args, all_kw)
}

/// Binds a function's parameters to a call's arguments (positional, then by name, then
/// defaults).
fn bind(params: &[Param], args: &[Expr], keywords: &[Keyword]) -> Vec<(String, Expr)> {
    params
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let value = args
                .get(i)
                .or_else(|| keywords.iter().find(|k| k.is(&p.name)).map(|k| &k.value))
                .or(p.default.as_ref())?;
            Some((p.name.clone(), value.clone()))
        })
        .collect()
}

/// How deep substitution descends (factory bodies are small expressions).
const MAX_SUBSTITUTION_DEPTH: usize = 64;

fn substitute(e: &Expr, bound: &[(String, Expr)], depth: usize) -> Expr {
    if depth > MAX_SUBSTITUTION_DEPTH {
        return e.clone();
    }
    let sub = |x: &Expr| substitute(x, bound, depth + 1);
    let kind = match &e.kind {
        ExprKind::Name(n) => match bound.iter().find(|(p, _)| p == n) {
            Some((_, v)) => return v.clone(),
            None => e.kind.clone(),
        },
        ExprKind::Call {
            func,
            args,
            keywords,
        } => ExprKind::Call {
            func: Box::new(sub(func)),
            args: args.iter().map(sub).collect(),
            keywords: keywords
                .iter()
                .map(|k| Keyword {
                    value: sub(&k.value),
                    ..k.clone()
                })
                .collect(),
        },
        ExprKind::Attribute { value, attr } => ExprKind::Attribute {
            value: Box::new(sub(value)),
            attr: attr.clone(),
        },
        ExprKind::Tuple(items) => ExprKind::Tuple(items.iter().map(sub).collect()),
        ExprKind::List(items) => ExprKind::List(items.iter().map(sub).collect()),
        ExprKind::BinOp { left, op, right } => ExprKind::BinOp {
            left: Box::new(sub(left)),
            op: *op,
            right: Box::new(sub(right)),
        },
        ExprKind::FString(parts) => ExprKind::FString(
            parts
                .iter()
                .map(|p| match p {
                    FStringPart::Value(v) => FStringPart::Value(sub(v)),
                    lit => lit.clone(),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Expr {
        kind: fold_literal(kind),
        span: e.span,
    }
}

/// A string built from literals is a literal: `f"{'users'}.id"` after substitution.
fn fold_literal(kind: ExprKind) -> ExprKind {
    match kind {
        ExprKind::FString(parts) => {
            let mut s = String::new();
            for p in &parts {
                match p {
                    FStringPart::Literal(l) => s.push_str(l),
                    FStringPart::Value(Expr {
                        kind: ExprKind::Str(v),
                        ..
                    }) => s.push_str(v),
                    FStringPart::Value(Expr {
                        kind: ExprKind::Int(Some(i)),
                        ..
                    }) => s.push_str(&i.to_string()),
                    _ => return ExprKind::FString(parts),
                }
            }
            ExprKind::Str(s)
        }
        ExprKind::BinOp {
            left,
            op: crate::syntax::BinOp::Add,
            right,
        } => match (&left.kind, &right.kind) {
            (ExprKind::Str(a), ExprKind::Str(b)) => ExprKind::Str(format!("{a}{b}")),
            _ => ExprKind::BinOp {
                left,
                op: crate::syntax::BinOp::Add,
                right,
            },
        },
        other => other,
    }
}

/// A value only known when the function runs (a name bound by unpacking, say).
fn runtime_value(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Other("a value computed when the function runs"),
        span,
    }
}

/// `sqlalchemy.<name>` as an expression.
fn sqla_path(name: &str, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Attribute {
            value: Box::new(Expr {
                kind: ExprKind::Name("sqlalchemy".into()),
                span,
            }),
            attr: name.to_owned(),
        },
        span,
    }
}
