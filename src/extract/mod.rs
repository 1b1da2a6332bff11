//! Stage 2, extract: the Python syntax tree of one file to the IR ([`FileDecls`]).
//!
//! Recognises declarative bases, mapped classes, `Column` / `mapped_column` / `Mapped[...]`
//! columns, `relationship(...)` and plain `Table(...)`s, in both declarative styles and with
//! Flask-SQLAlchemy's `db.` prefix. Everything it sees but cannot port becomes a warning here;
//! no SQLAlchemy *rule* is applied (that is `resolve`'s job).

mod aliases;
mod annotation;
mod class;
mod collection;
mod column;
mod column_ddl;
mod computed;
mod declarative;
mod dunder;
pub mod eval;
mod factories;
mod imported_types;
mod index;
mod join;
mod local_types;
mod metadata;
mod mro;
mod plain_attrs;
mod property;
mod pyfn;
mod pyre;
mod remote;
mod runtime;
mod scope;
mod sqltype;
mod table_args;
mod type_map;
mod types;

use crate::IndexMap;

use crate::diagnostics::{self as diag, Diagnostic};
use crate::ir::{FileDecls, TableDecl};
use crate::source::{FileId, SourceFiles};
use crate::syntax::{Expr, ExprKind, Module, Stmt, StmtKind};

pub use index::{imported_paths, Export, ModuleIndex};
pub use scope::{Resolved, Scope};

/// What a module-level name of a models file is, as far as declarative mapping goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BaseKind {
    /// A declarative base (`Base = declarative_base()`, `class Base(DeclarativeBase)`,
    /// `db.Model`): subclasses are mapped.
    Declarative,
    /// A registry (`mapper_registry = registry()`), whose `generate_base()` is a base.
    Registry,
    /// Flask-SQLAlchemy's `db.Model` under another name (`BaseModel = db.Model`): a declarative
    /// base whose models get Flask's automatic table names.
    FlaskModel,
}

/// Per-file extraction state.
struct Extractor<'a> {
    file: FileId,
    /// The Python module name (`app.models.user`).
    module: String,
    /// What the other input modules export (from the previous pass).
    index: &'a ModuleIndex,
    files: &'a SourceFiles,
    scope: Scope,
    /// Module-level names that are bases or registries.
    bases: IndexMap<String, BaseKind>,
    /// Classes of this module that are mapped or abstract declarative classes, by name.
    declarative_classes: IndexMap<String, crate::ir::ClassRole>,
    /// Where each module-level name is first bound (for names a class body uses too early).
    module_defs: IndexMap<String, u32>,
    /// The same for the body of the class being extracted.
    class_body: IndexMap<String, u32>,
    /// The module's constants, for evaluating what folding left (`**kwargs` dicts).
    constants: eval::Constants,
    /// Column factories of the module, by name.
    factories: IndexMap<String, factories::Factory>,
    /// `Annotated[...]` aliases of the module, by name.
    aliases: IndexMap<String, aliases::AliasDef>,
    /// Module variables that may hold a column type (`BIG = BigInteger()`), by name: where the
    /// name is bound, and its value.
    type_variables: IndexMap<String, (crate::source::Span, Expr)>,
    /// Module variables bound once to a `Sequence(...)`, `Identity(...)`, `Computed(...)`,
    /// `CheckConstraint(...)` or `DefaultClause(...)`, which a column may take by name.
    column_items: IndexMap<String, Expr>,
    /// Why expressions could not be evaluated statically, by span (see [`eval::fold_module`]).
    unknown_why: IndexMap<crate::source::Span, String>,
    /// Every class statement of the module, for MROs and mixins.
    records: Vec<mro::ClassRecord>,
    /// The latest class statement of each name.
    record_by_name: IndexMap<String, usize>,
    /// Module-level names bound to a class statement of the module (`X = A`, with `A` a class
    /// defined above): the class's name, as `record_by_name` knew it then.
    class_aliases: IndexMap<String, String>,
    /// Records of classes of other modules loaded into `records`, by dotted path.
    remote_by_path: IndexMap<String, usize>,
    /// Spans already reported by [`Extractor::once`].
    reported: std::collections::HashSet<crate::source::Span>,
    decls: FileDecls,
    diags: Vec<Diagnostic>,
    /// The file's enum classes and type decorators.
    local: local_types::LocalTypes,
    /// `type_annotation_map`s, by the base (or registry) they were given to.
    type_maps: IndexMap<String, type_map::TypeMap>,
    /// The type map of the class being read.
    type_map: type_map::TypeMap,
    /// The default schemas of metadatas (`MetaData(schema=...)`), by the module-level names
    /// holding them or their bases, registries and `db`s.
    metadata_schemas: IndexMap<String, crate::ir::Spanned<String>>,
    /// The default schema of the metadata of the class being read.
    metadata_schema: Option<crate::ir::Spanned<String>>,
    /// The module's functions, constants and imports (see [`pyfn`]).
    namespace: std::sync::Arc<pyfn::Namespace>,
}

