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

use std::sync::Arc;

use crate::{IndexMap, IndexSet};

use super::class::{flask_table_name, vars_and_order};
use super::dunder::{ClassContext, Dunder};
use super::mro::{MroItem, RecordKind, MAX_MRO};
use super::Extractor;
use crate::diagnostics::{self as diag, Diagnostic};
use crate::ir::{ClassDecl, ClassRole, ColumnDecl, MapperArgs, RelationshipDecl, Spanned};
use crate::source::Span;
use crate::syntax::{ClassDef, Expr, ExprKind, FunctionDef, Stmt, StmtKind};

/// What a class body declares, before any inheritance rule.
#[derive(Debug, Default, Clone)]
pub(super) struct BodyDecl {
    pub name: String,
    /// The module whose class statement it is (its names resolve there).
    pub module: String,
    /// Where the class is named.
    pub name_span: Span,
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
    /// `column_property(expr)` and `association_proxy(...)` attributes.
    pub properties: Vec<crate::ir::PropertyDecl>,
    /// Dataclass settings of its columns, by the column's span.
    pub field_options: Vec<(Span, crate::ir::FieldOptions)>,
    /// Attributes mapped to several columns at once (`column_property(Column(...), Parent.x)`).
    pub combined: Vec<String>,
    /// `Index(...)`es assigned in the body.
    pub indexes: Vec<crate::ir::ConstraintDecl>,
}

/// The dunders declarative reads from the MRO.
pub(super) const DUNDERS: &[&str] = &["__tablename__", "__mapper_args__", "__table_args__"];

impl BodyDecl {
    pub(super) fn new(name: &str, name_span: Span, mixin: bool) -> Self {
        BodyDecl {
            name: name.to_owned(),
            name_span,
            mixin,
            ..BodyDecl::default()
        }
    }
}

