//! Declarative classes: which classes are mapped, their table names, columns and relationships.

use crate::IndexSet;

use super::annotation::{class_name, Annotated};
use super::declarative::{BodyDecl, DUNDERS};
use super::dunder::Dunder;
use super::mro::RecordKind;
use super::{BaseKind, Export, Extractor, Resolved};
use crate::diagnostics as diag;
use crate::ir::ColumnName;
use crate::ir::{BackrefDecl, ClassRole, ColumnStyle, RelationshipDecl, SecondaryRef, Spanned};
use crate::source::Span;
use crate::syntax::{ClassDef, Expr, ExprKind, Keyword, Stmt, StmtKind};

/// SQLAlchemy constructs that are mapper properties: on a mixin, only as `declared_attr`.
const MAPPER_PROPERTIES: &[&str] = &[
    "relationship",
    "column_property",
    "deferred",
    "composite",
    "synonym",
    "query_expression",
    "dynamic_loader",
];

/// How a class relates to declarative mapping, judged from its bases.
enum Lineage {
    /// Subclasses `DeclarativeBase`: it *is* a base.
    Base,
    /// Inherits a declarative base (directly or through abstract classes).
    Declarative { flask: bool },
    /// Inherits a mapped class of this file.
    MappedParent { flask: bool },
    /// Inherits a name imported from elsewhere (`from .db import Base`).
    ImportedBase,
    /// Not a declarative class.
    None,
}

