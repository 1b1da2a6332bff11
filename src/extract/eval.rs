//! A small, bounded evaluator of module-level Python: the value of an expression when it can be
//! known without running anything, and [`Unknown`] (with the reason and the span) when not.
//!
//! It knows literals, tuples, lists and dicts; names bound to module or class constants
//! (the assignment in effect where the name is used) and constants imported from other input
//! modules; `+`, `*` and `%` on strings and numbers; f-strings; `str.format`; a few `str`
//! methods. It never runs user code, never guesses, and stops after [`FUEL`] steps, or when
//! the strings it builds outgrow [`MAX_STR`] (one string) or the module's budget (all of them,
//! see [`BUDGET_STRS`]).

use std::cell::{Cell, RefCell};

use crate::{IndexMap, IndexSet};

use super::index::{Export, ModuleIndex};
use super::scope::{Binding, Scope};
use crate::source::Span;
use crate::syntax::{BinOp, Expr, ExprKind, FStringPart, Keyword, Stmt, StmtKind, UnaryOp};

/// A value known statically.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}

/// Why a value cannot be known, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub why: String,
    pub span: Span,
}

pub type Evaluated = Result<Value, Unknown>;

/// Steps one evaluation may take: enough for any real constant, finite for any input.
pub const FUEL: u32 = 10_000;

/// How deep evaluation may recurse (through names and nested expressions).
const MAX_DEPTH: u32 = 64;

/// The longest string one operation may build (`*`, `+`, `%`, `format`, `replace`, `join`).
pub const MAX_STR: usize = 1 << 20;

/// How many bytes of values every evaluation of a module may build together: this many strings
/// of [`MAX_STR`], and [`BUDGET_PER_SOURCE_BYTE`] per byte of the module's source. Each step's
/// value is charged (a name's value is a copy), so that no input makes the evaluator hold more
/// than a multiple of its own size.
const BUDGET_STRS: usize = 8;
const BUDGET_PER_SOURCE_BYTE: usize = 16;

/// Module-level (and class-level) assignments of names, with where they happen: copies of the
/// values that could be constants (not `Column(...)` and other calls), so that the module can
/// then be folded in place.
#[derive(Debug, Default)]
pub struct Constants {
    /// `name -> [(position, value)]`, in source order; `None` for a value that is no constant.
    module: IndexMap<String, Vec<(u32, Option<Expr>)>>,
    /// `class -> attribute -> value`, for `Config.PREFIX` style constants.
    classes: IndexMap<String, IndexMap<String, Expr>>,
    /// The bytes of values the module's evaluations may still build.
    budget: Cell<usize>,
}

/// `str` methods the evaluator knows; other calls are never constants.
const STR_METHODS: &[&str] = &[
    "lower", "upper", "strip", "title", "replace", "format", "join",
];

/// Whether an assigned value could evaluate to a constant (cheap to copy, worth keeping).
fn could_be_constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { func, .. } => match &func.kind {
            ExprKind::Attribute { attr, .. } => STR_METHODS.contains(&attr.as_str()),
            ExprKind::Name(n) => n == "str",
            _ => false,
        },
        _ => true,
    }
}

impl Constants {
    /// Collects the simple assignments of a module body (following `if`/`try` blocks), of a
    /// module of `source_len` bytes (which sets the evaluation budget).
    pub fn of(body: &[Stmt], source_len: usize) -> Self {
        let mut c = Constants::default();
        c.budget.set(
            (BUDGET_STRS * MAX_STR)
                .saturating_add(source_len.saturating_mul(BUDGET_PER_SOURCE_BYTE)),
        );
        c.collect(body);
        c
    }

