//! Relationships with `primaryjoin=` / `secondaryjoin=`: `_determine_joins` for the join that
//! is not given, then [`join_condition::configure`]; and the reverse side a `backref` creates
//! from them (`RelationshipProperty._generate_backref`).

use super::join::{self, JoinError};
use super::join_condition::{self, Configured, Node, Refusal, Setup};
use super::join_expr::{self, Failure, Owner};
use super::Names;
use crate::diagnostics::{self as diag, Diagnostic};
use crate::graph::{ClassId, ColumnRef, Direction, Graph, Relationship, TableId};
use crate::ir::{BackrefDecl, ClassDecl, RelationshipDecl};
use crate::source::Span;

/// What the reverse side of a relationship with an explicit join is built from.
#[derive(Debug, Clone)]
pub struct State {
    pub configured: Configured,
    /// `foreign_keys=` of the forward relationship (the backref inherits it).
    pub consider: Option<Vec<ColumnRef>>,
    pub viewonly: bool,
}

/// The relationship between `parent` and `target` being configured.
pub struct Forward<'a> {
    pub class: ClassId,
    pub target: ClassId,
    pub decl: &'a ClassDecl,
    pub rel: &'a RelationshipDecl,
    pub secondary: Option<TableId>,
    pub consider: Option<&'a [ColumnRef]>,
    pub remote_side: Option<&'a [ColumnRef]>,
}

/// Whether `viewonly=True` is among the options written.
fn viewonly(options: &[(String, String)]) -> Option<bool> {
    options
        .iter()
        .find(|(k, _)| k == "viewonly")
        .map(|(_, v)| v == "True")
}

/// Configures a relationship that has `primaryjoin=` or `secondaryjoin=`; `None` when it is
/// left out (an error or a warning has been reported).
pub fn configure(
    graph: &Graph,
    names: &Names,
    f: &Forward,
    diags: &mut Vec<Diagnostic>,
) -> Option<State> {
    let class = &graph.class(f.class).name;
    let key = &f.rel.attr.value;
    if let (Some(sj), None) = (&f.rel.secondaryjoin, f.secondary) {
        diags.push(diag::secondaryjoin_without_secondary(sj.span, class, key));
        return None;
    }
    let owner = Owner {
        class: f.class,
        file: f.decl.file,
        key,
    };
    let lower = |arg: &crate::ir::join::JoinArg, diags: &mut Vec<Diagnostic>| match join_expr::lower(
        graph, names, &owner, arg, diags,
    ) {
        Ok(node) => Some(node),
        Err(Failure::Reported) => None,
        Err(Failure::Unreadable { span, what }) => {
            diags.push(diag::join_not_read(span, arg.option, key, &what, arg.span));
            None
        }
    };
    let primaryjoin = match &f.rel.primaryjoin {
        Some(arg) => Some(lower(arg, diags)?),
        None => None,
    };
    let secondaryjoin = match &f.rel.secondaryjoin {
        Some(arg) => Some(lower(arg, diags)?),
        None => None,
    };
    let parent = graph.class(f.class).table;
    let child = graph.class(f.target).table;
    // `_determine_joins`: the join not given is `join_condition` between the two tables.
    let derived = |a: TableId, b: TableId, diags: &mut Vec<Diagnostic>| match join::join_condition(
        graph,
        &[a],
        None,
        &[b],
        f.consider,
    ) {
        Ok(pairs) => Some(Node::equalities(
            pairs.into_iter().map(|p| (p.referent, p.foreign)),
        )),
        Err(e) => {
            let (ta, tb) = (&graph.table(a).name, &graph.table(b).name);
            diags.push(match e {
                JoinError::NoForeignKeys => {
                    diag::no_foreign_keys(f.rel.attr.span, class, key, ta, tb)
                }
                JoinError::Ambiguous(cols) => {
                    let cols: Vec<String> = cols.into_iter().map(|c| graph.qualified(c)).collect();
                    diag::ambiguous_foreign_keys(f.rel.attr.span, class, key, ta, tb, &cols)
                }
            });
            None
        }
    };
    let (primaryjoin, secondaryjoin) = match f.secondary {
        Some(sec) => {
            let sj = match secondaryjoin {
                Some(sj) => sj,
                None => derived(child, sec, diags)?,
            };
            let pj = match primaryjoin {
                Some(pj) => pj,
                None => derived(parent, sec, diags)?,
            };
            (pj, Some(sj))
        }
        None => (primaryjoin?, None),
    };
    let viewonly = viewonly(&f.rel.options).unwrap_or(false);
    let join_span = f
        .rel
        .primaryjoin
        .as_ref()
        .or(f.rel.secondaryjoin.as_ref())
        .map_or(f.rel.attr.span, |a| a.span);
    let spans = Spans {
        primary: f.rel.primaryjoin.as_ref().map_or(join_span, |a| a.span),
        secondary: f.rel.secondaryjoin.as_ref().map_or(join_span, |a| a.span),
    };
    let setup = Setup {
        graph,
        parent,
        child,
        secondary: f.secondary,
        primaryjoin,
        secondaryjoin,
        consider: f.consider.filter(|c| !c.is_empty()),
        remote_side: f.remote_side.filter(|c| !c.is_empty()),
        viewonly,
    };
    let configured = checked(graph, setup, &spans, class, key, diags)?;
    Some(State {
        configured,
        consider: f.consider.map(<[ColumnRef]>::to_vec),
        viewonly,
    })
}

