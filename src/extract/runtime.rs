//! What only running Python can tell: mapped classes created at run time (`type(...)`, class
//! statements in functions and loops), event listeners and class hooks that may change the
//! mapping (`mapper_configured`, `__declare_last__`, `__init_subclass__`), and table settings
//! read from the environment or a settings object. Each gets a warning saying what sa2rs
//! assumed; the rest of the output stays right.

use super::mro::MroItem;
use super::{Extractor, Resolved};
use crate::diagnostics as diag;
use crate::source::Span;
use crate::syntax::{ClassDef, Expr, ExprKind, FunctionDef, Stmt, StmtKind};

/// Events whose listeners run while classes are mapped and may add or change mapped
/// attributes. Other events (`load`, `before_insert`, `set`, DDL events, ...) act on rows,
/// sessions or the database, not on the mapping.
const MAPPING_EVENTS: &[&str] = &[
    "mapper_configured",
    "before_mapper_configured",
    "after_mapper_constructed",
    "before_configured",
    "after_configured",
    "instrument_class",
    "class_instrument",
    "attribute_instrument",
    "before_parent_attach",
    "after_parent_attach",
    "column_reflect",
];

/// Class hooks SQLAlchemy's declarative extension calls around mapper configuration.
const DECLARE_HOOKS: &[&str] = &["__declare_last__", "__declare_first__"];

/// What a mapping event argument says: the event name, or `None` when it is not a literal.
enum Event {
    Mapping(Option<String>),
    Other,
}

fn event(e: Option<&Expr>) -> Event {
    match e.and_then(Expr::as_str) {
        Some(name) if MAPPING_EVENTS.contains(&name) => Event::Mapping(Some(name.to_owned())),
        Some(_) => Event::Other,
        None => Event::Mapping(None),
    }
}

/// `the \`mapper_configured\` listener` or `a listener`.
fn listener(event: &Option<String>) -> String {
    match event {
        Some(name) => format!("the `{name}` listener"),
        None => "an event listener".to_owned(),
    }
}

