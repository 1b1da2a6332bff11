//! Relationships: targets, join conditions, direction, `uselist`, secondary tables and reverse
//! sides, as SQLAlchemy's `RelationshipProperty` configures them.

use super::join::{self, JoinError};
use super::{collections, explicit, ClassLookup, Names};
use crate::diagnostics::{self as diag, Diagnostic};
use crate::graph::{ClassId, ColumnRef, Direction, Graph, Loading, Relationship, TableId};
use crate::ir::{ClassDecl, ColumnName, RelationshipDecl, SecondaryRef, Spanned};

/// Builds every relationship (and every relationship a `backref` creates), then links and checks
/// reverse sides.
pub(super) fn build(
    classes: &[(ClassId, &ClassDecl)],
    graph: &mut Graph,
    names: &Names,
    diags: &mut Vec<Diagnostic>,
) {
    let mut back_populates: Vec<Option<Spanned<String>>> = Vec::new();
    let mut backrefs = Vec::new();
    // Per relationship built: the state of its explicit join, if it has one.
    let mut explicit_joins: Vec<Option<explicit::State>> = Vec::new();
    // Relationships left out with a warning: `back_populates` naming one is not an error.
    let mut left_out: Vec<(ClassId, &str)> = Vec::new();
    for &(id, decl) in classes {
        for rel in &decl.relationships {
            if !rel.unported.is_empty() {
                left_out.push((id, &rel.attr.value));
                continue;
            }
            // `declarative_scan` refuses some annotations when the class is declared.
            let scanned = match collections::scan(rel, &graph.class(id).name) {
                Ok(s) => s,
                Err(d) => {
                    diags.push(d);
                    left_out.push((id, &rel.attr.value));
                    continue;
                }
            };
            let Some((mut built, state)) =
                relationship(graph, names, id, decl, rel, &scanned, diags)
            else {
                continue;
            };
            let at = (
                &graph.class(id).name[..],
                &rel.attr.value[..],
                rel.attr.span,
            );
            match collections::loading(&scanned, built.uselist, built.direction, at) {
                Ok(loading) => built.loading = loading,
                Err(d) => {
                    diags.push(d);
                    left_out.push((id, &rel.attr.value));
                    continue;
                }
            }
            if let Some(b) = &rel.backref {
                backrefs.push((graph.relationships.len(), b));
            }
            graph.relationships.push(built);
            explicit_joins.push(state);
            back_populates.push(rel.back_populates.clone());
        }
    }
    for (index, b) in backrefs {
        let forward = &graph.relationships[index];
        let mut reverse = backref(forward, b);
        if let Some(state) = &explicit_joins[index] {
            let Some(configured) = explicit::reverse(graph, forward, state, b, diags) else {
                continue;
            };
            reverse.direction = configured.direction;
            reverse.uselist = b
                .uselist
                .unwrap_or(configured.direction != Direction::ManyToOne);
            reverse.pairs = configured.pairs;
            reverse.secondary_pairs = configured.secondary_pairs;
            let mut options = explicit::reverse_options(forward);
            options.sort_by_key(|(k, _)| k != "primaryjoin");
            options.append(&mut reverse.options);
            reverse.options = options;
        }
        let class = &graph.class(reverse.class).name;
        let loaded = collections::scan_backref(&b.loading, class, &reverse.key).and_then(|s| {
            collections::loading(
                &s,
                reverse.uselist,
                reverse.direction,
                (class, &reverse.key, reverse.span),
            )
        });
        match loaded {
            Ok(loading) => reverse.loading = loading,
            Err(d) => {
                diags.push(d);
                continue;
            }
        }
        graph.relationships[index].back_populates = Some(b.name.value.clone());
        graph.relationships.push(reverse);
        back_populates.push(None);
    }
    graph.index_relationships();
    for (index, bp) in back_populates.iter().enumerate() {
        if let Some(bp) = bp {
            link_reverse(graph, index, bp, &left_out, diags);
        }
    }
}

/// The class a relationship targets: its first argument, else the class inside its `Mapped[...]`
/// annotation (`declarative_scan`). A qualified string (`"models.User"`) names its last part.
fn target_name(rel: &RelationshipDecl) -> Option<&Spanned<String>> {
    rel.target
        .as_ref()
        .or_else(|| rel.annotation.as_ref().and_then(|a| a.target.as_ref()))
}

