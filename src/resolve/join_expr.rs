//! Names in an explicit join condition to columns: `Class.attr`, `table.c.column` and bare
//! attributes of the class body become [`Node`] columns, as SQLAlchemy evaluates them (a string
//! against the class registry, a lambda or class-body expression against the module).

use super::join_condition::{Ann, Node, Op};
use super::Names;
use crate::diagnostics::{self as diag, Diagnostic};
use crate::graph::{ClassId, ColumnRef, Graph, TableId};
use crate::ir::join::{ColumnPath, JoinArg, JoinExpr, JoinExprKind, JoinForm, JoinOp};
use crate::source::{FileId, Span};

/// Why a join condition could not be lowered.
pub enum Failure {
    /// SQLAlchemy would raise; the error has been reported.
    Reported,
    /// sa2rs cannot tell what this part refers to: the relationship is left out.
    Unreadable { span: Span, what: String },
}

/// The relationship a join condition belongs to.
pub struct Owner<'a> {
    pub class: ClassId,
    pub file: FileId,
    pub key: &'a str,
}

/// Lowers a join condition to the expression tree the join rules work on.
pub fn lower(
    graph: &Graph,
    names: &Names,
    owner: &Owner,
    arg: &JoinArg,
    diags: &mut Vec<Diagnostic>,
) -> Result<Node, Failure> {
    let mut lowering = Lowering {
        graph,
        names,
        owner,
        arg,
        diags,
    };
    lowering.node(&arg.expr)
}

struct Lowering<'a, 'd> {
    graph: &'a Graph,
    names: &'a Names,
    owner: &'a Owner<'a>,
    arg: &'a JoinArg,
    diags: &'d mut Vec<Diagnostic>,
}

impl Lowering<'_, '_> {
    fn node(&mut self, e: &JoinExpr) -> Result<Node, Failure> {
        Ok(match &e.kind {
            JoinExprKind::Column { path, owner_span } => {
                Node::column(self.column(path, e.span, *owner_span)?)
            }
            JoinExprKind::Binary { op, left, right } => Node::Binary {
                op: match op {
                    JoinOp::Eq => Op::Eq,
                    JoinOp::NotEq | JoinOp::Comparison => Op::Comparison,
                    JoinOp::Arithmetic => Op::Other,
                },
                left: Box::new(self.node(left)?),
                right: Box::new(self.node(right)?),
            },
            JoinExprKind::Group(items) => Node::Group(
                items
                    .iter()
                    .map(|i| self.node(i))
                    .collect::<Result<_, _>>()?,
            ),
            JoinExprKind::Builtin(name) => {
                if self.names.classes.contains_key(name) || self.names.tables.contains_key(name) {
                    return Err(Failure::Unreadable {
                        span: e.span,
                        what: format!("`{name}`, a class or table where a column is expected"),
                    });
                }
                Node::Group(Vec::new())
            }
            JoinExprKind::Annotated {
                foreign,
                remote,
                inner,
            } => {
                // `_annotate_columns`: every column inside gets the annotation.
                let mut node = self.node(inner)?;
                node.for_each_column(&mut |_, ann: &mut Ann| {
                    ann.foreign |= *foreign;
                    ann.remote |= *remote;
                });
                node
            }
        })
    }

    fn what(&self) -> String {
        format!("`{}=`", self.arg.option)
    }

    fn class_name(&self) -> &str {
        &self.graph.class(self.owner.class).name
    }

    fn not_a_column(&mut self, span: Span, owner: &str, name: &str) -> Failure {
        let what = self.what();
        self.diags
            .push(diag::unknown_column_reference(span, &what, owner, name));
        Failure::Reported
    }

    /// A name that is neither a mapped class nor a table: SQLAlchemy's string evaluation fails
    /// ("failed to locate a name"); elsewhere it is something sa2rs does not see.
    fn unknown_owner(&mut self, span: Span, owner: &str) -> Failure {
        if self.arg.form == JoinForm::Text {
            let class = self.class_name().to_owned();
            self.diags.push(diag::join_name_not_found(
                span,
                self.arg.option,
                &class,
                self.owner.key,
                owner,
            ));
            Failure::Reported
        } else {
            Failure::Unreadable {
                span,
                what: format!("`{owner}`, which is not a mapped class or table of the input"),
            }
        }
    }

    fn column(
        &mut self,
        path: &ColumnPath,
        span: Span,
        owner_span: Span,
    ) -> Result<ColumnRef, Failure> {
        match path {
            ColumnPath::Own(attr) => {
                let table = self.graph.class(self.owner.class).table;
                let class = self.class_name().to_owned();
                self.by_attr(table, attr)
                    .ok_or_else(|| self.not_a_column(span, &class, attr))
            }
            ColumnPath::Attr { owner, attr } => match self.names.unique_class(self.graph, owner) {
                Some(class) => {
                    let table = self.graph.class(class).table;
                    self.by_attr(table, attr)
                        .ok_or_else(|| self.not_a_column(span, owner, attr))
                }
                None if self.arg.form == JoinForm::Text
                    && self.names.tables.contains_key(owner) =>
                {
                    Err(self.not_a_column(span, owner, attr))
                }
                None => Err(self.unknown_owner(owner_span, owner)),
            },
            ColumnPath::TableColumn { owner, column } => {
                let from = self.graph.class(self.owner.class).table;
                let table = match self.arg.form {
                    JoinForm::Text => self.names.table_named(self.graph, owner, from),
                    // A `Table` imported from another module is named by its table name.
                    JoinForm::Direct | JoinForm::Lambda => self
                        .names
                        .table_vars
                        .get(&(self.owner.file, owner.clone()))
                        .copied()
                        .or_else(|| self.names.table_named(self.graph, owner, from)),
                };
                match table {
                    Some(table) => self
                        .by_name(table, column)
                        .ok_or_else(|| self.not_a_column(span, &format!("{owner}.c"), column)),
                    None if self.arg.form == JoinForm::Text
                        && self.names.classes.contains_key(owner) =>
                    {
                        Err(self.not_a_column(span, owner, "c"))
                    }
                    None => Err(self.unknown_owner(owner_span, owner)),
                }
            }
            ColumnPath::ClassTable { owner, column } => {
                match self.names.unique_class(self.graph, owner) {
                    Some(class) => {
                        let table = self.graph.class(class).table;
                        self.by_name(table, column).ok_or_else(|| {
                            self.not_a_column(span, &format!("{owner}.__table__.c"), column)
                        })
                    }
                    None => Err(self.unknown_owner(owner_span, owner)),
                }
            }
        }
    }

    /// A mapped column attribute of a class's table.
    fn by_attr(&self, table: TableId, attr: &str) -> Option<ColumnRef> {
        let t = self.graph.table(table);
        t.columns
            .iter()
            .position(|c| c.attr.as_deref() == Some(attr))
            .map(|index| ColumnRef { table, index })
    }

    /// A column of a table by its name (`table.c.name`).
    fn by_name(&self, table: TableId, name: &str) -> Option<ColumnRef> {
        let t = self.graph.table(table);
        t.columns
            .iter()
            .position(|c| c.name == name)
            .map(|index| ColumnRef { table, index })
    }
}
