//! Classes of a models file that define column types rather than models: Python `enum.Enum`
//! classes and SQLAlchemy `TypeDecorator` subclasses, collected before the models are read
//! (a column may name a class declared further down, through a string annotation).

use crate::IndexMap;

use super::scope::{Resolved, Scope};
use crate::source::Span;
use crate::syntax::{ClassDef, Expr, ExprKind, Stmt, StmtKind, UnaryOp};

/// A Python `enum.Enum` class of the file.
#[derive(Debug, Clone)]
pub struct EnumClass {
    pub name_span: Span,
    /// The members in order, aliases included (marked).
    pub members: Vec<Member>,
    /// Has a `str` mixin (or is a `StrEnum`).
    str_based: bool,
    /// A `StrEnum`: `auto()` gives the member name in lower case.
    str_enum: bool,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub value: MemberValue,
    pub span: Span,
    /// Another name for an earlier member's value (SQLAlchemy's `Enum` leaves aliases out unless
    /// `omit_aliases=False`; iterating the class skips them).
    pub alias: bool,
}

/// A member's value as far as it can be known without running Python.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberValue {
    Str(String),
    /// An integer; `None` for `auto()` in an enum that is not `str`-based, whose values count
    /// up from 1.
    Int(Option<i64>),
    /// `auto()` in a `str` mixin enum, or any other expression.
    Computed,
}

/// A `TypeDecorator` subclass of the file, or a subclass of a SQLAlchemy type
/// (`class Unused(CHAR)`), which is read as a decorator whose `impl` is its parent.
#[derive(Debug, Clone)]
pub struct Decorator {
    pub name_span: Span,
    /// `impl = ...`, if the class sets it.
    pub impl_: Option<Expr>,
    /// The class defines `__init__`: its arguments are not the `impl`'s.
    pub own_init: bool,
    /// The class defines `load_dialect_impl`, sets `__visit_name__`, or a `@compiles`
    /// function names it: its DDL is chosen by code.
    pub dialect_impl: bool,
    /// The decorator class it inherits, when that is another decorator of the file.
    pub parent: Option<String>,
}

/// How `Enum(SomeEnum, omit_aliases=False, values_callable=...)` pairs members with values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AliasPairing {
    /// Each member stores its own value (no aliases, or values that are not all strings).
    Exact,
    /// Some member stores another member's value.
    Scrambled,
    /// `Enum._setup_for_values` raises `KeyError`.
    Raises,
}

/// Which attribute of each member a `values_callable` function lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberAttr {
    Value,
    Name,
}

impl EnumClass {
    /// Replays `Enum._setup_for_values` for `omit_aliases=False` with a `values_callable` listing
    /// the values: `objects` are all members, aliases included (an alias is its canonical
    /// member), `values` those of the iteration (no aliases), and the lookup
    /// `dict(zip(reversed(objects), reversed(values)))` then pairs them from the end.
    pub fn alias_pairing(&self) -> AliasPairing {
        // Canonical members are numbered by their position in `values`.
        let mut values: Vec<&str> = Vec::new();
        let mut objects: Vec<usize> = Vec::new();
        for m in &self.members {
            let MemberValue::Str(v) = &m.value else {
                return AliasPairing::Exact;
            };
            match values.iter().position(|x| x == v) {
                Some(i) if m.alias => objects.push(i),
                _ => {
                    objects.push(values.len());
                    values.push(v);
                }
            }
        }
        if objects.len() == values.len() {
            return AliasPairing::Exact;
        }
        // `_valid_lookup = dict(zip(reversed(objects), reversed(values)))`
        let mut valid: Vec<Option<&str>> = vec![None; values.len()];
        for (&o, &v) in objects.iter().rev().zip(values.iter().rev()) {
            valid[o] = Some(v);
        }
        // `_object_lookup = dict(zip(values, objects))`, then
        // `_valid_lookup[_object_lookup[value]]` for every value.
        for (i, _) in values.iter().enumerate() {
            if valid[objects[i]].is_none() {
                return AliasPairing::Raises;
            }
        }
        if valid.iter().enumerate().all(|(i, v)| *v == Some(values[i])) {
            AliasPairing::Exact
        } else {
            AliasPairing::Scrambled
        }
    }
}

/// The type-defining classes and helper functions of one file.
#[derive(Debug, Default)]
pub struct LocalTypes {
    pub enums: IndexMap<String, EnumClass>,
    pub decorators: IndexMap<String, Decorator>,
    /// Module functions usable as `values_callable` (`def values(e): return [m.value for m in
    /// e]`), with what they list.
    pub member_functions: IndexMap<String, MemberAttr>,
}

