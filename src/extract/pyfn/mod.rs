//! A bounded interpreter of the small, pure Python functions models use to compute names: a
//! `@declared_attr.directive def __tablename__(cls)` on a base or mixin, and the helpers it
//! calls (`"_".join(x.lower() for x in re.split("(?=[A-Z])", name) if x)`), in any module of
//! the input.
//!
//! A function runs in its own module's [`Namespace`] (its helpers, constants and imports), which
//! every module exports, so a base imported from another module computes its subclasses' names
//! as it does at home. It knows assignments, `if`, `return`, comprehensions, conditional
//! expressions, `str` methods, the `re` functions of [`super::pyre`], `len` / `str` / `list`,
//! and `has_inherited_table(cls)`. It never runs anything else, never guesses, and counts every
//! step against a budget: what it cannot evaluate is an [`Unknown`] saying why.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use crate::IndexMap;

mod builtins;
#[cfg(test)]
mod tests;
mod values;

use self::values::{compare, index_of, iterate, slice_of, truthy};
use super::eval::{self, Unknown, Value};
use super::index::ModuleIndex;
use super::pyre::{self, Captures, Regex};
use super::scope::{Binding, Scope};
use crate::source::Span;
use crate::syntax::{BoolOp, Expr, ExprKind, FStringPart, FunctionDef, Keyword, Param};
use crate::syntax::{Stmt, StmtKind, UnaryOp};

/// A module's names, as its functions see them when they run.
#[derive(Debug, Default)]
pub struct Namespace {
    pub module: String,
    /// Module-level functions (the binding in effect at the end of the module).
    functions: IndexMap<String, Arc<FunctionDef>>,
    /// Module-level assignments of one name (constants already folded).
    values: IndexMap<String, Expr>,
    /// Imported names: the absolute dotted path each names.
    imports: IndexMap<String, String>,
}

impl PartialEq for Namespace {
    /// What can change between extraction passes is where imports lead; definitions are
    /// compared by where they are.
    fn eq(&self, other: &Self) -> bool {
        self.module == other.module
            && self.imports == other.imports
            && self.functions.len() == other.functions.len()
            && self
                .functions
                .iter()
                .zip(&other.functions)
                .all(|((a, f), (b, g))| a == b && f.name_span == g.name_span)
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(&other.values)
                .all(|((a, x), (b, y))| a == b && x.span == y.span)
    }
}

impl Namespace {
    /// The absolute dotted path an imported name of the module names.
    pub fn import(&self, name: &str) -> Option<&String> {
        self.imports.get(name)
    }

    /// The namespace of a module body (folded), with its scope linked to the index.
    pub fn of(module: &str, body: &[Stmt], scope: &Scope) -> Namespace {
        let mut ns = Namespace {
            module: module.to_owned(),
            ..Namespace::default()
        };
        ns.collect(body);
        for (name, binding) in scope.bindings() {
            if let Binding::Import(path) = binding {
                ns.imports.insert(name.clone(), path.clone());
            }
        }
        ns
    }

    fn collect(&mut self, body: &[Stmt]) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::FunctionDef(f) => {
                    self.values.shift_remove(&f.name);
                    self.functions
                        .insert(f.name.clone(), Arc::new(FunctionDef::clone(f)));
                }
                StmtKind::Assign { targets, value } => {
                    for t in targets {
                        if let Some(n) = t.as_name() {
                            self.functions.shift_remove(n);
                            self.values.insert(n.to_owned(), value.clone());
                        }
                    }
                }
                StmtKind::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => {
                    if let Some(n) = target.as_name() {
                        self.functions.shift_remove(n);
                        self.values.insert(n.to_owned(), Expr::clone(value));
                    }
                }
                StmtKind::If { body, orelse, .. } => {
                    self.collect(body);
                    self.collect(orelse);
                }
                StmtKind::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                } => {
                    self.collect(body);
                    for h in handlers {
                        self.collect(h);
                    }
                    self.collect(orelse);
                    self.collect(finalbody);
                }
                _ => {}
            }
        }
    }
}