/// One parsed input module.
pub struct ModuleSource<'a> {
    pub file: FileId,
    /// Its syntax tree, which extraction constant-folds in place.
    pub syntax: &'a mut Module,
    /// The dotted module name (`app.models.user`).
    pub name: &'a str,
    /// The module is a package's `__init__.py`.
    pub is_package: bool,
}

/// Passes over all modules at most: a chain of re-exports longer than this is not followed.
const MAX_PASSES: usize = 8;

/// Extracts the declarations of every module, resolving imports between them. Returns one
/// [`FileDecls`] per source, in order; diagnostics are appended to `diags`.
pub fn extract_all(
    sources: &mut [ModuleSource],
    files: &SourceFiles,
    diags: &mut Vec<Diagnostic>,
) -> Vec<FileDecls> {
    use rayon::prelude::*;
    let mut index = ModuleIndex::default();
    // The modules of a pass read only the previous pass's index, so they are extracted in
    // parallel (on threads with the pipeline's stack) and taken in input order.
    let pool = crate::pool().filter(|_| sources.len() > 1);
    for pass in 1..=MAX_PASSES {
        let mut next = ModuleIndex::default();
        let mut decls = Vec::with_capacity(sources.len());
        let mut pass_diags = Vec::new();
        let one = |source: &mut ModuleSource| {
            let mut diags = Vec::new();
            let out = extract_one(source, &index, files, &mut diags);
            (out, diags)
        };
        let outs: Vec<(ModuleOutput, Vec<Diagnostic>)> = match &pool {
            Some(pool) => pool.install(|| sources.par_iter_mut().map(one).collect()),
            None => sources.iter_mut().map(one).collect(),
        };
        for (source, (out, mut diags)) in sources.iter().zip(outs) {
            pass_diags.append(&mut diags);
            next.insert(source.name.to_owned(), out.exports);
            next.insert_classes(source.name.to_owned(), out.classes);
            next.insert_namespace(out.namespace);
            next.insert_type_maps(source.name.to_owned(), out.type_maps);
            next.insert_metadata_schemas(source.name.to_owned(), out.metadata_schemas);
            decls.push(out.decls);
        }
        // A lone module needs no second pass: nothing else can change what it imports.
        if next == index || sources.len() == 1 || pass == MAX_PASSES {
            diags.extend(dedup(pass_diags));
            return decls;
        }
        index = next;
    }
    Vec::new()
}

/// Diagnostics without repeats: a class of one module used by several reports what reading it
/// found once.
fn dedup(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    diags
        .into_iter()
        .filter(|d| seen.insert(format!("{d:?}")))
        .collect()
}

/// What extracting one module gives.
struct ModuleOutput {
    decls: FileDecls,
    exports: IndexMap<String, Export>,
    classes: IndexMap<String, std::sync::Arc<remote::ClassExport>>,
    namespace: std::sync::Arc<pyfn::Namespace>,
    type_maps: IndexMap<String, type_map::TypeMap>,
    metadata_schemas: IndexMap<String, crate::ir::Spanned<String>>,
}

