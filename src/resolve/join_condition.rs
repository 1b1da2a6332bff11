//! Explicit join conditions, after SQLAlchemy's `_JoinCondition` (`orm/relationships.py`): the
//! `foreign` / `remote` / `local` annotations of every column occurrence, the local/remote
//! pairs, the direction, and the checks that make SQLAlchemy refuse a join.
//!
//! A join condition is a small expression tree ([`Node`]) whose column occurrences carry their
//! annotations, as SQLAlchemy's annotated clause elements do: the same column may be foreign in
//! one place and not in another.

use std::collections::VecDeque;

use crate::graph::{ColumnRef, Direction, Graph, TableId};

/// The annotations SQLAlchemy puts on one occurrence of a column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ann {
    pub foreign: bool,
    pub remote: bool,
    pub local: bool,
}

/// A binary operator, as far as the join rules tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `operators.eq`.
    Eq,
    /// Another comparison (`operators.is_comparison`).
    Comparison,
    /// Not a comparison (`+`, ...).
    Other,
}

/// A join condition's expression tree.
#[derive(Debug, Clone)]
pub enum Node {
    /// One occurrence of a table column (`ColumnClause`).
    Column { col: ColumnRef, ann: Ann },
    /// A `BinaryExpression`.
    Binary {
        op: Op,
        left: Box<Node>,
        right: Box<Node>,
    },
    /// Any other element, with the elements inside it (`and_`, functions, literals).
    Group(Vec<Node>),
}

impl Node {
    /// The join `join_condition` builds: `and_(referent == foreign, ...)`.
    pub fn equalities(pairs: impl IntoIterator<Item = (ColumnRef, ColumnRef)>) -> Node {
        Node::Group(
            pairs
                .into_iter()
                .map(|(referent, foreign)| Node::Binary {
                    op: Op::Eq,
                    left: Box::new(Node::column(referent)),
                    right: Box::new(Node::column(foreign)),
                })
                .collect(),
        )
    }

    pub fn column(col: ColumnRef) -> Node {
        Node::Column {
            col,
            ann: Ann::default(),
        }
    }

    fn column_ref(&self) -> Option<ColumnRef> {
        match self {
            Node::Column { col, .. } => Some(*col),
            _ => None,
        }
    }

    fn ann(&self) -> Ann {
        match self {
            Node::Column { ann, .. } => *ann,
            _ => Ann::default(),
        }
    }

    /// Every column occurrence (`replacement_traverse` over columns).
    pub fn for_each_column(&mut self, f: &mut impl FnMut(ColumnRef, &mut Ann)) {
        match self {
            Node::Column { col, ann } => f(*col, ann),
            Node::Binary { left, right, .. } => {
                left.for_each_column(f);
                right.for_each_column(f);
            }
            Node::Group(items) => items.iter_mut().for_each(|n| n.for_each_column(f)),
        }
    }

    /// Every binary expression, with its operands (`cloned_traverse` visiting `binary`).
    fn for_each_binary(&mut self, f: &mut impl FnMut(Op, &mut Node, &mut Node)) {
        match self {
            Node::Column { .. } => {}
            Node::Binary { op, left, right } => {
                left.for_each_binary(f);
                right.for_each_binary(f);
                f(*op, left, right);
            }
            Node::Group(items) => items.iter_mut().for_each(|n| n.for_each_binary(f)),
        }
    }

    /// Column occurrences in `visitors.iterate` order (breadth first).
    fn iterate_columns(&self) -> Vec<(ColumnRef, Ann)> {
        let mut out = Vec::new();
        let mut queue = VecDeque::from([self]);
        while let Some(node) = queue.pop_front() {
            match node {
                Node::Column { col, ann } => out.push((*col, *ann)),
                Node::Binary { left, right, .. } => {
                    queue.push_back(left);
                    queue.push_back(right);
                }
                Node::Group(items) => queue.extend(items),
            }
        }
        out
    }

