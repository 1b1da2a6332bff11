//! What each input module offers to the modules importing it: its declarative bases, its
//! Flask-SQLAlchemy `db`, its mapped and abstract classes, and the names it re-exports.
//!
//! Extraction runs in passes: each pass reads every module with the index the previous pass
//! built, until the index stops changing, so that `from .base import Base` and
//! `from app import db` mean what they mean in Python, through any chain of re-exports.

use std::sync::Arc;

use crate::IndexMap;

use super::remote::ClassExport;
use crate::ir::{ClassRole, Spanned};

/// What a module-level name is, seen from another module.
#[derive(Debug, Clone, PartialEq)]
pub enum Export {
    /// A Flask-SQLAlchemy `SQLAlchemy()` instance.
    FlaskDb,
    /// A declarative base.
    Base,
    /// Flask-SQLAlchemy's `db.Model`, under another name.
    FlaskModel,
    /// A `registry()`.
    Registry,
    /// A declarative class of the module (mapped or abstract).
    Class(ClassRole),
    /// An import, re-exported: the absolute dotted path it names.
    Alias(String),
    /// A module constant with a statically known value.
    Value(super::eval::Value),
    /// A `Table(...)` assigned to a module variable: its full name (`schema.table`).
    Table(String),
    /// A column factory (`partial(Column, ...)`, a function returning a column).
    Factory(Box<super::factories::Factory>),
    /// An `Annotated[...]` type alias.
    Annotated(Box<super::aliases::AliasDef>),
    /// A module variable holding a column type (`BIG = BigInteger().with_variant(...)`), read
    /// in its module: the type, and what was not understood of it.
    Type(Box<(crate::ir::SqlType, Option<String>)>),
}

/// The exports of every input module, by module name.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ModuleIndex {
    modules: IndexMap<String, IndexMap<String, Export>>,
    /// Every class statement of each module, by name, as an importer's MRO needs it.
    classes: IndexMap<String, IndexMap<String, Arc<ClassExport>>>,
    /// Each module's functions, constants and imports, for running its code elsewhere.
    namespaces: IndexMap<String, Arc<super::pyfn::Namespace>>,
    /// The `type_annotation_map` of each declarative base (or registry), by module and name.
    type_maps: IndexMap<String, IndexMap<String, super::type_map::TypeMap>>,
    /// The default schema of each metadata (or base, registry, `db` holding one), by module
    /// and name.
    metadata_schemas: IndexMap<String, IndexMap<String, Spanned<String>>>,
}

/// How many re-exports a name is followed through.
const MAX_HOPS: usize = 32;

impl ModuleIndex {
    pub fn insert(&mut self, module: String, exports: IndexMap<String, Export>) {
        self.modules.insert(module, exports);
    }

    /// Whether `module` is one of the inputs.
    pub fn has_module(&self, module: &str) -> bool {
        self.modules.contains_key(module)
    }

    /// Records the class statements of `module`.
    pub(super) fn insert_classes(
        &mut self,
        module: String,
        classes: IndexMap<String, Arc<ClassExport>>,
    ) {
        self.classes.insert(module, classes);
    }

    /// Records the namespace of `module`.
    pub(super) fn insert_namespace(&mut self, namespace: Arc<super::pyfn::Namespace>) {
        self.namespaces.insert(namespace.module.clone(), namespace);
    }

    /// Records the type maps of the bases of `module`.
    pub(super) fn insert_type_maps(
        &mut self,
        module: String,
        maps: IndexMap<String, super::type_map::TypeMap>,
    ) {
        self.type_maps.insert(module, maps);
    }

    /// The type map of the base an absolute dotted path names.
    pub(super) fn type_map(&self, path: &str) -> Option<super::type_map::TypeMap> {
        let path = self.canonical(path);
        let (module, name) = path.rsplit_once('.')?;
        self.type_maps.get(module)?.get(name).cloned()
    }

    /// Records the default schemas of the metadatas of `module`.
    pub(super) fn insert_metadata_schemas(
        &mut self,
        module: String,
        schemas: IndexMap<String, Spanned<String>>,
    ) {
        self.metadata_schemas.insert(module, schemas);
    }

    /// The default schema of the metadata an absolute dotted path names (a `MetaData`, a base,
    /// a registry or a `db`).
    pub(super) fn metadata_schema(&self, path: &str) -> Option<Spanned<String>> {
        let path = self.canonical(path);
        let (module, name) = path.rsplit_once('.')?;
        self.metadata_schemas.get(module)?.get(name).cloned()
    }

    /// Whether `package` is an input module or the package of one.
    pub(super) fn has_package(&self, package: &str) -> bool {
        self.modules.keys().any(|m| {
            m == package || (m.starts_with(package) && m[package.len()..].starts_with('.'))
        })
    }

    /// The namespace of an input module.
    pub(super) fn namespace(&self, module: &str) -> Option<Arc<super::pyfn::Namespace>> {
        self.namespaces.get(module).cloned()
    }