/// The class a name is computed for.
pub struct ClassInfo<'a> {
    pub name: &'a str,
    /// `has_inherited_table(cls)`.
    pub has_inherited_table: bool,
}

/// A value while a function runs.
#[derive(Debug, Clone)]
enum Val {
    Data(Value),
    Pattern(Arc<Regex>),
    Match(Arc<MatchObj>),
    Func(Arc<Namespace>, Arc<FunctionDef>),
    Lambda(Arc<LambdaVal>),
    /// A module or function from outside the input (`re`, `re.sub`, `builtins.len`).
    Path(String),
    /// The class being mapped (`cls`).
    Cls,
}

#[derive(Debug)]
struct MatchObj {
    text: Vec<char>,
    caps: Captures,
    re: Arc<Regex>,
}

#[derive(Debug)]
struct LambdaVal {
    params: Vec<Param>,
    body: Expr,
    frame: Frame,
}

#[derive(Debug, Clone)]
struct Frame {
    ns: Arc<Namespace>,
    locals: IndexMap<String, Val>,
}

type Res<T> = Result<T, Unknown>;

fn unknown(span: Span, why: impl Into<String>) -> Unknown {
    Unknown {
        why: why.into(),
        span,
    }
}

/// How deep calls and expressions nest.
const MAX_DEPTH: u32 = 200;

/// Builtins the interpreter knows.
const BUILTINS: &[&str] = &["len", "str", "list", "tuple", "reversed", "any", "all"];

/// Runs functions of the input for one class.
pub struct Interp<'a> {
    index: &'a ModuleIndex,
    /// The namespace of the module being extracted (the index holds the previous pass's).
    current: &'a Arc<Namespace>,
    class: ClassInfo<'a>,
    steps: Cell<u32>,
    depth: Cell<u32>,
    /// Module values being evaluated, against cycles.
    visiting: RefCell<Vec<String>>,
}

impl<'a> Interp<'a> {
    pub fn new(index: &'a ModuleIndex, current: &'a Arc<Namespace>, class: ClassInfo<'a>) -> Self {
        Interp {
            index,
            current,
            class,
            steps: Cell::new(pyre::MAX_STEPS),
            depth: Cell::new(0),
            visiting: RefCell::new(Vec::new()),
        }
    }

    fn namespace(&self, module: &str) -> Option<Arc<Namespace>> {
        if module == self.current.module {
            return Some(self.current.clone());
        }
        self.index.namespace(module)
    }

    /// Calls `def` (a function of `module` whose first parameter is the class) for the class.
    pub fn call_with_class(&self, module: &str, def: &FunctionDef) -> Result<Value, Unknown> {
        let ns = self.namespace(module).ok_or_else(|| {
            unknown(
                def.name_span,
                format!("is defined in `{module}`, which sa2rs has not read"),
            )
        })?;
        // Its decorator (`declared_attr`) is what makes declarative call it with the class.
        let module = Frame {
            ns,
            locals: IndexMap::default(),
        };
        let mut frame = module.clone();
        let span = def.name_span;
        self.bind(
            &def.params,
            vec![Val::Cls],
            Vec::new(),
            &module,
            &mut frame,
            span,
        )?;
        match self.exec(&def.body, &mut frame)? {
            None => Ok(Value::None),
            Some(Val::Data(v)) => Ok(v),
            Some(_) => Err(unknown(span, "returns something other than a value")),
        }
    }

    fn step(&self, span: Span) -> Res<()> {
        let left = self.steps.get();
        if left == 0 {
            return Err(unknown(span, "takes too many steps to evaluate"));
        }
        self.steps.set(left - 1);
        Ok(())
    }

    fn nested<T>(&self, span: Span, f: impl FnOnce() -> Res<T>) -> Res<T> {
        if self.depth.get() >= MAX_DEPTH {
            return Err(unknown(span, "nests calls too deeply to evaluate"));
        }
        self.depth.set(self.depth.get() + 1);
        let r = f();
        self.depth.set(self.depth.get() - 1);
        r
    }

