//! Classes of other input modules in a class's MRO: mixins, `__abstract__` classes and
//! declarative bases defined in one module and inherited in another.
//!
//! Each module exports a record of every class statement ([`ClassExport`]): what it is to
//! declarative mapping, its MRO as dotted paths, and its body as read in its own module (names
//! resolve there, not in the importer). An importer loads the records its classes inherit into
//! its own table of class records, so the declarative scan walks them exactly as it walks the
//! module's own classes. Extraction runs in passes, so a record of pass N reaches importers in
//! pass N+1.

use std::sync::Arc;

use crate::IndexMap;

use super::declarative::BodyDecl;
use super::imported_types::ColumnTypeDef;
use super::mro::{ClassRecord, MroItem, RecordKind, MAX_MRO};
use super::Extractor;
use crate::diagnostics::Diagnostic;
use crate::ir::{ColumnDecl, RelationshipDecl, SqlType};
use crate::source::Span;
use crate::syntax::ClassDef;

/// A class of an MRO, named so that every module reads it the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MroKey {
    /// A class statement of the input that is not mapped: its dotted path (`app.mixins.Audit`).
    Class(String),
    /// Anything sa2rs cannot scan: a mapped class of another module, SQLAlchemy's own, a
    /// name from outside the input.
    Opaque(String),
}

/// A class statement, as the modules importing it see it.
#[derive(Debug, Clone)]
pub struct ClassExport {
    pub(super) name: String,
    /// `module.Name`.
    pub(super) path: String,
    pub(super) name_span: Span,
    pub(super) kind: RecordKind,
    /// A Flask-SQLAlchemy class (automatic table names).
    pub(super) flask: bool,
    /// A plain class whose bases include a name sa2rs cannot see (from outside the input).
    pub(super) opaque: bool,
    pub(super) bases: Vec<(MroKey, Span)>,
    /// `cls.__mro__` without the class itself.
    pub(super) mro: Vec<MroKey>,
    /// The body, read in its own module (`None` for a mapped class, which is not scanned).
    pub(super) body: Option<Arc<BodyDecl>>,
    /// What reading the body reported, for the module that uses the class to report.
    pub(super) diags: Vec<Diagnostic>,
    /// The column type it defines: an enum class, a `TypeDecorator`.
    pub(super) column_type: Option<ColumnTypeDef>,
}

impl ClassExport {
    /// A plain class that is no declarative class and inherits none sa2rs cannot see: a mixin.
    pub(super) fn is_known_mixin(&self) -> bool {
        self.kind == RecordKind::Plain && !self.opaque
    }
}

impl PartialEq for ClassExport {
    /// Two passes read the same class the same way when everything an importer uses is equal;
    /// bodies are compared by what extraction could learn between passes (types, keys, spans).
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
            && self.name_span == other.name_span
            && self.kind == other.kind
            && self.flask == other.flask
            && self.opaque == other.opaque
            && self.bases == other.bases
            && self.mro == other.mro
            && self.diags == other.diags
            && self.column_type == other.column_type
            && match (&self.body, &other.body) {
                (None, None) => true,
                (Some(a), Some(b)) => same_body(a, b),
                _ => false,
            }
    }
}

fn same_body(a: &BodyDecl, b: &BodyDecl) -> bool {
    fn columns(a: &[ColumnDecl], b: &[ColumnDecl]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_column(x, y))
    }
    fn relationships(a: &[RelationshipDecl], b: &[RelationshipDecl]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| {
                x.attr == y.attr
                    && x.span == y.span
                    && x.target == y.target
                    && x.annotation == y.annotation
            })
    }
    a.vars == b.vars
        && a.order == b.order
        && columns(&a.columns, &b.columns)
        && columns(&a.declared_columns, &b.declared_columns)
        && relationships(&a.relationships, &b.relationships)
        && relationships(&a.declared_relationships, &b.declared_relationships)
        && a.dunders.len() == b.dunders.len()
        && a.dunders
            .iter()
            .zip(&b.dunders)
            .all(|((k, x), (l, y))| k == l && x.span() == y.span())
}

fn same_column(a: &ColumnDecl, b: &ColumnDecl) -> bool {
    a.attr == b.attr
        && a.name == b.name
        && a.span == b.span
        && a.style == b.style
        && a.sql_type == b.sql_type
        && a.annotation == b.annotation
        && a.primary_key == b.primary_key
        && a.nullable == b.nullable
        && a.unique == b.unique
        && a.index == b.index
        && a.default == b.default
        && a.server_default == b.server_default
        && a.foreign_keys == b.foreign_keys
        && a.use_existing == b.use_existing
        && a.ddl == b.ddl
}