impl Extractor<'_> {
    fn lineage(&mut self, c: &ClassDef) -> Lineage {
        let mut lineage = Lineage::None;
        for base in &c.bases {
            if self.is_declarative_base(base) {
                let flask = self.is_flask_model(base);
                return Lineage::Declarative { flask };
            }
            let resolved = match self.class_aliases.get(base.as_name().unwrap_or_default()) {
                Some(class) => Some(Resolved::Local(class.clone())),
                None => self.scope.resolve_sqla(base),
            };
            match resolved {
                Some(Resolved::Sqla(n))
                    if matches!(n.as_str(), "DeclarativeBase" | "DeclarativeBaseNoMeta") =>
                {
                    return Lineage::Base
                }
                Some(Resolved::Local(n)) => {
                    let flask = self
                        .record_by_name
                        .get(&n)
                        .is_some_and(|&i| self.records[i].flask);
                    let left_out = self
                        .record_by_name
                        .get(&n)
                        .is_some_and(|&i| self.records[i].left_out);
                    match self.declarative_classes.get(&n) {
                        Some(ClassRole::Mapped) => return Lineage::MappedParent { flask },
                        Some(ClassRole::Abstract) => return Lineage::Declarative { flask },
                        // A mapped class left out: its subclasses are left out with it.
                        None if left_out => return Lineage::MappedParent { flask },
                        None => {}
                    }
                }
                // A class of another input module: an abstract one passes its base on; a mapped
                // parent there is not followed (its table must be named here); a plain class
                // is a mixin, like one of this module.
                Some(Resolved::Imported(path)) => match self.index.lookup(&path) {
                    Some((_, Export::Class(ClassRole::Abstract))) => {
                        let flask = self.index.class(&path).is_some_and(|r| r.flask);
                        return Lineage::Declarative { flask };
                    }
                    _ if self.index.class(&path).is_some_and(|r| r.is_known_mixin()) => {}
                    _ => lineage = Lineage::ImportedBase,
                },
                Some(Resolved::Unbound(_)) => lineage = Lineage::ImportedBase,
                _ => {}
            }
        }
        lineage
    }

    pub(super) fn class_def(&mut self, c: &std::sync::Arc<ClassDef>, _span: Span) {
        self.declare_hooks(c);
        let lineage = self.lineage(c);
        let info = ClassBody::scan(&c.body);
        let abstract_concrete = c.bases.iter().find(|b| {
            matches!(self.scope.resolve(b), Some(Resolved::Sqla(n)) if n == "AbstractConcreteBase")
        });
        let kind = match &lineage {
            Lineage::None => RecordKind::Plain,
            Lineage::Base => RecordKind::Base,
            Lineage::ImportedBase
                if info.tablename.is_none() && !info.computed_tablename && info.table.is_none() =>
            {
                RecordKind::Plain
            }
            _ if info.is_abstract || abstract_concrete.is_some() => RecordKind::Abstract,
            _ => RecordKind::Mapped,
        };
        if let (Some(b), RecordKind::Abstract) = (abstract_concrete, kind) {
            let what = format!("`AbstractConcreteBase` of `{}`", c.name);
            let done = "read as an abstract base: its columns are copied into each subclass, but it is not mapped";
            self.diags
                .push(diag::concrete_not_ported(b.span, &what, done));
        }
        let flask = matches!(
            lineage,
            Lineage::Declarative { flask: true } | Lineage::MappedParent { flask: true }
        );
        let index = self.record_class(c, kind, flask);
        self.records[index].opaque = matches!(lineage, Lineage::ImportedBase);
        match kind {
            RecordKind::Plain => return,
            RecordKind::Base => {
                self.bases.insert(c.name.clone(), BaseKind::Declarative);
                self.base_type_map(c);
                return;
            }
            RecordKind::Abstract => {
                self.declarative_classes
                    .insert(c.name.clone(), ClassRole::Abstract);
                return;
            }
            RecordKind::Mapped => {}
        }
        for (what, at) in &info.unported {
            self.diags.push(diag::not_ported(*at, what, "ignored"));
        }
        if !matches!(lineage, Lineage::ImportedBase) {
            // The declarative base is local, so an imported base is a mixin sa2rs cannot see.
            for base in &c.bases {
                if let Some(Resolved::Imported(name)) = self.scope.resolve(base) {
                    // A declarative base of another input module is not a mixin; an unmapped
                    // class statement there is scanned like this module's (`remote.rs`); a
                    // class of a package unrelated to SQLAlchemy declares nothing it reads.
                    let resolved = Resolved::Imported(name.clone());
                    if matches!(
                        self.index.lookup(&name),
                        Some((_, Export::Base | Export::FlaskModel | Export::Registry))
                    ) || self.remote_record(&name).is_some()
                        || self.plain_python(Some(&resolved))
                    {
                        continue;
                    }
                    let what = format!("mixin `{name}`, imported from another module,");
                    self.diags.push(diag::not_ported(
                        base.span,
                        &what,
                        "its columns and relationships, if it declares any, are not copied",
                    ));
                }
            }
        }
        self.enter_class(c);
        let start = self.diags.len();
        self.init_subclass_hooks(index);
        let mut decl = self.scan_mapped(index, c, info.table, info.table_args);
        self.release_mapped_attributes(index);
        if let Some(d) = &mut decl {
            let args = &mut d.table_args;
            args.metadata_schema = args.metadata_schema.take().or(self.metadata_schema.clone());
        }
        // What the scan reports (the class's own body, its mixins, its dunders) reads best in
        // source order.
        self.diags[start..].sort_by_key(|d| {
            d.labels
                .first()
                .map_or((usize::MAX, usize::MAX), |l| (l.file_id, l.range.start))
        });
        match decl {
            Some(decl) => {
                self.declarative_classes
                    .insert(c.name.clone(), ClassRole::Mapped);
                self.decls.classes.push(decl);
            }
            None => self.left_out(index, start),
        }
    }

    pub(super) fn class_stmt(&mut self, decl: &mut BodyDecl, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Assign { targets, value } => {
                let [target] = targets.as_slice() else { return };
                let Some(name) = target.as_name() else { return };
                if name.starts_with("__") {
                    if DUNDERS.contains(&name) {
                        decl.dunders
                            .insert(name.to_owned(), Dunder::Value(value.clone()));
                    }
                    return;
                }
                let attr = Spanned::new(name.to_owned(), target.span);
                self.attribute(decl, attr, None, value, stmt.span);
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
            } => {
                let Some(name) = target.as_name() else { return };
                if name.starts_with("__") {
                    if let (true, Some(v)) = (DUNDERS.contains(&name), value) {
                        decl.dunders
                            .insert(name.to_owned(), Dunder::Value(Expr::clone(v)));
                    }
                    return;
                }
                let Some(inner) = self.mapped_inner(annotation) else {
                    // `keywords: AssociationProxy[...] = association_proxy(...)`.
                    if let Some(v) = value.as_ref().filter(|v| self.is_proxy(v)) {
                        let attr = Spanned::new(name.to_owned(), target.span);
                        self.attribute(decl, attr, None, v, stmt.span);
                    }
                    return;
                };
                let attr = Spanned::new(name.to_owned(), target.span);
                match value {
                    Some(v) => self.attribute(decl, attr, Some(inner), v, stmt.span),
                    None => {
                        let ann = self.column_annotation(inner.inner);
                        if let Some(mut col) = self.column_call(
                            Some(attr),
                            Some(ann),
                            ColumnStyle::Mapped,
                            &[],
                            &[],
                            stmt.span,
                        ) {
                            self.apply_alias(&mut col, inner.inner);
                            decl.columns.push(col);
                        }
                    }
                }
            }
            StmtKind::FunctionDef(f) => {
                let declared = f.decorators.iter().any(|d| {
                    matches!(self.scope.resolve_sqla(d), Some(Resolved::Sqla(n)) if n == "declared_attr" || n == "directive")
                        || d.dotted().is_some_and(|p| p.contains(&"declared_attr"))
                });
                let cascading = f
                    .decorators
                    .iter()
                    .any(|d| d.dotted().is_some_and(|p| p.contains(&"cascading")));
                if DUNDERS.contains(&f.name.as_str()) {
                    decl.dunders.insert(
                        f.name.clone(),
                        Dunder::Function {
                            def: crate::syntax::FunctionDef::clone(f),
                            declared,
                        },
                    );
                } else if declared {
                    self.declared_attr(decl, f, cascading);
                }
            }
            _ => {}
        }
    }

    /// `attr = value` or `attr: Mapped[inner] = value` in a class body.
    pub(super) fn attribute(
        &mut self,
        decl: &mut BodyDecl,
        attr: Spanned<String>,
        inner: Option<Annotated>,
        value: &Expr,
        span: Span,
    ) {
        if let Some(expanded) = self.expand_factory(value) {
            return self.attribute(decl, attr, inner, &expanded, span);
        }
        let ExprKind::Call {
            func,
            args,
            keywords,
        } = &value.kind
        else {
            return;
        };
        let callee = match self.scope.resolve_sqla(func) {
            Some(Resolved::Sqla(n)) => n,
            _ if decl.mixin => return,
            other => {
                if !self.plain_python(other.as_ref()) {
                    self.diags.push(diag::unrecognised_attribute(
                        value.span,
                        &decl.name,
                        &attr.value,
                    ));
                }
                return;
            }
        };
        if decl.mixin && !matches!(callee.as_str(), "Column" | "mapped_column") {
            if callee == "Index" {
                let why = format!(
                    "it is on `{}`, whose columns each mapped subclass gets copies of",
                    decl.name
                );
                self.diags
                    .push(diag::index_never_attached(value.span, &why));
                return;
            }
            // `_scan_attributes`: a mapper property on a mixin must be a `declared_attr`.
            if MAPPER_PROPERTIES.contains(&callee.as_str()) {
                self.diags.push(diag::property_on_mixin(
                    value.span,
                    &decl.name,
                    &attr.value,
                    &callee,
                ));
            }
            return;
        }
        match callee.as_str() {
            "Column" | "mapped_column" => {
                let style = if callee == "Column" {
                    ColumnStyle::Classic
                } else {
                    ColumnStyle::Mapped
                };
                let ann = inner.as_ref().map(|i| self.column_annotation(i.inner));
                if let Some(mut col) =
                    self.column_call(Some(attr), ann, style, args, keywords, span)
                {
                    self.column_extras(decl, &mut col, keywords);
                    if let Some(i) = inner {
                        self.apply_alias(&mut col, i.inner);
                    }
                    decl.columns.push(col);
                }
            }
            "relationship" => {
                let ann = inner.map(|i| self.relationship_annotation(i));
                let rel = self.relationship_call(decl, attr, ann, args, keywords, span);
                decl.relationships.push(rel);
            }
            "Index" => self.class_index(decl, value),
            _ if self.property_attr(decl, &attr, &callee, args, keywords, value.span) => {}
            other => {
                let what = format!("`{other}(...)`");
                self.diags.push(diag::not_ported(
                    value.span,
                    &what,
                    "this attribute is left out",
                ));
            }
        }
    }

    fn relationship_call(
        &mut self,
        decl: &BodyDecl,
        attr: Spanned<String>,
        annotation: Option<crate::ir::RelAnnotation>,
        args: &[Expr],
        keywords: &[Keyword],
        span: Span,
    ) -> RelationshipDecl {
        let mut rel = RelationshipDecl {
            attr,
            span,
            target: None,
            annotation: annotation.map(Box::new),
            back_populates: None,
            uselist: None,
            secondary: None,
            backref: None,
            remote_side: None,
            foreign_keys: None,
            primaryjoin: None,
            secondaryjoin: None,
            unported: Vec::new(),
            loading: Default::default(),
            options: Vec::new(),
        };
        if let Some(first) = args.first() {
            rel.target = class_name(first);
            if rel.target.is_none() {
                self.diags
                    .push(self.not_literal(first.span, "the relationship target"));
            }
        }
        if let Some(second) = args.get(1) {
            rel.secondary = self.secondary(second);
        }
        // `relationship(**REL_ARGS)`: a dict of literal options, spread.
        let mut expanded: Vec<Keyword> = Vec::new();
        for kw in keywords {
            match &kw.name {
                Some(_) => expanded.push(kw.clone()),
                None => {
                    match self.spread_keywords(&kw.value, &decl.name) {
                        Some(mut spread) => expanded.append(&mut spread),
                        None => self.diags.push(self.not_literal(
                            kw.value.span,
                            "the `**` arguments of `relationship(...)`",
                        )),
                    }
                }
            }
        }
        for kw in &expanded {
            let Some(k) = kw.name.as_deref() else {
                continue;
            };
            match k {
                "argument" => rel.target = class_name(&kw.value),
                "back_populates" => match kw.value.as_str() {
                    Some(s) => rel.back_populates = Some(Spanned::new(s.to_owned(), kw.value.span)),
                    None => self
                        .diags
                        .push(self.not_literal(kw.value.span, "`back_populates=`")),
                },
                "uselist" => match kw.value.as_bool() {
                    Some(b) => rel.uselist = Some(b),
                    None => self
                        .diags
                        .push(self.not_literal(kw.value.span, "`uselist=`")),
                },
                "secondary" => rel.secondary = self.secondary(&kw.value),
                "backref" => {
                    rel.backref = self.backref(&kw.value).map(Box::new);
                    // A join of its own for the reverse side is not ported.
                    let own_join = rel.backref.as_ref().and_then(|b| {
                        b.options
                            .iter()
                            .find(|(k, _)| k == "primaryjoin" || k == "secondaryjoin")
                    });
                    if let Some((k, _)) = own_join {
                        self.diags.push(diag::relationship_option_not_ported(
                            kw.value.span,
                            k,
                            &rel.attr.value,
                        ));
                        rel.unported.push(Spanned::new(k.clone(), kw.value.span));
                    }
                }
                "lazy" | "collection_class" => {
                    if !self.loading_arg(k, &kw.value, &mut rel.loading) {
                        rel.options
                            .push((k.to_owned(), self.option_text(&kw.value)));
                    }
                }
                "remote_side" => rel.remote_side = self.column_names(&kw.value, "`remote_side=`"),
                "foreign_keys" => {
                    rel.foreign_keys = self.column_names(&kw.value, "`foreign_keys=`")
                }
                "primaryjoin" | "secondaryjoin" => {
                    let option = if k == "primaryjoin" {
                        "primaryjoin"
                    } else {
                        "secondaryjoin"
                    };
                    let class = super::join::JoinClass {
                        name: &decl.name,
                        name_span: decl.name_span,
                        columns: &decl.columns,
                    };
                    match self.join_arg(&kw.value, option, class, &rel.attr.value, span.start) {
                        Some(arg) => {
                            // Recorded as written too: its filters are not in the column pairs.
                            rel.options
                                .push((k.to_owned(), self.files.slice(kw.value.span).to_owned()));
                            match option {
                                "primaryjoin" => rel.primaryjoin = Some(Box::new(arg)),
                                _ => rel.secondaryjoin = Some(Box::new(arg)),
                            }
                        }
                        None => rel.unported.push(Spanned::new(k.to_owned(), kw.name_span)),
                    }
                }
                _ => rel
                    .options
                    .push((k.to_owned(), self.option_text(&kw.value))),
            }
        }
        rel
    }

    /// The keywords a `**value` spreads, when `value` is a dict of literal values the evaluator
    /// knows (a class or module constant).
    pub(super) fn spread_keywords(&self, value: &Expr, class: &str) -> Option<Vec<Keyword>> {
        let ev =
            super::eval::Evaluator::new(&self.constants, &self.scope, self.index).in_class(class);
        let super::eval::Value::Dict(pairs) = ev.eval(value).ok()? else {
            return None;
        };
        pairs
            .into_iter()
            .map(|(k, v)| {
                let super::eval::Value::Str(name) = k else {
                    return None;
                };
                let kind = match v {
                    super::eval::Value::Str(s) => ExprKind::Str(s),
                    super::eval::Value::Bool(b) => ExprKind::Bool(b),
                    super::eval::Value::Int(i) => ExprKind::Int(Some(i)),
                    super::eval::Value::None => ExprKind::NoneLit,
                    _ => return None,
                };
                let span = value.span;
                Some(Keyword {
                    name: Some(name),
                    name_span: span,
                    value: Expr { kind, span },
                    span,
                })
            })
            .collect()
    }

    /// A recorded option's value: a string literal's text (`lazy="joined"` is `joined`), else
    /// the expression as written.
    fn option_text(&self, e: &Expr) -> String {
        match e.as_str() {
            Some(s) => s.to_owned(),
            None => self.files.slice(e.span).to_owned(),
        }
    }

    fn backref(&mut self, e: &Expr) -> Option<BackrefDecl> {
        if let Some(s) = e.as_str() {
            return Some(BackrefDecl {
                name: Spanned::new(s.to_owned(), e.span),
                uselist: None,
                loading: Default::default(),
                options: Vec::new(),
            });
        }
        if let ExprKind::Call {
            func,
            args,
            keywords,
        } = &e.kind
        {
            if matches!(self.scope.resolve_sqla(func), Some(Resolved::Sqla(n)) if n == "backref") {
                if let Some(name) = args.first().and_then(Expr::as_str) {
                    let mut b = BackrefDecl {
                        name: Spanned::new(name.to_owned(), args[0].span),
                        uselist: None,
                        loading: Default::default(),
                        options: Vec::new(),
                    };
                    for kw in keywords {
                        match kw.name.as_deref() {
                            Some("uselist") => b.uselist = kw.value.as_bool(),
                            Some(k @ ("lazy" | "collection_class"))
                                if self.loading_arg(k, &kw.value, &mut b.loading) => {}
                            Some(k) => b.options.push((k.to_owned(), self.option_text(&kw.value))),
                            None => {}
                        }
                    }
                    return Some(b);
                }
            }
        }
        self.diags.push(self.not_literal(e.span, "`backref=`"));
        None
    }

    /// Columns named as relationship arguments (`remote_side=`, `foreign_keys=`): `id`, `[id]`,
    /// `Node.id`, `"Node.id"`, `"[Node.id]"`, `lambda: Node.id`.
    fn column_names(&mut self, e: &Expr, what: &str) -> Option<Vec<Spanned<ColumnName>>> {
        fn name_of(e: &Expr) -> Option<Spanned<ColumnName>> {
            let (class, attr) = match &e.kind {
                ExprKind::Name(n) => (None, n.clone()),
                ExprKind::Attribute { value, attr } => {
                    // `Class.attr`, `table.c.column`, `Class.__table__.c.column`.
                    let owner = match &value.kind {
                        ExprKind::Name(n) => n.clone(),
                        ExprKind::Attribute { value: t, attr: c } if c == "c" || c == "columns" => {
                            match &t.kind {
                                ExprKind::Name(n) => format!("{n}.c"),
                                ExprKind::Attribute {
                                    value: cls,
                                    attr: tt,
                                } if tt == "__table__" => {
                                    format!("{}.__table__.c", cls.as_name()?)
                                }
                                _ => return None,
                            }
                        }
                        _ => return None,
                    };
                    (Some(owner), attr.clone())
                }
                ExprKind::Str(s) => {
                    let inner = s
                        .trim()
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .trim();
                    if inner.is_empty() || inner.contains(',') {
                        return None;
                    }
                    match inner.rsplit_once('.') {
                        Some((class, attr)) => {
                            (Some(class.trim().to_owned()), attr.trim().to_owned())
                        }
                        None => (None, inner.to_owned()),
                    }
                }
                ExprKind::Lambda { body, .. } => return name_of(body),
                _ => return None,
            };
            Some(Spanned::new(ColumnName { class, attr }, e.span))
        }
        let items: Vec<&Expr> = match &e.kind {
            ExprKind::List(v) | ExprKind::Tuple(v) | ExprKind::Set(v) => v.iter().collect(),
            ExprKind::Lambda { body, .. } => match &body.kind {
                ExprKind::List(v) | ExprKind::Tuple(v) | ExprKind::Set(v) => v.iter().collect(),
                _ => vec![body.as_ref()],
            },
            // A string holding a list: `"[Customer.a_id, Customer.b_id]"`.
            ExprKind::Str(s) if s.contains(',') => {
                let names: Vec<_> = s
                    .trim()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .split(',')
                    .map(|part| Expr {
                        kind: ExprKind::Str(part.trim().to_owned()),
                        span: e.span,
                    })
                    .collect();
                let found: Option<Vec<_>> = names.iter().map(name_of).collect();
                if found.is_none() {
                    self.diags.push(self.not_literal(e.span, what));
                }
                return found;
            }
            _ => vec![e],
        };
        let found: Option<Vec<_>> = items.into_iter().map(name_of).collect();
        if found.is_none() {
            self.diags.push(self.not_literal(e.span, what));
        }
        found
    }

    fn secondary(&mut self, e: &Expr) -> Option<Spanned<SecondaryRef>> {
        let target = match &e.kind {
            ExprKind::Lambda { body, .. } => body.as_ref(),
            _ => e,
        };
        match &target.kind {
            ExprKind::Name(n) => {
                // A `Table` imported from another input module is named by its table name.
                if let Some(Resolved::Imported(path)) = self.scope.resolve(target) {
                    if let Some((_, Export::Table(full))) = self.index.lookup(&path) {
                        return Some(Spanned::new(SecondaryRef::TableName(full), e.span));
                    }
                }
                Some(Spanned::new(SecondaryRef::Variable(n.clone()), e.span))
            }
            ExprKind::Str(s) => Some(Spanned::new(SecondaryRef::TableName(s.clone()), e.span)),
            _ => {
                self.diags.push(self.not_literal(e.span, "`secondary=`"));
                None
            }
        }
    }
}

