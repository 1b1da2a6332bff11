//! Mapper inheritance (`Mapper._configure_inheritance`, `_setup_inheriting_columns` in
//! `orm/decl_base.py`): single-table subclasses add their columns to the parent's table,
//! joined subclasses need a foreign key to the parent's table, and every class gets the list
//! of columns its mapper maps; then polymorphic settings.

use crate::IndexMap;

use super::join::{self, JoinError};
use super::relationships::class_column;
use super::tables::column;
use super::Names;
use crate::diagnostics::{self as diag, Diagnostic};
use crate::graph::{Class, ClassId, ColumnRef, Graph, InheritKind, Inherits, TableId};
use crate::ir::{ClassDecl, ColumnStyle, Identity};
use crate::source::Span;

/// A class that maps a table of its own (`table`, already registered): its parent, for joined
/// and concrete inheritance, and the columns its mapper maps.
pub(super) fn own_table(graph: &mut Graph, names: &Names, id: ClassId, decl: &ClassDecl) {
    let table = graph.class(id).table;
    let parent = decl
        .inherits
        .as_ref()
        .and_then(|p| names.class_seen_from(graph, &decl.module, &p.value));
    let kind = match decl.mapper_args.concrete {
        Some(_) => InheritKind::Concrete,
        None => InheritKind::Joined,
    };
    // A joined subclass maps its parent's columns first; its own column of the same attribute
    // (the primary key that is a foreign key to the parent's) takes the parent's place.
    let mut columns: Vec<ColumnRef> = match (parent, kind) {
        (Some(p), InheritKind::Joined) => graph.class(p).columns.clone(),
        _ => Vec::new(),
    };
    // Where each attribute first is in `columns`, so that a wide table is not quadratic.
    let mut at_attr: IndexMap<String, usize> = IndexMap::default();
    for (i, &c) in columns.iter().enumerate() {
        if let Some(a) = &graph.column(c).attr {
            at_attr.entry(a.clone()).or_insert(i);
        }
    }
    for index in 0..graph.table(table).columns.len() {
        let own = ColumnRef { table, index };
        let attr = graph.column(own).attr.clone();
        match attr.as_ref().and_then(|a| at_attr.get(a)) {
            Some(&at) => columns[at] = own,
            None => {
                if let Some(a) = attr {
                    at_attr.insert(a, columns.len());
                }
                columns.push(own);
            }
        }
    }
    let class = &mut graph.classes[id.0];
    class.columns = columns;
    class.inherits = parent.map(|parent| Inherits { parent, kind });
}

/// A single-table subclass (`decl` has no `__tablename__` and a mapped parent): its columns go
/// into the parent's table. Returns its id, or `None` when it cannot be mapped (reported).
pub(super) fn single_table(
    graph: &mut Graph,
    names: &mut Names,
    decl: &ClassDecl,
    diags: &mut Vec<Diagnostic>,
) -> Option<ClassId> {
    // A parent that failed to map was reported; its subclasses go with it.
    let parent = names.class_seen_from(graph, &decl.module, &decl.inherits.as_ref()?.value)?;
    let table = graph.class(parent).table;
    let id = ClassId(graph.classes.len());
    let mut columns = graph.class(parent).columns.clone();
    for col in &decl.columns {
        let t = graph.table(table);
        if let Some(index) = t.columns.iter().position(|c| c.name == col.name) {
            let existing = ColumnRef { table, index };
            if col.use_existing && col.style == ColumnStyle::Mapped {
                if !columns.contains(&existing) {
                    columns.push(existing);
                }
                continue;
            }
            let existing = graph.column(existing);
            diags.push(diag::single_table_column_conflict(
                col.span,
                &decl.name,
                &col.name,
                &t.name,
                existing.span,
            ));
            continue;
        }
        graph.tables[table.0].columns.push(column(col));
        columns.push(ColumnRef {
            table,
            index: graph.table(table).columns.len() - 1,
        });
    }
    let mut class = Class::new(
        decl.name.clone(),
        decl.module.clone(),
        decl.name_span,
        table,
    );
    class.columns = columns;
    class.inherits = Some(Inherits {
        parent,
        kind: InheritKind::Single,
    });
    graph.classes.push(class);
    names.classes.entry(decl.name.clone()).or_default().push(id);
    Some(id)
}

/// Checks and settings that need every table and foreign key: joined subclasses' inherit
/// conditions, then `polymorphic_on` and `polymorphic_identity`.
pub(super) fn check(
    graph: &mut Graph,
    names: &Names,
    mapped: &[(ClassId, &ClassDecl)],
    diags: &mut Vec<Diagnostic>,
) {
    // How long each table was when each mapper was built: the columns mapped by the classes
    // registered up to it (`mapped` is in registration order, as `graph.classes`).
    let mut upto = vec![0; graph.tables.len()];
    let mut registered = 0;
    for &(id, decl) in mapped {
        for class in graph.classes.get(registered..=id.0).unwrap_or_default() {
            for r in &class.columns {
                upto[r.table.0] = upto[r.table.0].max(r.index + 1);
            }
        }
        registered = registered.max(id.0 + 1);
        if let Some(Inherits {
            parent,
            kind: InheritKind::Joined,
        }) = graph.class(id).inherits
        {
            inherit_condition(graph, id, parent, decl, &upto, diags);
        }
    }
    for &(id, decl) in mapped {
        if let Some(on) = &decl.mapper_args.polymorphic_on {
            let owner = match &on.value.class {
                Some(c) => names.class_seen_from(graph, &decl.module, c),
                None => Some(id),
            };
            match owner.and_then(|o| class_column(graph, o, &on.value.attr)) {
                Some(col) => graph.classes[id.0].polymorphic_on = Some(col),
                None => diags.push(diag::unknown_column_reference(
                    on.span,
                    "`polymorphic_on`",
                    on.value.class.as_deref().unwrap_or(&decl.name),
                    &on.value.attr,
                )),
            }
        }
        graph.classes[id.0].polymorphic_identity = decl
            .mapper_args
            .polymorphic_identity
            .as_ref()
            .map(|i| i.value.clone());
    }
    identities(graph, mapped, diags);
}