impl Extractor<'_> {
    /// The body of a class, read once; unmapped classes are read as mixins.
    pub(super) fn body_of(&mut self, index: usize) -> Arc<BodyDecl> {
        if let Some(b) = self.records[index].body.clone() {
            let pending = std::mem::take(&mut self.records[index].pending);
            self.diags.extend(pending);
            return b;
        }
        let def = self.records[index].def.clone();
        let mixin = self.records[index].kind != RecordKind::Mapped;
        let body = Arc::new(self.read_body(&def, mixin));
        self.records[index].body = Some(body.clone());
        body
    }

    /// Once the mapped class `index` is scanned, its own columns and relationships are its
    /// declaration's: a subclass inherits them from there and reads only the body's dunders
    /// and field options, and the names its record keeps (`mapped_names`; `collect_attributes`
    /// copies from unmapped classes alone), and importers get no body of a mapped class. The
    /// body keeps no second copy of them, nor its names and their order.
    pub(super) fn release_mapped_attributes(&mut self, index: usize) {
        if self.records[index].kind != RecordKind::Mapped {
            return;
        }
        if let Some(body) = self.records[index].body.as_mut().and_then(Arc::get_mut) {
            body.columns = Vec::new();
            body.declared_columns = Vec::new();
            body.relationships = Vec::new();
            body.declared_relationships = Vec::new();
            body.vars = IndexSet::default();
            body.order = IndexSet::default();
        }
    }

    /// The columns and relationships of the body of class `index`, taken out of it when it is
    /// not shared (copied otherwise).
    fn take_own_attributes(&mut self, index: usize) -> OwnAttributes {
        let Some(body) = self.records[index].body.as_mut() else {
            return OwnAttributes::default();
        };
        match Arc::get_mut(body) {
            Some(b) => OwnAttributes {
                columns: std::mem::take(&mut b.columns),
                declared_columns: std::mem::take(&mut b.declared_columns),
                relationships: std::mem::take(&mut b.relationships),
                declared_relationships: std::mem::take(&mut b.declared_relationships),
            },
            None => OwnAttributes {
                columns: body.columns.clone(),
                declared_columns: body.declared_columns.clone(),
                relationships: body.relationships.clone(),
                declared_relationships: body.declared_relationships.clone(),
            },
        }
    }

    /// Reads a class body: its columns, relationships, `declared_attr` results and dunders.
    pub(super) fn read_body(&mut self, def: &ClassDef, mixin: bool) -> BodyDecl {
        // Names a join condition in this body may use, and where they are bound.
        self.class_body = super::join::definitions(&def.body);
        let mut body = BodyDecl::new(&def.name, def.name_span, mixin);
        body.module = self.module.clone();
        for stmt in &def.body {
            self.class_stmt(&mut body, stmt);
        }
        (body.vars, body.order) = vars_and_order(&def.body);
        let BodyDecl {
            order,
            columns,
            declared_columns,
            relationships,
            declared_relationships,
            ..
        } = &mut body;
        let pos = |name: &str| order.get_index_of(name);
        columns.sort_by_key(|c| c.attr.as_ref().and_then(|a| pos(&a.value)));
        declared_columns.sort_by_key(|c| c.attr.as_ref().and_then(|a| pos(&a.value)));
        relationships.sort_by_key(|r| pos(&r.attr.value));
        declared_relationships.sort_by_key(|r| pos(&r.attr.value));
        // Bodies are kept for the whole run: no spare capacity.
        body.columns.shrink_to_fit();
        body.relationships.shrink_to_fit();
        body.dunders.shrink_to_fit();
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
        let mut out = BodyDecl::new(&body.name, body.name_span, false);
        self.attribute(&mut out, attr, inner, value, *span);
        // `foreign_keys=[cls.owner_id]`: `cls` is the class being mapped.
        if let Some(cls) = f.params.first().map(|p| p.name.as_str()) {
            for rel in &mut out.relationships {
                let names = rel
                    .remote_side
                    .iter_mut()
                    .chain(rel.foreign_keys.iter_mut());
                for n in names.flatten() {
                    if n.value.class.as_deref() == Some(cls) {
                        n.value.class = None;
                    }
                }
            }
        }
        body.declared_columns.append(&mut out.columns);
        body.declared_relationships.append(&mut out.relationships);
        body.properties.append(&mut out.properties);
        body.field_options.append(&mut out.field_options);
    }

    /// Reports a diagnostic once per span (a mixin's settings apply to every class using it).
    pub(super) fn once(&mut self, span: Span, make: impl FnOnce(Span) -> Diagnostic) {
        if self.reported.insert(span) {
            self.diags.push(make(span));
        }
    }

    /// Scans the mapped class `index` (statement `c`) into its declaration, or `None` when it
    /// cannot be mapped (reported).
    /// `table` and `table_args` are the class body's own `__table__` and `__table_args__`.
    pub(super) fn scan_mapped(
        &mut self,
        index: usize,
        c: &ClassDef,
        table: Option<&Expr>,
        table_args: Option<&Expr>,
    ) -> Option<ClassDecl> {
        if self.records[index].too_deep {
            let what = format!("a class hierarchy more than {MAX_MRO} classes deep");
            self.diags.push(diag::not_ported(
                c.name_span,
                &what,
                "this class is left out",
            ));
            return None;
        }
        let mro = self.records[index].mro.clone();
        // The class's own columns and relationships move into its declaration: its body keeps
        // none of them once the class is scanned (`release_mapped_attributes`).
        self.body_of(index);
        let own_attributes = self.take_own_attributes(index);
        let mut locals: Vec<Option<Local>> = Vec::new();
        for item in &mro {
            locals.push(match item {
                MroItem::Local(j) => {
                    let mapped = *j != index && self.records[*j].kind == RecordKind::Mapped;
                    if mapped && !self.records[*j].kept {
                        // Its mapping failed (reported); subclasses go with it.
                        if self.records[*j].left_out {
                            let parent = &self.records[*j];
                            self.diags.push(diag::parent_left_out(
                                c.name_span,
                                &c.name,
                                &parent.name,
                                parent.def.name_span,
                            ));
                        }
                        return None;
                    }
                    let body = self.body_of(*j);
                    let body = self.retyped(*j, body);
                    let mapped_names = mapped.then(|| self.records[*j].mapped_names.clone());
                    Some(Local {
                        record: *j,
                        body,
                        mapped,
                        mapped_names,
                    })
                }
                MroItem::Opaque(_) => None,
            });
        }
        let own = self.body_of(index);
        let (columns, relationships) = collect_attributes(&own, own_attributes, &locals);
        let parent = self.mapped_parent(index, c)?;
        let inherits = parent.map(|(p, span)| Spanned::new(self.records[p].name.clone(), span));
        let has_inherited_table = locals.iter().skip(1).flatten().any(|l| l.mapped);
        let own_module = self.module.clone();
        let cx = ClassContext {
            name: &c.name,
            has_inherited_table,
            module: &own_module,
        };

        // `__table__`: the class maps that table; `__tablename__` is not used.
        let mapped_table = match table {
            Some(e) => Some(self.mapped_table(e)?),
            None => None,
        };
        let tablename = match (&mapped_table, dunder_position(&locals, "__tablename__")) {
            (Some(t), _) => Some(t.name.clone()),
            (None, None) => None,
            (None, Some((_, d, module))) => self.tablename(&d, &module, &cx, c)?,
        };
        let tablename = match self.records[index].flask {
            true => self.flask_tablename(&locals, tablename, has_inherited_table, &columns, c),
            false => tablename,
        };
        let mut mapper_args = match dunder_position(&locals, "__mapper_args__") {
            Some((_, d, module)) => {
                let cx = ClassContext {
                    module: &module,
                    ..cx
                };
                match self.eval_dunder(&d, &cx, "__mapper_args__") {
                    Some(v) => self.mapper_args(&v),
                    None => MapperArgs::default(),
                }
            }
            None => MapperArgs::default(),
        };
        self.concrete_bases(index, &mut mapper_args);
        // `__table_args__` from a mixin or abstract base (the class's own is reported with its
        // body); ignored under single-table inheritance (`inherited_table_args`).
        if let Some((pos, Dunder::Value(e), _)) = dunder_position(&locals, "__table_args__") {
            if pos > 0 && tablename.is_some() && truthy(&e) {
                self.once(e.span, |span| {
                    diag::not_ported(span, "`__table_args__` of a base class", "ignored")
                });
            }
        }
        if !self.check_inheritance(c, &own, &tablename, &inherits, &columns, &mapper_args) {
            return None;
        }

        // What the mapping puts on the class, for subclasses' override checks.
        let mut names = own.vars.clone();
        names.extend(columns.iter().map(column_key));
        names.extend(relationships.iter().map(|r| r.attr.value.clone()));
        if let Some((p, _)) = parent {
            names.extend(self.records[p].mapped_names.iter().cloned());
        }
        let record = &mut self.records[index];
        record.mapped_names = Arc::new(names);
        record.kept = true;
        record.own_table = tablename.is_some();

        let table_args = match (&mapped_table, table_args) {
            (None, Some(e)) => self.class_table_args(e, &c.name),
            _ => Default::default(),
        };
        let mut decl = ClassDecl {
            name: c.name.clone(),
            name_span: c.name_span,
            file: self.file,
            module: self.module.clone(),
            role: ClassRole::Mapped,
            tablename,
            columns,
            relationships,
            table_args,
            table_var: None,
            inherits,
            mapper_args,
            properties: own.properties.clone(),
            field_options: Vec::new(),
            combined: own.combined.clone(),
            indexes: own.indexes.clone(),
        };
        decl.field_options = field_options(&decl.columns, &own, &locals);
        if let Some(t) = mapped_table {
            self.map_table(&mut decl, &c.body, *t);
        }
        Some(decl)
    }

    /// `_setup_inheriting_mapper`: the mapped class among the bases (through `__abstract__`
    /// ones). `Err` (reported) when there are several; `Ok(None)` when there is none.
    fn mapped_parent(&mut self, index: usize, c: &ClassDef) -> Option<Option<(usize, Span)>> {
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
        Some(parents.first().copied())
    }

    /// Flask-SQLAlchemy's table name: `should_set_tablename` generates one unless the first class
    /// of the MRO that sets `__tablename__` is the class itself, an abstract class, a mixin, or
    /// uses `declared_attr` (mapped parents with a table of their own have one set, by Flask or
    /// by hand); then `__table_cls__` drops it for a class without a primary key column under a
    /// mapped parent (single-table inheritance).
    fn flask_tablename(
        &self,
        locals: &[Option<Local>],
        tablename: Option<Spanned<String>>,
        has_inherited_table: bool,
        columns: &[ColumnDecl],
        c: &ClassDef,
    ) -> Option<Spanned<String>> {
        let mut generate = true;
        for (i, l) in locals.iter().enumerate() {
            let Some(l) = l else { continue };
            let r = &self.records[l.record];
            match l.body.dunders.get("__tablename__") {
                Some(d) if d.is_declared() => generate = false,
                Some(_) => {
                    generate =
                        !(i == 0 || r.kind == RecordKind::Abstract || r.kind == RecordKind::Plain)
                }
                None if l.mapped && r.flask && r.own_table => generate = true,
                None => continue,
            }
            break;
        }
        let tablename = match generate {
            true => Some(Spanned::new(flask_table_name(&c.name), c.name_span)),
            false => tablename,
        };
        if has_inherited_table && !columns.iter().any(|col| col.primary_key) {
            return None;
        }
        tablename
    }

    /// What SQLAlchemy refuses about a class's inheritance, reported; `false` when the class
    /// cannot be mapped at all.
    fn check_inheritance(
        &mut self,
        c: &ClassDef,
        own: &BodyDecl,
        tablename: &Option<Spanned<String>>,
        inherits: &Option<Spanned<String>>,
        columns: &[ColumnDecl],
        mapper_args: &MapperArgs,
    ) -> bool {
        match (tablename, inherits) {
            (None, None) => {
                match self.tablename_from_hook(&c.name) {
                    // The hook may name its table: not an error, but not known either.
                    Some(base) => {
                        let what = format!("`__init_subclass__` of `{base}`");
                        let assumed = format!(
                            "`{}` has no `__tablename__` of its own: left out of the output",
                            c.name
                        );
                        self.diags
                            .push(diag::runtime_hook(c.name_span, &what, &assumed));
                    }
                    None => self.diags.push(diag::no_tablename(c.name_span, &c.name)),
                }
                return false;
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
        if let (Some(at), Some(parent)) = (mapper_args.concrete, inherits) {
            let what = format!("concrete table inheritance of `{}`", c.name);
            let done = format!(
                "`{}` is ported as a class with a table of its own; nothing of `{}` is inherited",
                c.name, parent.value
            );
            self.diags.push(diag::concrete_not_ported(at, &what, &done));
        }
        true
    }

    /// `ConcreteBase` among the direct bases: the polymorphic union it builds is not ported.
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

/// The columns and relationships of a mapped class's own body.
#[derive(Default)]
pub(super) struct OwnAttributes {
    columns: Vec<ColumnDecl>,
    declared_columns: Vec<ColumnDecl>,
    relationships: Vec<RelationshipDecl>,
    declared_relationships: Vec<RelationshipDecl>,
}

/// A class of the MRO defined in this module.
pub(super) struct Local {
    record: usize,
    body: Arc<BodyDecl>,
    /// A mapped parent (not scanned: its attributes are inherited).
    mapped: bool,
    /// For a mapped parent, everything its mapping puts on the class (shared with its record).
    mapped_names: Option<Arc<IndexSet<String>>>,
}

impl Local {
    /// The names `getattr` finds on it: its body's, or everything a mapped class maps.
    fn vars(&self) -> &IndexSet<String> {
        self.mapped_names.as_deref().unwrap_or(&self.body.vars)
    }
}

/// `_scan_attributes` and `_produce_column_copies`: the class's own attributes in attribute
/// order, then for each unmapped class of the MRO its columns (copied), then its
/// `declared_attr` results, each unless an earlier class of the MRO defines the name.
fn collect_attributes(
    own: &BodyDecl,
    attributes: OwnAttributes,
    locals: &[Option<Local>],
) -> (Vec<ColumnDecl>, Vec<RelationshipDecl>) {
    let mut columns: IndexMap<String, ColumnDecl> = IndexMap::default();
    let mut relationships: IndexMap<String, RelationshipDecl> = IndexMap::default();
    let mut own_columns = attributes.columns;
    own_columns.extend(attributes.declared_columns);
    // (A stable sort: of two columns of one name, the first stays.)
    own_columns.sort_by_key(|c| {
        c.attr
            .as_ref()
            .and_then(|a| own.order.get_index_of(&a.value))
    });
    for col in own_columns {
        columns.entry(column_key(&col)).or_insert(col);
    }
    let mut own_rels = attributes.relationships;
    own_rels.extend(attributes.declared_relationships);
    own_rels.sort_by_key(|r| own.order.get_index_of(&r.attr.value));
    for rel in own_rels {
        relationships.entry(rel.attr.value.clone()).or_insert(rel);
    }

    let defines =
        |j: usize, name: &str| locals[j].as_ref().is_some_and(|l| l.vars().contains(name));
    // `cls.__dict__`: the body's names, and the mixin columns copied onto the class so far. A
    // bare `Mapped[...]` annotation of the class's own is not in it: a mixin column of that
    // name is still copied, and replaces it (in the mixin's place).
    let mut copied: IndexSet<String> = IndexSet::default();
    let in_cls_dict =
        |copied: &IndexSet<String>, name: &str| own.vars.contains(name) || copied.contains(name);
    let mixins: Vec<(usize, &BodyDecl)> = locals
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(i, l)| l.as_ref().filter(|l| !l.mapped).map(|l| (i, &*l.body)))
        .collect();
    let mut copies: Vec<Vec<ColumnDecl>> = vec![Vec::new(); locals.len()];
    for &(i, body) in &mixins {
        for col in &body.columns {
            let name = column_key(col);
            // `getattr(cls, name, obj) is not obj`: a bare annotation is no attribute, so
            // any class of the MRO defining the name overrides it.
            let annotation_only = !body.vars.contains(&name);
            let overridden = in_cls_dict(&copied, &name)
                || (1..locals.len())
                    .filter(|&j| if annotation_only { j != i } else { j < i })
                    .any(|j| defines(j, &name));
            if !overridden {
                columns.shift_remove(&name);
                copies[i].push(col.clone());
                copied.insert(name);
            }
        }
    }
    for &(i, body) in &mixins {
        for col in std::mem::take(&mut copies[i]) {
            columns.entry(column_key(&col)).or_insert(col);
        }
        let shadowed = |name: &str| in_cls_dict(&copied, name) || (1..i).any(|j| defines(j, name));
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
    // Exact capacities: the declarations live for the whole run, and collecting in place
    // would keep the map's larger entries and spare slots.
    let mut out_columns = Vec::with_capacity(columns.len());
    out_columns.extend(columns.into_values());
    let mut out_relationships = Vec::with_capacity(relationships.len());
    out_relationships.extend(relationships.into_values());
    (out_columns, out_relationships)
}

/// The dataclass settings of the class's columns, its own or copied from a mixin (a copy
/// keeps its span).
fn field_options(
    columns: &[ColumnDecl],
    own: &BodyDecl,
    locals: &[Option<Local>],
) -> Vec<crate::ir::FieldOptions> {
    let bodies = std::iter::once(own).chain(locals.iter().flatten().map(|l| &*l.body));
    let all: Vec<&(Span, crate::ir::FieldOptions)> =
        bodies.flat_map(|b| b.field_options.iter()).collect();
    columns
        .iter()
        .filter_map(|col| {
            let (_, found) = all.iter().find(|(span, _)| *span == col.span)?;
            Some(crate::ir::FieldOptions {
                attr: column_key(col),
                options: found.options.clone(),
            })
        })
        .collect()
}

/// Where a dunder comes from: the first class of the MRO allowed to supply it (the class
/// itself, an unmapped class, or a `declared_attr` on a mapped one) triggers the look-up,
/// which then finds the attribute as Python does (`cls.__tablename__`). Returns the MRO
/// position of the class that triggers the look-up, the dunder, and the module of the class
/// statement that defines it.
fn dunder_position(locals: &[Option<Local>], name: &str) -> Option<(usize, Dunder, String)> {
    let at = |i: usize| {
        let l = locals[i].as_ref()?;
        l.body.dunders.get(name).map(|d| (d, &l.body.module))
    };
    let trigger = (0..locals.len()).find(|&i| match at(i) {
        Some((d, _)) => i == 0 || locals[i].as_ref().is_some_and(|l| !l.mapped) || d.is_declared(),
        None => false,
    })?;
    (0..=trigger)
        .find_map(at)
        .map(|(d, m)| (trigger, d.clone(), m.clone()))
}

/// The attribute a column is mapped under.
fn column_key(col: &ColumnDecl) -> String {
    col.attr
        .as_ref()
        .map_or_else(|| col.name.clone(), |a| a.value.clone())
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