    /// Takes `bytes` from the module's budget; false when it does not hold that much.
    fn charge(&self, bytes: usize) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(bytes));
        bytes <= left
    }

    fn collect(&mut self, body: &[Stmt]) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::Assign { targets, value } => {
                    let kept = could_be_constant(value).then(|| value.clone());
                    for t in targets {
                        if let Some(n) = t.as_name() {
                            self.module
                                .entry(n.to_owned())
                                .or_default()
                                .push((stmt.span.start, kept.clone()));
                        }
                    }
                }
                StmtKind::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => {
                    if let Some(n) = target.as_name() {
                        let kept = could_be_constant(value).then(|| Expr::clone(value));
                        self.module
                            .entry(n.to_owned())
                            .or_default()
                            .push((stmt.span.start, kept));
                    }
                }
                StmtKind::ClassDef(c) => {
                    let attrs = self.classes.entry(c.name.clone()).or_default();
                    for s in &c.body {
                        if let StmtKind::Assign { targets, value } = &s.kind {
                            for t in targets {
                                if let Some(n) = t.as_name() {
                                    // A later non-constant assignment hides an earlier constant.
                                    if could_be_constant(value) {
                                        attrs.insert(n.to_owned(), value.clone());
                                    } else {
                                        attrs.shift_remove(n);
                                    }
                                }
                            }
                        }
                    }
                }
                _ => {
                    for nested in stmt.nested_bodies() {
                        self.collect(nested);
                    }
                }
            }
        }
    }

    /// The constant attributes of the module's classes: `(class, attribute, value)`.
    pub fn class_attributes(&self) -> impl Iterator<Item = (&str, &str, &Expr)> + '_ {
        self.classes
            .iter()
            .flat_map(|(c, attrs)| attrs.iter().map(move |(a, e)| (c.as_str(), a.as_str(), e)))
    }

    /// The names assigned at module level, each with its last assignment.
    pub fn module_names(&self) -> impl Iterator<Item = (&str, &Expr)> + '_ {
        self.module.iter().filter_map(|(n, defs)| {
            defs.last()
                .and_then(|(_, e)| e.as_ref())
                .map(|e| (n.as_str(), e))
        })
    }
}

/// Evaluates expressions of one module.
pub struct Evaluator<'a> {
    constants: &'a Constants,
    scope: &'a Scope,
    index: &'a ModuleIndex,
    /// Class-level names visible (inside a class body): attribute -> value.
    class_env: Option<&'a IndexMap<String, Expr>>,
    fuel: Cell<u32>,
    depth: Cell<u32>,
    /// Names being evaluated, to stop `A = B; B = A` cycles.
    visiting: RefCell<IndexSet<String>>,
}

impl<'a> Evaluator<'a> {
    pub fn new(constants: &'a Constants, scope: &'a Scope, index: &'a ModuleIndex) -> Self {
        Evaluator {
            constants,
            scope,
            index,
            class_env: None,
            fuel: Cell::new(FUEL),
            depth: Cell::new(0),
            visiting: RefCell::new(IndexSet::default()),
        }
    }