impl Extractor<'_> {
    /// `event.listen(target, "event", fn)`, `mapper(...)`, `map_imperatively(...)` at module
    /// level.
    pub(super) fn runtime_call(&mut self, e: &Expr) {
        let ExprKind::Call { func, args, .. } = &e.kind else {
            return;
        };
        let Some(Resolved::Sqla(name)) = self.scope.resolve(func) else {
            return;
        };
        match name.as_str() {
            "listen" => {
                if let Event::Mapping(ev) = event(args.get(1)) {
                    let function = args.get(2).and_then(|f| f.dotted()).map(|p| p.join("."));
                    let what = match function {
                        Some(f) => format!("{} `{f}`", listener(&ev)),
                        None => listener(&ev),
                    };
                    self.diags.push(diag::runtime_hook(
                        e.span,
                        &what,
                        "sa2rs reads the class bodies as written",
                    ));
                }
            }
            "map_imperatively" | "mapper" => self
                .diags
                .push(diag::runtime_construct(e.span, &format!("`{name}(...)`"))),
            _ => {}
        }
    }

    /// A function at module level: its `@event.listens_for(...)` decorators, and mapped classes
    /// created inside it.
    pub(super) fn module_function(&mut self, f: &FunctionDef) {
        for d in &f.decorators {
            let ExprKind::Call { func, args, .. } = &d.kind else {
                continue;
            };
            if !matches!(self.scope.resolve(func), Some(Resolved::Sqla(n)) if n == "listens_for") {
                continue;
            }
            if let Event::Mapping(ev) = event(args.get(1)) {
                let what = format!("{} `{}`", listener(&ev), f.name);
                self.diags.push(diag::runtime_hook(
                    d.span,
                    &what,
                    "sa2rs reads the class bodies as written",
                ));
            }
        }
        let place = format!("inside function `{}`", f.name);
        self.runtime_classes(&f.body, &place);
    }

    /// A `for` / `while` loop at module level: mapped classes created in it.
    pub(super) fn module_loop(&mut self, kind: &str, body: &[Stmt]) {
        let place = format!("inside a `{kind}` loop");
        self.runtime_classes(body, &place);
    }

    /// Reports the mapped classes that `body` (run an unknown number of times) creates.
    fn runtime_classes(&mut self, body: &[Stmt], place: &str) {
        let assumed =
            format!("left out of the output: it is created {place}, which sa2rs does not run");
        for stmt in body {
            match &stmt.kind {
                StmtKind::ClassDef(c) if c.bases.iter().any(|b| self.is_mapped_base(b)) => {
                    let what = format!("mapped class `{}`", c.name);
                    self.diags
                        .push(diag::runtime_class(c.name_span, &what, &assumed));
                }
                StmtKind::FunctionDef(f) => self.runtime_classes(&f.body, place),
                StmtKind::Assign { value, .. } | StmtKind::Expr(value) => {
                    self.runtime_type_calls(value, &assumed)
                }
                StmtKind::AnnAssign { value: Some(v), .. } => self.runtime_type_calls(v, &assumed),
                StmtKind::Return(Some(v)) => self.runtime_type_calls(v, &assumed),
                _ => {
                    for b in stmt.nested_bodies() {
                        self.runtime_classes(b, place);
                    }
                }
            }
        }
    }

    /// `type(...)` calls creating mapped classes in `e` or its call arguments
    /// (`setattr(module, name, type(...))`).
    fn runtime_type_calls(&mut self, e: &Expr, assumed: &str) {
        if let Some(name) = self.type_call(e) {
            let what = match name {
                Some(n) => format!("mapped class `{n}`, made with `type(...)`,"),
                None => "a mapped class made with `type(...)`".to_owned(),
            };
            self.diags
                .push(diag::runtime_class(callee_span(e), &what, assumed));
            return;
        }
        if let ExprKind::Call { args, .. } = &e.kind {
            for a in args {
                if let Some(name) = self.type_call(a) {
                    let what = match name {
                        Some(n) => format!("mapped class `{n}`, made with `type(...)`,"),
                        None => "a mapped class made with `type(...)`".to_owned(),
                    };
                    self.diags
                        .push(diag::runtime_class(callee_span(a), &what, assumed));
                }
            }
        }
    }

    /// `type(name, (Base, ...), attrs)` with a declarative base or mapped class among the
    /// bases: `Some(name)` (`None` when the name is not a literal).
    fn type_call(&mut self, e: &Expr) -> Option<Option<String>> {
        let ExprKind::Call { func, args, .. } = &e.kind else {
            return None;
        };
        if func.as_name() != Some("type") || self.scope.binding("type").is_some() || args.len() != 3
        {
            return None;
        }
        let bases: Vec<&Expr> = match &args[1].kind {
            ExprKind::Tuple(v) => v.iter().collect(),
            _ => vec![&args[1]],
        };
        if !bases.into_iter().any(|b| self.is_mapped_base(b)) {
            return None;
        }
        Some(args[0].as_str().map(str::to_owned))
    }

    /// Whether a base expression makes its subclass mapped: a declarative base, or a mapped or
    /// abstract declarative class of the module.
    fn is_mapped_base(&mut self, b: &Expr) -> bool {
        self.is_declarative_base(b)
            || b.as_name()
                .is_some_and(|n| self.declarative_classes.contains_key(n))
    }

    /// `Name = type("Name", (Base,), {...})` at module level: read as the `class` statement it
    /// is equivalent to when its arguments are literals (`true`), else reported as left out.
    pub(super) fn module_type_call(&mut self, value: &Expr) -> bool {
        let Some(name) = self.type_call(value) else {
            return false;
        };
        let ExprKind::Call { args, .. } = &value.kind else {
            return false;
        };
        let def = match (&name, &args[2].kind) {
            (Some(name), ExprKind::Dict(items)) => {
                class_of_type_call(name, &args[0], &args[1], items)
            }
            _ => None,
        };
        let Some(def) = def else {
            let what = match name {
                Some(n) => format!("mapped class `{n}`, made with `type(...)`,"),
                None => "a mapped class made with `type(...)`".to_owned(),
            };
            self.diags.push(diag::runtime_class(
                callee_span(value),
                &what,
                "left out of the output: its name or attributes are not literals",
            ));
            return true;
        };
        let what = format!("mapped class `{}`, made with `type(...)`,", def.name);
        let assumed = format!(
            "read as the statement `class {}(...)` with the attributes of this dict",
            def.name
        );
        self.diags
            .push(diag::runtime_class(callee_span(value), &what, &assumed));
        self.class_def(&std::sync::Arc::new(def), value.span);
        true
    }

    /// `__declare_last__` / `__declare_first__` of a class body.
    pub(super) fn declare_hooks(&mut self, c: &ClassDef) {
        for stmt in &c.body {
            if let StmtKind::FunctionDef(f) = &stmt.kind {
                if DECLARE_HOOKS.contains(&f.name.as_str()) {
                    let what = format!("`{}` of `{}`", f.name, c.name);
                    self.diags.push(diag::runtime_hook(
                        f.name_span,
                        &what,
                        "sa2rs reads the class body as written",
                    ));
                }
            }
        }
    }

    /// `__init_subclass__` of a class in the MRO of the mapped class `index` (its bases,
    /// mixins and mapped parents): reported once each.
    pub(super) fn init_subclass_hooks(&mut self, index: usize) {
        let mro = self.records[index].mro.clone();
        for item in mro.iter().skip(1) {
            let MroItem::Local(j) = item else { continue };
            let def = self.records[*j].def.clone();
            let Some(f) = init_subclass(&def) else {
                continue;
            };
            let what = format!("`__init_subclass__` of `{}`", def.name);
            let assumed = match sets_tablename(f) {
                true => "sets `__tablename__` of subclasses: sa2rs reads each class's own `__tablename__`",
                false => "runs for every subclass: sa2rs reads each class body as written",
            };
            self.once(f.name_span, |span| diag::runtime_hook(span, &what, assumed));
        }
    }

    /// For a mapped class without a table name: the class of its MRO whose
    /// `__init_subclass__` sets `__tablename__`, if any.
    pub(super) fn tablename_from_hook(&self, name: &str) -> Option<String> {
        let index = *self.record_by_name.get(name)?;
        self.records[index].mro.iter().skip(1).find_map(|item| {
            let MroItem::Local(j) = item else { return None };
            let def = &self.records[*j].def;
            init_subclass(def)
                .filter(|f| sets_tablename(f))
                .map(|_| def.name.clone())
        })
    }

    /// A table setting that reads the environment or a settings object (`os.environ[...]`,
    /// `os.getenv(...)`, `settings.X`, `config["X"]`): what it reads from, else `None`.
    pub(super) fn runtime_source(&mut self, e: &Expr) -> Option<&'static str> {
        let head = match &e.kind {
            ExprKind::Call { func, .. } => match &func.kind {
                // `os.environ.get(...)`, `settings.get(...)`.
                ExprKind::Attribute { value, attr } if attr == "get" => value.as_ref(),
                _ => func.as_ref(),
            },
            ExprKind::Subscript { value, .. } => value.as_ref(),
            _ => e,
        };
        if let Some(Resolved::Python(p) | Resolved::Imported(p)) = self.scope.resolve(head) {
            if p == "os" || p.starts_with("os.") {
                return Some("the environment");
            }
        }
        let root = head.dotted()?.first().copied()?;
        let settings = [
            "settings",
            "config",
            "conf",
            "cfg",
            "app",
            "current_app",
            "env",
        ];
        (settings.contains(&root.to_ascii_lowercase().as_str())
            || matches!(head, Expr { kind: ExprKind::Attribute { attr, .. }, .. } if attr == "config"))
        .then_some("settings")
    }

    /// `schema=` read from the environment or settings: reported, the table is ported without
    /// a schema. `false` when `e` is not such a read.
    pub(super) fn runtime_schema(&mut self, e: &Expr) -> bool {
        let Some(source) = self.runtime_source(e) else {
            return false;
        };
        self.diags.push(diag::runtime_value(
            e.span,
            "`schema=`",
            source,
            "ported without a schema (as when the setting is unset)",
        ));
        true
    }
}