/// Where to point the refusals of one relationship.
struct Spans {
    primary: Span,
    secondary: Span,
}

fn checked(
    graph: &Graph,
    setup: Setup,
    spans: &Spans,
    class: &str,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Configured> {
    match join_condition::configure(setup) {
        Ok(c) => Some(c),
        Err(refusal) => {
            let join_span = |primary: bool| {
                if primary {
                    spans.primary
                } else {
                    spans.secondary
                }
            };
            diags.push(match refusal {
                Refusal::NoForeignColumns { primary } => {
                    diag::join_no_foreign_columns(join_span(primary), primary, class, key)
                }
                Refusal::NoEquality { primary } => {
                    diag::join_no_equality(join_span(primary), primary, class, key)
                }
                Refusal::DirectionAmbiguous(cols) => {
                    let cols: Vec<String> = cols.into_iter().map(|c| graph.qualified(c)).collect();
                    diag::direction_ambiguous(spans.primary, class, key, &cols)
                }
                Refusal::DirectionNone(cols) => {
                    let cols: Vec<String> = cols.into_iter().map(|c| graph.qualified(c)).collect();
                    diag::direction_none(spans.primary, class, key, &cols)
                }
                Refusal::NoPairs => diag::no_local_remote_pairs(spans.primary, class, key),
            });
            None
        }
    }
}

/// The reverse side a `backref` creates for a relationship with an explicit join
/// (`_generate_backref`): for a many-to-many, the joins swap; otherwise the primary join is
/// reused with `remote()` / local swapped when the user annotated `remote()`, else without
/// its computed annotations. It keeps `foreign_keys=` and `viewonly`, not `remote_side=`.
/// `None` when SQLAlchemy refuses it (reported).
pub fn reverse(
    graph: &Graph,
    forward: &Relationship,
    state: &State,
    b: &BackrefDecl,
    diags: &mut Vec<Diagnostic>,
) -> Option<Configured> {
    let fwd = &state.configured;
    let (primaryjoin, secondaryjoin) = match (&fwd.secondaryjoin, forward.secondary) {
        (Some(sj), Some(_)) => (
            sj.without_annotations(true),
            Some(fwd.primaryjoin.without_annotations(true)),
        ),
        _ if fwd.user_remote => (fwd.primaryjoin.reversed_remote(), None),
        _ => (fwd.primaryjoin.without_annotations(fwd.user_foreign), None),
    };
    let class = graph.class(forward.target).name.clone();
    let key = &b.name.value;
    let setup = Setup {
        graph,
        parent: graph.class(forward.target).table,
        child: graph.class(forward.class).table,
        secondary: forward.secondary,
        primaryjoin,
        secondaryjoin,
        consider: state.consider.as_deref().filter(|c| !c.is_empty()),
        remote_side: None,
        viewonly: viewonly(&b.options).unwrap_or(state.viewonly),
    };
    let spans = Spans {
        primary: b.name.span,
        secondary: b.name.span,
    };
    let configured = checked(graph, setup, &spans, &class, key, diags)?;
    // `_add_reverse_property`: a backref may not point the same way as its relationship.
    if configured.direction == forward.direction && configured.direction != Direction::ManyToMany {
        let forward_class = graph.class(forward.class).name.clone();
        diags.push(diag::same_direction(
            forward.span,
            &forward_class,
            &forward.key,
            &class,
            key,
            forward.direction.sqla_name(),
            b.name.span,
        ));
        return None;
    }
    Some(configured)
}

/// The join conditions a `backref` takes from its relationship, as written there, under the
/// names they have on the reverse side (a many-to-many swaps them), for the registry.
pub fn reverse_options(forward: &Relationship) -> Vec<(String, String)> {
    let swap = forward.secondary.is_some();
    forward
        .options
        .iter()
        .filter_map(|(k, v)| {
            let k = match (k.as_str(), swap) {
                ("primaryjoin", false) | ("secondaryjoin", true) => "primaryjoin",
                ("primaryjoin", true) => "secondaryjoin",
                _ => return None,
            };
            Some((k.to_owned(), v.clone()))
        })
        .collect()
}