    /// The same evaluator, seeing the attributes of class `name` as bare names (as its body does).
    pub fn in_class(&self, name: &str) -> Evaluator<'a> {
        Evaluator {
            class_env: self.constants.classes.get(name),
            ..Evaluator::new(self.constants, self.scope, self.index)
        }
    }

    /// Evaluates `e`, with a fresh budget.
    pub fn eval(&self, e: &Expr) -> Evaluated {
        self.fuel.set(FUEL);
        self.depth.set(0);
        self.visiting.borrow_mut().clear();
        self.value(e)
    }

    /// Evaluates `e` to a string.
    pub fn eval_str(&self, e: &Expr) -> Result<String, Unknown> {
        match self.eval(e)? {
            Value::Str(s) => Ok(s),
            other => Err(unknown(
                e.span,
                format!("is {}, not a string", describe(&other)),
            )),
        }
    }

    fn value(&self, e: &Expr) -> Evaluated {
        let fuel = self.fuel.get();
        if fuel == 0 {
            return Err(unknown(e.span, "takes too many steps to evaluate".into()));
        }
        self.fuel.set(fuel - 1);
        if self.depth.get() >= MAX_DEPTH {
            return Err(unknown(e.span, "is nested too deeply to evaluate".into()));
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.value_inner(e);
        self.depth.set(self.depth.get() - 1);
        match v {
            Ok(v) if !self.constants.charge(weight(&v)) => Err(unknown(
                e.span,
                "builds more data than sa2rs evaluates in one module".into(),
            )),
            v => v,
        }
    }

    fn value_inner(&self, e: &Expr) -> Evaluated {
        match &e.kind {
            ExprKind::Str(s) => Ok(Value::Str(s.clone())),
            ExprKind::Int(Some(i)) => Ok(Value::Int(*i)),
            ExprKind::Int(None) => Err(unknown(
                e.span,
                "is an integer too large to evaluate".into(),
            )),
            ExprKind::Float(f) => Ok(Value::Float(*f)),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::NoneLit => Ok(Value::None),
            ExprKind::Tuple(items) => Ok(Value::Tuple(self.values(items)?)),
            ExprKind::List(items) => Ok(Value::List(self.values(items)?)),
            ExprKind::Dict(pairs) => {
                let mut out = Vec::new();
                for (k, v) in pairs {
                    let Some(k) = k else {
                        return Err(unknown(e.span, "unpacks a dict (`**`)".into()));
                    };
                    out.push((self.value(k)?, self.value(v)?));
                }
                Ok(Value::Dict(out))
            }
            ExprKind::Name(n) => self.name(n, e),
            ExprKind::Attribute { value, attr } => self.attribute(value, attr, e),
            ExprKind::BinOp { left, op, right } => {
                binop(self.value(left)?, *op, self.value(right)?, e.span)
            }
            ExprKind::UnaryOp { op, operand } => match (op, self.value(operand)?) {
                (UnaryOp::Neg, Value::Int(i)) => {
                    Ok(Value::Int(i.checked_neg().ok_or_else(|| overflow(e.span))?))
                }
                (UnaryOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
                (UnaryOp::Not, v) => Ok(Value::Bool(!truthy(&v))),
                (UnaryOp::Pos, v @ (Value::Int(_) | Value::Float(_))) => Ok(v),
                _ => Err(unknown(
                    e.span,
                    "applies an operator sa2rs does not evaluate".into(),
                )),
            },
            ExprKind::FString(parts) => {
                let mut s = String::new();
                for p in parts {
                    match p {
                        FStringPart::Literal(l) => s.push_str(l),
                        FStringPart::Value(v) => s.push_str(&to_str(&self.value(v)?)),
                    }
                    if s.len() > MAX_STR {
                        return Err(too_large(e.span));
                    }
                }
                Ok(Value::Str(s))
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => self.call(func, args, keywords, e),
            ExprKind::Subscript { value, slice } => {
                match (self.value(value)?, self.value(slice)?) {
                    (Value::Dict(pairs), k) => pairs
                        .into_iter()
                        .find(|(pk, _)| *pk == k)
                        .map(|(_, v)| v)
                        .ok_or_else(|| {
                            unknown(e.span, "looks up a key the dict does not have".into())
                        }),
                    (Value::List(items) | Value::Tuple(items), Value::Int(i)) => {
                        let len = items.len() as i64;
                        let at = if i < 0 { len + i } else { i };
                        usize::try_from(at)
                            .ok()
                            .and_then(|at| items.into_iter().nth(at))
                            .ok_or_else(|| unknown(e.span, "indexes past the end".into()))
                    }
                    _ => Err(unknown(
                        e.span,
                        "subscripts something sa2rs does not evaluate".into(),
                    )),
                }
            }
            _ => Err(unknown(
                e.span,
                "is an expression sa2rs does not evaluate".into(),
            )),
        }
    }

    fn values(&self, items: &[Expr]) -> Result<Vec<Value>, Unknown> {
        items.iter().map(|i| self.value(i)).collect()
    }

    /// A bare name: a class attribute (inside a class body), else the module assignment in
    /// effect at the point of use, else a constant imported from another input module.
    fn name(&self, n: &str, e: &Expr) -> Evaluated {
        if let Some(v) = self.class_env.and_then(|env| env.get(n)) {
            return self.guarded(&format!("class.{n}"), e, || self.value(v));
        }
        if let Some(defs) = self.constants.module.get(n) {
            let before = defs
                .iter()
                .rev()
                .find(|(pos, _)| *pos < e.span.start)
                .or(defs.last());
            match before {
                Some((_, Some(v))) => return self.guarded(n, e, || self.value(v)),
                Some((_, None)) => {
                    return Err(unknown(
                        e.span,
                        format!("`{n}` is not a constant sa2rs can evaluate"),
                    ))
                }
                None => {}
            }
        }
        match self.scope.binding(n) {
            Some(Binding::Import(path)) => self.imported(path, e),
            Some(_) => Err(unknown(
                e.span,
                format!("`{n}` is not a constant sa2rs can evaluate"),
            )),
            None => Err(unknown(
                e.span,
                format!("`{n}` is not defined in the input"),
            )),
        }
    }

    fn imported(&self, path: &str, e: &Expr) -> Evaluated {
        match self.index.lookup(path) {
            Some((_, Export::Value(v))) => Ok(v),
            Some(_) => Err(unknown(e.span, format!("`{path}` is not a constant"))),
            None if path.starts_with("os.") || path == "os" => Err(unknown(
                e.span,
                "is read from the environment at run time".into(),
            )),
            None => Err(unknown(
                e.span,
                format!("`{path}` comes from outside the input"),
            )),
        }
    }

    /// `Config.PREFIX` on a class of this module, or `module.CONSTANT` on an imported module.
    fn attribute(&self, value: &Expr, attr: &str, e: &Expr) -> Evaluated {
        if let Some(class) = value.as_name() {
            if let Some(v) = self
                .constants
                .classes
                .get(class)
                .and_then(|attrs| attrs.get(attr))
            {
                let inner = self.in_class(class);
                inner.fuel.set(self.fuel.get());
                inner.depth.set(self.depth.get());
                let r = inner.value(v);
                self.fuel.set(inner.fuel.get());
                return r;
            }
        }
        match self.scope.resolve(e) {
            Some(super::Resolved::Imported(path)) => self.imported(&path, e),
            Some(super::Resolved::Python(p)) if p.starts_with("os.") => Err(unknown(
                e.span,
                "is read from the environment at run time".into(),
            )),
            _ => Err(unknown(
                e.span,
                format!("`.{attr}` is not a constant sa2rs can evaluate"),
            )),
        }
    }

    fn guarded(&self, key: &str, e: &Expr, f: impl FnOnce() -> Evaluated) -> Evaluated {
        if !self.visiting.borrow_mut().insert(key.to_owned()) {
            return Err(unknown(e.span, format!("`{key}` refers to itself")));
        }
        let r = f();
        self.visiting.borrow_mut().shift_remove(key);
        r
    }

    /// A call of a SQLAlchemy name (`Column(...)`, `db.relationship(...)`): never a constant,
    /// and the most common call of a model file, so the folder does not try it (nor keep a
    /// reason for each).
    fn is_sqlalchemy_call(&self, e: &Expr) -> bool {
        let ExprKind::Call { func, .. } = &e.kind else {
            return false;
        };
        let shadowed = func
            .dotted()
            .and_then(|p| p.first().copied())
            .is_some_and(|first| self.class_env.is_some_and(|env| env.contains_key(first)));
        !shadowed && matches!(self.scope.resolve(func), Some(super::Resolved::Sqla(_)))
    }

    fn call(&self, func: &Expr, args: &[Expr], keywords: &[Keyword], e: &Expr) -> Evaluated {
        if let ExprKind::Attribute { value, attr } = &func.kind {
            // `str` methods on a known string.
            if let Ok(Value::Str(s)) = self.value(value) {
                let arg_strs = || -> Result<Vec<String>, Unknown> {
                    args.iter()
                        .map(|a| self.value(a).map(|v| to_str(&v)))
                        .collect()
                };
                return match attr.as_str() {
                    "lower" => Ok(Value::Str(s.to_lowercase())),
                    "upper" => Ok(Value::Str(s.to_uppercase())),
                    "strip" if args.is_empty() => Ok(Value::Str(s.trim().to_owned())),
                    "title" => Ok(Value::Str(title(&s))),
                    "replace" => match arg_strs()?.as_slice() {
                        [from, to] => {
                            // Python inserts `to` between the characters for an empty `from`.
                            let hits = if from.is_empty() {
                                s.chars().count() + 1
                            } else {
                                s.matches(from.as_str()).count()
                            };
                            let len = hits.saturating_mul(to.len()).saturating_add(s.len());
                            if len > MAX_STR {
                                return Err(too_large(e.span));
                            }
                            Ok(Value::Str(s.replace(from.as_str(), to)))
                        }
                        _ => Err(unknown(e.span, "calls `str.replace` with a count".into())),
                    },
                    "format" => {
                        let positional = self.values(args)?;
                        let mut named = IndexMap::default();
                        for k in keywords {
                            let Some(n) = &k.name else {
                                return Err(unknown(k.span, "unpacks `**` into `format`".into()));
                            };
                            named.insert(n.clone(), self.value(&k.value)?);
                        }
                        format(&s, &positional, &named).ok_or_else(|| {
                            unknown(
                                e.span,
                                "uses a format sa2rs does not evaluate, or builds too large a string"
                                    .into(),
                            )
                        })
                    }
                    "join" => match args {
                        [items] => match self.value(items)? {
                            Value::List(v) | Value::Tuple(v) => {
                                let parts: Vec<String> = v.iter().map(to_str).collect();
                                let len = parts.iter().map(String::len).sum::<usize>()
                                    + s.len().saturating_mul(parts.len());
                                if len > MAX_STR {
                                    return Err(too_large(e.span));
                                }
                                Ok(Value::Str(parts.join(&s)))
                            }
                            _ => Err(unknown(e.span, "joins something other than a list".into())),
                        },
                        _ => Err(unknown(e.span, "calls `str.join` oddly".into())),
                    },
                    other => Err(unknown(
                        e.span,
                        format!("calls `str.{other}`, which sa2rs does not evaluate"),
                    )),
                };
            }
        }
        if func.as_name() == Some("str") && self.scope.binding("str").is_none() {
            if let [a] = args {
                return Ok(Value::Str(to_str(&self.value(a)?)));
            }
        }
        let name = func
            .dotted()
            .map(|p| p.join("."))
            .unwrap_or_else(|| "this".into());
        if name.starts_with("os.") || name.contains("getenv") || name.contains("environ") {
            return Err(unknown(
                e.span,
                "is read from the environment at run time".into(),
            ));
        }
        Err(unknown(
            e.span,
            format!("calls `{name}(...)`, which sa2rs does not run"),
        ))
    }
}

fn unknown(span: Span, why: String) -> Unknown {
    Unknown { why, span }
}

fn overflow(span: Span) -> Unknown {
    unknown(span, "overflows".into())
}

pub(super) fn describe(v: &Value) -> &'static str {
    match v {
        Value::Str(_) => "a string",
        Value::Int(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Bool(_) => "a boolean",
        Value::None => "`None`",
        Value::Tuple(_) => "a tuple",
        Value::List(_) => "a list",
        Value::Dict(_) => "a dict",
    }
}

pub(super) fn truthy(v: &Value) -> bool {
    match v {
        Value::Str(s) => !s.is_empty(),
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Bool(b) => *b,
        Value::None => false,
        Value::Tuple(v) | Value::List(v) => !v.is_empty(),
        Value::Dict(v) => !v.is_empty(),
    }
}

/// `str(v)`, as Python prints it.
pub fn to_str(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.is_finite() {
                format!("{f:.1}")
            } else {
                f.to_string()
            }
        }
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::None => "None".into(),
        Value::Tuple(items) if items.len() == 1 => format!("({},)", repr(&items[0])),
        Value::Tuple(items) => format!(
            "({})",
            items.iter().map(repr).collect::<Vec<_>>().join(", ")
        ),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Dict(pairs) => {
            format!(
                "{{{}}}",
                pairs
                    .iter()
                    .map(|(k, v)| format!("{}: {}", repr(k), repr(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

fn repr(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        other => to_str(other),
    }
}

pub(super) fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_alpha = false;
    for c in s.chars() {
        out.extend(if prev_alpha {
            c.to_lowercase().collect::<Vec<_>>()
        } else {
            c.to_uppercase().collect()
        });
        prev_alpha = c.is_alphabetic();
    }
    out
}

fn too_large(span: Span) -> Unknown {
    unknown(span, "builds a string too large to evaluate".into())
}

/// The bytes a value holds, roughly: what evaluating it costs the module's budget.
fn weight(v: &Value) -> usize {
    match v {
        Value::Str(s) => s.len().max(1),
        Value::Tuple(items) | Value::List(items) => {
            items.iter().map(weight).sum::<usize>().saturating_add(1)
        }
        Value::Dict(pairs) => pairs
            .iter()
            .map(|(k, v)| weight(k) + weight(v))
            .sum::<usize>()
            .saturating_add(1),
        _ => 1,
    }
}

pub(super) fn binop(l: Value, op: BinOp, r: Value, span: Span) -> Evaluated {
    use Value::*;
    Ok(match (l, op, r) {
        (Str(a), BinOp::Add, Str(b)) => {
            if a.len() + b.len() > MAX_STR {
                return Err(too_large(span));
            }
            Str(a + &b)
        }
        (Int(a), BinOp::Add, Int(b)) => Int(a.checked_add(b).ok_or_else(|| overflow(span))?),
        (Int(a), BinOp::Sub, Int(b)) => Int(a.checked_sub(b).ok_or_else(|| overflow(span))?),
        (Int(a), BinOp::Mul, Int(b)) => Int(a.checked_mul(b).ok_or_else(|| overflow(span))?),
        (Float(a), BinOp::Add, Float(b)) => Float(a + b),
        (List(mut a), BinOp::Add, List(b)) => {
            a.extend(b);
            List(a)
        }
        (Tuple(mut a), BinOp::Add, Tuple(b)) => {
            a.extend(b);
            Tuple(a)
        }
        (Str(a), BinOp::Mul, Int(n)) | (Int(n), BinOp::Mul, Str(a)) => {
            let n = usize::try_from(n).unwrap_or(0);
            if a.len().saturating_mul(n) > MAX_STR {
                return Err(too_large(span));
            }
            Str(a.repeat(n))
        }
        (Str(fmt), BinOp::Mod, args) => {
            let args = match args {
                Tuple(v) => v,
                other => vec![other],
            };
            let out = percent(&fmt, &args)
                .ok_or_else(|| unknown(span, "uses a `%` format sa2rs does not evaluate".into()))?;
            if out.len() > MAX_STR {
                return Err(too_large(span));
            }
            Str(out)
        }
        _ => {
            return Err(unknown(
                span,
                "combines values in a way sa2rs does not evaluate".into(),
            ))
        }
    })
}

/// `fmt % args` for `%s`, `%d`, `%r` and `%%`.
fn percent(fmt: &str, args: &[Value]) -> Option<String> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' => out.push_str(&to_str(args.next()?)),
            'r' => out.push_str(&repr(args.next()?)),
            'd' => match args.next()? {
                Value::Int(i) => out.push_str(&i.to_string()),
                _ => return None,
            },
            _ => return None,
        }
    }
    args.next().is_none().then_some(out)
}

/// `fmt.format(*positional, **named)` for `{}`, `{0}`, `{name}` and `{{`/`}}`, without format
/// specs; `None` also when the result would be longer than [`MAX_STR`].
pub(super) fn format(
    fmt: &str,
    positional: &[Value],
    named: &IndexMap<String, Value>,
) -> Option<Value> {
    let mut out = String::new();
    let mut auto = 0;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut field = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    field.push(c);
                }
                if field.contains([':', '!', '.', '[']) {
                    return None;
                }
                let v = if field.is_empty() {
                    auto += 1;
                    positional.get(auto - 1)?
                } else if let Ok(i) = field.parse::<usize>() {
                    positional.get(i)?
                } else {
                    named.get(&field)?
                };
                out.push_str(&to_str(v));
                if out.len() > MAX_STR {
                    return None;
                }
            }
            '}' => return None,
            c => out.push(c),
        }
    }
    Some(Value::Str(out))
}