    /// `_has_annotation`: whether any column occurrence has the annotation.
    fn has(&self, pick: fn(Ann) -> bool) -> bool {
        self.iterate_columns().iter().any(|(_, a)| pick(*a))
    }

    /// `_deep_deannotate(..., values=("local", "remote"))`, or of everything.
    pub fn without_annotations(&self, keep_foreign: bool) -> Node {
        let mut copy = self.clone();
        copy.for_each_column(&mut |_, ann| {
            *ann = Ann {
                foreign: keep_foreign && ann.foreign,
                ..Ann::default()
            }
        });
        copy
    }

    /// `primaryjoin_reverse_remote` with user `remote()` annotations: local and remote swap.
    pub fn reversed_remote(&self) -> Node {
        let mut copy = self.clone();
        copy.for_each_column(&mut |_, ann| {
            if ann.remote {
                ann.remote = false;
                ann.local = true;
            } else if ann.local {
                ann.local = false;
                ann.remote = true;
            }
        });
        copy
    }
}

/// What a relationship's join is configured from.
pub struct Setup<'a> {
    pub graph: &'a Graph,
    /// The declaring class's table and the target's.
    pub parent: TableId,
    pub child: TableId,
    pub secondary: Option<TableId>,
    pub primaryjoin: Node,
    pub secondaryjoin: Option<Node>,
    /// `foreign_keys=` (`consider_as_foreign_keys`), when given and not empty.
    pub consider: Option<&'a [ColumnRef]>,
    /// `remote_side=`, when given and not empty.
    pub remote_side: Option<&'a [ColumnRef]>,
    /// `viewonly=True` (SQLAlchemy's `support_sync` is its negation).
    pub viewonly: bool,
}

/// A configured join.
#[derive(Debug, Clone)]
pub struct Configured {
    pub direction: Direction,
    /// `local_remote_pairs` found in the primary join, then those of the secondary join.
    pub pairs: Pairs,
    pub secondary_pairs: Pairs,
    /// The annotated joins, and whether the user annotated them, for a `backref`.
    pub primaryjoin: Node,
    pub secondaryjoin: Option<Node>,
    pub user_foreign: bool,
    pub user_remote: bool,
}

/// Where SQLAlchemy refuses the join (each raises `ArgumentError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// "Could not locate any relevant foreign key columns for primary/secondary join condition".
    NoForeignColumns { primary: bool },
    /// "Could not locate any simple equality expressions involving locally mapped foreign key
    /// columns".
    NoEquality { primary: bool },
    /// "Can't determine relationship direction ... present in both the parent and the child's
    /// mapped tables", with the foreign key columns.
    DirectionAmbiguous(Vec<ColumnRef>),
    /// "... foreign key columns are present in neither the parent nor the child's mapped tables",
    /// with the foreign key columns.
    DirectionNone(Vec<ColumnRef>),
    /// "could not determine any unambiguous local/remote column pairs".
    NoPairs,
}