    // ---- statements ---------------------------------------------------------------------

    fn call(&self, f: &Val, args: Vec<Val>, kwargs: Vec<(String, Val)>, span: Span) -> Res<Val> {
        match f {
            Val::Func(ns, def) => {
                if !def.decorators.is_empty() || def.is_async {
                    return Err(unknown(
                        span,
                        format!("calls `{}`, a decorated or async function", def.name),
                    ));
                }
                let module = Frame {
                    ns: ns.clone(),
                    locals: IndexMap::default(),
                };
                let mut frame = module.clone();
                self.bind(&def.params, args, kwargs, &module, &mut frame, span)?;
                self.nested(span, || {
                    Ok(self
                        .exec(&def.body, &mut frame)?
                        .unwrap_or(Val::Data(Value::None)))
                })
            }
            Val::Lambda(l) => {
                let mut frame = l.frame.clone();
                self.bind(&l.params, args, kwargs, &l.frame, &mut frame, span)?;
                self.nested(span, || self.eval(&l.body, &frame))
            }
            Val::Path(p) => self.call_path(p, args, kwargs, span),
            _ => Err(unknown(span, "calls something that is not a function")),
        }
    }

    fn bind(
        &self,
        params: &[Param],
        args: Vec<Val>,
        mut kwargs: Vec<(String, Val)>,
        defaults: &Frame,
        frame: &mut Frame,
        span: Span,
    ) -> Res<()> {
        if args.len() > params.len() {
            return Err(unknown(
                span,
                "passes more arguments than the function takes",
            ));
        }
        let mut args = args.into_iter();
        for p in params {
            let v = match args.next() {
                Some(v) => v,
                None => match kwargs.iter().position(|(k, _)| *k == p.name) {
                    Some(i) => kwargs.remove(i).1,
                    None => match &p.default {
                        Some(d) => self.eval(d, defaults)?,
                        None => {
                            return Err(unknown(
                                span,
                                format!("leaves the parameter `{}` without a value", p.name),
                            ))
                        }
                    },
                },
            };
            frame.locals.insert(p.name.clone(), v);
        }
        match kwargs.first() {
            Some((k, _)) => Err(unknown(span, format!("passes an unknown argument `{k}`"))),
            None => Ok(()),
        }
    }

    /// Runs statements; `Some` when one returns.
    fn exec(&self, body: &[Stmt], frame: &mut Frame) -> Res<Option<Val>> {
        for (i, stmt) in body.iter().enumerate() {
            self.step(stmt.span)?;
            match &stmt.kind {
                StmtKind::Expr(e) if i == 0 && e.as_str().is_some() => {}
                StmtKind::Pass => {}
                StmtKind::Return(None) => return Ok(Some(Val::Data(Value::None))),
                StmtKind::Return(Some(e)) => return Ok(Some(self.eval(e, frame)?)),
                StmtKind::Assign { targets, value } => {
                    let v = self.eval(value, frame)?;
                    for t in targets {
                        self.assign(t, v.clone(), frame)?;
                    }
                }
                StmtKind::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => {
                    let v = self.eval(value, frame)?;
                    self.assign(target, v, frame)?;
                }
                StmtKind::If { test, body, orelse } => {
                    let branch = if truthy(&self.eval(test, frame)?) {
                        body
                    } else {
                        orelse
                    };
                    if let Some(v) = self.nested(stmt.span, || self.exec(branch, frame))? {
                        return Ok(Some(v));
                    }
                }
                StmtKind::Other(kind) | StmtKind::Block { kind, .. } => {
                    return Err(unknown(
                        stmt.span,
                        format!("uses a `{kind}` statement, which sa2rs does not evaluate"),
                    ))
                }
                _ => {
                    return Err(unknown(
                        stmt.span,
                        "has a statement sa2rs does not evaluate",
                    ))
                }
            }
        }
        Ok(None)
    }