/// `vars(cls)` of a class body (names assigned a value, functions and nested classes), and the
/// order in which declarative scans its attributes: `vars(cls)` merged with
/// `cls.__annotations__` by SQLAlchemy's `util.merge_lists_w_ordering`. Table columns follow
/// it, so an annotation-only `Mapped[int]` can come before a `Column` declared above it.
pub(super) fn vars_and_order(body: &[Stmt]) -> (IndexSet<String>, IndexSet<String>) {
    let mut vars: IndexSet<&str> = IndexSet::default();
    let mut annotations: IndexSet<&str> = IndexSet::default();
    for stmt in body {
        match &stmt.kind {
            StmtKind::Assign { targets, .. } => {
                vars.extend(targets.iter().filter_map(Expr::as_name))
            }
            StmtKind::AnnAssign { target, value, .. } => {
                if let Some(n) = target.as_name() {
                    if value.is_some() {
                        vars.insert(n);
                    }
                    annotations.insert(n);
                }
            }
            StmtKind::FunctionDef(f) => {
                vars.insert(&f.name);
            }
            StmtKind::ClassDef(c) => {
                vars.insert(&c.name);
            }
            _ => {}
        }
    }
    let order = merge_lists_w_ordering(&vars, &annotations);
    let owned = |set: IndexSet<&str>| set.into_iter().map(str::to_owned).collect();
    (owned(vars), owned(order))
}

