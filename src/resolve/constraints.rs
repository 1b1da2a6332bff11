//! Table arguments applied to the tables: constraints and indexes find their columns
//! (`ColumnCollectionMixin._col_expressions`, which raises `ConstraintColumnNotFoundError` for a
//! missing one), a `PrimaryKeyConstraint` makes its columns primary keys
//! (`PrimaryKeyConstraint._set_parent`), and a `ForeignKeyConstraint` gives each of its columns
//! a foreign key that belongs to the one constraint.

use crate::diagnostics::{self as diag, Diagnostic};
use crate::graph::{Constraint, ForeignKey, Graph, TableId};
use crate::ir::{ColumnDecl, ConstraintColumn, ConstraintDecl, ConstraintKind};

/// The SQLAlchemy class name of a constraint kind, for messages.
fn class_name(kind: &ConstraintKind) -> &'static str {
    match kind {
        ConstraintKind::PrimaryKey => "PrimaryKeyConstraint",
        ConstraintKind::Unique => "UniqueConstraint",
        ConstraintKind::Index { .. } => "Index",
        ConstraintKind::Check { .. } => "CheckConstraint",
        ConstraintKind::ForeignKey { .. } => "ForeignKeyConstraint",
    }
}

/// Applies constraints and indexes to `table`, whose columns were declared by `decls`.
pub(super) fn apply(
    graph: &mut Graph,
    table: TableId,
    constraints: &[ConstraintDecl],
    decls: &[ColumnDecl],
    diags: &mut Vec<Diagnostic>,
) {
    for c in constraints {
        let t = graph.table(table);
        let mut columns = Vec::new();
        for name in &c.columns {
            // A string is the column's name; a class attribute is found by attribute first.
            let found = match &name.value {
                ConstraintColumn::Name(n) => t.columns.iter().position(|col| &col.name == n),
                ConstraintColumn::Attribute(a) => t
                    .columns
                    .iter()
                    .position(|col| col.attr.as_deref() == Some(a))
                    .or_else(|| t.columns.iter().position(|col| &col.name == a)),
            };
            match found {
                Some(i) => columns.push(i),
                None => {
                    let (ConstraintColumn::Name(n) | ConstraintColumn::Attribute(n)) = &name.value;
                    diags.push(diag::constraint_unknown_column(
                        name.span,
                        class_name(&c.kind),
                        &t.fullname(),
                        n,
                        t.span,
                    ));
                }
            }
        }
        if columns.len() != c.columns.len() {
            continue;
        }
        let index = graph.tables[table.0].constraints.len();
        match &c.kind {
            ConstraintKind::PrimaryKey => {
                for &i in &columns {
                    let col = &mut graph.tables[table.0].columns[i];
                    col.primary_key = true;
                    // Only a column whose `nullable=` was not given becomes NOT NULL.
                    if decls.get(i).is_some_and(|d| d.nullable.is_none()) {
                        col.nullable = false;
                    }
                }
            }
            ConstraintKind::ForeignKey { targets, .. } => {
                for (&i, target) in columns.iter().zip(targets) {
                    graph.tables[table.0].columns[i]
                        .foreign_keys
                        .push(ForeignKey {
                            target: target.value.clone(),
                            column: None,
                            span: target.span,
                            constraint: Some(index),
                            options: Default::default(),
                            class_attr: None,
                        });
                }
            }
            _ => {}
        }
        graph.tables[table.0].constraints.push(Constraint {
            kind: c.kind.clone(),
            name: c.name.clone(),
            columns,
            expressions: c.expressions.clone(),
            span: c.span,
            ddl: c.ddl.clone(),
        });
    }
}