const ENUM_BASES: &[&str] = &[
    "enum.Enum",
    "enum.IntEnum",
    "enum.StrEnum",
    "enum.Flag",
    "enum.IntFlag",
    "enum.ReprEnum",
];

impl LocalTypes {
    /// Collects the module's enum classes, type decorators and `values_callable` functions
    /// (following `if` / `try` blocks, as [`Scope`] does).
    pub fn collect(body: &[Stmt], scope: &Scope) -> LocalTypes {
        let mut local = LocalTypes::default();
        let mut compiled = Vec::new();
        local.walk(body, scope, &mut compiled);
        for name in compiled {
            if let Some(d) = local.decorators.get_mut(&name) {
                d.dialect_impl = true;
            }
        }
        local
    }

    /// Collects from `body`; the classes `@compiles(Class, ...)` functions name go to
    /// `compiled`.
    fn walk(&mut self, body: &[Stmt], scope: &Scope, compiled: &mut Vec<String>) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::ClassDef(c) => self.class(c, scope),
                StmtKind::FunctionDef(f) => {
                    for d in &f.decorators {
                        if let ExprKind::Call { func, args, .. } = &d.kind {
                            if matches!(scope.resolve(func), Some(Resolved::Sqla(n)) if n == "compiles")
                            {
                                compiled.extend(
                                    args.first().and_then(Expr::as_name).map(str::to_owned),
                                );
                            }
                        }
                    }
                    if let ([param], Some(ret)) = (f.params.as_slice(), returned(&f.body)) {
                        if let Some(attr) = member_listing(ret, &param.name) {
                            self.member_functions.insert(f.name.clone(), attr);
                        }
                    }
                }
                StmtKind::If { .. } | StmtKind::Try { .. } => {
                    for b in stmt.nested_bodies() {
                        self.walk(b, scope, compiled);
                    }
                }
                _ => {}
            }
        }
    }

    fn class(&mut self, c: &ClassDef, scope: &Scope) {
        let mut is_enum = false;
        let mut str_based = false;
        let mut str_enum = false;
        let mut decorator_parent = None;
        let mut is_decorator = false;
        // A SQLAlchemy type subclassed directly: its `impl`.
        let mut type_parent = None;
        for base in &c.bases {
            // A generic base (`TypeDecorator[datetime]`) is its class.
            let base = match &base.kind {
                ExprKind::Subscript { value, .. } => value,
                _ => base,
            };
            match scope.resolve(base) {
                Some(Resolved::Python(p)) if ENUM_BASES.contains(&p.as_str()) => {
                    is_enum = true;
                    str_enum |= p == "enum.StrEnum";
                    str_based |= p == "enum.StrEnum";
                }
                Some(Resolved::Python(p)) if p == "str" => str_based = true,
                Some(Resolved::Sqla(n)) if n == "TypeDecorator" => is_decorator = true,
                Some(Resolved::Sqla(n))
                    if super::types::lookup(&n, scope.dialect(base).as_deref()).is_some() =>
                {
                    is_decorator = true;
                    type_parent = Some(base.clone());
                }
                Some(Resolved::Local(n)) => {
                    if let Some(parent) = self.enums.get(&n) {
                        is_enum = true;
                        str_based |= parent.str_based;
                        str_enum |= parent.str_enum;
                    } else if self.decorators.contains_key(&n) {
                        is_decorator = true;
                        decorator_parent = Some(n);
                    }
                }
                _ => {}
            }
        }
        if is_enum {
            let members = members(&c.body, str_based, str_enum, scope);
            self.enums.insert(
                c.name.clone(),
                EnumClass {
                    name_span: c.name_span,
                    members,
                    str_based,
                    str_enum,
                },
            );
        } else if is_decorator {
            let mut d = Decorator {
                name_span: c.name_span,
                impl_: type_parent,
                own_init: false,
                dialect_impl: false,
                parent: decorator_parent,
            };
            for stmt in &c.body {
                match &stmt.kind {
                    StmtKind::Assign { targets, value }
                        if targets.len() == 1 && targets[0].as_name() == Some("impl") =>
                    {
                        d.impl_ = Some(value.clone())
                    }
                    StmtKind::AnnAssign {
                        target,
                        value: Some(value),
                        ..
                    } if target.as_name() == Some("impl") => d.impl_ = Some(Expr::clone(value)),
                    StmtKind::FunctionDef(f) if f.name == "__init__" => d.own_init = true,
                    StmtKind::FunctionDef(f) if f.name == "load_dialect_impl" => {
                        d.dialect_impl = true
                    }
                    StmtKind::Assign { targets, .. }
                        if targets.len() == 1 && targets[0].as_name() == Some("__visit_name__") =>
                    {
                        d.dialect_impl = true
                    }
                    _ => {}
                }
            }
            self.decorators.insert(c.name.clone(), d);
        }
    }

    /// Whether `e` (a `values_callable=` argument) lists each member's value or name: a
    /// `lambda x: [e.value for e in x]` (also `list(...)` / `tuple(...)` of a generator), or a
    /// function of this file returning that.
    pub fn values_callable(&self, e: &Expr) -> Option<MemberAttr> {
        match &e.kind {
            ExprKind::Lambda { params, body } => match params.as_slice() {
                [p] if p.default.is_none() => member_listing(body, &p.name),
                _ => None,
            },
            ExprKind::Name(n) => self.member_functions.get(n).copied(),
            _ => None,
        }
    }
}