fn relationship(
    graph: &Graph,
    names: &Names,
    id: ClassId,
    decl: &ClassDecl,
    rel: &RelationshipDecl,
    scanned: &collections::Scanned,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Relationship, Option<explicit::State>)> {
    let class_name = &graph.class(id).name;
    let key = &rel.attr.value;
    let Some(target_ref) = target_name(rel) else {
        diags.push(diag::not_literal(
            rel.span,
            "the target of this relationship",
        ));
        return None;
    };
    let target = match names.lookup_class(graph, &target_ref.value) {
        ClassLookup::Found(t) => t,
        ClassLookup::Missing if names.is_left_out(&target_ref.value) => {
            diags.push(diag::relationship_to_left_out(
                target_ref.span,
                class_name,
                key,
                &target_ref.value,
            ));
            return None;
        }
        ClassLookup::Missing => {
            diags.push(diag::unknown_target(
                target_ref.span,
                class_name,
                key,
                &target_ref.value,
            ));
            return None;
        }
        ClassLookup::Ambiguous(ids) => {
            let modules: Vec<String> = ids
                .iter()
                .map(|&c| format!("{}.{}", graph.class(c).module, graph.class(c).name))
                .collect();
            diags.push(diag::ambiguous_target(
                target_ref.span,
                class_name,
                key,
                &target_ref.value,
                &modules,
            ));
            return None;
        }
    };
    let parent_table = graph.class(id).table;
    let child_table = graph.class(target).table;
    // The mappers' `persist_selectable`s: for joined-table inheritance, every table of the
    // lineage.
    let parent_tables = graph.selectable(id);
    let child_tables = graph.selectable(target);
    let secondary = match &rel.secondary {
        Some(s) => Some(
            secondary_table(graph, names, parent_table, decl, s).or_else(|| {
                let name = match &s.value {
                    SecondaryRef::Variable(v) | SecondaryRef::TableName(v) => v,
                };
                diags.push(diag::unknown_secondary(s.span, class_name, key, name));
                None
            })?,
        ),
        None => None,
    };
    let join_error = |err: JoinError, a: TableId, b: TableId, diags: &mut Vec<Diagnostic>| {
        let (a, b) = (&graph.table(a).name, &graph.table(b).name);
        diags.push(match err {
            JoinError::NoForeignKeys => diag::no_foreign_keys(rel.attr.span, class_name, key, a, b),
            JoinError::Ambiguous(cols) => {
                let cols: Vec<String> = cols.into_iter().map(|c| graph.qualified(c)).collect();
                diag::ambiguous_foreign_keys(rel.attr.span, class_name, key, a, b, &cols)
            }
        });
    };
    // `foreign_keys=`: only these columns count as foreign keys (`consider_as_foreign_keys`).
    let consider = rel
        .foreign_keys
        .as_ref()
        .map(|cols| named_columns(graph, names, id, decl, cols, "`foreign_keys=`", diags))
        .filter(|cols| !cols.is_empty());
    let consider = consider.as_deref();
    let remote = rel
        .remote_side
        .as_ref()
        .map(|cols| named_columns(graph, names, id, decl, cols, "`remote_side=`", diags));
    let state = if rel.primaryjoin.is_some() || rel.secondaryjoin.is_some() {
        let forward = explicit::Forward {
            class: id,
            target,
            decl,
            rel,
            secondary,
            consider,
            remote_side: remote.as_deref(),
        };
        Some(explicit::configure(graph, names, &forward, diags)?)
    } else {
        None
    };
    let (direction, pairs, secondary_pairs) = match (&state, secondary) {
        (Some(s), _) => (
            s.configured.direction,
            s.configured.pairs.clone(),
            s.configured.secondary_pairs.clone(),
        ),
        // `_determine_joins`: primaryjoin between parent and secondary, secondaryjoin between
        // target and secondary; the direction is always MANYTOMANY.
        (None, Some(sec)) => {
            let sj =
                join::join_condition(graph, &child_tables, Some(child_table), &[sec], consider)
                    .map_err(|e| join_error(e, child_table, sec, diags))
                    .ok()?;
            let pj =
                join::join_condition(graph, &parent_tables, Some(parent_table), &[sec], consider)
                    .map_err(|e| join_error(e, parent_table, sec, diags))
                    .ok()?;
            let (pj, sj) = (
                join::secondary_pairs(&pj, sec),
                join::secondary_pairs(&sj, sec),
            );
            (Direction::ManyToMany, pj, sj)
        }
        (None, None) => {
            let pj = join::join_condition(
                graph,
                &parent_tables,
                Some(parent_table),
                &child_tables,
                consider,
            )
            .map_err(|e| join_error(e, parent_table, child_table, diags))
            .ok()?;
            let ends = join::Ends {
                parent: &parent_tables,
                parent_local: parent_table,
                child: &child_tables,
                child_local: child_table,
            };
            let Ok((direction, pairs)) =
                join::direction(graph, &ends, &pj, consider, remote.as_deref())
            else {
                diags.push(diag::undetermined_direction(rel.attr.span, class_name, key));
                return None;
            };
            (direction, pairs, Vec::new())
        }
    };
    let uselist = collections::uselist(scanned, rel.uselist, direction);
    let built = Relationship {
        class: id,
        key: key.clone(),
        target,
        direction,
        uselist,
        secondary,
        back_populates: rel.back_populates.as_ref().map(|b| b.value.clone()),
        pairs,
        secondary_pairs,
        span: rel.attr.span,
        from_backref: false,
        loading: Loading::default(),
        options: rel.options.clone(),
    };
    Some((built, state))
}

