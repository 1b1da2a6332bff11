//! Join conditions and directions, after SQLAlchemy's `sql.util.join_condition` and
//! `JoinCondition._determine_direction` (`orm/relationships.py`).

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

/// `join_condition(a, b)`: the foreign key constraints between two tables, first those of `b`
/// referring to `a`, then those of `a` referring to `b` (`_joincond_scan_left_right`). Each
/// `ForeignKey` is its own constraint. More than one distinct constraint is ambiguous. With
/// `consider` (a relationship's `foreign_keys=`), only foreign keys on those columns count.
pub fn join_condition(
    graph: &Graph,
    a: TableId,
    b: TableId,
    consider: Option<&[ColumnRef]>,
) -> Result<Vec<FkPair>, JoinError> {
    let mut constraints: Vec<Vec<FkPair>> = Vec::new();
    let mut scan = |from: TableId, to: TableId| {
        let mut fks: Vec<(u32, FkPair)> = Vec::new();
        for (index, col) in graph.table(from).columns.iter().enumerate() {
            let foreign = ColumnRef { table: from, index };
            if consider.is_some_and(|c| !c.contains(&foreign)) {
                continue;
            }
            for fk in &col.foreign_keys {
                if let Some(referent) = fk.column.filter(|r| r.table == to) {
                    // `sorted(b.foreign_keys, key=lambda fk: fk.parent._creation_order)`
                    fks.push((
                        col.span.start,
                        FkPair {
                            referent,
                            foreign: ColumnRef { table: from, index },
                        },
                    ));
                }
            }
        }
        fks.sort_by_key(|(order, _)| *order);
        constraints.extend(fks.into_iter().map(|(_, p)| vec![p]));
    };
    scan(b, a);
    if a != b {
        scan(a, b);
    }
    constraints.dedup();
    match constraints.len() {
        0 => Err(JoinError::NoForeignKeys),
        1 => Ok(constraints.remove(0)),
        _ => Err(JoinError::Ambiguous(
            constraints
                .iter()
                .flat_map(|c| c.iter().map(|p| p.foreign))
                .collect(),
        )),
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