/// Extracts one module with what the index says of the others; returns its declarations, its
/// exports, its class statements and its namespace.
fn extract_one(
    source: &mut ModuleSource,
    index: &ModuleIndex,
    files: &SourceFiles,
    diags: &mut Vec<Diagnostic>,
) -> ModuleOutput {
    let mut scope = Scope::of(&source.syntax.body);
    scope.link(index, source.name, source.is_package);
    // Constant expressions become literals before anything reads them; module constants are
    // offered to the modules importing them.
    let constants = eval::Constants::of(&source.syntax.body, files.text(source.file).len());
    let (unknown_why, values) = {
        let ev = eval::Evaluator::new(&constants, &scope, index);
        let reasons = eval::fold_module(&mut source.syntax.body, &ev);
        let mut values: Vec<(String, eval::Value)> = constants
            .module_names()
            .filter_map(|(n, e)| ev.eval(e).ok().map(|v| (n.to_owned(), v)))
            .collect();
        // `Class.attr` constants (`Assoc.__tablename__`), for importers that name them.
        for (class, attr, e) in constants.class_attributes() {
            if let Ok(v) = ev.in_class(class).eval(e) {
                values.push((format!("{class}.{attr}"), v));
            }
        }
        (reasons, values)
    };
    let body = &source.syntax.body;
    let local = local_types::LocalTypes::collect(body, &scope);
    let namespace = std::sync::Arc::new(pyfn::Namespace::of(source.name, body, &scope));
    let mut ex = Extractor {
        file: source.file,
        module: source.name.to_owned(),
        index,
        files,
        scope,
        local,
        type_maps: IndexMap::default(),
        type_map: type_map::TypeMap::default(),
        metadata_schemas: IndexMap::default(),
        metadata_schema: None,
        namespace,
        bases: IndexMap::default(),
        declarative_classes: IndexMap::default(),
        module_defs: join::definitions(body),
        unknown_why,
        aliases: IndexMap::default(),
        type_variables: IndexMap::default(),
        column_items: IndexMap::default(),
        factories: IndexMap::default(),
        constants,
        class_body: IndexMap::default(),
        records: Vec::new(),
        record_by_name: IndexMap::default(),
        class_aliases: IndexMap::default(),
        remote_by_path: IndexMap::default(),
        reported: std::collections::HashSet::new(),
        decls: FileDecls::default(),
        diags: Vec::new(),
    };
    ex.collect_aliases(body);
    ex.collect_factories(body);
    let once = sqltype::bound_once(body);
    ex.collect_type_variables(&once);
    ex.collect_column_items(&once);
    ex.module_body(body);
    for (name, span) in &ex.scope.assumed_flask {
        ex.diags.push(diag::assumed_flask_db(*span, name));
    }
    for (name, span) in &ex.scope.assumed {
        ex.diags.push(diag::assumed_import(*span, name));
    }
    let classes = ex.class_exports();
    let types = ex.exported_types();
    diags.append(&mut ex.diags);
    let mut exports: IndexMap<String, Export> = IndexMap::default();
    for (name, binding) in ex.scope.bindings() {
        match binding {
            scope::Binding::Import(path) => {
                exports.insert(name.clone(), Export::Alias(path.clone()))
            }
            scope::Binding::FlaskDb => exports.insert(name.clone(), Export::FlaskDb),
            scope::Binding::Local => None,
        };
    }
    for (name, kind) in &ex.bases {
        let export = match kind {
            BaseKind::Declarative => Export::Base,
            BaseKind::Registry => Export::Registry,
            BaseKind::FlaskModel => Export::FlaskModel,
        };
        exports.insert(name.clone(), export);
    }
    for (name, role) in &ex.declarative_classes {
        exports.insert(name.clone(), Export::Class(*role));
    }
    for t in &ex.decls.tables {
        if let Some(var) = &t.var {
            let full = match t.args.schema.as_ref().or(t.args.metadata_schema.as_ref()) {
                Some(schema) => format!("{}.{}", schema.value, t.name.value),
                None => t.name.value.clone(),
            };
            exports.insert(var.clone(), Export::Table(full));
        }
    }
    for (name, f) in &ex.factories {
        exports.insert(name.clone(), Export::Factory(Box::new(f.clone())));
    }
    for (name, def) in &ex.aliases {
        exports.insert(name.clone(), Export::Annotated(Box::new(def.clone())));
    }
    for (name, read) in types {
        let t = match read {
            sqltype::TypeRead::Known(t) => (t, None),
            sqltype::TypeRead::Partial(t, why) => (t, Some(why)),
        };
        exports.entry(name).or_insert(Export::Type(Box::new(t)));
    }
    for (name, value) in values {
        exports.entry(name).or_insert(Export::Value(value));
    }
    ModuleOutput {
        decls: ex.decls,
        exports,
        classes,
        namespace: ex.namespace,
        type_maps: ex.type_maps,
        metadata_schemas: ex.metadata_schemas,
    }
}

