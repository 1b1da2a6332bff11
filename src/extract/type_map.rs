//! The SQL type of a `Mapped[T]` column: the base's `type_annotation_map` first, then
//! SQLAlchemy's default map, following `registry._resolve_type` (which walks `T.__mro__`, so an
//! `enum.Enum` subclass finds the `enum.Enum` entry) and `Enum._resolve_for_python_type`
//! (`Literal["a", "b"]` becomes a non-native `Enum` of the strings).

use crate::IndexMap;

use super::mro::{MroItem, RecordKind};
use super::sqltype::TypeRead;
use super::{BaseKind, Export, Extractor, Resolved};
use crate::diagnostics as diag;
use crate::ir::{SqlType, TypeKind};
use crate::syntax::{keyword, ClassDef, Expr, ExprKind, Keyword, StmtKind};

/// A `type_annotation_map`: Python type (resolved dotted name: `str`, `datetime.datetime`, a
/// class of the file) to the SQL type it maps to, as read, with the expression it came from
/// (its keyword arguments apply when an `enum.Enum` entry serves a subclass).
#[derive(Debug, Clone, Default)]
pub struct TypeMap {
    entries: IndexMap<String, (SqlType, Expr)>,
}

impl PartialEq for TypeMap {
    /// Two reads of a map are the same when they map the same Python types to the same types.
    fn eq(&self, other: &Self) -> bool {
        self.entries.len() == other.entries.len()
            && self
                .entries
                .iter()
                .zip(&other.entries)
                .all(|((a, (x, _)), (b, (y, _)))| a == b && x == y)
    }
}

