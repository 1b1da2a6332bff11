//! Tables and columns: names, types, nullability, keys.

use super::{constraints, Names};
use crate::diagnostics::{self as diag, Diagnostic};
use crate::graph::{Class, ClassId, Column, ColumnRef, ForeignKey, Graph, Table, TableId};
use crate::ir::{ClassDecl, ColumnDecl, ColumnStyle, FileDecls, SqlType, TableDecl, TypeKind};
use crate::source::Span;

/// Registers every mapped class and plain table, in source order, and resolves their columns.
/// Returns the declarations of the classes that made it into the graph, by id.
pub(super) fn build<'a>(
    files: &'a [FileDecls],
    graph: &mut Graph,
    names: &mut Names,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(ClassId, &'a ClassDecl)> {
    enum Item<'a> {
        Class(&'a ClassDecl),
        Table(&'a TableDecl),
    }
    let mut items: Vec<(Span, Item)> = Vec::new();
    for f in files {
        items.extend(f.classes.iter().map(|c| (c.name_span, Item::Class(c))));
        items.extend(f.tables.iter().map(|t| (t.span, Item::Table(t))));
    }
    items.sort_by_key(|(span, _)| (span.file, span.start));

    let mut mapped = Vec::new();
    let mut class_spans: Vec<Span> = Vec::new();
    let mut table_spans: Vec<Span> = Vec::new();
    let mut table_args = Vec::new();
    let mut class_indexes: Vec<(TableId, &[crate::ir::ConstraintDecl], &[ColumnDecl])> = Vec::new();
    for (_, item) in items {
        let (table_name, name_span, columns, args, module) = match &item {
            Item::Class(c) => {
                let Some(t) = &c.tablename else {
                    // Single-table inheritance: the parent's table.
                    let same_module = same_module_class(graph, names, c);
                    if let Some(first) = same_module {
                        diags.push(diag::duplicate_class(
                            c.name_span,
                            &c.name,
                            class_spans[first.0],
                        ));
                    } else if let Some(id) = super::inherit::single_table(graph, names, c, diags) {
                        class_spans.push(c.name_span);
                        mapped.push((id, *c));
                        // Its columns are on its parent's table, and so are its indexes.
                        let table = graph.class(id).table;
                        class_indexes.push((table, &c.indexes[..], &c.columns[..]));
                    }
                    continue;
                };
                (&t.value, t.span, &c.columns, &c.table_args, &c.module)
            }
            Item::Table(t) => (&t.name.value, t.name.span, &t.columns, &t.args, &t.module),
        };
        // `schema=None` (or none given) is the metadata's default schema.
        let metadata_schema = args.metadata_schema.as_ref().map(|s| s.value.clone());
        let schema = args
            .schema
            .as_ref()
            .map(|s| s.value.clone())
            .or(metadata_schema.clone());
        // The metadata knows a table by its full name (`schema.table`).
        let fullname = match &schema {
            Some(s) => format!("{s}.{table_name}"),
            None => table_name.clone(),
        };
        let name = &fullname;
        if let Some(&first) = names.tables.get(name) {
            diags.push(diag::duplicate_table(name_span, name, table_spans[first.0]));
            continue;
        }
        if let Item::Class(c) = &item {
            let same_module = same_module_class(graph, names, c);
            if let Some(first) = same_module {
                diags.push(diag::duplicate_class(
                    c.name_span,
                    &c.name,
                    class_spans[first.0],
                ));
                continue;
            }
        }
        let table_id = TableId(graph.tables.len());
        let class = match &item {
            Item::Class(c) => {
                let id = ClassId(graph.classes.len());
                graph.classes.push(Class::new(
                    c.name.clone(),
                    c.module.clone(),
                    c.name_span,
                    table_id,
                ));
                class_spans.push(c.name_span);
                names.classes.entry(c.name.clone()).or_default().push(id);
                if let Some(var) = &c.table_var {
                    names.table_vars.insert((c.file, var.clone()), table_id);
                }
                mapped.push((id, *c));
                Some(id)
            }
            Item::Table(t) => {
                if let Some(var) = &t.var {
                    names.table_vars.insert((t.file, var.clone()), table_id);
                }
                None
            }
        };
        names.tables.insert(name.clone(), table_id);
        table_spans.push(name_span);
        table_args.push((table_id, &args.constraints[..], &columns[..]));
        if let Item::Class(c) = &item {
            class_indexes.push((table_id, &c.indexes[..], &c.columns[..]));
        }
        let columns = columns.iter().map(column).collect();
        graph.tables.push(Table {
            name: table_name.clone(),
            module: module.clone(),
            span: name_span,
            class,
            columns,
            schema,
            metadata_schema,
            constraints: Vec::new(),
            options: args.options.clone(),
        });
        if let (Some(id), Item::Class(c)) = (class, &item) {
            super::inherit::own_table(graph, names, id, c);
        }
    }

    for (id, constraints, decls) in table_args.into_iter().chain(class_indexes) {
        constraints::apply(graph, id, constraints, decls, diags);
    }
    resolve_foreign_keys(graph, names, diags);
    inherit_foreign_key_types(graph);
    for (id, decl) in &mapped {
        check_columns(graph, *id, decl, diags);
    }
    super::inherit::check(graph, names, &mapped, diags);
    mapped
}

/// A class of the same name already mapped in the same module (a duplicate definition).
fn same_module_class(graph: &Graph, names: &Names, c: &ClassDecl) -> Option<ClassId> {
    names
        .classes
        .get(&c.name)?
        .iter()
        .copied()
        .find(|&id| graph.class(id).module == c.module)
}

/// A column as SQLAlchemy builds it. Nullability follows `Column.__init__` (`nullable` defaults
/// to `not primary_key`) and `MappedColumn._init_column_for_annotation` (an annotated
/// `mapped_column` without `nullable=` is nullable exactly when the annotation includes `None`,
/// primary key or not); an explicit `nullable=` always wins.
pub(super) fn column(decl: &ColumnDecl) -> Column {
    let annotated = decl
        .annotation
        .as_ref()
        .filter(|_| decl.style == ColumnStyle::Mapped);
    let nullable = match (decl.nullable, annotated) {
        (Some(n), _) => n,
        (None, Some(a)) => a.optional,
        (None, None) => !decl.primary_key,
    };
    // The explicit type wins, then the annotation's, which only a column without a
    // `ForeignKey(...)` takes (`MappedColumn._init_column_for_annotation`); a column with
    // neither takes its foreign key's type later (`ForeignKey._set_target_column`), else stays
    // `NullType`.
    let ty = decl
        .sql_type
        .clone()
        .or_else(|| {
            decl.annotation
                .as_ref()
                .filter(|_| decl.foreign_keys.is_empty())
                .and_then(|a| a.sql_type.clone())
        })
        .unwrap_or_else(|| SqlType {
            class: "NullType".into(),
            impl_class: None,
            kind: TypeKind::Unknown,
            span: decl.span,
            variants: None,
        });
    Column {
        attr: decl.attr.as_ref().map(|a| a.value.clone()),
        name: decl.name.clone(),
        ty,
        nullable,
        primary_key: decl.primary_key,
        unique: decl.unique.unwrap_or(false),
        index: decl.index.unwrap_or(false),
        default: decl.default.clone(),
        server_default: decl.server_default.clone(),
        comment: decl.comment.as_deref().map(Box::from),
        foreign_keys: decl
            .foreign_keys
            .iter()
            .map(|fk| ForeignKey {
                target: fk.target.clone(),
                column: None,
                span: fk.span,
                constraint: None,
                options: fk.options.clone(),
                class_attr: fk.class_attr.clone(),
            })
            .collect(),
        span: decl.span,
        ddl: decl.ddl.clone(),
    }
}

/// Points every `ForeignKey("table.column")` at its column; a missing table or column is
/// SQLAlchemy's `NoReferencedTableError` / `NoReferencedColumnError`.
fn resolve_foreign_keys(graph: &mut Graph, names: &Names, diags: &mut Vec<Diagnostic>) {
    // `ForeignKey(User.id)` with `User` of another module: its table and column, now that every
    // class is known.
    for t in 0..graph.tables.len() {
        for c in 0..graph.tables[t].columns.len() {
            for f in 0..graph.tables[t].columns[c].foreign_keys.len() {
                let Some((class, attr)) = graph.tables[t].columns[c].foreign_keys[f]
                    .class_attr
                    .clone()
                else {
                    continue;
                };
                let found = names
                    .unique_class(graph, &class)
                    .and_then(|id| super::relationships::class_column(graph, id, &attr));
                match found {
                    Some(col) => {
                        graph.tables[t].columns[c].foreign_keys[f].target = graph.qualified(col)
                    }
                    None => {
                        let fk = &graph.tables[t].columns[c].foreign_keys[f];
                        let column_name = format!(
                            "{}.{}",
                            graph.tables[t].fullname(),
                            graph.tables[t].columns[c].name
                        );
                        let written = format!("{class}.{attr}");
                        diags.push(diag::fk_unknown_table(
                            fk.span,
                            &column_name,
                            &written,
                            &class,
                        ));
                    }
                }
            }
        }
    }
    for t in 0..graph.tables.len() {
        for c in 0..graph.tables[t].columns.len() {
            for f in 0..graph.tables[t].columns[c].foreign_keys.len() {
                let fk = &graph.tables[t].columns[c].foreign_keys[f];
                let column_name = format!(
                    "{}.{}",
                    graph.tables[t].fullname(),
                    graph.tables[t].columns[c].name
                );
                let Some((table, col)) = fk.target.rsplit_once('.') else {
                    diags.push(diag::fk_malformed(fk.span, &fk.target));
                    continue;
                };
                // `ForeignKey._resolve_col_tokens`: a table without a schema is in the
                // metadata's default schema.
                let key = match &graph.tables[t].metadata_schema {
                    Some(s) if !table.contains('.') => format!("{s}.{table}"),
                    _ => table.to_owned(),
                };
                let table = key.as_str();
                let Some(&target) = names.tables.get(table) else {
                    // The table may be one of a class left out: not checked.
                    if !names.left_out.is_empty() {
                        diags.push(diag::fk_not_checked(fk.span, &column_name, &fk.target));
                        continue;
                    }
                    diags.push(diag::fk_unknown_table(
                        fk.span,
                        &column_name,
                        &fk.target,
                        table,
                    ));
                    continue;
                };
                let target_table = &graph.tables[target.0];
                match target_table.columns.iter().position(|x| x.name == col) {
                    Some(index) => {
                        graph.tables[t].columns[c].foreign_keys[f].column = Some(ColumnRef {
                            table: target,
                            index,
                        })
                    }
                    None => diags.push(diag::fk_unknown_column(
                        fk.span,
                        &column_name,
                        &fk.target,
                        table,
                        col,
                        target_table.span,
                    )),
                }
            }
        }
    }
}

/// A column declared with only a `ForeignKey` takes the referenced column's type
/// (`ForeignKey._set_target_column`), following chains of such columns.
fn inherit_foreign_key_types(graph: &mut Graph) {
    let total: usize = graph.tables.iter().map(|t| t.columns.len()).sum();
    for _ in 0..=total {
        let mut changed = false;
        for t in 0..graph.tables.len() {
            for c in 0..graph.tables[t].columns.len() {
                let col = &graph.tables[t].columns[c];
                if col.ty.class != "NullType" {
                    continue;
                }
                let Some(target) = col.foreign_keys.iter().find_map(|fk| fk.column) else {
                    continue;
                };
                let target_ty = graph.column(target).ty.clone();
                if target_ty.class != "NullType" {
                    let span = graph.tables[t].columns[c].ty.span;
                    graph.tables[t].columns[c].ty = SqlType { span, ..target_ty };
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// Checks SQLAlchemy makes when it maps a class: a primary key exists, and every annotated
/// column has a SQL type.
fn check_columns(graph: &Graph, id: ClassId, decl: &ClassDecl, diags: &mut Vec<Diagnostic>) {
    let class = graph.class(id);
    let table = graph.table(class.table);
    // A subclass maps its parent's primary key (`inherit::check` warns about a joined table
    // without one).
    if class.inherits.is_none() && !table.columns.iter().any(|c| c.primary_key) {
        diags.push(diag::no_primary_key(
            class.span,
            &class.name,
            &table.fullname(),
        ));
    }
    for col in &decl.columns {
        if let Some(a) = &col.annotation {
            if col.sql_type.is_none() && a.sql_type.is_none() && col.foreign_keys.is_empty() {
                let attr = col
                    .attr
                    .as_ref()
                    .map_or(col.name.as_str(), |a| a.value.as_str());
                diags.push(diag::no_sql_type(a.span, &class.name, attr, &a.python));
            }
        }
    }
}
