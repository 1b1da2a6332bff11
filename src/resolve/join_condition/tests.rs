//! The join rules on small hand-built joins over one self-referential table.

use super::*;
use crate::graph::{Column, ForeignKey, Table};
use crate::ir::{SqlType, TypeKind};
use crate::source::Span;

fn column(name: &str, fk: Option<ColumnRef>) -> Column {
    Column {
        attr: Some(name.to_owned()),
        name: name.to_owned(),
        ty: SqlType {
            class: "Integer".into(),
            impl_class: None,
            kind: TypeKind::Int32,
            span: Span::new(0, 0, 0),
            variants: None,
        },
        nullable: true,
        primary_key: false,
        unique: false,
        index: false,
        default: None,
        server_default: None,
        comment: None,
        foreign_keys: fk
            .map(|c| ForeignKey {
                target: String::new(),
                column: Some(c),
                span: Span::new(0, 0, 0),
                constraint: None,
                options: Default::default(),
                class_attr: None,
            })
            .into_iter()
            .collect(),
        span: Span::new(0, 0, 0),
        ddl: None,
    }
}

/// `node(id, parent_id -> node.id, name)`
fn node_graph() -> Graph {
    let mut g = Graph::default();
    let id = ColumnRef {
        table: TableId(0),
        index: 0,
    };
    g.tables.push(Table {
        name: "node".into(),
        module: "models".into(),
        span: Span::new(0, 0, 0),
        class: None,
        schema: None,
        metadata_schema: None,
        constraints: Vec::new(),
        options: Vec::new(),
        columns: vec![
            column("id", None),
            column("parent_id", Some(id)),
            column("name", None),
        ],
    });
    g
}

fn col(index: usize) -> ColumnRef {
    ColumnRef {
        table: TableId(0),
        index,
    }
}

fn eq(l: Node, r: Node) -> Node {
    Node::Binary {
        op: Op::Eq,
        left: Box::new(l),
        right: Box::new(r),
    }
}

fn setup<'a>(graph: &'a Graph, pj: Node, remote: Option<&'a [ColumnRef]>) -> Setup<'a> {
    Setup {
        graph,
        parent: TableId(0),
        child: TableId(0),
        secondary: None,
        primaryjoin: pj,
        secondaryjoin: None,
        consider: None,
        remote_side: remote,
        viewonly: false,
    }
}

#[test]
fn self_referential_foreign_key_is_remote_by_default() {
    let g = node_graph();
    let pj = eq(Node::column(col(1)), Node::column(col(0)));
    let c = configure(setup(&g, pj, None)).unwrap();
    assert_eq!(c.direction, Direction::OneToMany);
    assert_eq!(c.pairs, [(col(0), col(1))]);
}

#[test]
fn remote_side_makes_it_many_to_one() {
    let g = node_graph();
    let pj = eq(Node::column(col(1)), Node::column(col(0)));
    let remote = [col(0)];
    let c = configure(setup(&g, pj, Some(&remote))).unwrap();
    assert_eq!(c.direction, Direction::ManyToOne);
    assert_eq!(c.pairs, [(col(1), col(0))]);
}

#[test]
fn both_sides_remote_has_no_pairs() {
    let g = node_graph();
    let remote = Ann {
        remote: true,
        ..Ann::default()
    };
    let foreign_remote = Ann {
        foreign: true,
        remote: true,
        local: false,
    };
    let pj = eq(
        Node::Column {
            col: col(1),
            ann: foreign_remote,
        },
        Node::Column {
            col: col(0),
            ann: remote,
        },
    );
    assert_eq!(
        configure(setup(&g, pj, None)).unwrap_err(),
        Refusal::NoPairs
    );
}

#[test]
fn no_foreign_key_is_refused() {
    let g = node_graph();
    let pj = eq(Node::column(col(2)), Node::column(col(0)));
    assert_eq!(
        configure(setup(&g, pj, None)).unwrap_err(),
        Refusal::NoForeignColumns { primary: true }
    );
}