/// `_JoinCondition.__init__` from `_annotate_fks` on, for joins already determined.
pub fn configure(setup: Setup) -> Result<Configured, Refusal> {
    let Setup {
        graph,
        parent,
        child,
        secondary,
        mut primaryjoin,
        mut secondaryjoin,
        consider,
        remote_side,
        viewonly,
    } = setup;

    // `_annotate_fks`
    let user_foreign = primaryjoin.has(|a| a.foreign);
    if !user_foreign {
        for join in std::iter::once(&mut primaryjoin).chain(secondaryjoin.as_mut()) {
            match consider {
                Some(cols) => join.for_each_column(&mut |c, ann| {
                    if cols.contains(&c) {
                        ann.foreign = true;
                    }
                }),
                None => annotate_present_fks(graph, join, secondary),
            }
        }
    }

    // `_annotate_remote`
    let user_remote = primaryjoin.has(|a| a.remote);
    if !user_remote {
        if let Some(sec) = secondary {
            for join in std::iter::once(&mut primaryjoin).chain(secondaryjoin.as_mut()) {
                join.for_each_column(&mut |c, ann| {
                    if c.table == sec {
                        ann.remote = true;
                    }
                });
            }
        } else if let Some(remote) = remote_side {
            if refers_to_parent_table(&mut primaryjoin, parent, child) {
                annotate_selfref(&mut primaryjoin, |c, _| remote.contains(&c));
            } else {
                primaryjoin.for_each_column(&mut |c, ann| {
                    if remote.contains(&c) {
                        ann.remote = true;
                    }
                });
            }
        } else if refers_to_parent_table(&mut primaryjoin, parent, child) {
            annotate_selfref(&mut primaryjoin, |_, ann| ann.foreign);
        } else if parent == child {
            annotate_remote_with_overlap(&mut primaryjoin, parent, child);
        } else {
            // `_annotate_remote_distinct_selectables`
            primaryjoin.for_each_column(&mut |c, ann| {
                if c.table == child {
                    ann.remote = true;
                }
            });
        }
    }

    // `_annotate_local`
    if !primaryjoin.has(|a| a.local) {
        primaryjoin.for_each_column(&mut |c, ann| {
            if !ann.remote && c.table == parent {
                ann.local = true;
            }
        });
    }

    // `_setup_pairs`
    let can_sync =
        |c: ColumnRef| c.table == parent || c.table == child || Some(c.table) == secondary;
    let mut lrp: Vec<((ColumnRef, ColumnRef), bool)> = Vec::new();
    let mut sync = [Vec::new(), Vec::new()];
    for (index, join) in std::iter::once(&primaryjoin)
        .chain(secondaryjoin.as_ref())
        .enumerate()
    {
        visit_binary_product(join, &mut |op, (l, la), (r, ra)| {
            let pair = if ra.remote && !la.remote && can_sync(l) {
                Some((l, r))
            } else if la.remote && !ra.remote && can_sync(r) {
                Some((r, l))
            } else {
                None
            };
            if let Some(pair) = pair {
                if !lrp.iter().any(|(p, _)| *p == pair) {
                    lrp.push((pair, index == 0));
                }
            }
            if op == Op::Eq && can_sync(l) && can_sync(r) {
                if ra.foreign {
                    sync[index].push((l, r));
                } else if la.foreign {
                    sync[index].push((r, l));
                }
            }
        });
    }

    // `_check_foreign_cols`
    for (index, join) in std::iter::once(&primaryjoin)
        .chain(secondaryjoin.as_ref())
        .enumerate()
    {
        let has_foreign = join.has(|a| a.foreign);
        let can_sync = !sync[index].is_empty();
        if (!viewonly && can_sync) || (viewonly && has_foreign) {
            continue;
        }
        let primary = index == 0;
        return Err(if !viewonly && has_foreign {
            Refusal::NoEquality { primary }
        } else {
            Refusal::NoForeignColumns { primary }
        });
    }

    let direction = determine_direction(&primaryjoin, secondaryjoin.as_ref(), parent, child)?;

    // `_check_remote_side`
    if lrp.is_empty() {
        return Err(Refusal::NoPairs);
    }
    let (pairs, secondary_pairs) = split_pairs(lrp);
    Ok(Configured {
        direction,
        pairs,
        secondary_pairs,
        primaryjoin,
        secondaryjoin,
        user_foreign,
        user_remote,
    })
}

/// `(local, remote)` column pairs.
type Pairs = Vec<(ColumnRef, ColumnRef)>;

/// Splits the local/remote pairs by the join they were found in (primary first).
fn split_pairs(lrp: Vec<((ColumnRef, ColumnRef), bool)>) -> (Pairs, Pairs) {
    let mut primary = Vec::new();
    let mut secondary = Vec::new();
    for (pair, from_primary) in lrp {
        if from_primary {
            primary.push(pair);
        } else {
            secondary.push(pair);
        }
    }
    (primary, secondary)
}

