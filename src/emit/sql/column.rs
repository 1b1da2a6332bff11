//! What SQLAlchemy decides about a table's columns beyond their types: which column
//! autoincrements (`PrimaryKeyConstraint._autoincrement_column`), the primary key's column
//! order, SQLite's `AUTOINCREMENT` and conflict clauses, and the clauses `Identity(...)`,
//! `Computed(...)` and `Sequence(...)` add.

use crate::graph::{Column, Table};
use crate::ir::{
    Autoincrement, ColumnDdl, ComputedDdl, IdentityDdl, IdentityOptions, SequenceDdl, TypeKind,
};

fn ddl(col: &Column) -> Option<&ColumnDdl> {
    col.ddl.as_deref()
}

fn autoincrement(col: &Column) -> Autoincrement {
    ddl(col).map_or(Autoincrement::Auto, |d| d.autoincrement)
}

pub(super) fn sequence(col: &Column) -> Option<&SequenceDdl> {
    ddl(col)?.sequence.as_ref()
}

pub(super) fn identity(col: &Column) -> Option<&IdentityDdl> {
    ddl(col)?.identity.as_ref()
}

pub(super) fn computed(col: &Column) -> Option<&ComputedDdl> {
    ddl(col)?.computed.as_ref()
}

/// SQLite's `sqlite_on_conflict_not_null=` / `_primary_key=` / `_unique=` of a column.
pub(super) fn on_conflict_not_null(col: &Column) -> Option<&str> {
    ddl(col)?.sqlite_on_conflict_not_null.as_deref()
}

pub(super) fn on_conflict_primary_key(col: &Column) -> Option<&str> {
    ddl(col)?.sqlite_on_conflict_primary_key.as_deref()
}

pub(super) fn on_conflict_unique(col: &Column) -> Option<&str> {
    ddl(col)?.sqlite_on_conflict_unique.as_deref()
}

/// Of SQLAlchemy's `Integer` affinity (`SmallInteger`, `Integer`, `BigInteger`).
fn integer(col: &Column) -> bool {
    matches!(
        col.ty.kind,
        TypeKind::Int16 | TypeKind::Int32 | TypeKind::Int64
    )
}

/// The primary key's columns, by position, in the constraint's order when a
/// `PrimaryKeyConstraint` names them, else in table order.
pub(super) fn primary_key(table: &Table) -> Vec<usize> {
    let named = table
        .constraints
        .iter()
        .find(|c| c.kind == crate::ir::ConstraintKind::PrimaryKey)
        .filter(|c| !c.columns.is_empty());
    match named {
        Some(c) => c
            .columns
            .iter()
            .copied()
            .filter(|&i| i < table.columns.len())
            .collect(),
        None => (0..table.columns.len())
            .filter(|&i| table.columns[i].primary_key)
            .collect(),
    }
}

/// The column SQLAlchemy makes autoincrementing (`PrimaryKeyConstraint._autoincrement_column`):
/// the only primary key column, of an integer type, with `autoincrement` left `"auto"` (or
/// `"ignore_fk"`), no Python or server default other than a sequence or identity, and not a
/// foreign key unless `"ignore_fk"`; or the one key column given `autoincrement=True`.
pub(super) fn autoincrement_column(table: &Table, pk: &[usize]) -> Option<usize> {
    let valid = |i: usize, explicit: bool| {
        let col = &table.columns[i];
        let generated = col.server_default.is_some() || computed(col).is_some();
        integer(col)
            && (explicit || (col.default.is_none() && !generated))
            && (col.foreign_keys.is_empty()
                || matches!(
                    autoincrement(col),
                    Autoincrement::Yes | Autoincrement::IgnoreFk
                ))
    };
    if let [i] = *pk {
        return match autoincrement(&table.columns[i]) {
            Autoincrement::Yes => valid(i, true).then_some(i),
            Autoincrement::Auto | Autoincrement::IgnoreFk => valid(i, false).then_some(i),
            Autoincrement::No => None,
        };
    }
    pk.iter()
        .copied()
        .find(|&i| autoincrement(&table.columns[i]) == Autoincrement::Yes)
        .filter(|&i| valid(i, true))
}