/// SQLAlchemy's `util.merge_lists_w_ordering(a, b)`: walk one list until an element that both
/// share, then switch to the other; shared elements are emitted from the list that reaches them
/// second.
fn merge_lists_w_ordering<T: Clone + Eq + std::hash::Hash>(
    a: &IndexSet<T>,
    b: &IndexSet<T>,
) -> IndexSet<T> {
    let mut overlap: IndexSet<&T> = a.iter().filter(|x| b.contains(*x)).collect();
    let mut result = IndexSet::default();
    let (mut current, mut other) = (a.iter(), b.iter());
    loop {
        let mut switched = false;
        for element in current.by_ref() {
            if overlap.shift_remove(element) {
                switched = true;
                break;
            }
            result.insert(element.clone());
        }
        if !switched {
            result.extend(other.cloned());
            return result;
        }
        std::mem::swap(&mut current, &mut other);
    }
}

/// The dunder settings of a class body.
struct ClassBody<'a> {
    tablename: Option<&'a Expr>,
    table_args: Option<&'a Expr>,
    table: Option<&'a Expr>,
    /// `def __tablename__(cls)`.
    computed_tablename: bool,
    is_abstract: bool,
    unported: Vec<(String, Span)>,
}

impl<'a> ClassBody<'a> {
    fn scan(body: &'a [Stmt]) -> Self {
        let mut info = ClassBody {
            tablename: None,
            table_args: None,
            table: None,
            computed_tablename: false,
            is_abstract: false,
            unported: Vec::new(),
        };
        for stmt in body {
            let (target, value) = match &stmt.kind {
                StmtKind::Assign { targets, value } if targets.len() == 1 => (&targets[0], value),
                StmtKind::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => (target, &**value),
                StmtKind::FunctionDef(f) if f.name == "__tablename__" => {
                    info.computed_tablename = true;
                    continue;
                }
                _ => continue,
            };
            match target.as_name() {
                Some("__tablename__") => info.tablename = Some(value),
                Some("__abstract__") => info.is_abstract = value.as_bool() == Some(true),
                Some("__table_args__") => info.table_args = Some(value),
                Some("__table__") => info.table = Some(value),
                _ => {}
            }
        }
        info
    }
}