impl Extractor<'_> {
    /// The class statements of this module, for importers: the latest statement of each name.
    pub(super) fn class_exports(&mut self) -> IndexMap<String, Arc<ClassExport>> {
        let latest: Vec<(String, usize)> = self
            .record_by_name
            .iter()
            .map(|(n, &i)| (n.clone(), i))
            .collect();
        let mut out = IndexMap::default();
        for (name, i) in latest {
            let (body, diags) = match self.records[i].kind {
                RecordKind::Mapped => (None, Vec::new()),
                _ => {
                    let (body, diags) = self.exported_body(i);
                    (Some(body), diags)
                }
            };
            let column_type = self.column_type_def(&name);
            let r = &self.records[i];
            // Importers do not scan a mapped class: its MRO is of no use to them (and leaving
            // it out spares a pass when its bases come from other modules).
            let scanned = r.kind != RecordKind::Mapped;
            let key = |item: &MroItem| self.mro_key(item);
            let export = ClassExport {
                name: name.clone(),
                path: r.path.clone(),
                name_span: r.def.name_span,
                kind: r.kind,
                flask: r.flask,
                opaque: r.opaque,
                bases: match scanned {
                    true => r.bases.iter().map(|(b, s)| (key(b), *s)).collect(),
                    false => Vec::new(),
                },
                mro: match scanned {
                    true => r.mro.iter().skip(1).map(key).collect(),
                    false => Vec::new(),
                },
                body,
                diags,
                column_type,
            };
            out.insert(name, Arc::new(export));
        }
        out
    }

    fn mro_key(&self, item: &MroItem) -> MroKey {
        match item {
            MroItem::Local(j) => {
                let r = &self.records[*j];
                match r.kind {
                    RecordKind::Mapped => MroKey::Opaque(r.path.clone()),
                    _ => MroKey::Class(r.path.clone()),
                }
            }
            MroItem::Opaque(n) => MroKey::Opaque(n.clone()),
        }
    }

    /// The body of an unmapped class of this module, with what reading it reported when no
    /// class of this module has read it yet (importers report that when they use it).
    fn exported_body(&mut self, i: usize) -> (Arc<BodyDecl>, Vec<Diagnostic>) {
        if let Some(body) = &self.records[i].body {
            return (body.clone(), Vec::new());
        }
        // A base or abstract class reads its `Mapped[...]` annotations with its registry's
        // type map; a mixin with SQLAlchemy's default one (it is not known which registry maps
        // it: see `retyped`).
        let map = self.mro_type_map(i);
        let saved = std::mem::replace(&mut self.type_map, map);
        let start = self.diags.len();
        let body = self.body_of(i);
        let diags = self.diags.split_off(start);
        self.type_map = saved;
        (body, diags)
    }

    /// The body of the class `record` for the class being mapped: a mixin of another module
    /// was read with SQLAlchemy's default type map, so its `Mapped[T]` columns take the
    /// mapped class's registry map where it has an entry for `T`.
    pub(super) fn retyped(&self, record: usize, body: Arc<BodyDecl>) -> Arc<BodyDecl> {
        let r = &self.records[record];
        let remote = self.remote_by_path.contains_key(&r.path);
        if !remote || r.kind != RecordKind::Plain || self.type_map.is_empty() {
            return body;
        }
        let entry = |c: &ColumnDecl| {
            let a = c.annotation.as_ref().filter(|_| c.sql_type.is_none())?;
            let t = self.type_map.get(&a.python)?;
            Some(SqlType {
                span: a.span,
                ..t.clone()
            })
        };
        let all = |b: &BodyDecl| -> Vec<Option<SqlType>> {
            b.columns
                .iter()
                .chain(&b.declared_columns)
                .map(entry)
                .collect()
        };
        let types = all(&body);
        if types.iter().all(Option::is_none) {
            return body;
        }
        let mut b = (*body).clone();
        let columns = b.columns.iter_mut().chain(b.declared_columns.iter_mut());
        for (c, t) in columns.zip(types) {
            if let (Some(t), Some(a)) = (t, c.annotation.as_mut()) {
                a.sql_type = Some(t);
            }
        }
        Arc::new(b)
    }

    /// The record of the class of another input module that `path` names, loaded with the
    /// classes of its MRO; `None` when `path` names no unmapped class statement of the input.
    pub(super) fn remote_record(&mut self, path: &str) -> Option<usize> {
        let export = self.index.class(path)?;
        if export.kind == RecordKind::Mapped {
            return None;
        }
        if let Some(&i) = self.remote_by_path.get(&export.path) {
            return Some(i);
        }
        // The MRO of every class in an MRO is part of it: loading the class and the classes
        // of its MRO loads everything their MROs name.
        let mut wanted = vec![export.clone()];
        for key in &export.mro {
            if let MroKey::Class(p) = key {
                if self.remote_by_path.contains_key(p) || wanted.iter().any(|w| w.path == *p) {
                    continue;
                }
                if let Some(e) = self.index.class(p) {
                    if e.kind != RecordKind::Mapped {
                        wanted.push(e);
                    }
                }
            }
        }
        let first = self.records.len();
        for e in &wanted {
            self.remote_by_path
                .insert(e.path.clone(), self.records.len());
            self.records.push(ClassRecord {
                name: e.name.clone(),
                path: e.path.clone(),
                def: std::sync::Arc::new(ClassDef {
                    name: e.name.clone(),
                    name_span: e.name_span,
                    bases: Vec::new(),
                    keywords: Vec::new(),
                    decorators: Vec::new(),
                    body: Vec::new(),
                }),
                kind: e.kind,
                flask: e.flask,
                opaque: e.opaque,
                bases: Vec::new(),
                mro: Vec::new(),
                body: e.body.clone(),
                pending: e.diags.clone(),
                kept: false,
                left_out: false,
                mapped_names: Default::default(),
                too_deep: e.mro.len() + 1 >= MAX_MRO,
                own_table: false,
            });
        }
        for (offset, e) in wanted.iter().enumerate() {
            let at = first + offset;
            let item = |k: &MroKey| match k {
                MroKey::Class(p) => match self.remote_by_path.get(p) {
                    Some(&j) => MroItem::Local(j),
                    None => MroItem::Opaque(p.clone()),
                },
                MroKey::Opaque(n) => MroItem::Opaque(n.clone()),
            };
            let mut mro = vec![MroItem::Local(at)];
            mro.extend(e.mro.iter().take(MAX_MRO).map(item));
            let bases = e.bases.iter().map(|(k, s)| (item(k), *s)).collect();
            self.records[at].mro = mro;
            self.records[at].bases = bases;
        }
        Some(first)
    }
}