    /// The names `from module import *` binds: those not starting with `_` (its classes too).
    pub fn public_names(&self, module: &str) -> Vec<String> {
        let exports = self.modules.get(module).into_iter().flat_map(|m| m.keys());
        let classes = self.classes.get(module).into_iter().flat_map(|m| m.keys());
        let names: crate::IndexSet<&String> = exports
            .chain(classes)
            .filter(|n| !n.starts_with('_'))
            .collect();
        names.into_iter().cloned().collect()
    }

    /// The class statement an absolute dotted path names, following re-exports.
    pub(super) fn class(&self, path: &str) -> Option<Arc<ClassExport>> {
        let path = self.canonical(path);
        let (module, name) = path.rsplit_once('.')?;
        self.classes.get(module)?.get(name).cloned()
    }

    /// Follows re-exports of input modules to the path a name finally names: a `Column`
    /// imported from an app module that imported it from `sqlalchemy` is `sqlalchemy.Column`.
    pub fn canonical(&self, path: &str) -> String {
        let mut path = path.to_owned();
        for _ in 0..MAX_HOPS {
            let Some((module, name)) = path.rsplit_once('.') else {
                break;
            };
            match self.modules.get(module).and_then(|m| m.get(name)) {
                Some(Export::Alias(target)) if *target != path => path = target.clone(),
                _ => break,
            }
        }
        path
    }

    /// What an absolute dotted path (`app.models.base.Base`) names among the inputs, following
    /// re-exports; `None` for paths outside the inputs.
    pub fn lookup(&self, path: &str) -> Option<(String, Export)> {
        let mut path = path.to_owned();
        for _ in 0..MAX_HOPS {
            let (module, name) = path.rsplit_once('.')?;
            // `pkg.mod.Class.attr`: a class constant is exported as `Class.attr`.
            let export = match self.modules.get(module).and_then(|m| m.get(name)) {
                Some(e) => e,
                None => {
                    let (outer, class) = module.rsplit_once('.')?;
                    self.modules.get(outer)?.get(&format!("{class}.{name}"))?
                }
            };
            match export {
                Export::Alias(target) if *target != path => path = target.clone(),
                Export::Alias(_) => return None,
                other => return Some((module.to_owned(), other.clone())),
            }
        }
        None
    }
}

/// The absolute dotted paths a module body imports (`from .models import User` in `app.views`
/// gives `app.models.User`; star imports give the module).
pub fn imported_paths(body: &[crate::syntax::Stmt], module: &str, is_package: bool) -> Vec<String> {
    let scope = super::Scope::of(body);
    let mut out: Vec<String> = scope
        .bindings()
        .filter_map(|(_, b)| match b {
            super::scope::Binding::Import(path) => Some(absolute(path, module, is_package)),
            _ => None,
        })
        .collect();
    out.extend(
        scope
            .star_modules()
            .map(|m| absolute(m, module, is_package)),
    );
    out
}

/// Makes a relative import path absolute: `.base.Base` imported from module `app.models.user`
/// is `app.models.base.Base`. `is_package` says the importing module is a package's
/// `__init__`, whose own name is the package.
pub fn absolute(path: &str, module: &str, is_package: bool) -> String {
    let level = path.chars().take_while(|&c| c == '.').count();
    if level == 0 {
        return path.to_owned();
    }
    let mut package: Vec<&str> = module.split('.').collect();
    if !is_package {
        package.pop();
    }
    for _ in 1..level {
        package.pop();
    }
    let rest = &path[level..];
    match (package.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (false, true) => package.join("."),
        (false, false) => format!("{}.{rest}", package.join(".")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_imports_become_absolute() {
        assert_eq!(
            absolute(".base.Base", "app.models.user", false),
            "app.models.base.Base"
        );
        assert_eq!(absolute("..ext.db", "app.models.user", false), "app.ext.db");
        assert_eq!(
            absolute(".user.User", "app.models", true),
            "app.models.user.User"
        );
        assert_eq!(
            absolute("sqlalchemy.Column", "app.models", true),
            "sqlalchemy.Column"
        );
    }

    #[test]
    fn lookup_follows_reexports() {
        let mut index = ModuleIndex::default();
        index.insert(
            "app".into(),
            [("db".to_owned(), Export::Alias("app.ext.db".into()))]
                .into_iter()
                .collect(),
        );
        index.insert(
            "app.ext".into(),
            [("db".to_owned(), Export::FlaskDb)].into_iter().collect(),
        );
        assert_eq!(
            index.lookup("app.db"),
            Some(("app.ext".into(), Export::FlaskDb))
        );
        assert_eq!(index.lookup("elsewhere.db"), None);
        index.insert(
            "loop".into(),
            [("x".to_owned(), Export::Alias("loop.x".into()))]
                .into_iter()
                .collect(),
        );
        assert_eq!(index.lookup("loop.x"), None);
    }
}