/// Flask-SQLAlchemy's automatic table name: `camel_to_snake_case` in `flask_sqlalchemy.model`,
/// `re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower().lstrip("_")`.
pub fn flask_table_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let after_lower_or_digit =
            i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
        let before_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        if c.is_ascii_uppercase() && (after_lower_or_digit || (i > 0 && before_lower)) {
            out.push('_');
        }
        out.push(c);
    }
    out.to_lowercase().trim_start_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::flask_table_name;

    #[test]
    fn merge_matches_sqlalchemys_docstring_example() {
        let set = |v: &[&str]| {
            v.iter()
                .map(|s| s.to_string())
                .collect::<crate::IndexSet<_>>()
        };
        let a = set(&["__tablename__", "id", "x", "created_at"]);
        let b = set(&["id", "name", "data", "y", "created_at"]);
        let merged: Vec<String> = super::merge_lists_w_ordering(&a, &b).into_iter().collect();
        assert_eq!(
            merged,
            [
                "__tablename__",
                "id",
                "name",
                "data",
                "y",
                "x",
                "created_at"
            ]
        );
    }

    #[test]
    fn flask_names_follow_camel_to_snake_case() {
        assert_eq!(flask_table_name("User"), "user");
        assert_eq!(flask_table_name("UserAddress"), "user_address");
        assert_eq!(flask_table_name("HTTPRequest"), "http_request");
        assert_eq!(flask_table_name("OAuth2Token"), "o_auth2_token");
    }
}