impl TypeMap {
    /// The SQL type the map gives the Python type `python` (a resolved dotted name).
    pub(super) fn get(&self, python: &str) -> Option<&SqlType> {
        self.entries.get(python).map(|(t, _)| t)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Extractor<'_> {
    /// Reads a `type_annotation_map={...}` value.
    fn read_type_map(&mut self, e: &Expr) -> TypeMap {
        let mut map = TypeMap::default();
        let ExprKind::Dict(items) = &e.kind else {
            self.diags
                .push(self.not_literal(e.span, "`type_annotation_map`"));
            return map;
        };
        for (key, value) in items {
            let Some(key) = key else {
                self.diags
                    .push(self.not_literal(value.span, "this part of `type_annotation_map`"));
                continue;
            };
            let python = match self.scope.resolve(key) {
                Some(Resolved::Python(p)) => super::annotation::typing_name(p),
                Some(Resolved::Local(n) | Resolved::Imported(n) | Resolved::Unbound(n)) => n,
                Some(Resolved::Sqla(_)) | None => {
                    self.diags.push(diag::not_ported(
                        key.span,
                        "this `type_annotation_map` key",
                        "ignored",
                    ));
                    continue;
                }
            };
            let ty = match self.read_type(value) {
                Some(read) => self.type_read(value, read),
                None => {
                    let class = value_class_name(value);
                    self.diags.push(diag::unknown_type(value.span, &class));
                    SqlType {
                        class,
                        impl_class: None,
                        kind: TypeKind::Unknown,
                        span: value.span,
                        variants: None,
                    }
                }
            };
            map.entries.insert(python, (ty, value.clone()));
        }
        map
    }

    /// `declarative_base(type_annotation_map=...)`, `registry(type_annotation_map=...)`: the map
    /// of the bases (or registries) `names`. `<registry>.generate_base()` takes the registry's.
    pub(super) fn bind_type_map(&mut self, names: &[&str], value: &Expr) {
        let ExprKind::Call { func, keywords, .. } = &value.kind else {
            return;
        };
        let map = match keyword(keywords, "type_annotation_map") {
            Some(k) => self.read_type_map(&k.value),
            None => match &func.kind {
                ExprKind::Attribute { value, attr } if attr == "generate_base" => {
                    match value.as_name().and_then(|r| self.type_maps.get(r)) {
                        Some(m) => m.clone(),
                        None => return,
                    }
                }
                _ => return,
            },
        };
        for n in names {
            self.type_maps.insert((*n).to_owned(), map.clone());
        }
    }

    /// A `class Base(DeclarativeBase)` body: `type_annotation_map = {...}`, or
    /// `registry = registry(type_annotation_map={...})`.
    pub(super) fn base_type_map(&mut self, c: &ClassDef) {
        for stmt in &c.body {
            let (target, value) = match &stmt.kind {
                StmtKind::Assign { targets, value } if targets.len() == 1 => (&targets[0], value),
                StmtKind::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => (target, &**value),
                _ => continue,
            };
            self.bind_base_metadata(c, target, value);
            let map = match target.as_name() {
                Some("type_annotation_map") => self.read_type_map(value),
                Some("registry") => match &value.kind {
                    ExprKind::Call { keywords, .. } => {
                        match keyword(keywords, "type_annotation_map") {
                            Some(k) => self.read_type_map(&k.value),
                            None => continue,
                        }
                    }
                    _ => continue,
                },
                _ => continue,
            };
            self.type_maps.insert(c.name.clone(), map);
        }
    }

    /// Starts reading a declarative class: the type map of its registry becomes the current
    /// one.
    pub(super) fn enter_class(&mut self, c: &ClassDef) {
        (self.type_map, self.metadata_schema) = match self.record_by_name.get(&c.name) {
            Some(&index) => (self.mro_type_map(index), self.mro_metadata_schema(index)),
            None => (TypeMap::default(), None),
        };
    }

    /// The type map of the registry that maps the class `index`: the map of the first
    /// declarative base of its MRO (of this module or another).
    pub(super) fn mro_type_map(&self, index: usize) -> TypeMap {
        for item in &self.records[index].mro {
            match item {
                MroItem::Local(j) if self.records[*j].kind == RecordKind::Base => {
                    return self.type_map_of(&self.records[*j].path);
                }
                MroItem::Local(_) => {}
                MroItem::Opaque(n) => {
                    if self.bases.get(n) == Some(&BaseKind::Declarative) {
                        return self.type_maps.get(n).cloned().unwrap_or_default();
                    }
                    if matches!(self.index.lookup(n), Some((_, Export::Base))) {
                        return self.type_map_of(n);
                    }
                }
            }
        }
        TypeMap::default()
    }

    /// The type map of the base at the dotted path `path`.
    fn type_map_of(&self, path: &str) -> TypeMap {
        let own = path
            .rsplit_once('.')
            .filter(|(m, _)| *m == self.module)
            .map(|(_, n)| n);
        match own {
            Some(name) => self.type_maps.get(name).cloned(),
            None => self.index.type_map(path),
        }
        .unwrap_or_default()
    }

    /// The SQL type `Mapped[ty]` gets without an explicit type (`registry._resolve_type`);
    /// `python` is `ty`'s resolved dotted name.
    pub(super) fn annotation_sql_type(&mut self, ty: &Expr, python: &str) -> Option<SqlType> {
        let span = ty.span;
        // `Mapped["Status"]`: SQLAlchemy evaluates a string annotation; a plain (dotted) name
        // is read as that name.
        if let Some(named) = ty.as_str().and_then(|s| name_expr(s, span)) {
            let python = self.python_name(&named).unwrap_or_default();
            return self.annotation_sql_type(&named, &python);
        }
        if let ExprKind::Subscript { value, slice } = &ty.kind {
            if self.python_name(value).as_deref() == Some("typing.Literal") {
                return literal_enum(slice, span);
            }
        }
        if let Some((t, _)) = self.type_map.entries.get(python) {
            return Some(SqlType { span, ..t.clone() });
        }
        if self.local.enums.contains_key(python) || self.imported_enum(python).is_some() {
            // Further up the class's MRO, only an `Enum` entry accepts a subclass; it lends its
            // keyword arguments (`values_callable`, `name`, ...) to the new `Enum`.
            let generic = self
                .type_map
                .entries
                .get("enum.Enum")
                .filter(|(t, _)| matches!(t.kind, TypeKind::Enum(_)))
                .map(|(_, e)| e.clone());
            let kws: Vec<Keyword> = match generic.as_ref().map(|e| &e.kind) {
                Some(ExprKind::Call { keywords, .. }) => keywords.clone(),
                _ => Vec::new(),
            };
            let name = keyword(&kws, "name")
                .and_then(|k| k.value.as_str())
                .filter(|n| !n.is_empty())
                .map(|n| Some(n.to_owned()));
            let read = self.python_enum("Enum", python, name, &kws, span);
            return Some(match read {
                TypeRead::Known(t) => t,
                TypeRead::Partial(t, why) => {
                    self.diags
                        .push(diag::type_partly_read(span, &t.class, &why));
                    t
                }
            });
        }
        super::types::from_python(python, span)
    }
}

/// `Literal["a", "b"]`: a non-native `Enum` of the strings, without a name. Anything but strings
/// has no type (SQLAlchemy raises).
fn literal_enum(slice: &Expr, span: crate::source::Span) -> Option<SqlType> {
    let items: Vec<&Expr> = match &slice.kind {
        ExprKind::Tuple(v) => v.iter().collect(),
        _ => vec![slice],
    };
    let values: Option<Vec<String>> = items
        .iter()
        .map(|i| i.as_str().map(str::to_owned))
        .collect();
    Some(SqlType {
        class: "Enum".to_owned(),
        impl_class: None,
        kind: TypeKind::Enum(Box::new(crate::ir::EnumType {
            values: values?,
            name: None,
            python: None,
            native: false,
            length: None,
        })),
        span,
        variants: None,
    })
}

/// `a.b.c` written in a string, as the expression it names (identifiers only).
fn name_expr(s: &str, span: crate::source::Span) -> Option<Expr> {
    let mut parts = s.trim().split('.');
    let ident = |p: &str| {
        p.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    let first = parts.next().filter(|p| ident(p))?;
    let mut e = Expr {
        kind: ExprKind::Name(first.to_owned()),
        span,
    };
    for p in parts {
        if !ident(p) {
            return None;
        }
        e = Expr {
            kind: ExprKind::Attribute {
                value: Box::new(e),
                attr: p.to_owned(),
            },
            span,
        };
    }
    Some(e)
}

/// The class name a type expression names, for a message (`MyType` in `MyType(50)`).
fn value_class_name(e: &Expr) -> String {
    let head = match &e.kind {
        ExprKind::Call { func, .. } => func.as_ref(),
        _ => e,
    };
    head.dotted()
        .and_then(|p| p.last().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "?".to_owned())
}