/// Replaces every expression of a module body whose value the evaluator knows with that value
/// as a literal (keeping its span), so extraction reads `ForeignKey(f"{TABLE}.id")` as
/// `ForeignKey("users.id")`. Assignment targets, function bodies and lambdas are left alone
/// (their names may be parameters or locals). Inside a class body, the class's own attributes
/// shadow module names, as in Python. Returns why expressions could not be evaluated, by span,
/// for the reasons worth telling (environment, outside the input, calls).
pub fn fold_module(body: &mut [Stmt], ev: &Evaluator) -> IndexMap<Span, String> {
    let mut reasons = IndexMap::default();
    fold_stmts(body, ev, &mut reasons);
    reasons
}

fn fold_stmts(body: &mut [Stmt], ev: &Evaluator, reasons: &mut IndexMap<Span, String>) {
    for stmt in body {
        match &mut stmt.kind {
            StmtKind::Assign { value, .. } => fold_expr(value, ev, reasons),
            StmtKind::AnnAssign {
                value: Some(value), ..
            } => fold_expr(value, ev, reasons),
            StmtKind::Expr(e) => fold_expr(e, ev, reasons),
            StmtKind::ClassDef(c) => {
                // Not shared yet when folding (records are made after): no copy.
                let c = std::sync::Arc::make_mut(c);
                let inner = ev.in_class(&c.name);
                for b in &mut c.bases {
                    fold_expr(b, ev, reasons);
                }
                for k in &mut c.keywords {
                    fold_expr(&mut k.value, ev, reasons);
                }
                fold_stmts(&mut c.body, &inner, reasons);
            }
            StmtKind::If { body, orelse, .. } => {
                fold_stmts(body, ev, reasons);
                fold_stmts(orelse, ev, reasons);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                fold_stmts(body, ev, reasons);
                for h in handlers {
                    fold_stmts(h, ev, reasons);
                }
                fold_stmts(orelse, ev, reasons);
                fold_stmts(finalbody, ev, reasons);
            }
            _ => {}
        }
    }
}