impl Extractor<'_> {
    /// W0002 for a value that is not a literal, saying why when the evaluator knows.
    fn not_literal(&self, span: crate::source::Span, what: &str) -> Diagnostic {
        match self.unknown_why.get(&span) {
            Some(why) => diag::not_static(span, what, why),
            None => diag::not_literal(span, what),
        }
    }

    fn module_body(&mut self, body: &[Stmt]) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::Assign { targets, value } => self.module_assign(targets, value),
                StmtKind::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => self.module_assign(std::slice::from_ref(target), value),
                StmtKind::ClassDef(c) => self.class_def(c, stmt.span),
                StmtKind::If { body, orelse, .. } => {
                    self.module_body(body);
                    self.module_body(orelse);
                }
                StmtKind::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                } => {
                    self.module_body(body);
                    for h in handlers {
                        self.module_body(h);
                    }
                    self.module_body(orelse);
                    self.module_body(finalbody);
                }
                StmtKind::Expr(e) => self.runtime_call(e),
                StmtKind::FunctionDef(f) => self.module_function(f),
                // A `with` block runs once, like the module; a loop, any number of times.
                StmtKind::Block { kind: "with", body } => self.module_body(body),
                StmtKind::Block { kind, body } => self.module_loop(kind, body),
                _ => {}
            }
        }
    }

    fn module_assign(&mut self, targets: &[Expr], value: &Expr) {
        if self.module_type_call(value) {
            return;
        }
        for t in targets {
            if let ExprKind::Attribute { value: owner, attr } = &t.kind {
                if let Some(class) = owner
                    .as_name()
                    .filter(|n| self.declarative_classes.contains_key(*n))
                {
                    let what = format!("`{class}.{attr}`, assigned after the class body,");
                    self.diags
                        .push(diag::not_ported(t.span, &what, "left out of the output"));
                }
            }
        }
        let names: Vec<&str> = targets.iter().filter_map(Expr::as_name).collect();
        // (Its `db`'s schema is bound below: `metadata_schema_of` reads `db.Model` as `db`.)
        if self.is_flask_model(value) {
            self.bind_bases(&names, BaseKind::FlaskModel);
        }
        self.bind_class_alias(&names, value);
        self.bind_metadata(&names, value);
        let ExprKind::Call {
            func,
            args,
            keywords,
        } = &value.kind
        else {
            return;
        };
        let Some(callee) = self.callee(func) else {
            return;
        };
        match callee.as_str() {
            "declarative_base" => {
                self.bind_bases(&names, BaseKind::Declarative);
                self.bind_type_map(&names, value);
            }
            "registry" => {
                self.bind_bases(&names, BaseKind::Registry);
                self.bind_type_map(&names, value);
            }
            "generate_base" => {
                self.bind_bases(&names, BaseKind::Declarative);
                self.bind_type_map(&names, value);
            }
            "Table" => {
                if let Some(table) = self.table_call(func, args, keywords, value.span) {
                    let var = names.first().map(|s| (*s).to_owned());
                    self.decls.tables.push(TableDecl { var, ..table });
                }
            }
            _ => {}
        }
    }

    fn bind_bases(&mut self, names: &[&str], kind: BaseKind) {
        for n in names {
            self.bases.insert((*n).to_owned(), kind);
        }
    }

    /// The SQLAlchemy name a call's function refers to: `relationship`, `Column`, and
    /// `generate_base` for `<registry>.generate_base()` / `registry().generate_base()`.
    fn callee(&mut self, func: &Expr) -> Option<String> {
        if let ExprKind::Attribute { value, attr } = &func.kind {
            if attr == "generate_base" {
                let on_registry = match &value.kind {
                    ExprKind::Name(n) => self.bases.get(n) == Some(&BaseKind::Registry),
                    ExprKind::Call { func, .. } => self.callee(func).as_deref() == Some("registry"),
                    _ => false,
                };
                return on_registry.then(|| "generate_base".to_owned());
            }
        }
        match self.scope.resolve_sqla(func)? {
            Resolved::Sqla(name) => Some(name),
            _ => None,
        }
    }

    /// Whether a class base expression is a declarative base (or `db.Model`).
    fn is_declarative_base(&mut self, base: &Expr) -> bool {
        if let Some(name) = base.as_name() {
            if matches!(
                self.bases.get(name),
                Some(BaseKind::Declarative | BaseKind::FlaskModel)
            ) {
                return true;
            }
        }
        if let Some(Resolved::Imported(path)) = self.scope.resolve(base) {
            if matches!(
                self.index.lookup(&path),
                Some((_, Export::Base | Export::FlaskModel))
            ) {
                return true;
            }
        }
        self.is_flask_model(base)
    }

    /// Whether `e` is Flask-SQLAlchemy's model class: `db.Model`, or a name bound to it here
    /// or in another input module (`BaseModel = db.Model`).
    fn is_flask_model(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Attribute { value, attr } if attr == "Model" => value
                .as_name()
                .is_some_and(|n| self.scope.binding(n) == Some(&scope::Binding::FlaskDb)),
            ExprKind::Name(n) => match self.bases.get(n.as_str()) {
                Some(kind) => *kind == BaseKind::FlaskModel,
                None => match self.scope.resolve(e) {
                    Some(Resolved::Imported(path)) => {
                        matches!(self.index.lookup(&path), Some((_, Export::FlaskModel)))
                    }
                    _ => false,
                },
            },
            _ => false,
        }
    }

    fn table_call(
        &mut self,
        func: &Expr,
        args: &[Expr],
        keywords: &[crate::syntax::Keyword],
        span: crate::source::Span,
    ) -> Option<TableDecl> {
        let Some(name_expr) = args.first() else {
            self.diags
                .push(self.not_literal(span, "the table name of `Table(...)`"));
            return None;
        };
        let Some(name) = name_expr.as_str() else {
            self.diags
                .push(self.not_literal(name_expr.span, "the table name of `Table(...)`"));
            return None;
        };
        let mut columns = Vec::new();
        let mut table_args = crate::ir::TableArgs {
            // `Table(name, metadata, ...)`; Flask-SQLAlchemy's `db.Table(name, ...)` is on
            // `db.metadata`.
            metadata_schema: match args.get(1) {
                Some(m) => self.metadata_schema_of(m),
                None => None,
            }
            .or_else(|| match &func.kind {
                ExprKind::Attribute { value, .. } => self.metadata_schema_of(value),
                _ => None,
            }),
            ..Default::default()
        };
        for arg in &args[1..] {
            let expanded = self.expand_factory(arg);
            let arg = expanded.as_ref().unwrap_or(arg);
            let ExprKind::Call {
                func,
                args: cargs,
                keywords: ckw,
            } = &arg.kind
            else {
                continue;
            };
            match self.callee(func).as_deref() {
                Some("Column") => {
                    if let Some(c) = self.column_call(
                        None,
                        None,
                        crate::ir::ColumnStyle::Classic,
                        cargs,
                        ckw,
                        arg.span,
                    ) {
                        columns.push(c);
                    }
                }
                Some("MetaData") => {}
                _ if self.table_arg(arg, &mut table_args) => {}
                _ => self.diags.push(diag::not_ported(
                    arg.span,
                    "this `Table(...)` argument",
                    "left out of the table",
                )),
            }
        }
        for kw in keywords {
            match kw.name.as_deref() {
                Some(name) => self.table_kwarg(name, &kw.value, kw.span, &mut table_args),
                None => self
                    .diags
                    .push(self.not_literal(kw.span, "`**` arguments of `Table(...)`")),
            }
        }
        Some(TableDecl {
            var: None,
            name: crate::ir::Spanned::new(name.to_owned(), name_expr.span),
            span,
            file: self.file,
            module: self.module.clone(),
            columns,
            args: table_args,
        })
    }
}