/// `_annotate_present_fks`: in each binary whose operands are not yet foreign, the operand
/// that references the other through a foreign key (or, with a secondary table, the operand
/// that is a secondary column when the other is not) becomes foreign.
fn annotate_present_fks(graph: &Graph, join: &mut Node, secondary: Option<TableId>) {
    let references = |a: ColumnRef, b: ColumnRef| {
        graph
            .column(a)
            .foreign_keys
            .iter()
            .any(|fk| fk.column == Some(b))
    };
    join.for_each_binary(&mut |_, left, right| {
        if left.ann().foreign || right.ann().foreign {
            return;
        }
        let (l, r) = (left.column_ref(), right.column_ref());
        let mut foreign_left = None;
        if let (Some(a), Some(b)) = (l, r) {
            if references(a, b) {
                foreign_left = Some(true);
            } else if references(b, a) {
                foreign_left = Some(false);
            }
        }
        if foreign_left.is_none() {
            if let Some(sec) = secondary {
                let in_sec = |c: Option<ColumnRef>| c.is_some_and(|c| c.table == sec);
                if in_sec(l) && !in_sec(r) {
                    foreign_left = Some(true);
                } else if in_sec(r) && !in_sec(l) {
                    foreign_left = Some(false);
                }
            }
        }
        // `col.compare(binary.left)` is tried first: `x == x` marks the left occurrence.
        let mark = match foreign_left {
            Some(true) => left,
            Some(false) if l.is_some() && l == r => left,
            Some(false) => right,
            None => return,
        };
        if let Node::Column { ann, .. } = mark {
            ann.foreign = true;
        }
    });
}

/// `_refers_to_parent_table`: some binary compares two columns that both belong to a table
/// of the parent and of the child (a self-referential join).
fn refers_to_parent_table(join: &mut Node, parent: TableId, child: TableId) -> bool {
    let mut found = false;
    join.for_each_binary(&mut |_, left, right| {
        if let (Some(a), Some(b)) = (left.column_ref(), right.column_ref()) {
            let shared = |t: TableId| t == parent && t == child;
            if shared(a.table) && shared(b.table) {
                found = true;
            }
        }
    });
    found
}

/// `_annotate_selfref`: in each binary of two columns, the operands `is_remote` picks become
/// remote (the right one only when it is not the same column as the left).
fn annotate_selfref(join: &mut Node, is_remote: impl Fn(ColumnRef, Ann) -> bool) {
    join.for_each_binary(&mut |_, left, right| {
        let (Node::Column { col: l, ann: la }, Node::Column { col: r, ann: ra }) = (left, right)
        else {
            return;
        };
        let equated = *l == *r;
        if is_remote(*l, *la) {
            la.remote = true;
        }
        if is_remote(*r, *ra) && !equated {
            ra.remote = true;
        }
    });
}

/// `_annotate_remote_with_overlap`, for tables that overlap without a column comparison inside
/// the shared table: a child column compared with a parent column becomes remote.
fn annotate_remote_with_overlap(join: &mut Node, parent: TableId, child: TableId) {
    fn proc(left: &mut Node, right: &mut Node, parent: TableId, child: TableId) {
        if let (Node::Column { col: l, .. }, Node::Column { col: r, ann }) = (left, right) {
            if r.table == child && l.table == parent {
                ann.remote = true;
            }
        }
    }
    join.for_each_binary(&mut |_, left, right| {
        proc(left, right, parent, child);
        proc(right, left, parent, child);
    });
}

