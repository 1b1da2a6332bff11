//! `MetaData(schema=...)`: the default schema of every table of a metadata that does not name
//! its own (`Table.__init__`, `MetaData.schema`).
//!
//! The metadata is reached through the names that hold it: a `MetaData` variable, a declarative
//! base (`declarative_base(metadata=...)`, `metadata = MetaData(...)` in a `DeclarativeBase`
//! subclass), a `registry(metadata=...)`, a Flask-SQLAlchemy `db = SQLAlchemy(metadata=...)`;
//! in this module or, through the index, in another input module.

use super::mro::{MroItem, RecordKind};
use super::{scope, Export, Extractor, Resolved};
use crate::ir::Spanned;
use crate::syntax::{keyword, ClassDef, Expr, ExprKind};

impl Extractor<'_> {
    /// The default schema of the metadata `e` gives or names: `MetaData(schema=...)`, a call
    /// with `metadata=` (`declarative_base`, `registry`, `SQLAlchemy`), `<registry>.generate_base()`,
    /// a name holding one of those, or `X.metadata` / `db.Model.metadata` of such a name. `None`
    /// when it has none (or is not one of these).
    pub(super) fn metadata_schema_of(&mut self, e: &Expr) -> Option<Spanned<String>> {
        match &e.kind {
            ExprKind::Call { func, keywords, .. } => {
                if self.callee(func).as_deref() == Some("MetaData") {
                    let k = keyword(keywords, "schema")?;
                    return match &k.value.kind {
                        ExprKind::Str(s) => Some(Spanned::new(s.clone(), k.value.span)),
                        ExprKind::NoneLit => None,
                        _ if self.runtime_schema(&k.value) => None,
                        _ => {
                            let d = self.not_literal(k.value.span, "`schema=` of `MetaData`");
                            self.diags.push(d);
                            None
                        }
                    };
                }
                if let Some(k) = keyword(keywords, "metadata") {
                    return self.metadata_schema_of(&k.value);
                }
                match &func.kind {
                    ExprKind::Attribute { value, attr } if attr == "generate_base" => {
                        self.metadata_schema_of(value)
                    }
                    _ => None,
                }
            }
            ExprKind::Attribute { value, attr } if attr == "metadata" || attr == "Model" => {
                self.metadata_schema_of(value)
            }
            ExprKind::Name(n) => {
                if let Some(s) = self.metadata_schemas.get(n) {
                    return Some(s.clone());
                }
                if let Some(path) = self.scope.imported_flask_db(n) {
                    return self.index.metadata_schema(path);
                }
                match self.scope.resolve(e)? {
                    Resolved::Imported(path) => self.index.metadata_schema(&path),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Module level `names = value`: remembers the default schema of a metadata, base, registry
    /// or `db` bound to the names.
    pub(super) fn bind_metadata(&mut self, names: &[&str], value: &Expr) {
        if let Some(schema) = self.metadata_schema_of(value) {
            for n in names {
                self.metadata_schemas
                    .insert((*n).to_owned(), schema.clone());
            }
        }
    }

    /// `metadata = MetaData(...)` or `registry = registry(metadata=...)` in the body of the
    /// base class `c`.
    pub(super) fn bind_base_metadata(&mut self, c: &ClassDef, target: &Expr, value: &Expr) {
        if matches!(target.as_name(), Some("metadata" | "registry")) {
            if let Some(schema) = self.metadata_schema_of(value) {
                self.metadata_schemas.insert(c.name.clone(), schema);
            }
        }
    }

    /// The default schema of the metadata of the class record `index`: that of the first
    /// declarative base of its MRO (a Flask-SQLAlchemy model's: its `db`'s).
    pub(super) fn mro_metadata_schema(&mut self, index: usize) -> Option<Spanned<String>> {
        let mro = self.records[index].mro.clone();
        for item in mro {
            match item {
                MroItem::Local(j) if self.records[j].kind == RecordKind::Base => {
                    return self.metadata_schema_at(&self.records[j].path.clone());
                }
                MroItem::Local(_) => {}
                MroItem::Opaque(n) => {
                    if self.bases.contains_key(&n) {
                        return self.metadata_schemas.get(&n).cloned();
                    }
                    if matches!(
                        self.index.lookup(&n),
                        Some((_, Export::Base | Export::FlaskModel))
                    ) {
                        return self.metadata_schema_at(&n);
                    }
                    // `db.Model`, which names no `db`: the module's `db`.
                    if n == "Model" && self.records[index].flask {
                        return self.flask_db_metadata_schema();
                    }
                }
            }
        }
        None
    }

    /// The default schema of the name at the dotted path `path` (this module's or another's).
    fn metadata_schema_at(&self, path: &str) -> Option<Spanned<String>> {
        match path
            .rsplit_once('.')
            .filter(|(m, _)| *m == self.module)
            .map(|(_, n)| n)
        {
            Some(name) => self.metadata_schemas.get(name).cloned(),
            None => self.index.metadata_schema(path),
        }
    }

    /// The default schema of the module's Flask-SQLAlchemy `db` (its own or imported).
    fn flask_db_metadata_schema(&self) -> Option<Spanned<String>> {
        self.scope
            .bindings()
            .filter(|(_, b)| **b == scope::Binding::FlaskDb)
            .find_map(|(name, _)| match self.scope.imported_flask_db(name) {
                Some(path) => self.index.metadata_schema(path),
                None => self.metadata_schemas.get(name).cloned(),
            })
    }
}