/// Whether SQLite declares column `i`, the table's only key column, inline with
/// `AUTOINCREMENT`: under the table option `sqlite_autoincrement=True`, for a key of an integer
/// type that is not a foreign key.
pub(super) fn sqlite_autoincrement(table: &Table, i: usize) -> bool {
    let col = &table.columns[i];
    let option = table
        .options
        .iter()
        .any(|(k, v)| k == "sqlite_autoincrement" && v == "True");
    option && col.primary_key && integer(col) && col.foreign_keys.is_empty()
}

/// SQLAlchemy's `get_identity_options`: the options in its order, space separated.
pub(super) fn identity_options(o: &IdentityOptions) -> String {
    let mut parts = Vec::new();
    if let Some(v) = o.increment {
        parts.push(format!("INCREMENT BY {v}"));
    }
    if let Some(v) = o.start {
        parts.push(format!("START WITH {v}"));
    }
    if let Some(v) = o.minvalue {
        parts.push(format!("MINVALUE {v}"));
    }
    if let Some(v) = o.maxvalue {
        parts.push(format!("MAXVALUE {v}"));
    }
    // Any value given but `None` writes these, `False` included, as SQLAlchemy does.
    if o.nominvalue.is_some() {
        parts.push("NO MINVALUE".to_owned());
    }
    if o.nomaxvalue.is_some() {
        parts.push("NO MAXVALUE".to_owned());
    }
    if let Some(v) = o.cache {
        parts.push(format!("CACHE {v}"));
    }
    if let Some(cycle) = o.cycle {
        parts.push(if cycle { "CYCLE" } else { "NO CYCLE" }.to_owned());
    }
    parts.join(" ")
}

/// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [(options)]`.
pub(super) fn identity_clause(identity: &IdentityDdl) -> String {
    let mut text = format!(
        "GENERATED {} AS IDENTITY",
        if identity.always {
            "ALWAYS"
        } else {
            "BY DEFAULT"
        }
    );
    let options = identity_options(&identity.options);
    if !options.is_empty() {
        text.push_str(&format!(" ({options})"));
    }
    text
}

/// `GENERATED ALWAYS AS (sql) [STORED | VIRTUAL]`, for an expression sa2rs has as SQL.
pub(super) fn computed_clause(computed: &ComputedDdl) -> Option<String> {
    let sql = computed.sql.as_deref()?;
    let persisted = match computed.persisted {
        Some(true) => " STORED",
        Some(false) => " VIRTUAL",
        None => "",
    };
    Some(format!("GENERATED ALWAYS AS ({sql}){persisted}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_options_are_written_in_sqlalchemys_order() {
        let o = IdentityOptions {
            start: Some(1),
            increment: Some(2),
            minvalue: Some(-5),
            maxvalue: None,
            nominvalue: None,
            nomaxvalue: Some(false),
            cycle: Some(false),
            cache: Some(3),
        };
        assert_eq!(
            identity_options(&o),
            "INCREMENT BY 2 START WITH 1 MINVALUE -5 NO MAXVALUE CACHE 3 NO CYCLE"
        );
        let span = crate::source::Span::new(0, 0, 0);
        let always = IdentityDdl {
            always: true,
            options: o,
            span,
        };
        assert_eq!(
            identity_clause(&always),
            "GENERATED ALWAYS AS IDENTITY (INCREMENT BY 2 START WITH 1 MINVALUE -5 NO MAXVALUE CACHE 3 NO CYCLE)"
        );
        let plain = IdentityDdl {
            always: false,
            options: IdentityOptions::default(),
            span,
        };
        assert_eq!(identity_clause(&plain), "GENERATED BY DEFAULT AS IDENTITY");
    }
}
