//! The declarative scan of a mapped class: SQLAlchemy's `_ClassScanMapperConfig`
//! (`orm/decl_base.py`) over Python's method resolution order.
//!
//! A mapped class's table gets its own attributes first, then, for each unmapped class of its
//! MRO in order (mixins, `__abstract__` classes, the declarative base), that class's columns,
//! copied, followed by its `@declared_attr` results (`_scan_attributes`,
//! `_produce_column_copies`). A name that an earlier class of the MRO already defines is not
//! copied (`attribute_is_overridden`). `__tablename__` and `__mapper_args__` come from the first
//! class allowed to supply them, evaluated for the class being mapped. Mapped parents are not
//! scanned: the mapper inherits their attributes (`_setup_inheriting_mapper`).

use std::collections::VecDeque;
use std::rc::Rc;

use indexmap::{IndexMap, IndexSet};

use super::class::{attribute_order, flask_table_name};
use super::dunder::{ClassContext, Dunder, Value};
use super::{Extractor, Resolved};
use crate::diagnostics::{self as diag, Diagnostic};
use crate::ir::{ClassDecl, ClassRole, ColumnDecl, MapperArgs, RelationshipDecl, Spanned};
use crate::source::Span;
use crate::syntax::{ClassDef, Expr, ExprKind, FunctionDef, Stmt, StmtKind};

/// What a class statement is to declarative mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RecordKind {
    /// Not declarative: a mixin if a mapped class inherits it.
    Plain,
    /// A declarative base (`class Base(DeclarativeBase)`): unmapped, scanned like a mixin.
    Base,
    /// `__abstract__ = True` (or `AbstractConcreteBase`): unmapped, scanned like a mixin.
    Abstract,
    Mapped,
}

/// A class of an MRO: one defined in this file, or one sa2rs cannot see into (imported,
/// SQLAlchemy's own, a variable).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum MroItem {
    Local(usize),
    Opaque(String),
}

/// One class statement of the module.
pub(super) struct ClassRecord {
    pub name: String,
    pub def: Rc<ClassDef>,
    pub kind: RecordKind,
    /// A Flask-SQLAlchemy model (automatic table names).
    pub flask: bool,
    /// The direct bases, with their spans.
    pub bases: Vec<(MroItem, Span)>,
    /// `cls.__mro__`, starting with the class itself.
    pub mro: Vec<MroItem>,
    /// The body, read on first use.
    pub body: Option<Rc<BodyDecl>>,
    /// A mapped class that made it into the output.
    pub kept: bool,
    /// For a mapped class: every attribute name its mapping puts on the class.
    pub mapped_names: IndexSet<String>,
    /// Its MRO is longer than sa2rs follows.
    pub too_deep: bool,
}

/// What a class body declares, before any inheritance rule.
#[derive(Debug, Default)]
pub(super) struct BodyDecl {
    pub name: String,
    /// Read as a mixin: plain Python attributes pass silently, mapper properties are errors.
    pub mixin: bool,
    /// `Column` / `mapped_column` / bare `Mapped[...]` attributes, in attribute order.
    pub columns: Vec<ColumnDecl>,
    pub relationships: Vec<RelationshipDecl>,
    /// Results of `@declared_attr` functions, in attribute order.
    pub declared_columns: Vec<ColumnDecl>,
    pub declared_relationships: Vec<RelationshipDecl>,
    /// `vars(cls)`: the names the body binds.
    pub vars: IndexSet<String>,
    /// The attribute order (`vars` merged with the annotations).
    pub order: IndexSet<String>,
    /// `__tablename__`, `__mapper_args__`, `__table_args__`.
    pub dunders: IndexMap<String, Dunder>,
}

/// The dunders declarative reads from the MRO.
pub(super) const DUNDERS: &[&str] = &["__tablename__", "__mapper_args__", "__table_args__"];

impl BodyDecl {
    pub(super) fn new(name: &str, mixin: bool) -> Self {
        BodyDecl {
            name: name.to_owned(),
            mixin,
            ..BodyDecl::default()
        }
    }
}