/// `visit_binary_product`: for each comparison, every pair of a column inside its left operand
/// and a column inside its right operand. (Operands never contain comparisons: `extract`
/// leaves such joins unread.)
fn visit_binary_product(join: &Node, f: &mut impl FnMut(Op, (ColumnRef, Ann), (ColumnRef, Ann))) {
    fn columns(node: &Node, out: &mut Vec<(ColumnRef, Ann)>) {
        match node {
            Node::Column { col, ann } => out.push((*col, *ann)),
            Node::Binary { left, right, .. } => {
                columns(left, out);
                columns(right, out);
            }
            Node::Group(items) => items.iter().for_each(|n| columns(n, out)),
        }
    }
    fn visit(node: &Node, f: &mut impl FnMut(Op, (ColumnRef, Ann), (ColumnRef, Ann))) {
        match node {
            Node::Binary { op, left, right } if *op != Op::Other => {
                let (mut ls, mut rs) = (Vec::new(), Vec::new());
                columns(left, &mut ls);
                columns(right, &mut rs);
                for &l in &ls {
                    for &r in &rs {
                        f(*op, l, r);
                    }
                }
            }
            Node::Column { .. } => {}
            Node::Binary { left, right, .. } => {
                visit(left, f);
                visit(right, f);
            }
            Node::Group(items) => items.iter().for_each(|n| visit(n, f)),
        }
    }
    visit(join, f);
}

/// `_determine_direction`.
fn determine_direction(
    primaryjoin: &Node,
    secondaryjoin: Option<&Node>,
    parent: TableId,
    child: TableId,
) -> Result<Direction, Refusal> {
    if secondaryjoin.is_some() {
        return Ok(Direction::ManyToMany);
    }
    let occurrences = primaryjoin.iterate_columns();
    let mut foreign: Vec<ColumnRef> = Vec::new();
    for (c, a) in &occurrences {
        if a.foreign && !foreign.contains(c) {
            foreign.push(*c);
        }
    }
    let onetomany_fk = foreign.iter().any(|c| c.table == child);
    let manytoone_fk = foreign.iter().any(|c| c.table == parent);
    match (onetomany_fk, manytoone_fk) {
        (true, true) => {
            // Columns both remote and foreign suggest one-to-many; foreign columns that are not
            // remote, many-to-one. A set of annotated columns keeps the first occurrence of
            // each column (in `visitors.iterate` order), so its annotations decide.
            let mut onetomany: Vec<ColumnRef> = Vec::new();
            let mut first_foreign: Vec<(ColumnRef, Ann)> = Vec::new();
            for &(c, a) in &occurrences {
                if a.foreign && a.remote && !onetomany.contains(&c) {
                    onetomany.push(c);
                }
                if a.foreign && !first_foreign.iter().any(|(f, _)| *f == c) {
                    first_foreign.push((c, a));
                }
            }
            let mut manytoone: Vec<ColumnRef> = first_foreign
                .into_iter()
                .filter(|(_, a)| !a.remote)
                .map(|(c, _)| c)
                .collect();
            if !onetomany.is_empty() && !manytoone.is_empty() {
                // Columns equated to themselves (`Me.version == Me.version`) say nothing.
                let remote: Vec<ColumnRef> = occurrences
                    .iter()
                    .filter(|(_, a)| a.remote)
                    .map(|(c, _)| *c)
                    .collect();
                let self_equated = |c: &ColumnRef| {
                    remote.contains(c) && occurrences.iter().any(|(o, a)| a.local && o == c)
                };
                onetomany.retain(|c| !self_equated(c));
                manytoone.retain(|c| !self_equated(c));
            }
            match (onetomany.is_empty(), manytoone.is_empty()) {
                (false, true) => Ok(Direction::OneToMany),
                (true, false) => Ok(Direction::ManyToOne),
                _ => Err(Refusal::DirectionAmbiguous(foreign)),
            }
        }
        (true, false) => Ok(Direction::OneToMany),
        (false, true) => Ok(Direction::ManyToOne),
        (false, false) => Err(Refusal::DirectionNone(foreign)),
    }
}

#[cfg(test)]
mod tests;
