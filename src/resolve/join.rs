//! Join conditions and directions, after SQLAlchemy's `sql.util.join_condition` and
//! `JoinCondition._determine_direction` (`orm/relationships.py`).

use std::collections::HashSet;

use indexmap::IndexMap;

use crate::graph::{ColumnRef, Direction, Graph, TableId};

/// One equality of a join: the referenced column and the column holding the foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FkPair {
    pub referent: ColumnRef,
    pub foreign: ColumnRef,
}

#[derive(Debug, PartialEq, Eq)]
pub enum JoinError {
    /// `NoForeignKeysError`.
    NoForeignKeys,
    /// `AmbiguousForeignKeysError`, with the foreign key columns that compete.
    Ambiguous(Vec<ColumnRef>),
}

/// A foreign key constraint, as `join_condition` groups foreign keys: a `ForeignKey(...)` column
/// argument is a constraint of its own; the foreign keys of a `ForeignKeyConstraint` are one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ConstraintKey {
    /// The `index`-th foreign key of column `column`.
    Single { column: ColumnRef, index: usize },
    /// The `index`-th table constraint of `table`.
    Table { table: TableId, index: usize },
}

/// The columns a constraint's foreign keys sit on (`{f.parent for f in const.elements}`).
fn constraint_columns(graph: &Graph, key: ConstraintKey) -> Vec<ColumnRef> {
    match key {
        ConstraintKey::Single { column, .. } => vec![column],
        ConstraintKey::Table { table, index } => graph
            .table(table)
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.foreign_keys.iter().any(|f| f.constraint == Some(index)))
            .map(|(i, _)| ColumnRef { table, index: i })
            .collect(),
    }
}

/// `join_condition(a, b)`: the foreign key constraints between two tables, first those of `b`
/// referring to `a`, then those of `a` referring to `b` (`_joincond_scan_left_right`), each
/// constraint with its column pairs in column creation order. With `consider` (a relationship's
/// `foreign_keys=`), only foreign keys on those columns count, and among several constraints only
/// those whose columns are exactly `consider` (`_joincond_trim_constraints`). Several constraints
/// that give the same pairs are one; otherwise more than one is ambiguous.
pub fn join_condition(
    graph: &Graph,
    a: TableId,
    b: TableId,
    consider: Option<&[ColumnRef]>,
) -> Result<Vec<FkPair>, JoinError> {
    let mut constraints: IndexMap<ConstraintKey, Vec<FkPair>> = IndexMap::new();
    let mut scan = |from: TableId, to: TableId| {
        let mut fks: Vec<(u32, ConstraintKey, FkPair)> = Vec::new();
        for (index, col) in graph.table(from).columns.iter().enumerate() {
            let foreign = ColumnRef { table: from, index };
            if consider.is_some_and(|c| !c.contains(&foreign)) {
                continue;
            }
            for (k, fk) in col.foreign_keys.iter().enumerate() {
                if let Some(referent) = fk.column.filter(|r| r.table == to) {
                    let key = match fk.constraint {
                        Some(index) => ConstraintKey::Table { table: from, index },
                        None => ConstraintKey::Single {
                            column: foreign,
                            index: k,
                        },
                    };
                    // `sorted(b.foreign_keys, key=lambda fk: fk.parent._creation_order)`
                    fks.push((col.span.start, key, FkPair { referent, foreign }));
                }
            }
        }
        fks.sort_by_key(|(order, _, _)| *order);
        for (_, key, pair) in fks {
            constraints.entry(key).or_default().push(pair);
        }
    };
    scan(b, a);
    if a != b {
        scan(a, b);
    }
    if constraints.len() > 1 {
        let competing: Vec<ColumnRef> = constraints
            .values()
            .flat_map(|c| c.iter().map(|p| p.foreign))
            .collect();
        if let Some(consider) = consider {
            let wanted: HashSet<ColumnRef> = consider.iter().copied().collect();
            constraints.retain(|key, _| {
                constraint_columns(graph, *key)
                    .into_iter()
                    .collect::<HashSet<_>>()
                    == wanted
            });
        }
        if constraints.len() > 1 {
            let first = &constraints[0];
            if constraints.values().all(|c| c == first) {
                constraints.truncate(1);
            }
        }
        if constraints.len() != 1 {
            return Err(JoinError::Ambiguous(competing));
        }
    }
    match constraints.into_iter().next() {
        None => Err(JoinError::NoForeignKeys),
        Some((_, pairs)) => Ok(pairs),
    }
}

/// The direction and `(local, remote)` pairs of a relationship from `parent` to `child` without
/// a secondary table (`_determine_direction`, `_setup_pairs`). For a self-referential join the
/// remote side is `remote_side` when given, else the foreign key columns (one-to-many).
pub fn direction(
    parent: TableId,
    child: TableId,
    pairs: &[FkPair],
    remote_side: Option<&[ColumnRef]>,
) -> (Direction, Vec<(ColumnRef, ColumnRef)>) {
    let is_remote = |p: &FkPair| -> bool {
        if parent == child {
            match remote_side {
                Some(remote) => remote.contains(&p.foreign),
                None => true,
            }
        } else {
            p.foreign.table == child
        }
    };
    // Self-referential with `remote_side`: the pairs whose foreign column is remote point
    // one-to-many; foreign columns that are not remote point many-to-one.
    let onetomany = pairs.iter().any(is_remote);
    let direction = if onetomany {
        Direction::OneToMany
    } else {
        Direction::ManyToOne
    };
    let lr = pairs
        .iter()
        .map(|p| {
            if is_remote(p) {
                (p.referent, p.foreign)
            } else {
                (p.foreign, p.referent)
            }
        })
        .collect();
    (direction, lr)
}
