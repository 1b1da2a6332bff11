//! Join conditions and directions, after SQLAlchemy's `sql.util.join_condition` and
//! `JoinCondition` (`orm/relationships.py`).
//!
//! Each end of a relationship is a mapper's `persist_selectable`: a table, or for joined-table
//! inheritance the join of the ancestors' tables and the class's own, given here as the list of
//! its tables. The mapper's `local_table` is tried first (`a_subset`).

use std::collections::HashSet;

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

/// `join_condition(a, b, a_subset)` (`Join._joincond_scan_left_right`): the foreign key
/// constraints between `a_subset` (else all of `a`) and `b`, first those of `b` referring to
/// the left side, then those of the left side referring to `b`, each constraint with its column
/// pairs in column creation order. With `consider` (a relationship's `foreign_keys=`), only
/// foreign keys on those columns count, and among several constraints only those whose columns
/// are exactly `consider` (`_joincond_trim_constraints`). Several constraints that give the
/// same pairs are one; otherwise more than one is ambiguous.
pub fn join_condition(
    graph: &Graph,
    a: &[TableId],
    a_subset: Option<TableId>,
    b: &[TableId],
    consider: Option<&[ColumnRef]>,
) -> Result<Vec<FkPair>, JoinError> {
    scan_join(graph, a, a_subset, b, consider, &|_| true)
}

/// A joined subclass's inherit condition, `join_condition(parent.local_table, local_table)`,
/// computed when its mapper is built: over the columns that `existed` then (single-table
/// subclasses declared later add theirs after).
pub fn inherit_condition(
    graph: &Graph,
    parent: TableId,
    table: TableId,
    existed: &dyn Fn(ColumnRef) -> bool,
) -> Result<Vec<FkPair>, JoinError> {
    scan_join(graph, &[parent], None, &[table], None, existed)
}

fn scan_join(
    graph: &Graph,
    a: &[TableId],
    a_subset: Option<TableId>,
    b: &[TableId],
    consider: Option<&[ColumnRef]>,
    existed: &dyn Fn(ColumnRef) -> bool,
) -> Result<Vec<FkPair>, JoinError> {
    let mut constraints: Vec<(ConstraintKey, Vec<FkPair>)> = Vec::new();
    let subset = a_subset.map(|t| vec![t]);
    for left in subset.iter().map(Vec::as_slice).chain([a]) {
        let mut found: Vec<(u32, ConstraintKey, FkPair)> = Vec::new();
        let scan = |from: &[TableId], to: &[TableId], found: &mut Vec<_>| {
            for &table in from {
                for (index, col) in graph.table(table).columns.iter().enumerate() {
                    let foreign = ColumnRef { table, index };
                    if !existed(foreign) || consider.is_some_and(|c| !c.contains(&foreign)) {
                        continue;
                    }
                    for (f, fk) in col.foreign_keys.iter().enumerate() {
                        if let Some(referent) =
                            fk.column.filter(|r| to.contains(&r.table) && existed(*r))
                        {
                            let key = match fk.constraint {
                                Some(index) => ConstraintKey::Table { table, index },
                                None => ConstraintKey::Single {
                                    column: foreign,
                                    index: f,
                                },
                            };
                            // `sorted(fks, key=lambda fk: fk.parent._creation_order)`
                            found.push((col.span.start, key, FkPair { referent, foreign }));
                        }
                    }
                }
            }
        };
        let mut from_b = Vec::new();
        scan(b, left, &mut from_b);
        from_b.sort_by_key(|(order, _, _)| *order);
        found.extend(from_b);
        if left != b {
            let mut from_left = Vec::new();
            scan(left, b, &mut from_left);
            from_left.sort_by_key(|(order, _, _)| *order);
            found.extend(from_left);
        }
        for (_, key, pair) in found {
            match constraints.iter_mut().find(|(k, _)| *k == key) {
                Some((_, pairs)) => pairs.push(pair),
                None => constraints.push((key, vec![pair])),
            }
        }
        if !constraints.is_empty() {
            break;
        }
    }
    if constraints.len() > 1 {
        let candidates: Vec<ColumnRef> = constraints
            .iter()
            .flat_map(|(_, pairs)| pairs.iter().map(|p| p.foreign))
            .collect();
        if let Some(consider) = consider {
            // Only constraints whose columns are exactly `foreign_keys=` stay.
            let wanted: HashSet<ColumnRef> = consider.iter().copied().collect();
            constraints.retain(|(key, _)| {
                constraint_columns(graph, *key)
                    .into_iter()
                    .collect::<HashSet<_>>()
                    == wanted
            });
        }
        let first = constraints.first().map(|(_, p)| p.clone());
        if first.is_some_and(|f| constraints.iter().all(|(_, p)| *p == f)) {
            constraints.truncate(1);
        }
        if constraints.len() != 1 {
            return Err(JoinError::Ambiguous(candidates));
        }
    }
    match constraints.pop() {
        Some((_, pairs)) => Ok(pairs),
        None => Err(JoinError::NoForeignKeys),
    }
}

