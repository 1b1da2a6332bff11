//! Module-level names: what each name in a models file is bound to, so that `sa.Column`,
//! `from sqlalchemy import Column as C` and `db.Column` all resolve to SQLAlchemy's `Column`.

use crate::IndexMap;

use crate::source::Span;

use crate::syntax::{Expr, ExprKind, Stmt, StmtKind};

/// What a module-level name is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// An import: the dotted path it refers to (`sqlalchemy.orm.relationship`, `.db.Base`).
    Import(String),
    /// A Flask-SQLAlchemy `SQLAlchemy()` instance: `db.Column` is `sqlalchemy.Column`.
    FlaskDb,
    /// Defined in this module (class, function, other assignment).
    Local,
}

/// The bindings of one module.
#[derive(Debug, Default)]
pub struct Scope {
    names: IndexMap<String, Binding>,
    /// Modules star-imported (`from sqlalchemy import *`).
    star_imports: Vec<String>,
    /// Names used as SQLAlchemy's although never imported (reported once each).
    pub assumed: IndexMap<String, Span>,
    /// Imports that a later local definition of the same name replaces.
    shadowed_imports: IndexMap<String, String>,
    /// Classes of the module that subclass Flask-SQLAlchemy's `SQLAlchemy`.
    flask_classes: Vec<String>,
    /// Names used as `name.Model` in class bases, with the first such use.
    model_bases: IndexMap<String, Span>,
    /// Names imported from outside the input and taken as a Flask-SQLAlchemy `db` because
    /// classes subclass `name.Model` (reported once each).
    pub assumed_flask: IndexMap<String, Span>,
    /// Names bound to the Flask-SQLAlchemy `db` of another input module: its dotted path.
    imported_flask_dbs: IndexMap<String, String>,
}

/// A name resolved to where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A SQLAlchemy (or Flask-SQLAlchemy `db.`) name: the last component (`Column`, `String`).
    Sqla(String),
    /// A Python standard-library or builtin name, dotted (`datetime.datetime`, `int`).
    Python(String),
    /// An import from somewhere else (another module of the app, a third-party package).
    Imported(String),
    /// A name defined in this module.
    Local(String),
    /// Bound nowhere.
    Unbound(String),
}

const SQLA_ROOTS: &[&str] = &["sqlalchemy", "flask_sqlalchemy"];

impl Scope {
    /// Collects the bindings of a module body (following `if` / `try` blocks, where imports
    /// guarded by `TYPE_CHECKING` or `ImportError` live).
    pub fn of(body: &[Stmt]) -> Scope {
        let mut scope = Scope::default();
        scope.collect(body);
        scope
    }