/// The expression a function body returns, when the body is only `return <expr>` (after an
/// optional docstring).
fn returned(body: &[Stmt]) -> Option<&Expr> {
    let rest = match body.first().map(|s| &s.kind) {
        Some(StmtKind::Expr(e)) if e.as_str().is_some() => &body[1..],
        _ => body,
    };
    match rest {
        [Stmt {
            kind: StmtKind::Return(Some(e)),
            ..
        }] => Some(e),
        _ => None,
    }
}

/// `[m.value for m in param]` (or `.name`; also wrapped in `list(...)` / `tuple(...)`).
fn member_listing(e: &Expr, param: &str) -> Option<MemberAttr> {
    let comprehension = match &e.kind {
        ExprKind::Call {
            func,
            args,
            keywords,
        } if keywords.is_empty()
            && args.len() == 1
            && matches!(func.as_name(), Some("list" | "tuple")) =>
        {
            &args[0]
        }
        _ => e,
    };
    let ExprKind::Comprehension {
        element,
        target,
        iter,
        ifs,
    } = &comprehension.kind
    else {
        return None;
    };
    if !ifs.is_empty() {
        return None;
    }
    let ExprKind::Attribute { value, attr } = &element.kind else {
        return None;
    };
    let var = target.as_name()?;
    if value.as_name() != Some(var) || iter.as_name() != Some(param) {
        return None;
    }
    match attr.as_str() {
        "value" => Some(MemberAttr::Value),
        "name" => Some(MemberAttr::Name),
        _ => None,
    }
}

/// The members of an enum class body, in order.
fn members(body: &[Stmt], str_based: bool, str_enum: bool, scope: &Scope) -> Vec<Member> {
    let mut out: Vec<Member> = Vec::new();
    for stmt in body {
        let Some((target, value)) = stmt.assignment() else {
            continue;
        };
        let Some(name) = target.as_name() else {
            continue;
        };
        // `_sunder_` and `__dunder__` names are settings of the enum, not members.
        if name.starts_with("__")
            || (name.len() > 1 && name.starts_with('_') && name.ends_with('_'))
        {
            continue;
        }
        let value = match &value.kind {
            ExprKind::Str(s) => MemberValue::Str(s.clone()),
            ExprKind::Int(Some(i)) => MemberValue::Int(Some(*i)),
            ExprKind::UnaryOp {
                op: UnaryOp::Neg,
                operand,
            } => match operand.kind {
                ExprKind::Int(Some(i)) => MemberValue::Int(Some(-i)),
                _ => MemberValue::Computed,
            },
            // Functions and descriptors are not members.
            ExprKind::Lambda { .. } => continue,
            ExprKind::Call { func, .. } => match scope.resolve(func) {
                // `StrEnum` counts in names; other enums without a `str` mixin count in integers.
                Some(Resolved::Python(p)) if p == "enum.auto" && str_enum => {
                    MemberValue::Str(name.to_lowercase())
                }
                Some(Resolved::Python(p)) if p == "enum.auto" && !str_based => {
                    MemberValue::Int(None)
                }
                Some(Resolved::Python(p) | Resolved::Unbound(p))
                    if matches!(
                        p.as_str(),
                        "property" | "staticmethod" | "classmethod" | "enum.nonmember"
                    ) =>
                {
                    continue
                }
                _ => MemberValue::Computed,
            },
            _ => MemberValue::Computed,
        };
        // A member whose value an earlier member already has is an alias of it.
        let known = matches!(value, MemberValue::Str(_) | MemberValue::Int(Some(_)));
        let alias = known && out.iter().any(|m| m.value == value);
        out.push(Member {
            name: name.to_owned(),
            value,
            span: stmt.span,
            alias,
        });
    }
    out
}