    fn assign(&self, target: &Expr, v: Val, frame: &mut Frame) -> Res<()> {
        match &target.kind {
            ExprKind::Name(n) => {
                frame.locals.insert(n.clone(), v);
                Ok(())
            }
            ExprKind::Tuple(names) | ExprKind::List(names) => {
                let items = match v {
                    Val::Data(Value::Tuple(items) | Value::List(items)) => items,
                    _ => return Err(unknown(target.span, "unpacks something not a sequence")),
                };
                if items.len() != names.len() {
                    return Err(unknown(target.span, "unpacks the wrong number of values"));
                }
                for (n, item) in names.iter().zip(items) {
                    self.assign(n, Val::Data(item), frame)?;
                }
                Ok(())
            }
            _ => Err(unknown(
                target.span,
                "assigns to something other than a name",
            )),
        }
    }

    // ---- expressions --------------------------------------------------------------------

    fn eval(&self, e: &Expr, frame: &Frame) -> Res<Val> {
        self.step(e.span)?;
        let v = self.nested(e.span, || self.eval_inner(e, frame))?;
        // Building a long string or list costs in proportion to its length.
        let size = match &v {
            Val::Data(Value::Str(s)) => s.len(),
            Val::Data(Value::List(v) | Value::Tuple(v)) => v.len(),
            _ => 0,
        };
        self.charge(size / 16, e.span)?;
        Ok(v)
    }

    fn charge(&self, units: usize, span: Span) -> Res<()> {
        let units = u32::try_from(units).unwrap_or(u32::MAX);
        match self.steps.get().checked_sub(units) {
            Some(left) => {
                self.steps.set(left);
                Ok(())
            }
            None => Err(unknown(span, "takes too many steps to evaluate")),
        }
    }

    fn data(&self, e: &Expr, frame: &Frame) -> Res<Value> {
        match self.eval(e, frame)? {
            Val::Data(v) => Ok(v),
            _ => Err(unknown(e.span, "is not a plain value")),
        }
    }