/// Whether folding `e` could give something new: literals are already literal, and plain
/// containers are folded element by element instead.
fn worth_evaluating(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Name(_)
            | ExprKind::Attribute { .. }
            | ExprKind::BinOp { .. }
            | ExprKind::FString(_)
            | ExprKind::Call { .. }
            | ExprKind::Subscript { .. }
            | ExprKind::UnaryOp { .. }
    )
}

fn literal(v: &Value, span: Span) -> Option<Expr> {
    let kind = match v {
        Value::Str(s) => ExprKind::Str(s.clone()),
        Value::Int(i) => ExprKind::Int(Some(*i)),
        Value::Float(f) => ExprKind::Float(*f),
        Value::Bool(b) => ExprKind::Bool(*b),
        Value::None => ExprKind::NoneLit,
        // Containers keep their shape; only their elements are folded.
        Value::Tuple(_) | Value::List(_) | Value::Dict(_) => return None,
    };
    Some(Expr { kind, span })
}

fn fold_expr(e: &mut Expr, ev: &Evaluator, reasons: &mut IndexMap<Span, String>) {
    if worth_evaluating(e) && !ev.is_sqlalchemy_call(e) {
        match ev.eval(e) {
            Ok(v) => {
                if let Some(lit) = literal(&v, e.span) {
                    *e = lit;
                    return;
                }
            }
            Err(u) => {
                if ["environment", "outside the input", "does not run"]
                    .iter()
                    .any(|t| u.why.contains(t))
                {
                    reasons.insert(e.span, u.why);
                }
            }
        }
    }
    match &mut e.kind {
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            // The callee is a name to resolve, not a value.
            if !matches!(func.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
                fold_expr(func, ev, reasons);
            }
            for a in args {
                fold_expr(a, ev, reasons);
            }
            for k in keywords {
                fold_expr(&mut k.value, ev, reasons);
            }
        }
        ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Set(items) => {
            for i in items {
                fold_expr(i, ev, reasons);
            }
        }
        ExprKind::Dict(pairs) => {
            for (k, v) in pairs {
                if let Some(k) = k {
                    fold_expr(k, ev, reasons);
                }
                fold_expr(v, ev, reasons);
            }
        }
        ExprKind::Subscript { slice, .. } => fold_expr(slice, ev, reasons),
        ExprKind::Starred(inner) => fold_expr(inner, ev, reasons),
        // Binary and unary operands, comparisons and f-string parts are folded only as a whole
        // (a join condition's operands are columns, not values).
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::StmtKind;

    /// Evaluates the value assigned to `result` in `src`.
    fn eval_result(src: &str) -> Evaluated {
        let parsed = crate::parse::parse(0, src, "t.py").expect("test source parses");
        let body = parsed.module.body;
        let constants = Constants::of(&body, src.len());
        let scope = Scope::of(&body);
        let index = ModuleIndex::default();
        let ev = Evaluator::new(&constants, &scope, &index);
        let value = body
            .iter()
            .find_map(|s| match &s.kind {
                StmtKind::Assign { targets, value } if targets[0].as_name() == Some("result") => {
                    Some(value)
                }
                _ => None,
            })
            .expect("the source assigns `result`");
        ev.eval(value)
    }

    fn s(v: &str) -> Evaluated {
        Ok(Value::Str(v.into()))
    }

    #[test]
    fn constants_and_string_operations() {
        assert_eq!(
            eval_result("T = 'users'\nresult = T + '.id'\n"),
            s("users.id")
        );
        assert_eq!(
            eval_result("T = 'users'\nresult = f'{T}.id'\n"),
            s("users.id")
        );
        assert_eq!(
            eval_result("T = 'users'\nresult = '%s.%s' % (T, 'id')\n"),
            s("users.id")
        );
        assert_eq!(
            eval_result("T = 'users'\nresult = '{}.{col}'.format(T, col='id')\n"),
            s("users.id")
        );
        assert_eq!(
            eval_result("P = 'app_'\nresult = (P + 'User').lower()\n"),
            s("app_user")
        );
        assert_eq!(eval_result("N = 50\nresult = N * 2\n"), Ok(Value::Int(100)));
        assert_eq!(eval_result("D = {'a': 'x'}\nresult = D['a']\n"), s("x"));
    }

    #[test]
    fn the_assignment_in_effect_is_used() {
        assert_eq!(eval_result("T = 'a'\nresult = T\nT = 'b'\n"), s("a"));
    }

    #[test]
    fn class_constants() {
        assert_eq!(
            eval_result("class C:\n    P = 'x_'\nresult = C.P + 'y'\n"),
            s("x_y")
        );
    }

    #[test]
    fn unknowable_values_say_why() {
        let e = eval_result("import os\nresult = os.environ['TABLE']\n").unwrap_err();
        assert!(e.why.contains("environment"), "{e:?}");
        let e = eval_result("result = make_name()\n").unwrap_err();
        assert!(e.why.contains("does not run"), "{e:?}");
        let e = eval_result("A = B\nB = A\nresult = A\n").unwrap_err();
        assert!(
            e.why.contains("itself") || e.why.contains("not defined"),
            "{e:?}"
        );
    }

    #[test]
    fn work_is_bounded() {
        let src = format!(
            "A0 = 'x'\n{}result = A199\n",
            (1..200)
                .map(|i| format!("A{i} = A{} + A{}\n", i - 1, i - 1))
                .collect::<String>()
        );
        let e = eval_result(&src).unwrap_err();
        assert!(e.why.contains("too"), "{e:?}");
    }

    /// Chains of assignments, `n` of them, each built from the one before by `step` (`{p}`
    /// is the previous name); the value of the last.
    fn chain(first: &str, step: &str, n: usize) -> Evaluated {
        let steps: String = (1..=n)
            .map(|i| format!("A{i} = {}\n", step.replace("{p}", &format!("A{}", i - 1))))
            .collect();
        eval_result(&format!("A0 = {first}\n{steps}result = A{n}\n"))
    }

    /// Operations whose result outgrows their operands stop at `MAX_STR` before building it:
    /// each of these would build gigabytes within the step budget.
    #[test]
    fn strings_are_bounded() {
        let big = format!("'x' * {MAX_STR}");
        for (first, step, n) in [
            // Squaring the length: 2, 4, 16, 256, 65536, then 2^32.
            ("'xx'", "{p}.replace('x', {p})", 5),
            // 2, 8, 80, 6560, then 43 million.
            ("'xx'", "{p}.replace('', {p})", 4),
            (big.as_str(), "{p} + {p}", 1),
            (big.as_str(), "f'{{p}}{{p}}'", 1),
            (big.as_str(), "'%s%s' % ({p}, {p})", 1),
            (big.as_str(), "{p}.join(['a', 'b', 'c'])", 1),
        ] {
            let e = chain(first, step, n).unwrap_err();
            assert!(e.why.contains("too large"), "{step}: {e:?}");
        }
        let reuse = format!("A = {big}\nresult = '{}'.format(A)\n", "{0}".repeat(1000));
        assert!(eval_result(&reuse).is_err());
        // Up to the limit, they work.
        assert_eq!(
            chain("'xx'", "{p}.replace('x', {p})", 3),
            s(&"x".repeat(256))
        );
    }

    /// Copies of a large value (a name's value is a copy) draw on the module's budget, so a
    /// few bytes of source cannot make gigabytes of values.
    #[test]
    fn copies_are_bounded_by_the_module() {
        let src = format!("A = 'x' * {MAX_STR}\nresult = [{}]\n", "A, ".repeat(3000));
        let e = eval_result(&src).unwrap_err();
        assert!(e.why.contains("more data"), "{e:?}");
    }
}