/// The two ends of a relationship without a secondary table.
pub struct Ends<'a> {
    /// The parent's `persist_selectable` and `local_table`.
    pub parent: &'a [TableId],
    pub parent_local: TableId,
    /// The target's `persist_selectable` and `local_table`.
    pub child: &'a [TableId],
    pub child_local: TableId,
}

/// `ArgumentError`: "Can't determine relationship direction".
#[derive(Debug, PartialEq, Eq)]
pub struct DirectionError;

/// One `referent == foreign` equality with its annotations.
struct Binary {
    cols: [ColumnRef; 2],
    foreign: [bool; 2],
    remote: [bool; 2],
}

/// The direction and `(local, remote)` pairs of a relationship without a secondary table:
/// `_annotate_fks`, `_annotate_remote`, `_annotate_local`, `_determine_direction` and
/// `_setup_pairs`. `consider` is `foreign_keys=`, `remote_side` is `remote_side=`.
pub fn direction(
    graph: &Graph,
    ends: &Ends,
    pairs: &[FkPair],
    consider: Option<&[ColumnRef]>,
    remote_side: Option<&[ColumnRef]>,
) -> Result<(Direction, Vec<(ColumnRef, ColumnRef)>), DirectionError> {
    let references = |a: ColumnRef, b: ColumnRef| {
        graph
            .column(a)
            .foreign_keys
            .iter()
            .any(|fk| fk.column == Some(b))
    };
    let in_parent = |c: ColumnRef| ends.parent.contains(&c.table);
    let in_child = |c: ColumnRef| ends.child.contains(&c.table);
    let mut binaries: Vec<Binary> = pairs
        .iter()
        .map(|p| {
            let cols = [p.referent, p.foreign];
            let foreign = match consider {
                Some(c) => [c.contains(&cols[0]), c.contains(&cols[1])],
                None if references(cols[0], cols[1]) => [true, false],
                None if references(cols[1], cols[0]) => [false, true],
                None => [false, false],
            };
            Binary {
                cols,
                foreign,
                remote: [false; 2],
            }
        })
        .collect();

    // `_refers_to_parent_table`: both columns of an equality in tables of both ends.
    let refers_to_parent = binaries
        .iter()
        .any(|b| b.cols.iter().all(|&c| in_parent(c) && in_child(c)));
    let overlap = ends.parent.iter().any(|t| ends.child.contains(t));
    for b in &mut binaries {
        let equated = b.cols[0] == b.cols[1];
        match remote_side {
            // `_annotate_selfref`, with `remote_side=` or with the foreign keys as remote.
            Some(rs) if refers_to_parent => {
                b.remote = [rs.contains(&b.cols[0]), rs.contains(&b.cols[1]) && !equated];
            }
            Some(rs) => b.remote = [rs.contains(&b.cols[0]), rs.contains(&b.cols[1])],
            None if refers_to_parent => b.remote = [b.foreign[0], b.foreign[1] && !equated],
            // `_annotate_remote_with_overlap`
            None if overlap => {
                b.remote[1] = in_child(b.cols[1]) && in_parent(b.cols[0]);
                b.remote[0] = in_child(b.cols[0]) && in_parent(b.cols[1]);
            }
            // `_annotate_remote_distinct_selectables`
            None => {
                for i in 0..2 {
                    let t = b.cols[i].table;
                    b.remote[i] =
                        in_child(b.cols[i]) && (t != ends.parent_local || t == ends.child_local);
                }
            }
        }
    }

    // `_determine_direction`
    let fk_cols: Vec<ColumnRef> = binaries
        .iter()
        .flat_map(|b| (0..2).filter(|&i| b.foreign[i]).map(|i| b.cols[i]))
        .collect();
    let onetomany_fk = fk_cols.iter().any(|&c| in_child(c));
    let manytoone_fk = fk_cols.iter().any(|&c| in_parent(c));
    let direction = match (onetomany_fk, manytoone_fk) {
        (true, true) => {
            let occurrences = || binaries.iter().flat_map(|b| (0..2).map(move |i| (b, i)));
            let mut onetomany: Vec<ColumnRef> = occurrences()
                .filter(|(b, i)| b.remote[*i] && b.foreign[*i])
                .map(|(b, i)| b.cols[i])
                .collect();
            let mut manytoone: Vec<ColumnRef> = occurrences()
                .filter(|(b, i)| b.foreign[*i] && !b.remote[*i])
                .map(|(b, i)| b.cols[i])
                .collect();
            if !onetomany.is_empty() && !manytoone.is_empty() {
                // Columns both remote and local somewhere refer to themselves.
                let remote: Vec<ColumnRef> = occurrences()
                    .filter(|(b, i)| b.remote[*i])
                    .map(|(b, i)| b.cols[i])
                    .collect();
                let local: Vec<ColumnRef> = occurrences()
                    .filter(|(b, i)| !b.remote[*i] && in_parent(b.cols[*i]))
                    .map(|(b, i)| b.cols[i])
                    .collect();
                let self_equated = |c: &ColumnRef| remote.contains(c) && local.contains(c);
                onetomany.retain(|c| !self_equated(c));
                manytoone.retain(|c| !self_equated(c));
            }
            match (onetomany.is_empty(), manytoone.is_empty()) {
                (false, true) => Direction::OneToMany,
                (true, false) => Direction::ManyToOne,
                _ => return Err(DirectionError),
            }
        }
        (true, false) => Direction::OneToMany,
        (false, true) => Direction::ManyToOne,
        (false, false) => return Err(DirectionError),
    };

    // `_setup_pairs`: `(local, remote)` in the join's order, each once.
    let mut lr: Vec<(ColumnRef, ColumnRef)> = Vec::new();
    for b in &binaries {
        let pair = match b.remote {
            [false, true] => (b.cols[0], b.cols[1]),
            [true, false] => (b.cols[1], b.cols[0]),
            _ => continue,
        };
        if !lr.contains(&pair) {
            lr.push(pair);
        }
    }
    Ok((direction, lr))
}

/// The `(local, remote)` pairs of one join with a secondary table, whose columns are the remote
/// side (`_annotate_remote_secondary`).
pub fn secondary_pairs(pairs: &[FkPair], secondary: TableId) -> Vec<(ColumnRef, ColumnRef)> {
    let mut lr: Vec<(ColumnRef, ColumnRef)> = Vec::new();
    for p in pairs {
        let pair = match (p.referent.table == secondary, p.foreign.table == secondary) {
            (false, true) => (p.referent, p.foreign),
            (true, false) => (p.foreign, p.referent),
            _ => continue,
        };
        if !lr.contains(&pair) {
            lr.push(pair);
        }
    }
    lr
}