    fn eval_inner(&self, e: &Expr, frame: &Frame) -> Res<Val> {
        let data = |v: Value| Ok(Val::Data(v));
        match &e.kind {
            ExprKind::Str(s) => data(Value::Str(s.clone())),
            ExprKind::Int(Some(i)) => data(Value::Int(*i)),
            ExprKind::Float(f) => data(Value::Float(*f)),
            ExprKind::Bool(b) => data(Value::Bool(*b)),
            ExprKind::NoneLit => data(Value::None),
            ExprKind::Tuple(items) => data(Value::Tuple(self.items(items, frame)?)),
            ExprKind::List(items) => data(Value::List(self.items(items, frame)?)),
            ExprKind::Dict(pairs) => {
                let mut out = Vec::new();
                for (k, v) in pairs {
                    let Some(k) = k else {
                        return Err(unknown(e.span, "unpacks a dict (`**`)"));
                    };
                    out.push((self.data(k, frame)?, self.data(v, frame)?));
                }
                data(Value::Dict(out))
            }
            ExprKind::Name(n) => self.lookup(n, frame, e.span),
            ExprKind::Attribute { value, attr } => match self.eval(value, frame)? {
                Val::Cls if attr == "__name__" || attr == "__qualname__" => {
                    data(Value::Str(self.class.name.to_owned()))
                }
                Val::Cls => Err(unknown(
                    e.span,
                    format!("reads `cls.{attr}`, which sa2rs does not evaluate"),
                )),
                Val::Path(p) => self.resolve_path(&format!("{p}.{attr}"), e.span),
                _ => Err(unknown(
                    e.span,
                    format!("reads `.{attr}`, which sa2rs does not evaluate"),
                )),
            },
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                let (args, kwargs) = self.arguments(args, keywords, frame)?;
                if let ExprKind::Attribute { value, attr } = &func.kind {
                    match self.eval(value, frame)? {
                        Val::Path(p) => {
                            let f = self.resolve_path(&format!("{p}.{attr}"), func.span)?;
                            return self.call(&f, args, kwargs, e.span);
                        }
                        recv => return self.method(recv, attr, args, kwargs, e.span),
                    }
                }
                let f = self.eval(func, frame)?;
                self.call(&f, args, kwargs, e.span)
            }
            ExprKind::BinOp { left, op, right } => {
                let (l, r) = (self.data(left, frame)?, self.data(right, frame)?);
                eval::binop(l, *op, r, e.span).map(Val::Data)
            }
            ExprKind::UnaryOp { op, operand } => {
                let v = self.eval(operand, frame)?;
                match (op, v) {
                    (UnaryOp::Not, v) => data(Value::Bool(!truthy(&v))),
                    (UnaryOp::Neg, Val::Data(Value::Int(i))) => i
                        .checked_neg()
                        .map(|i| Val::Data(Value::Int(i)))
                        .ok_or_else(|| unknown(e.span, "overflows")),
                    _ => Err(unknown(
                        e.span,
                        "applies an operator sa2rs does not evaluate",
                    )),
                }
            }
            ExprKind::BoolOp { op, values } => {
                let mut last = Val::Data(Value::None);
                for v in values {
                    last = self.eval(v, frame)?;
                    let t = truthy(&last);
                    if (*op == BoolOp::And && !t) || (*op == BoolOp::Or && t) {
                        return Ok(last);
                    }
                }
                Ok(last)
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                let mut l = self.eval(left, frame)?;
                for (op, c) in ops.iter().zip(comparators) {
                    let r = self.eval(c, frame)?;
                    if !compare(&l, *op, &r, e.span)? {
                        return data(Value::Bool(false));
                    }
                    l = r;
                }
                data(Value::Bool(true))
            }
            ExprKind::IfExp { test, body, orelse } => {
                if truthy(&self.eval(test, frame)?) {
                    self.eval(body, frame)
                } else {
                    self.eval(orelse, frame)
                }
            }
            ExprKind::FString(parts) => {
                let mut s = String::new();
                for p in parts {
                    match p {
                        FStringPart::Literal(l) => s.push_str(l),
                        FStringPart::Value(v) => s.push_str(&eval::to_str(&self.data(v, frame)?)),
                    }
                }
                data(Value::Str(s))
            }
            ExprKind::Subscript { value, slice } => {
                let v = self.eval(value, frame)?;
                if let ExprKind::Slice { lower, upper, step } = &slice.kind {
                    let bound = |b: &Option<Box<Expr>>| -> Res<Option<i64>> {
                        match b {
                            None => Ok(None),
                            Some(b) => match self.data(b, frame)? {
                                Value::Int(i) => Ok(Some(i)),
                                Value::None => Ok(None),
                                _ => Err(unknown(b.span, "slices with something not an integer")),
                            },
                        }
                    };
                    let (lo, hi, st) = (bound(lower)?, bound(upper)?, bound(step)?);
                    return slice_of(v, lo, hi, st, e.span).map(Val::Data);
                }
                let key = self.eval(slice, frame)?;
                index_of(v, key, e.span)
            }
            ExprKind::Comprehension {
                element,
                target,
                iter,
                ifs,
            } => {
                let items = iterate(self.eval(iter, frame)?, iter.span)?;
                self.charge(frame.locals.len(), e.span)?;
                let mut inner = frame.clone();
                let mut out = Vec::new();
                'items: for item in items {
                    self.step(e.span)?;
                    self.assign(target, item, &mut inner)?;
                    for cond in ifs {
                        if !truthy(&self.eval(cond, &inner)?) {
                            continue 'items;
                        }
                    }
                    out.push(self.data(element, &inner)?);
                }
                data(Value::List(out))
            }
            ExprKind::Lambda { params, body } => Ok(Val::Lambda(Arc::new(LambdaVal {
                params: params.clone(),
                body: (**body).clone(),
                frame: frame.clone(),
            }))),
            ExprKind::Other(kind) => Err(unknown(
                e.span,
                format!("uses `{kind}`, which sa2rs does not evaluate"),
            )),
            _ => Err(unknown(e.span, "is an expression sa2rs does not evaluate")),
        }
    }

    fn items(&self, items: &[Expr], frame: &Frame) -> Res<Vec<Value>> {
        items.iter().map(|i| self.data(i, frame)).collect()
    }

    #[allow(clippy::type_complexity)]
    fn arguments(
        &self,
        args: &[Expr],
        keywords: &[Keyword],
        frame: &Frame,
    ) -> Res<(Vec<Val>, Vec<(String, Val)>)> {
        let mut positional = Vec::new();
        for a in args {
            if matches!(a.kind, ExprKind::Starred(_)) {
                return Err(unknown(a.span, "unpacks arguments (`*`)"));
            }
            positional.push(self.eval(a, frame)?);
        }
        let mut named = Vec::new();
        for k in keywords {
            let Some(n) = &k.name else {
                return Err(unknown(k.span, "unpacks arguments (`**`)"));
            };
            named.push((n.clone(), self.eval(&k.value, frame)?));
        }
        Ok((positional, named))
    }

    /// A name: a local, then the module's function, constant or import, then a builtin.
    fn lookup(&self, n: &str, frame: &Frame, span: Span) -> Res<Val> {
        if let Some(v) = frame.locals.get(n) {
            return Ok(v.clone());
        }
        if let Some(v) = self.module_name(&frame.ns, n, span)? {
            return Ok(v);
        }
        if BUILTINS.contains(&n) {
            return Ok(Val::Path(format!("builtins.{n}")));
        }
        Err(unknown(span, format!("`{n}` is not defined")))
    }

    fn module_name(&self, ns: &Arc<Namespace>, n: &str, span: Span) -> Res<Option<Val>> {
        if let Some(def) = ns.functions.get(n) {
            return Ok(Some(Val::Func(ns.clone(), def.clone())));
        }
        if let Some(e) = ns.values.get(n) {
            return self.visit(ns, n, span, "refers to itself", || {
                let module = Frame {
                    ns: ns.clone(),
                    locals: IndexMap::default(),
                };
                self.eval(e, &module)
            });
        }
        match ns.imports.get(n) {
            // Imports can name each other in a cycle (`from .b import f` in `a`, `from .a
            // import f` in `b`, or a module importing from itself): an `ImportError` in Python.
            Some(path) => self.visit(ns, n, span, "is imported in a cycle", || {
                self.resolve_path(path, span)
            }),
            None => Ok(None),
        }
    }

    /// Evaluates the module-level name `n` of `ns` with `eval`, unless it is being evaluated
    /// already: a name whose value needs itself is unknown, and `cycle` says why.
    fn visit(
        &self,
        ns: &Namespace,
        n: &str,
        span: Span,
        cycle: &str,
        eval: impl FnOnce() -> Res<Val>,
    ) -> Res<Option<Val>> {
        let key = format!("{}.{n}", ns.module);
        if self.visiting.borrow().contains(&key) {
            return Err(unknown(span, format!("`{n}` {cycle}")));
        }
        self.visiting.borrow_mut().push(key);
        let v = eval();
        self.visiting.borrow_mut().pop();
        v.map(Some)
    }

    /// What a dotted path names: a function or constant of an input module, else a name from
    /// outside the input.
    fn resolve_path(&self, path: &str, span: Span) -> Res<Val> {
        let path = self.index.canonical(path);
        if let Some((module, name)) = path.rsplit_once('.') {
            if let Some(ns) = self.namespace(module) {
                return match self.module_name(&ns, name, span)? {
                    Some(v) => Ok(v),
                    None => Err(unknown(
                        span,
                        format!("`{path}` is not a function or constant sa2rs can evaluate"),
                    )),
                };
            }
        }
        Ok(Val::Path(path))
    }
}