/// The span of a call's function (`type` in `type(...)`).
fn callee_span(e: &Expr) -> Span {
    match &e.kind {
        ExprKind::Call { func, .. } => func.span,
        _ => e.span,
    }
}

/// The `__init_subclass__` method of a class body.
fn init_subclass(def: &ClassDef) -> Option<&FunctionDef> {
    def.body.iter().find_map(|s| match &s.kind {
        StmtKind::FunctionDef(f) if f.name == "__init_subclass__" => Some(&**f),
        _ => None,
    })
}

/// Whether a method assigns `cls.__tablename__` (directly in its body or under `if`).
fn sets_tablename(f: &FunctionDef) -> bool {
    fn walk(body: &[Stmt]) -> bool {
        body.iter().any(|s| match &s.kind {
            StmtKind::Assign { targets, .. } => targets.iter().any(
                |t| matches!(&t.kind, ExprKind::Attribute { attr, .. } if attr == "__tablename__"),
            ),
            StmtKind::Expr(Expr {
                kind: ExprKind::Call { func, args, .. },
                ..
            }) => {
                func.as_name() == Some("setattr")
                    && args.get(1).and_then(Expr::as_str) == Some("__tablename__")
            }
            StmtKind::If { body, orelse, .. } => walk(body) || walk(orelse),
            StmtKind::Block { body, .. } => walk(body),
            _ => false,
        })
    }
    walk(&f.body)
}

/// The `class` statement `type(name, bases, {...})` is equivalent to, when every key of the
/// dict is a string literal.
fn class_of_type_call(
    name: &str,
    name_expr: &Expr,
    bases: &Expr,
    items: &[(Option<Expr>, Expr)],
) -> Option<ClassDef> {
    let mut body = Vec::new();
    for (key, value) in items {
        let key = key.as_ref()?;
        let attr = key.as_str()?;
        let target = Expr {
            kind: ExprKind::Name(attr.to_owned()),
            span: key.span,
        };
        body.push(Stmt {
            kind: StmtKind::Assign {
                targets: vec![target],
                value: value.clone(),
            },
            span: Span::new(key.span.file, key.span.start, value.span.end),
        });
    }
    let bases = match &bases.kind {
        ExprKind::Tuple(v) => v.clone(),
        _ => vec![bases.clone()],
    };
    Some(ClassDef {
        name: name.to_owned(),
        name_span: name_expr.span,
        bases,
        keywords: Vec::new(),
        decorators: Vec::new(),
        body,
    })
}