/// `secondary=`: a `Table` variable of the module (or, as SQLAlchemy's string resolver favours
/// tables, a table name given as a string).
fn secondary_table(
    graph: &Graph,
    names: &Names,
    from: TableId,
    decl: &ClassDecl,
    s: &Spanned<SecondaryRef>,
) -> Option<TableId> {
    match &s.value {
        SecondaryRef::Variable(v) => names.table_vars.get(&(decl.file, v.clone())).copied(),
        SecondaryRef::TableName(n) => names
            .table_named(graph, n, from)
            .or_else(|| names.table_vars.get(&(decl.file, n.clone())).copied()),
    }
}

/// The columns a relationship argument names (`remote_side=`, `foreign_keys=`): by attribute,
/// else column name, among the qualifying class's mapped columns (or a table's: `table.c.x`,
/// `Class.__table__.c.x`), else among those of `class` (the declaring class, whose body a bare
/// name refers to; its own table first).
pub(super) fn named_columns(
    graph: &Graph,
    names: &Names,
    class: ClassId,
    decl: &ClassDecl,
    cols: &[Spanned<ColumnName>],
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ColumnRef> {
    cols.iter()
        .filter_map(|c| {
            let attr = &c.value.attr;
            let (owner, found) = match &c.value.class {
                Some(name) => match names.unique_class(graph, name) {
                    Some(id) => (graph.class(id).name.clone(), class_column(graph, id, attr)),
                    None => match table_of_columns(graph, names, class, decl, name) {
                        Some(table) => (name.clone(), table_column(graph, table, attr)),
                        None => {
                            diags.push(diag::unknown_column_reference(c.span, what, name, attr));
                            return None;
                        }
                    },
                },
                None => (
                    graph.class(class).name.clone(),
                    class_column(graph, class, attr),
                ),
            };
            if found.is_none() {
                diags.push(diag::unknown_column_reference(c.span, what, &owner, attr));
            }
            found
        })
        .collect()
}

/// The column of `table` with attribute (else column name) `attr`.
fn table_column(graph: &Graph, table: TableId, attr: &str) -> Option<ColumnRef> {
    let t = graph.table(table);
    t.columns
        .iter()
        .position(|col| col.attr.as_deref() == Some(attr))
        .or_else(|| t.columns.iter().position(|col| col.name == attr))
        .map(|index| ColumnRef { table, index })
}

/// The table whose columns `owner` names in `owner.column`: `table.c` / `table.columns` (a
/// table variable of the module, or a table name in a string) or `Class.__table__.c`.
fn table_of_columns(
    graph: &Graph,
    names: &Names,
    class: ClassId,
    decl: &ClassDecl,
    owner: &str,
) -> Option<TableId> {
    let from = graph.class(class).table;
    let base = owner
        .strip_suffix(".c")
        .or_else(|| owner.strip_suffix(".columns"))?;
    if let Some(class) = base.strip_suffix(".__table__") {
        return names
            .unique_class(graph, class)
            .map(|id| graph.class(id).table);
    }
    names
        .table_vars
        .get(&(decl.file, base.to_owned()))
        .copied()
        .or_else(|| names.table_named(graph, base, from))
}

/// The column a class maps under `attr` (else the column named `attr`): its own table's
/// first, then those it inherits.
pub(super) fn class_column(graph: &Graph, class: ClassId, attr: &str) -> Option<ColumnRef> {
    let own = graph.class(class).table;
    let mapped = &graph.class(class).columns;
    let candidates = || {
        mapped
            .iter()
            .filter(move |r| r.table == own)
            .chain(mapped.iter().filter(move |r| r.table != own))
            .copied()
    };
    candidates()
        .find(|&r| graph.column(r).attr.as_deref() == Some(attr))
        .or_else(|| candidates().find(|&r| graph.column(r).name == attr))
}

/// The relationship a `backref` creates on the target (`RelationshipProperty._generate_backref`):
/// the same join seen from the other end, pointing back at the forward relationship.
fn backref(forward: &Relationship, b: &crate::ir::BackrefDecl) -> Relationship {
    let direction = forward.direction.reversed();
    // The reverse of a many-to-many swaps primaryjoin and secondaryjoin; otherwise each pair
    // swaps its ends.
    let (pairs, secondary_pairs) = match forward.secondary {
        Some(_) => (forward.secondary_pairs.clone(), forward.pairs.clone()),
        None => (
            forward.pairs.iter().map(|&(l, r)| (r, l)).collect(),
            Vec::new(),
        ),
    };
    Relationship {
        class: forward.target,
        key: b.name.value.clone(),
        target: forward.class,
        direction,
        uselist: b.uselist.unwrap_or(direction != Direction::ManyToOne),
        secondary: forward.secondary,
        back_populates: Some(forward.key.clone()),
        pairs,
        secondary_pairs,
        span: b.name.span,
        from_backref: true,
        loading: Loading::default(),
        options: b.options.clone(),
    }
}

/// `back_populates` (`RelationshipProperty._add_reverse_property`): the named attribute must be
/// a relationship of the target that points back at this class, in the opposite direction.
/// Both ends then know each other as reverse.
fn link_reverse(
    graph: &mut Graph,
    index: usize,
    bp: &Spanned<String>,
    left_out: &[(ClassId, &str)],
    diags: &mut Vec<Diagnostic>,
) {
    let rel = &graph.relationships[index];
    let class = graph.class(rel.class).name.clone();
    let target = graph.class(rel.target);
    // `mapper.get_property(back_populates)`: declared on the target or inherited by it.
    let lineage = graph.lineage(rel.target);
    let other = lineage
        .iter()
        .find_map(|&c| graph.relationship_index(c, &bp.value));
    let Some(other) = other else {
        if lineage
            .iter()
            .any(|&c| left_out.contains(&(c, bp.value.as_str())))
        {
            return;
        }
        match target
            .columns
            .iter()
            .map(|&c| graph.column(c))
            .find(|c| c.attr.as_deref() == Some(&bp.value))
        {
            Some(col) => diags.push(diag::back_populates_not_relationship(
                bp.span,
                &class,
                &rel.key,
                &target.name,
                &bp.value,
                col.span,
            )),
            None => diags.push(diag::back_populates_missing(
                bp.span,
                &class,
                &rel.key,
                &target.name,
                &bp.value,
                target.span,
            )),
        }
        return;
    };
    let o = &graph.relationships[other];
    // `_add_reverse_property`: the reverse must point into this class's hierarchy
    // (`common_parent`).
    if graph.root(o.target) != graph.root(rel.class) {
        let points_to = graph.class(o.target).name.clone();
        diags.push(diag::back_populates_mismatch(
            bp.span,
            &class,
            &rel.key,
            &target.name,
            &bp.value,
            &points_to,
            o.span,
        ));
        return;
    }
    // Reported once per pair: the other end names this one back.
    let reported_from_other =
        other < index && o.back_populates.as_deref() == Some(rel.key.as_str());
    if rel.direction == o.direction && rel.direction != Direction::ManyToMany {
        if reported_from_other {
            return;
        }
        let d = rel.direction.sqla_name();
        diags.push(diag::same_direction(
            rel.span,
            &class,
            &rel.key,
            &target.name,
            &o.key,
            d,
            o.span,
        ));
        return;
    }
    let key = rel.key.clone();
    if graph.relationships[other].back_populates.is_none() {
        graph.relationships[other].back_populates = Some(key);
    }
}