/// `join_condition(parent.local_table, local_table)`: a joined subclass's table must have
/// exactly one foreign key to its parent's table (unless `inherit_condition=` says how they
/// join, which is not ported). A subclass column with the attribute name of a parent column it
/// is not joined to is combined with it, with SQLAlchemy's warning.
fn inherit_condition(
    graph: &Graph,
    id: ClassId,
    parent: ClassId,
    decl: &ClassDecl,
    upto: &[usize],
    diags: &mut Vec<Diagnostic>,
) {
    let table = graph.class(id).table;
    let parent_table = graph.class(parent).table;
    let name = |t: TableId| graph.table(t).name.clone();
    // The tables as they were when the mapper was built: columns mapped by classes registered
    // before this one (tables grow in registration order), and its own.
    let (parent_len, own_len) = (upto[parent_table.0], upto[table.0]);
    let existed = |r: ColumnRef| {
        (r.table == parent_table && r.index < parent_len) || (r.table == table && r.index < own_len)
    };
    let pairs = match join::inherit_condition(graph, parent_table, table, &existed) {
        Ok(pairs) => pairs,
        Err(_) if decl.mapper_args.inherit_condition.is_some() => return,
        Err(JoinError::NoForeignKeys) => {
            diags.push(diag::inherit_no_foreign_key(
                decl.name_span,
                &decl.name,
                &name(parent_table),
                &name(table),
            ));
            return;
        }
        Err(JoinError::Ambiguous(cols)) => {
            let cols: Vec<String> = cols.into_iter().map(|c| graph.qualified(c)).collect();
            diags.push(diag::inherit_ambiguous(
                decl.name_span,
                &decl.name,
                &name(parent_table),
                &name(table),
                &cols,
            ));
            return;
        }
    };
    let t = graph.table(table);
    if !t.columns.iter().any(|c| c.primary_key) {
        diags.push(diag::joined_without_primary_key(
            decl.name_span,
            &decl.name,
            &t.name,
        ));
    }
    // The parent's first column of each attribute.
    let mut parent_attrs: IndexMap<&str, ColumnRef> = IndexMap::default();
    for &c in &graph.class(parent).columns {
        if let Some(a) = &graph.column(c).attr {
            parent_attrs.entry(a).or_insert(c);
        }
    }
    for (index, col) in t.columns.iter().enumerate().take(own_len) {
        let own = ColumnRef { table, index };
        let Some(attr) = &col.attr else { continue };
        // `column_property(Column(...), Parent.col)` combines them on purpose.
        if decl.combined.contains(attr) {
            continue;
        }
        let Some(&p) = parent_attrs.get(attr.as_str()) else {
            continue;
        };
        if !pairs.iter().any(|x| x.referent == p && x.foreign == own) {
            diags.push(diag::combined_columns(
                col.span,
                attr,
                &graph.qualified(own),
                &graph.qualified(p),
                graph.column(p).span,
            ));
        }
    }
}

/// Polymorphic identities: one class per value in a hierarchy, and every subclass of a
/// polymorphic hierarchy has one (SQLAlchemy warns otherwise).
fn identities(graph: &Graph, mapped: &[(ClassId, &ClassDecl)], diags: &mut Vec<Diagnostic>) {
    let mut seen: Vec<(ClassId, &Identity, Span, &str)> = Vec::new();
    for &(id, decl) in mapped {
        let root = graph.root(id);
        if let Some(identity) = &decl.mapper_args.polymorphic_identity {
            if let Some(&(_, _, first_span, first)) = seen
                .iter()
                .find(|(r, i, _, _)| *r == root && **i == identity.value)
            {
                let shown = match &identity.value {
                    Identity::Str(s) => format!("{s:?}"),
                    Identity::Int(i) => i.to_string(),
                };
                diags.push(diag::duplicate_identity(
                    identity.span,
                    &shown,
                    &decl.name,
                    first,
                    first_span,
                ));
            } else {
                seen.push((root, &identity.value, identity.span, &decl.name));
            }
        } else if graph.class(id).inherits.is_some() && !decl.mapper_args.polymorphic_abstract {
            if let Some(on) = graph.class(root).polymorphic_on {
                diags.push(diag::missing_identity(
                    decl.name_span,
                    &decl.name,
                    &graph.qualified(on),
                ));
            }
        }
    }
}