    fn collect(&mut self, body: &[Stmt]) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::Import { names } => {
                    for a in names {
                        match &a.asname {
                            Some(as_) => self.bind(as_, Binding::Import(a.name.clone())),
                            None => {
                                let root = a.name.split('.').next().unwrap_or(&a.name);
                                self.bind(root, Binding::Import(root.to_owned()));
                            }
                        }
                    }
                }
                StmtKind::ImportFrom {
                    module,
                    level,
                    names,
                } => {
                    let base = format!(
                        "{}{}",
                        ".".repeat(*level as usize),
                        module.as_deref().unwrap_or("")
                    );
                    for a in names {
                        if a.name == "*" {
                            self.star_imports.push(base.clone());
                        } else {
                            let local = a.asname.as_deref().unwrap_or(&a.name);
                            let path = if base.ends_with('.') || base.is_empty() {
                                format!("{base}{}", a.name)
                            } else {
                                format!("{base}.{}", a.name)
                            };
                            self.bind(local, Binding::Import(path));
                        }
                    }
                }
                StmtKind::ClassDef(c) => {
                    for b in &c.bases {
                        if let ExprKind::Attribute { value, attr } = &b.kind {
                            if let (Some(n), true) = (value.as_name(), attr == "Model") {
                                self.model_bases.entry(n.to_owned()).or_insert(b.span);
                            }
                        }
                    }
                    // `class MySQLAlchemy(SQLAlchemy)`: its instances are `db`s too.
                    let flask = c.bases.iter().any(|b| match self.resolve(b) {
                        Some(Resolved::Sqla(n)) => n == "SQLAlchemy",
                        Some(Resolved::Local(n)) => self.flask_classes.contains(&n),
                        _ => false,
                    });
                    if flask {
                        self.flask_classes.push(c.name.clone());
                    }
                    self.bind(&c.name, Binding::Local)
                }
                StmtKind::FunctionDef(f) => self.bind(&f.name, Binding::Local),
                StmtKind::Assign { targets, value } => {
                    for t in targets {
                        if let Some(name) = t.as_name() {
                            let binding = if self.is_flask_db_call(value) {
                                Binding::FlaskDb
                            } else {
                                Binding::Local
                            };
                            self.bind(name, binding);
                        }
                    }
                }
                StmtKind::AnnAssign { target, .. } => {
                    if let Some(name) = target.as_name() {
                        self.bind(name, Binding::Local);
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

    fn bind(&mut self, name: &str, binding: Binding) {
        // The last binding wins; an import that a later local definition replaces is kept
        // apart, for uses above that definition.
        if let (Binding::Local, Some(Binding::Import(path))) = (&binding, self.names.get(name)) {
            self.shadowed_imports.insert(name.to_owned(), path.clone());
        }
        self.names.insert(name.to_owned(), binding);
    }

    /// The import a later local definition of `name` replaces, made absolute.
    pub fn shadowed_import(&self, name: &str) -> Option<&String> {
        self.shadowed_imports.get(name)
    }

    fn is_flask_db_call(&self, value: &Expr) -> bool {
        let ExprKind::Call { func, .. } = &value.kind else {
            return false;
        };
        match self.resolve(func) {
            Some(Resolved::Sqla(n)) => n == "SQLAlchemy",
            Some(Resolved::Local(n)) => self.flask_classes.contains(&n),
            _ => false,
        }
    }

    /// Makes relative imports absolute for `module`, and binds names imported from another
    /// input module to what that module says they are (a Flask-SQLAlchemy `db`, say).
    pub fn link(&mut self, index: &super::index::ModuleIndex, module: &str, is_package: bool) {
        for star in &mut self.star_imports {
            *star = super::index::absolute(star, module, is_package);
        }
        for path in self.shadowed_imports.values_mut() {
            *path = index.canonical(&super::index::absolute(path, module, is_package));
        }
        // `from .models import *` of an input module binds its public names.
        for star in &self.star_imports {
            for name in index.public_names(star) {
                if !self.names.contains_key(&name) {
                    let path = format!("{star}.{name}");
                    self.names.insert(name, Binding::Import(path));
                }
            }
        }
        for (name, binding) in self.names.iter_mut() {
            if let Binding::Import(path) = binding {
                let abs = super::index::absolute(path, module, is_package);
                *binding = match index.lookup(&abs) {
                    Some((_, super::index::Export::FlaskDb)) => {
                        self.imported_flask_dbs
                            .insert(name.clone(), index.canonical(&abs));
                        Binding::FlaskDb
                    }
                    _ => Binding::Import(index.canonical(&abs)),
                };
            }
        }
        // `from app.extensions import db`, with `app.extensions` outside the input, and classes
        // subclassing `db.Model`: Flask-SQLAlchemy's `db`, by every sign the module gives.
        for (name, span) in &self.model_bases {
            let Some(Binding::Import(path)) = self.names.get(name) else {
                continue;
            };
            let module = path.rsplit_once('.').map_or(path.as_str(), |(m, _)| m);
            if !index.has_module(module) && !path.starts_with("sqlalchemy") {
                self.names.insert(name.clone(), Binding::FlaskDb);
                self.assumed_flask.insert(name.clone(), *span);
            }
        }
    }

    /// The modules star-imported (`from x import *`).
    pub fn star_modules(&self) -> impl Iterator<Item = &String> {
        self.star_imports.iter()
    }

    /// Every module-level binding, in order.
    pub fn bindings(&self) -> impl Iterator<Item = (&String, &Binding)> {
        self.names.iter()
    }

    /// The dotted path of the other input module's `db` that `name` is bound to.
    pub fn imported_flask_db(&self, name: &str) -> Option<&str> {
        self.imported_flask_dbs.get(name).map(String::as_str)
    }

    pub fn binding(&self, name: &str) -> Option<&Binding> {
        self.names.get(name)
    }

    /// Resolves a name or attribute chain (`sa.orm.relationship`, `db.Column`, `Column`).
    pub fn resolve(&self, expr: &Expr) -> Option<Resolved> {
        // Most chains are a name or `module.Name`: their parts are kept on the stack.
        let mut inline = [""; 4];
        let spilled;
        let (first, rest): (&str, &[&str]) = match chain(expr, &mut inline) {
            Chain::Inline(first, n) => (first, &inline[..n]),
            Chain::Long => {
                spilled = expr.dotted()?;
                let (first, rest) = spilled.split_first()?;
                (first, rest)
            }
            Chain::NotDotted => return None,
        };
        Some(match self.names.get(first) {
            Some(Binding::Import(path)) => classify(path, rest),
            Some(Binding::FlaskDb) => match rest.last() {
                Some(last) => Resolved::Sqla((*last).to_owned()),
                None => Resolved::Local(first.to_owned()),
            },
            Some(Binding::Local) => Resolved::Local(joined(first, rest)),
            None => {
                if rest.is_empty()
                    && is_known_sqla_name(first)
                    && self
                        .star_imports
                        .iter()
                        .any(|m| SQLA_ROOTS.iter().any(|r| m.starts_with(r)))
                {
                    return Some(Resolved::Sqla(first.to_owned()));
                }
                if first == "sqlalchemy" {
                    return Some(classify(first, rest));
                }
                if is_python_builtin_module(first) || is_builtin_type(first) {
                    Resolved::Python(joined(first, rest))
                } else {
                    Resolved::Unbound(joined(first, rest))
                }
            }
        })
    }

    /// The SQLAlchemy dialect a name is imported from: `postgresql` for `postgresql.JSONB` after
    /// `from sqlalchemy.dialects import postgresql`, or for `JSONB` imported from
    /// `sqlalchemy.dialects.postgresql`; `None` for anything else.
    pub fn dialect(&self, expr: &Expr) -> Option<String> {
        let parts = expr.dotted()?;
        let (first, rest) = parts.split_first()?;
        let Some(Binding::Import(path)) = self.names.get(*first) else {
            return None;
        };
        let full: Vec<&str> = path.split('.').chain(rest.iter().copied()).collect();
        match full.as_slice() {
            ["sqlalchemy", "dialects", dialect, _, ..] => Some((*dialect).to_owned()),
            _ => None,
        }
    }

    /// Resolves like [`Scope::resolve`], and takes an unbound well-known SQLAlchemy name (as in
    /// snippets that leave out their imports) as SQLAlchemy's, remembering it to report.
    pub fn resolve_sqla(&mut self, expr: &Expr) -> Option<Resolved> {
        match self.resolve(expr)? {
            Resolved::Unbound(name) if !name.contains('.') && is_known_sqla_name(&name) => {
                self.assumed.entry(name.clone()).or_insert(expr.span);
                Some(Resolved::Sqla(name))
            }
            other => Some(other),
        }
    }
}

/// A name or attribute chain split at its root: the root and up to four attributes after it,
/// in order, or a chain too long to keep on the stack.
enum Chain<'a> {
    Inline(&'a str, usize),
    Long,
    NotDotted,
}

fn chain<'a>(expr: &'a Expr, parts: &mut [&'a str; 4]) -> Chain<'a> {
    let mut n = 0;
    let mut cur = expr;
    loop {
        match &cur.kind {
            ExprKind::Name(name) => {
                parts[..n].reverse();
                return Chain::Inline(name.as_str(), n);
            }
            ExprKind::Attribute { value, attr } => {
                let Some(slot) = parts.get_mut(n) else {
                    return Chain::Long;
                };
                *slot = attr.as_str();
                n += 1;
                cur = value;
            }
            _ => return Chain::NotDotted,
        }
    }
}

/// `root.rest[0].rest[1]...`
fn joined(root: &str, rest: &[&str]) -> String {
    let mut s = String::with_capacity(root.len() + rest.iter().map(|p| p.len() + 1).sum::<usize>());
    s.push_str(root);
    for p in rest {
        s.push('.');
        s.push_str(p);
    }
    s
}

/// What the dotted path `path.rest...` names, by the package it starts with.
fn classify(path: &str, rest: &[&str]) -> Resolved {
    // Byte scans: paths are short, and `str::split_once` costs more than the scan itself.
    let dot = |i: &usize| path.as_bytes()[*i] == b'.';
    let root = (0..path.len()).find(dot).map_or(path, |i| &path[..i]);
    if SQLA_ROOTS.contains(&root) {
        let last = match rest.last() {
            Some(last) => last,
            None => (0..path.len()).rfind(dot).map_or(path, |i| &path[i + 1..]),
        };
        Resolved::Sqla(last.to_owned())
    } else if is_python_builtin_module(root) {
        Resolved::Python(joined(path, rest))
    } else {
        Resolved::Imported(joined(path, rest))
    }
}

fn is_python_builtin_module(name: &str) -> bool {
    matches!(
        name,
        "datetime" | "decimal" | "uuid" | "typing" | "typing_extensions" | "enum" | "builtins"
    )
}

fn is_builtin_type(name: &str) -> bool {
    matches!(
        name,
        "int"
            | "str"
            | "bool"
            | "float"
            | "bytes"
            | "dict"
            | "list"
            | "set"
            | "frozenset"
            | "tuple"
            | "object"
    )
}

/// Names that SQLAlchemy exports and that a model file uses without qualification.
pub fn is_known_sqla_name(name: &str) -> bool {
    matches!(
        name,
        "Column"
            | "ForeignKey"
            | "Table"
            | "MetaData"
            | "relationship"
            | "backref"
            | "mapped_column"
            | "Mapped"
            | "declarative_base"
            | "DeclarativeBase"
            | "registry"
            | "UniqueConstraint"
            | "PrimaryKeyConstraint"
            | "ForeignKeyConstraint"
            | "CheckConstraint"
            | "Index"
            | "TypeDecorator"
    ) || super::types::is_type_name(name)
}

#[cfg(test)]
mod tests {
    use super::{Resolved, Scope};
    use crate::syntax::StmtKind;

    /// Resolves each of `exprs` in a module that starts with `header`.
    fn resolve_all(header: &str, exprs: &[&str]) -> Vec<Option<Resolved>> {
        let text = format!("{header}\n{}\n", exprs.join("\n"));
        let parsed = crate::parse::parse(0, &text, "m.py").expect("the test module parses");
        let body = &parsed.module.body;
        let scope = Scope::of(body);
        body[body.len() - exprs.len()..]
            .iter()
            .map(|stmt| match &stmt.kind {
                StmtKind::Expr(value) => scope.resolve(value),
                other => panic!("not an expression statement: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn chains_of_every_length_resolve_by_their_root() {
        let header = "import sqlalchemy as sa\nimport datetime\nfrom app import helpers\n\
                      from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\nclass Local: pass";
        let got = resolve_all(
            header,
            &[
                "sa",
                "sa.Column",
                "sa.orm.relationship",
                "sa.dialects.postgresql.base.JSONB",
                "sa.dialects.postgresql.base.types.JSONB",
                "datetime.datetime",
                "helpers.a.b.c.d.e",
                "db",
                "db.Column",
                "Local.attr",
                "int",
                "nowhere.x",
                "sqlalchemy.types.Integer",
                "f().x",
            ],
        );
        use Resolved::*;
        let s = |v: &str| v.to_owned();
        assert_eq!(
            got,
            [
                Some(Sqla(s("sqlalchemy"))),
                Some(Sqla(s("Column"))),
                Some(Sqla(s("relationship"))),
                Some(Sqla(s("JSONB"))),
                Some(Sqla(s("JSONB"))),
                Some(Python(s("datetime.datetime"))),
                Some(Imported(s("app.helpers.a.b.c.d.e"))),
                Some(Local(s("db"))),
                Some(Sqla(s("Column"))),
                Some(Local(s("Local.attr"))),
                Some(Python(s("int"))),
                Some(Unbound(s("nowhere.x"))),
                Some(Sqla(s("Integer"))),
                None,
            ]
        );
    }

    #[test]
    fn a_star_import_of_sqlalchemy_binds_its_well_known_names_alone() {
        let got = resolve_all(
            "from sqlalchemy import *",
            &["Column", "Column.x", "Widget"],
        );
        assert_eq!(
            got,
            [
                Some(Resolved::Sqla("Column".to_owned())),
                Some(Resolved::Unbound("Column.x".to_owned())),
                Some(Resolved::Unbound("Widget".to_owned())),
            ]
        );
    }
}