/// Limit on `__abstract__` chains followed to find a mapped parent.
const MAX_ABSTRACT_DEPTH: usize = 64;

/// Limit on the length of an MRO (a class hierarchy this deep is not a model file's).
const MAX_MRO: usize = 512;

impl Extractor<'_> {
    /// Records a class statement and computes its MRO. Returns its index.
    pub(super) fn record_class(&mut self, c: &ClassDef, kind: RecordKind, flask: bool) -> usize {
        let bases: Vec<(MroItem, Span)> =
            c.bases.iter().map(|b| (self.mro_item(b), b.span)).collect();
        let mut mro = self.c3(&bases.iter().map(|(b, _)| b.clone()).collect::<Vec<_>>());
        let too_deep = mro.len() >= MAX_MRO;
        if too_deep {
            mro.truncate(MAX_MRO);
        }
        let index = self.records.len();
        let mut full = vec![MroItem::Local(index)];
        full.extend(mro);
        self.records.push(ClassRecord {
            name: c.name.clone(),
            def: Rc::new(c.clone()),
            kind,
            flask,
            bases,
            mro: full,
            body: None,
            kept: false,
            mapped_names: IndexSet::new(),
            too_deep,
        });
        self.record_by_name.insert(c.name.clone(), index);
        index
    }

    fn mro_item(&mut self, base: &Expr) -> MroItem {
        // `Mixin[int]`: a generic class's `__mro_entries__` is the class itself.
        if let ExprKind::Subscript { value, .. } = &base.kind {
            return self.mro_item(value);
        }
        match self.scope.resolve(base) {
            Some(Resolved::Local(n)) => match self.record_by_name.get(&n) {
                Some(&i) => MroItem::Local(i),
                None => MroItem::Opaque(n),
            },
            Some(Resolved::Sqla(n) | Resolved::Imported(n) | Resolved::Python(n)) => {
                MroItem::Opaque(n)
            }
            Some(Resolved::Unbound(n)) => MroItem::Opaque(n),
            None => MroItem::Opaque(self.files.slice(base.span).to_owned()),
        }
    }

    /// Python's C3 linearization of the bases' MROs (without the class itself). An inconsistent
    /// hierarchy, which Python refuses, falls back to depth-first order.
    fn c3(&self, bases: &[MroItem]) -> Vec<MroItem> {
        let mro_of = |b: &MroItem| match b {
            MroItem::Local(i) => self.records[*i].mro.clone(),
            other => vec![other.clone()],
        };
        if let [only] = bases {
            return mro_of(only);
        }
        let mut seqs: Vec<VecDeque<MroItem>> = bases.iter().map(|b| mro_of(b).into()).collect();
        seqs.push(bases.iter().cloned().collect());
        // How many sequences hold each item outside their head: a head is a candidate when
        // no tail holds it.
        let mut in_tails: IndexMap<MroItem, usize> = IndexMap::new();
        for s in &seqs {
            for x in s.iter().skip(1) {
                *in_tails.entry(x.clone()).or_default() += 1;
            }
        }
        let mut out: Vec<MroItem> = Vec::new();
        loop {
            seqs.retain(|s| !s.is_empty());
            if seqs.is_empty() {
                return out;
            }
            let head = seqs
                .iter()
                .map(|s| &s[0])
                .find(|h| in_tails.get(*h).copied().unwrap_or(0) == 0)
                .cloned();
            let Some(head) = head else {
                for b in bases.iter().flat_map(mro_of) {
                    if !out.contains(&b) {
                        out.push(b);
                    }
                }
                return out;
            };
            for s in &mut seqs {
                if s.front() == Some(&head) {
                    s.pop_front();
                    if let Some(next) = s.front() {
                        if let Some(n) = in_tails.get_mut(next) {
                            *n = n.saturating_sub(1);
                        }
                    }
                }
            }
            out.push(head);
        }
    }

    /// The body of a class, read once; unmapped classes are read as mixins.
    fn body_of(&mut self, index: usize) -> Rc<BodyDecl> {
        if let Some(b) = &self.records[index].body {
            return b.clone();
        }
        let def = self.records[index].def.clone();
        let mixin = self.records[index].kind != RecordKind::Mapped;
        let body = Rc::new(self.read_body(&def, mixin));
        self.records[index].body = Some(body.clone());
        body
    }

    /// Reads a class body: its columns, relationships, `declared_attr` results and dunders.
    pub(super) fn read_body(&mut self, def: &ClassDef, mixin: bool) -> BodyDecl {
        let mut body = BodyDecl::new(&def.name, mixin);
        for stmt in &def.body {
            self.class_stmt(&mut body, stmt);
        }
        body.order = attribute_order(&def.body);
        body.vars = vars_of(&def.body);
        let order = body.order.clone();
        let pos = |name: &str| order.get_index_of(name);
        body.columns
            .sort_by_key(|c| c.attr.as_ref().and_then(|a| pos(&a.value)));
        body.declared_columns
            .sort_by_key(|c| c.attr.as_ref().and_then(|a| pos(&a.value)));
        body.relationships.sort_by_key(|r| pos(&r.attr.value));
        body.declared_relationships
            .sort_by_key(|r| pos(&r.attr.value));
        body
    }

    /// A `@declared_attr` function that is not a dunder: its body must be a single
    /// `return Column(...)` / `mapped_column(...)` / `relationship(...)`.
    pub(super) fn declared_attr(&mut self, body: &mut BodyDecl, f: &FunctionDef, cascading: bool) {
        if cascading {
            self.diags.push(diag::not_ported(
                f.name_span,
                "`declared_attr.cascading`",
                "read as a plain `declared_attr`: mapped subclasses do not get their own copy",
            ));
        }
        let stmts: Vec<&Stmt> = f
            .body
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                let docstring = *i == 0
                    && matches!(&s.kind, StmtKind::Expr(e) if matches!(e.kind, ExprKind::Str(_)));
                !docstring && !matches!(s.kind, StmtKind::Pass)
            })
            .map(|(_, s)| s)
            .collect();
        let [Stmt {
            kind: StmtKind::Return(Some(value)),
            span,
        }] = stmts.as_slice()
        else {
            self.diags.push(diag::not_ported(
                f.name_span,
                "a `declared_attr` function that does more than `return ...`",
                "ignored",
            ));
            return;
        };
        let attr = Spanned::new(f.name.clone(), f.name_span);
        let inner = f.returns.as_ref().and_then(|r| self.mapped_inner(r));
        let mut out = BodyDecl::new(&body.name, false);
        self.attribute(&mut out, attr, inner, value, *span);
        body.declared_columns.append(&mut out.columns);
        body.declared_relationships.append(&mut out.relationships);
    }

    /// Reports a diagnostic once per span (a mixin's settings apply to every class using it).
    pub(super) fn once(&mut self, span: Span, make: impl FnOnce(Span) -> Diagnostic) {
        if self.reported.insert(span) {
            self.diags.push(make(span));
        }
    }

    /// `_resolve_for_abstract_or_classical`: a mapped base, or the mapped base an `__abstract__`
    /// base inherits.
    fn mapped_base(&self, item: &MroItem, depth: usize) -> Option<usize> {
        let MroItem::Local(i) = item else {
            return None;
        };
        let r = &self.records[*i];
        match r.kind {
            RecordKind::Mapped if r.kept => Some(*i),
            RecordKind::Abstract if depth < MAX_ABSTRACT_DEPTH => r
                .bases
                .iter()
                .find_map(|(b, _)| self.mapped_base(b, depth + 1)),
            _ => None,
        }
    }

    /// Scans the mapped class `index` (statement `c`) into its declaration, or `None` when it
    /// cannot be mapped (reported).
    pub(super) fn scan_mapped(&mut self, index: usize, c: &ClassDef) -> Option<ClassDecl> {
        if self.records[index].too_deep {
            let what = format!("a class hierarchy more than {MAX_MRO} classes deep");
            self.diags.push(diag::not_ported(
                c.name_span,
                &what,
                "this class is left out",
            ));
            return None;
        }
        let own = self.body_of(index);
        let mro = self.records[index].mro.clone();
        let flask = self.records[index].flask;
        // Per MRO position: the local class, its body, and whether it is mapped.
        let mut locals: Vec<Option<(usize, Rc<BodyDecl>, bool)>> = Vec::new();
        for item in &mro {
            locals.push(match item {
                MroItem::Local(j) => {
                    let mapped = *j != index && self.records[*j].kind == RecordKind::Mapped;
                    if mapped && !self.records[*j].kept {
                        // Its mapping failed (reported); subclasses go with it.
                        return None;
                    }
                    Some((*j, self.body_of(*j), mapped))
                }
                MroItem::Opaque(_) => None,
            });
        }
        let vars_at = |this: &Self, i: usize| -> IndexSet<String> {
            match &locals[i] {
                Some((j, _, true)) => this.records[*j].mapped_names.clone(),
                Some((_, b, false)) => b.vars.clone(),
                None => IndexSet::new(),
            }
        };
        let vars: Vec<IndexSet<String>> = (0..mro.len()).map(|i| vars_at(self, i)).collect();

        // The class's own attributes, in attribute order.
        let mut columns: IndexMap<String, ColumnDecl> = IndexMap::new();
        let mut relationships: IndexMap<String, RelationshipDecl> = IndexMap::new();
        let mut own_columns: Vec<&ColumnDecl> =
            own.columns.iter().chain(&own.declared_columns).collect();
        own_columns.sort_by_key(|c| {
            c.attr
                .as_ref()
                .and_then(|a| own.order.get_index_of(&a.value))
        });
        for col in own_columns {
            columns
                .entry(column_key(col))
                .or_insert_with(|| col.clone());
        }
        let mut own_rels: Vec<&RelationshipDecl> = own
            .relationships
            .iter()
            .chain(&own.declared_relationships)
            .collect();
        own_rels.sort_by_key(|r| own.order.get_index_of(&r.attr.value));
        for rel in own_rels {
            relationships
                .entry(rel.attr.value.clone())
                .or_insert_with(|| rel.clone());
        }

        // `cls.__dict__`, growing as mixin columns are copied onto the class. A bare
        // `Mapped[...]` annotation of the class's own is not in it: a mixin column of that name
        // is still copied, and replaces it (in the mixin's place).
        let mut cls_dict: IndexSet<String> = own.vars.clone();
        let mixins: Vec<usize> = (1..mro.len())
            .filter(|&i| matches!(locals[i], Some((_, _, false))))
            .collect();
        let mut copies: Vec<Vec<ColumnDecl>> = vec![Vec::new(); mro.len()];
        for &i in &mixins {
            let Some((_, body, _)) = &locals[i] else {
                continue;
            };
            for col in &body.columns {
                let name = column_key(col);
                // `getattr(cls, name, obj) is not obj`: a bare annotation is no attribute, so
                // any class of the MRO defining the name overrides it.
                let annotation_only = !body.vars.contains(&name);
                let overridden = cls_dict.contains(&name)
                    || (1..mro.len())
                        .filter(|&j| if annotation_only { j != i } else { j < i })
                        .any(|j| vars[j].contains(&name));
                if !overridden {
                    columns.shift_remove(&name);
                    copies[i].push(col.clone());
                    cls_dict.insert(name);
                }
            }
        }
        for &i in &mixins {
            for col in std::mem::take(&mut copies[i]) {
                columns.entry(column_key(&col)).or_insert(col);
            }
            let Some((_, body, _)) = &locals[i] else {
                continue;
            };
            let shadowed =
                |name: &str| cls_dict.contains(name) || (1..i).any(|j| vars[j].contains(name));
            for col in &body.declared_columns {
                let name = column_key(col);
                if !shadowed(&name) {
                    columns.entry(name).or_insert_with(|| col.clone());
                }
            }
            for rel in &body.declared_relationships {
                if !shadowed(&rel.attr.value) {
                    relationships
                        .entry(rel.attr.value.clone())
                        .or_insert_with(|| rel.clone());
                }
            }
        }
        let columns: Vec<ColumnDecl> = columns.into_values().collect();
        let relationships: Vec<RelationshipDecl> = relationships.into_values().collect();

        // The mapped parent.
        let mut parents: Vec<(usize, Span)> = Vec::new();
        for (b, span) in &self.records[index].bases {
            if let Some(p) = self.mapped_base(b, 0) {
                if !parents.iter().any(|(q, _)| *q == p) {
                    parents.push((p, *span));
                }
            }
        }
        if parents.len() > 1 {
            let names: Vec<String> = parents
                .iter()
                .map(|(p, _)| self.records[*p].name.clone())
                .collect();
            self.diags
                .push(diag::multiple_mapped_bases(c.name_span, &c.name, &names));
            return None;
        }
        let inherits = parents
            .first()
            .map(|&(p, span)| Spanned::new(self.records[p].name.clone(), span));
        let has_inherited_table = locals
            .iter()
            .skip(1)
            .any(|l| matches!(l, Some((_, _, true))));
        let cx = ClassContext {
            name: &c.name,
            has_inherited_table,
        };

        // `__tablename__`: the first class allowed to supply it triggers the look-up, which then
        // finds the attribute as Python does (`cls.__tablename__`).
        let dunder_at = |i: usize, name: &str| -> Option<Dunder> {
            locals[i]
                .as_ref()
                .and_then(|(_, b, _)| b.dunders.get(name).cloned())
        };
        let source = |name: &str| -> Option<Dunder> {
            let trigger = (0..mro.len()).find(|&i| match dunder_at(i, name) {
                Some(d) => i == 0 || !matches!(locals[i], Some((_, _, true))) || d.is_declared(),
                None => false,
            })?;
            (0..=trigger).find_map(|i| dunder_at(i, name))
        };
        let mut tablename: Option<Spanned<String>> = match source("__tablename__") {
            None => None,
            Some(d) => match self.eval_dunder(&d, &cx, "__tablename__")?.value {
                Value::Str(s) => {
                    let span = match &d {
                        Dunder::Value(e) => e.span,
                        Dunder::Function { .. } => c.name_span,
                    };
                    Some(Spanned::new(s, span))
                }
                Value::None => None,
                _ => {
                    let span = match &d {
                        Dunder::Value(e) => e.span,
                        Dunder::Function { def, .. } => def.name_span,
                    };
                    self.diags.push(diag::not_literal(span, "`__tablename__`"));
                    return None;
                }
            },
        };
        if flask {
            if self.flask_generates_tablename(&locals) {
                tablename = Some(Spanned::new(flask_table_name(&c.name), c.name_span));
            }
            // `__table_cls__`: no primary key among the class's columns under a mapped parent
            // means single-table inheritance.
            if has_inherited_table && !columns.iter().any(|col| col.primary_key) {
                tablename = None;
            }
        }

        let mut mapper_args = match source("__mapper_args__") {
            Some(d) => match self.eval_dunder(&d, &cx, "__mapper_args__") {
                Some(v) => self.mapper_args(&v),
                None => MapperArgs::default(),
            },
            None => MapperArgs::default(),
        };
        self.concrete_bases(index, &mut mapper_args);

        match (&tablename, &inherits) {
            (None, None) => {
                self.diags.push(diag::no_tablename(c.name_span, &c.name));
                return None;
            }
            (None, Some(parent)) => {
                if let Some(Dunder::Value(args)) = own.dunders.get("__table_args__") {
                    if truthy(args) {
                        self.diags
                            .push(diag::single_table_table_args(args.span, &c.name));
                    }
                }
                for col in columns.iter().filter(|col| col.primary_key) {
                    self.diags.push(diag::single_table_primary_key(
                        col.span,
                        &c.name,
                        &parent.value,
                    ));
                }
            }
            (Some(_), _) => {}
        }
        if let (Some(at), Some(parent)) = (mapper_args.concrete, &inherits) {
            let what = format!("concrete table inheritance of `{}`", c.name);
            let done = format!(
                "`{}` is ported as a class with a table of its own; nothing of `{}` is inherited",
                c.name, parent.value
            );
            self.diags.push(diag::concrete_not_ported(at, &what, &done));
        }

        // What the mapping puts on the class, for subclasses' override checks.
        let mut names = own.vars.clone();
        names.extend(columns.iter().map(column_key));
        names.extend(relationships.iter().map(|r| r.attr.value.clone()));
        if let Some(&(p, _)) = parents.first() {
            names.extend(self.records[p].mapped_names.iter().cloned());
        }
        self.records[index].mapped_names = names;
        self.records[index].kept = true;

        Some(ClassDecl {
            name: c.name.clone(),
            name_span: c.name_span,
            file: self.file,
            role: ClassRole::Mapped,
            tablename,
            columns,
            relationships,
            inherits,
            mapper_args,
        })
    }

    /// Flask-SQLAlchemy's `should_set_tablename`: generate a name unless the first class of the
    /// MRO that sets `__tablename__` is the class itself, an abstract class, a mixin, or uses
    /// `declared_attr`. Mapped parents with a table have one set (by Flask, or by hand).
    fn flask_generates_tablename(&self, locals: &[Option<(usize, Rc<BodyDecl>, bool)>]) -> bool {
        for (i, l) in locals.iter().enumerate() {
            let Some((j, body, mapped)) = l else {
                continue;
            };
            let r = &self.records[*j];
            match body.dunders.get("__tablename__") {
                Some(d) if d.is_declared() => return false,
                Some(_) => {
                    return !(i == 0
                        || r.kind == RecordKind::Abstract
                        || r.kind == RecordKind::Plain)
                }
                None if *mapped && r.flask => return true,
                None => {}
            }
        }
        true
    }

    /// `ConcreteBase` / `AbstractConcreteBase` among the direct bases: the polymorphic union
    /// they build is not ported.
    fn concrete_bases(&mut self, index: usize, args: &mut MapperArgs) {
        let bases = self.records[index].bases.clone();
        for (b, span) in bases {
            if let MroItem::Opaque(n) = &b {
                if n == "ConcreteBase" {
                    let what = format!("`ConcreteBase` of `{}`", self.records[index].name);
                    self.once(span, |span| {
                        diag::concrete_not_ported(
                            span,
                            &what,
                            "its polymorphic union of the subclass tables is not in the output",
                        )
                    });
                    args.concrete.get_or_insert(span);
                }
            }
        }
    }
}

/// The attribute a column is mapped under.
fn column_key(col: &ColumnDecl) -> String {
    col.attr
        .as_ref()
        .map_or_else(|| col.name.clone(), |a| a.value.clone())
}

/// `vars(cls)` of a class body: names assigned a value, functions and nested classes.
fn vars_of(body: &[Stmt]) -> IndexSet<String> {
    let mut vars = IndexSet::new();
    for stmt in body {
        match &stmt.kind {
            StmtKind::Assign { targets, .. } => {
                vars.extend(targets.iter().filter_map(Expr::as_name).map(str::to_owned))
            }
            StmtKind::AnnAssign {
                target,
                value: Some(_),
                ..
            } => vars.extend(target.as_name().map(str::to_owned)),
            StmtKind::FunctionDef(f) => {
                vars.insert(f.name.clone());
            }
            StmtKind::ClassDef(c) => {
                vars.insert(c.name.clone());
            }
            _ => {}
        }
    }
    vars
}

/// Whether a `__table_args__` value is truthy: anything but an empty literal or `None`.
fn truthy(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::NoneLit => false,
        ExprKind::Tuple(v) | ExprKind::List(v) => !v.is_empty(),
        ExprKind::Dict(v) => !v.is_empty(),
        _ => true,
    }
}
