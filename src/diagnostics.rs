//! Every diagnostic sa2rs reports, built in one place, and their rendering.
//!
//! Messages follow rustc's conventions: lowercase, no final period, identifiers in backticks;
//! the primary label sits on the exact span; fixes go in `help:` notes only. Codes: `E0xxx` are
//! errors (SQLAlchemy would refuse the models too, or the input is unreadable); `W0xxx` are
//! warnings (seen, not ported: the output is still right about everything else).

use codespan_reporting::diagnostic::{Label, Severity};
use codespan_reporting::term::{self, termcolor::WriteColor};

use crate::source::{SourceFiles, Span};

pub type Diagnostic = codespan_reporting::diagnostic::Diagnostic<usize>;

fn error(code: &str, message: String) -> Diagnostic {
    Diagnostic::error().with_code(code).with_message(message)
}

fn warning(code: &str, message: String) -> Diagnostic {
    Diagnostic::warning().with_code(code).with_message(message)
}

fn primary(span: Span, text: impl Into<String>) -> Label<usize> {
    Label::primary(span.file, span.range()).with_message(text.into())
}

fn secondary(span: Span, text: impl Into<String>) -> Label<usize> {
    Label::secondary(span.file, span.range()).with_message(text.into())
}

fn help(text: impl Into<String>) -> String {
    format!("help: {}", text.into())
}

/// True when any diagnostic is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.severity >= Severity::Error)
}

/// Renders diagnostics as rustc does, in the order given.
pub fn render(
    files: &SourceFiles,
    diags: &[Diagnostic],
    out: &mut dyn WriteColor,
) -> std::io::Result<()> {
    let config = term::Config::default();
    for d in diags {
        term::emit_to_write_style(out, &config, files.codespan(), d)
            .map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// Renders without colour, for tests and files.
pub fn render_plain(files: &SourceFiles, diags: &[Diagnostic]) -> String {
    let mut buf = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    // Writing into memory cannot fail.
    let _ = render(files, diags, &mut buf);
    String::from_utf8_lossy(&buf.into_inner()).into_owned()
}

// ---- input ---------------------------------------------------------------------------------

pub fn syntax_error(span: Span, message: &str) -> Diagnostic {
    error("E0001", format!("invalid Python syntax: {message}"))
        .with_labels(vec![primary(span, "the parser stopped here")])
        .with_notes(vec![help("sa2rs reads Python 3.12 syntax, without PEP 701 f-strings; fix the file so that `python -m py_compile` accepts it")])
}

pub fn not_utf8(span: Span, message: &str) -> Diagnostic {
    error("E0002", message.to_owned())
        .with_labels(vec![primary(span, "this byte is not valid UTF-8")])
        .with_notes(vec![help("save the file as UTF-8, or declare its encoding with a `# -*- coding: latin-1 -*-` line")])
}

/// Lines longer than this are not quoted in a diagnostic (the label would repeat them).
const MAX_QUOTED_LINE: usize = 400;

pub fn truncated(files: &SourceFiles, span: Span, depth: usize) -> Diagnostic {
    let d = warning(
        "W0010",
        format!("expression nested more than {depth} levels deep"),
    );
    let advice = help("models never nest this deep; if this declares a model, simplify it");
    let text = files.text(span.file);
    let start = (span.start as usize).min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    if line_end - line_start > MAX_QUOTED_LINE {
        let column = text[line_start..start].chars().count() + 1;
        let at = format!(
            "at {}:{column} (the line is too long to quote)",
            files.location(span)
        );
        return d.with_notes(vec![at, advice]);
    }
    // Label where the limit was hit, not the whole expression.
    let width = text[start..].chars().next().map_or(0, char::len_utf8) as u32;
    let point = Span::new(span.file, span.start, span.start + width);
    d.with_labels(vec![primary(point, "sa2rs does not look inside this")])
        .with_notes(vec![advice])
}

// ---- graph errors (where SQLAlchemy would raise) --------------------------------------------

pub fn unknown_target(span: Span, class: &str, key: &str, target: &str) -> Diagnostic {
    error(
        "E0100",
        format!("relationship `{class}.{key}` targets `{target}`, which is not a mapped class"),
    )
    .with_labels(vec![primary(
        span,
        format!("no mapped class named `{target}`"),
    )])
    .with_notes(vec![help(
        "name a class that is mapped in the input (SQLAlchemy: \"failed to locate a name\")",
    )])
}

pub fn no_foreign_keys(
    span: Span,
    class: &str,
    key: &str,
    parent: &str,
    child: &str,
) -> Diagnostic {
    error("E0101", format!("no foreign key links `{parent}` and `{child}` for relationship `{class}.{key}`"))
        .with_labels(vec![primary(span, "SQLAlchemy cannot determine the join condition")])
        .with_notes(vec![help(format!(
            "add a `ForeignKey` from a column of `{child}` to `{parent}` (or the reverse), or give `primaryjoin=`"
        ))])
}

pub fn ambiguous_foreign_keys(
    span: Span,
    class: &str,
    key: &str,
    parent: &str,
    child: &str,
    candidates: &[String],
) -> Diagnostic {
    error("E0102", format!("several foreign key paths link `{parent}` and `{child}` for relationship `{class}.{key}`"))
        .with_labels(vec![primary(span, "SQLAlchemy cannot choose between them")])
        .with_notes(vec![
            format!("candidate columns: {}", candidates.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")),
            help("pass `foreign_keys=[...]` naming the column this relationship uses"),
        ])
}

pub fn back_populates_missing(
    span: Span,
    class: &str,
    key: &str,
    target: &str,
    name: &str,
    target_span: Span,
) -> Diagnostic {
    error(
        "E0103",
        format!(
            "`back_populates` of `{class}.{key}` names `{target}.{name}`, which does not exist"
        ),
    )
    .with_labels(vec![
        primary(span, format!("`{target}` has no attribute `{name}`")),
        secondary(target_span, format!("`{target}` is declared here")),
    ])
    .with_notes(vec![help(format!(
        "declare `{name} = relationship(\"{class}\", back_populates=\"{key}\")` on `{target}`"
    ))])
}

pub fn back_populates_not_relationship(
    span: Span,
    class: &str,
    key: &str,
    target: &str,
    name: &str,
    other: Span,
) -> Diagnostic {
    error("E0104", format!("`back_populates` of `{class}.{key}` names `{target}.{name}`, which is not a relationship"))
        .with_labels(vec![primary(span, "names a column"), secondary(other, format!("`{target}.{name}` is declared here"))])
        .with_notes(vec![help("`back_populates` must name the relationship on the target that points back")])
}

pub fn back_populates_mismatch(
    span: Span,
    class: &str,
    key: &str,
    target: &str,
    name: &str,
    points_to: &str,
    other: Span,
) -> Diagnostic {
    error("E0104", format!("`back_populates` of `{class}.{key}` names `{target}.{name}`, which points to `{points_to}`, not `{class}`"))
        .with_labels(vec![
            primary(span, format!("expects `{target}.{name}` to point back to `{class}`")),
            secondary(other, format!("`{target}.{name}` targets `{points_to}`")),
        ])
        .with_notes(vec![help("name the relationship on the target that points back to this class")])
}

pub fn same_direction(
    span: Span,
    class: &str,
    key: &str,
    other_class: &str,
    other_key: &str,
    direction: &str,
    other: Span,
) -> Diagnostic {
    error(
        "E0105",
        format!("`{class}.{key}` and its reverse `{other_class}.{other_key}` are both {direction}"),
    )
    .with_labels(vec![
        primary(span, direction.to_owned()),
        secondary(other, format!("also {direction}")),
    ])
    .with_notes(vec![help(
        "for a self-referential pair, set `remote_side=` on the many-to-one side",
    )])
}

pub fn unknown_secondary(span: Span, class: &str, key: &str, name: &str) -> Diagnostic {
    error(
        "E0106",
        format!("`secondary` of `{class}.{key}` names `{name}`, which is not a table"),
    )
    .with_labels(vec![primary(span, "no `Table` by this name or variable")])
    .with_notes(vec![help(
        "pass the `Table` object, or the name of a table declared in the input",
    )])
}

pub fn fk_unknown_table(span: Span, column: &str, target: &str, table: &str) -> Diagnostic {
    error("E0110", format!("foreign key `{target}` of column `{column}` refers to table `{table}`, which does not exist"))
        .with_labels(vec![primary(span, format!("no table named `{table}`"))])
        .with_notes(vec![help("foreign keys name the table (`__tablename__`), not the class: `ForeignKey(\"table.column\")`")])
}

pub fn fk_unknown_column(
    span: Span,
    column: &str,
    target: &str,
    table: &str,
    name: &str,
    table_span: Span,
) -> Diagnostic {
    error("E0111", format!("foreign key `{target}` of column `{column}` refers to `{table}.{name}`, which does not exist"))
        .with_labels(vec![
            primary(span, format!("table `{table}` has no column `{name}`")),
            secondary(table_span, format!("`{table}` is declared here")),
        ])
        .with_notes(vec![help("name a column of the referenced table (its column name, not the attribute name)")])
}

pub fn fk_malformed(span: Span, target: &str) -> Diagnostic {
    error(
        "E0112",
        format!("foreign key target `{target}` is not of the form `table.column`"),
    )
    .with_labels(vec![primary(
        span,
        "expected `table.column` or `schema.table.column`",
    )])
    .with_notes(vec![help("write `ForeignKey(\"parent.id\")`")])
}

pub fn unknown_column_reference(span: Span, what: &str, owner: &str, name: &str) -> Diagnostic {
    error(
        "E0107",
        format!("{what} names `{owner}.{name}`, which is not a column"),
    )
    .with_labels(vec![primary(span, "no such mapped class or column")])
    .with_notes(vec![help(
        "name a column attribute of the class (`Class.attribute`), or of this class",
    )])
}

pub fn ambiguous_target(
    span: Span,
    class: &str,
    key: &str,
    target: &str,
    candidates: &[String],
) -> Diagnostic {
    error(
        "E0108",
        format!(
            "relationship `{class}.{key}` targets `{target}`, which names several mapped classes"
        ),
    )
    .with_labels(vec![primary(
        span,
        "SQLAlchemy: \"Multiple classes found for path\"",
    )])
    .with_notes(vec![
        format!(
            "candidates: {}",
            candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        help("qualify the name with its module: `relationship(\"app.models.User\")`"),
    ])
}

pub fn duplicate_class(span: Span, name: &str, first: Span) -> Diagnostic {
    error("E0120", format!("class `{name}` is defined more than once"))
        .with_labels(vec![primary(span, "defined again here"), secondary(first, "first defined here")])
        .with_notes(vec![help("rename one of them; SQLAlchemy cannot resolve a relationship to an ambiguous class name")])
}

pub fn duplicate_table(span: Span, name: &str, first: Span) -> Diagnostic {
    error("E0121", format!("table `{name}` is defined more than once"))
        .with_labels(vec![primary(span, "defined again here"), secondary(first, "first defined here")])
        .with_notes(vec![help("give each class its own `__tablename__` (SQLAlchemy: \"Table is already defined for this MetaData instance\")")])
}

pub fn no_primary_key(span: Span, class: &str, table: &str) -> Diagnostic {
    error("E0130", format!("mapped class `{class}` has no primary key"))
        .with_labels(vec![primary(span, format!("table `{table}` has no primary key column"))])
        .with_notes(vec![help("mark a column `primary_key=True` (SQLAlchemy: \"could not assemble any primary key columns\")")])
}

pub fn no_tablename(span: Span, class: &str) -> Diagnostic {
    error(
        "E0131",
        format!("mapped class `{class}` has no `__tablename__`"),
    )
    .with_labels(vec![primary(
        span,
        "neither `__tablename__` nor `__table__` is given",
    )])
    .with_notes(vec![help(
        "add `__tablename__ = \"...\"`, or `__abstract__ = True` if the class is not mapped",
    )])
}

pub fn no_sql_type(span: Span, class: &str, attr: &str, python: &str) -> Diagnostic {
    error(
        "E0132",
        format!("column `{class}.{attr}` has no SQL type for Python type `{python}`"),
    )
    .with_labels(vec![primary(
        span,
        format!("SQLAlchemy's type map has no entry for `{python}`"),
    )])
    .with_notes(vec![help(
        "give the type explicitly: `mapped_column(JSON)`, `mapped_column(String(50))`, ...",
    )])
}

pub fn constraint_unknown_column(
    span: Span,
    constraint: &str,
    table: &str,
    column: &str,
    table_span: Span,
) -> Diagnostic {
    error(
        "E0400",
        format!("`{constraint}` on table `{table}` names column `{column}`, which the table does not have"),
    )
    .with_labels(vec![
        primary(span, "no such column"),
        secondary(table_span, format!("table `{table}` is declared here")),
    ])
    .with_notes(vec![help(
        "name the column by its SQL name (the string given to `Column`, else the attribute name)",
    )])
}

pub fn fk_constraint_arity(span: Span, columns: usize, targets: usize) -> Diagnostic {
    error(
        "E0401",
        format!(
            "`ForeignKeyConstraint` lists {columns} column{} but {targets} referenced column{}",
            if columns == 1 { "" } else { "s" },
            if targets == 1 { "" } else { "s" },
        ),
    )
    .with_labels(vec![primary(
        span,
        "the two lists must have the same length",
    )])
    .with_notes(vec![help(
        "list one referenced column (`\"table.column\"`) per constrained column, in the same order",
    )])
}

pub fn table_args_not_tuple(span: Span, class: &str) -> Diagnostic {
    error(
        "E0402",
        format!("`__table_args__` of `{class}` is not a tuple, a dict or `None`"),
    )
    .with_labels(vec![primary(span, "SQLAlchemy refuses this value")])
    .with_notes(vec![help(
        "write a tuple (`(UniqueConstraint(...),)`), a dict (`{\"schema\": ...}`), or a tuple ending with a dict",
    )])
}

pub fn column_outside_table(span: Span, class: &str, column: &str, table_span: Span) -> Diagnostic {
    error(
        "E0403",
        format!("class `{class}` adds column `{column}` to the table it maps with `__table__`"),
    )
    .with_labels(vec![
        primary(span, "this column is not in the table"),
        secondary(table_span, "the table the class maps"),
    ])
    .with_notes(vec![help(
        "declare the column in the `Table(...)`, or map the class with `__tablename__` instead",
    )])
}

pub fn enum_values_not_strings(
    span: Span,
    enum_class: &str,
    member: &str,
    member_span: Span,
) -> Diagnostic {
    error(
        "E0404",
        format!("`Enum` of `{enum_class}` stores member values, but `{enum_class}.{member}` is not a string"),
    )
    .with_labels(vec![
        primary(span, "`values_callable` makes the database store the values"),
        secondary(member_span, "this value is not a string"),
    ])
    .with_notes(vec![help(
        "SQLAlchemy's `Enum` needs string values (it raises `TypeError`); drop `values_callable` to store the names",
    )])
}

pub fn used_before_definition(span: Span, name: &str, defined: Span) -> Diagnostic {
    error(
        "E0405",
        format!("`{name}` is used as a column type before it is defined"),
    )
    .with_labels(vec![
        primary(span, "the column's type is needed when its class is declared"),
        secondary(defined, format!("`{name}` is defined only here")),
    ])
    .with_notes(vec![help(format!(
        "move `{name}` above the models that use it (Python raises `NameError`, or SQLAlchemy cannot resolve the annotation)"
    ))])
}

pub fn enum_aliases_key_error(span: Span, enum_class: &str, defined: Span) -> Diagnostic {
    error(
        "E0406",
        format!("`Enum` of `{enum_class}` with `omit_aliases=False` and `values_callable` cannot pair its members with their values"),
    )
    .with_labels(vec![
        primary(span, "SQLAlchemy raises `KeyError` here"),
        secondary(defined, format!("`{enum_class}` has aliases")),
    ])
    .with_notes(vec![help(
        "drop `omit_aliases=False` (aliases are left out by default), or `values_callable` to store the names",
    )])
}

// ---- warnings ------------------------------------------------------------------------------

pub fn assumed_import(span: Span, name: &str) -> Diagnostic {
    warning("W0001", format!("`{name}` is used but never imported"))
        .with_labels(vec![primary(
            span,
            format!("taken as `sqlalchemy`'s `{name}`"),
        )])
        .with_notes(vec![help(format!(
            "import it: `from sqlalchemy import {name}` (or from `sqlalchemy.orm`)"
        ))])
}

pub fn assumed_flask_db(span: Span, name: &str) -> Diagnostic {
    warning(
        "W0013",
        format!(
            "`{name}` comes from outside the input; taken as Flask-SQLAlchemy's `SQLAlchemy()`"
        ),
    )
    .with_labels(vec![primary(
        span,
        format!("classes subclass `{name}.Model`"),
    )])
    .with_notes(vec![help(format!(
        "include the module that defines `{name}` in the input for sa2rs to read it"
    ))])
}

pub fn not_literal(span: Span, what: &str) -> Diagnostic {
    warning(
        "W0002",
        format!("{what} is not a literal, so sa2rs cannot know it"),
    )
    .with_labels(vec![primary(span, "the value is computed")])
    .with_notes(vec![help(
        "write the value as a literal here for sa2rs to port it",
    )])
}

pub fn not_static(span: Span, what: &str, why: &str) -> Diagnostic {
    warning(
        "W0002",
        format!("{what} cannot be known statically: it {why}"),
    )
    .with_labels(vec![primary(
        span,
        "sa2rs does not run Python, so it cannot know this value",
    )])
    .with_notes(vec![help(
        "write the value as a literal or a module constant here for sa2rs to port it",
    )])
}

pub fn not_ported(span: Span, what: &str, done: &str) -> Diagnostic {
    warning("W0003", format!("{what} is not ported yet"))
        .with_labels(vec![primary(span, done.to_owned())])
        .with_notes(vec![help(
            "the rest of the output is unaffected; check this part by hand",
        )])
}

pub fn index_never_attached(span: Span, why: &str) -> Diagnostic {
    warning("W0015", "this `Index` is never attached to a table".to_owned())
        .with_labels(vec![primary(
            span,
            format!("{why}: SQLAlchemy creates no index for it, and neither does sa2rs"),
        )])
        .with_notes(vec![help(
            "declare it in `__table_args__`, or in the mapped class with its columns named by their attributes (`Index(\"ix_name\", name)`)",
        )])
}

pub fn unknown_type(span: Span, class: &str) -> Diagnostic {
    warning("W0004", format!("unknown column type `{class}`"))
        .with_labels(vec![primary(span, "ported as `String`")])
        .with_notes(vec![help(
            "if it stores something other than text, adjust the generated field's type",
        )])
}

pub fn type_partly_read(span: Span, class: &str, why: &str) -> Diagnostic {
    warning(
        "W0005",
        format!("type `{class}` is only partly understood: {why}"),
    )
    .with_labels(vec![primary(span, "ported as `String`")])
    .with_notes(vec![help(
        "write the type's arguments as literals for sa2rs to port them",
    )])
}

pub fn unrecognised_attribute(span: Span, class: &str, attr: &str) -> Diagnostic {
    warning(
        "W0006",
        format!("attribute `{class}.{attr}` is not recognised as a column or relationship"),
    )
    .with_labels(vec![primary(span, "left out of the output")])
    .with_notes(vec![help(
        "sa2rs recognises `Column`, `mapped_column` and `relationship` calls",
    )])
}

pub fn relationship_option_not_ported(span: Span, option: &str, attr: &str) -> Diagnostic {
    warning(
        "W0007",
        format!("`{option}=` on relationship `{attr}` is not ported yet"),
    )
    .with_labels(vec![primary(
        span,
        "the relationship is left out of the graph",
    )])
    .with_notes(vec![help(
        "its direction and columns could differ from SQLAlchemy's without this argument",
    )])
}

pub fn no_models(span: Span, file: &str) -> Diagnostic {
    warning("W0011", format!("no mapped classes or tables found in `{file}`"))
        .with_labels(vec![primary(span, "nothing in this file is ported")])
        .with_notes(vec![help(
            "sa2rs looks for subclasses of a declarative base, `db.Model` and `Table(...)`; if this file declares models, check how its base is defined",
        )])
}

pub fn module_skipped(span: Span, message: &str, module: &str) -> Diagnostic {
    warning(
        "W0012",
        format!("module `{module}` does not parse, and no other input imports it: skipped"),
    )
    .with_labels(vec![primary(
        span,
        format!("invalid Python syntax: {message}"),
    )])
    .with_notes(vec![help(
        "if this module declares models, fix the syntax error; sa2rs reads Python 3.12 syntax",
    )])
}

pub fn migrations_left_out(span: Span, first: &str, count: usize) -> Diagnostic {
    let what = match count {
        1 => format!("`{first}` is an Alembic migration script: left out"),
        n => format!("{n} Alembic migration scripts left out (`{first}`, ...)"),
    };
    warning("W0014", what)
        .with_labels(vec![primary(
            span,
            "imports `alembic`, and no other input imports it",
        )])
        .with_notes(vec![help(
            "Alembic runs migration scripts; the application never imports them, so the classes and tables they declare are not part of its mapping",
        )])
}

pub fn runtime_construct(span: Span, what: &str) -> Diagnostic {
    warning("W0009", format!("{what} changes the mapping at run time"))
        .with_labels(vec![primary(
            span,
            "sa2rs does not run Python; its effect is not in the output",
        )])
        .with_notes(vec![help(
            "declare what it adds in the class bodies for sa2rs to see it",
        )])
}

pub fn enum_value_computed(span: Span, enum_class: &str, member: &str, column: Span) -> Diagnostic {
    warning(
        "W0400",
        format!("the value of enum member `{enum_class}.{member}` is not a literal"),
    )
    .with_labels(vec![
        primary(span, "computed (`enum.auto()` or an expression)"),
        secondary(
            column,
            "this column stores member values: ported as `String`",
        ),
    ])
    .with_notes(vec![help(
        "write the value as a string literal for sa2rs to port the enum",
    )])
}

pub fn internal_error(span: Span) -> Diagnostic {
    error(
        "E0999",
        "internal error: sa2rs stopped unexpectedly".to_owned(),
    )
    .with_labels(vec![primary(span, "while processing the input")])
    .with_notes(vec![help(
        "this is a bug in sa2rs; please report it with the input that caused it",
    )])
}

pub fn class_left_out_tablename(span: Span, class: &str, at: Span, why: &str) -> Diagnostic {
    warning(
        "W0600",
        format!("class `{class}` is left out: sa2rs cannot compute its `__tablename__`"),
    )
    .with_labels(vec![
        primary(span, "not in the output"),
        secondary(at, why.to_owned()),
    ])
    .with_notes(vec![help(
        "give the class a literal `__tablename__`; until then, relationships and foreign keys to it cannot be checked",
    )])
}

pub fn parent_left_out(span: Span, class: &str, parent: &str, parent_span: Span) -> Diagnostic {
    warning(
        "W0601",
        format!("class `{class}` is left out: its mapped parent `{parent}` is left out"),
    )
    .with_labels(vec![
        primary(span, "not in the output"),
        secondary(parent_span, format!("`{parent}` is left out")),
    ])
    .with_notes(vec![help(
        "port the parent (see its warning), and its subclasses follow",
    )])
}

pub fn relationship_to_left_out(span: Span, class: &str, key: &str, target: &str) -> Diagnostic {
    warning(
        "W0602",
        format!("relationship `{class}.{key}` is left out: its target `{target}` is left out"),
    )
    .with_labels(vec![primary(span, "this class is not in the output")])
    .with_notes(vec![help(
        "port the target class (see its warning), and the relationship follows",
    )])
}

pub fn fk_not_checked(span: Span, column: &str, target: &str) -> Diagnostic {
    warning(
        "W0603",
        format!("foreign key `{column}` -> `{target}` is not checked"),
    )
    .with_labels(vec![primary(
        span,
        "no table of the output has this name; it may be the table of a class left out",
    )])
    .with_notes(vec![help(
        "once every class is ported, sa2rs checks that the table and column exist",
    )])
}

// ---- explicit join conditions ------------------------------------------------------------

pub fn join_name_not_found(
    span: Span,
    option: &str,
    class: &str,
    key: &str,
    name: &str,
) -> Diagnostic {
    error(
        "E0300",
        format!(
            "`{option}=` of `{class}.{key}` names `{name}`, which is not a mapped class or table"
        ),
    )
    .with_labels(vec![primary(
        span,
        format!("no mapped class or table named `{name}`"),
    )])
    .with_notes(vec![
        "SQLAlchemy evaluates the string against the class registry: \"failed to locate a name\""
            .to_owned(),
        help(
            "name mapped classes, or tables by their table name (not by the variable holding them)",
        ),
    ])
}

pub fn join_syntax_error(span: Span, option: &str, key: &str, message: &str) -> Diagnostic {
    error(
        "E0301",
        format!("`{option}=` of relationship `{key}` is not a valid Python expression: {message}"),
    )
    .with_labels(vec![primary(span, "the parser stopped here")])
    .with_notes(vec![help(
        "SQLAlchemy evaluates this string as a Python expression; fix its syntax",
    )])
}

pub fn join_name_not_defined_yet(
    span: Span,
    name: &str,
    option: &str,
    key: &str,
    class: &str,
) -> Diagnostic {
    error(
        "E0302",
        format!("`{name}` is not defined yet where `{option}=` of `{class}.{key}` runs"),
    )
    .with_labels(vec![primary(span, "Python raises `NameError` here")])
    .with_notes(vec![
        format!("an expression in the body of `{class}` runs when the class is defined, before `{name}` exists"),
        help("write the condition as a string or a `lambda:`, which SQLAlchemy evaluates once every class exists"),
    ])
}

pub fn join_no_foreign_columns(
    span: Span,
    primary_join: bool,
    class: &str,
    key: &str,
) -> Diagnostic {
    let which = if primary_join { "primary" } else { "secondary" };
    error(
        "E0303",
        format!("could not locate any relevant foreign key columns for the {which} join condition of `{class}.{key}`"),
    )
    .with_labels(vec![primary(
        span,
        "no column compared here has a foreign key to the other side or is marked `foreign(...)`",
    )])
    .with_notes(vec![help(
        "give the referencing column a `ForeignKey`, mark it with `foreign(...)`, or name it in `foreign_keys=`",
    )])
}

pub fn join_no_equality(span: Span, primary_join: bool, class: &str, key: &str) -> Diagnostic {
    let which = if primary_join { "primary" } else { "secondary" };
    error(
        "E0304",
        format!("could not locate any simple equality expressions involving locally mapped foreign key columns for the {which} join condition of `{class}.{key}`"),
    )
    .with_labels(vec![primary(
        span,
        "foreign key columns appear here, but never in `==` with a column of the relationship's tables",
    )])
    .with_notes(vec![help(
        "compare the foreign key column with `==`, or pass `viewonly=True` to allow other operators",
    )])
}

pub fn direction_ambiguous(span: Span, class: &str, key: &str, foreign: &[String]) -> Diagnostic {
    error(
        "E0305",
        format!("can't determine the direction of relationship `{class}.{key}`: foreign key columns are present in both the parent and the child's tables"),
    )
    .with_labels(vec![primary(span, "SQLAlchemy cannot tell which side refers to the other")])
    .with_notes(vec![
        format!(
            "foreign key columns: {}",
            foreign.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        ),
        help("mark only the columns that refer to the parent with `foreign(...)`, or name them in `foreign_keys=`"),
    ])
}

pub fn direction_none(span: Span, class: &str, key: &str, foreign: &[String]) -> Diagnostic {
    error(
        "E0306",
        format!("can't determine the direction of relationship `{class}.{key}`: foreign key columns are present in neither the parent nor the child's tables"),
    )
    .with_labels(vec![primary(span, "the foreign key columns of this join belong to another table")])
    .with_notes(vec![
        format!(
            "foreign key columns: {}",
            foreign.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        ),
        help("mark a column of the parent's or the target's table with `foreign(...)`"),
    ])
}

pub fn no_local_remote_pairs(span: Span, class: &str, key: &str) -> Diagnostic {
    error(
        "E0307",
        format!("relationship `{class}.{key}` could not determine any unambiguous local/remote column pairs"),
    )
    .with_labels(vec![primary(span, "no comparison here pairs a local column with a remote one")])
    .with_notes(vec![help(
        "mark the columns of the remote side with `remote(...)`",
    )])
}

pub fn secondaryjoin_without_secondary(span: Span, class: &str, key: &str) -> Diagnostic {
    error(
        "E0308",
        format!("relationship `{class}.{key}` has `secondaryjoin=` but no `secondary=`"),
    )
    .with_labels(vec![primary(
        span,
        "a secondary join condition needs a secondary table",
    )])
    .with_notes(vec![help(
        "pass `secondary=` naming the association table, or drop `secondaryjoin=`",
    )])
}

pub fn join_not_read(span: Span, option: &str, key: &str, what: &str, whole: Span) -> Diagnostic {
    let mut labels = vec![primary(span, "sa2rs does not read this")];
    if whole != span {
        labels.push(secondary(
            whole,
            "the relationship is left out of the graph",
        ));
    }
    warning(
        "W0007",
        format!("`{option}=` of relationship `{key}` uses {what}, which sa2rs cannot read"),
    )
    .with_labels(labels)
    .with_notes(vec![help(
        "sa2rs reads columns, `==` and other comparisons, `and_`, `or_`, `not_`, `&`, `|`, `~`, `foreign(...)`, `remote(...)`, literals and `func.*(...)`",
    )])
}

// ---- inheritance, mixins, declared_attr ---------------------------------------------------

pub fn inherit_no_foreign_key(
    span: Span,
    class: &str,
    parent_table: &str,
    table: &str,
) -> Diagnostic {
    error(
        "E0200",
        format!("no foreign key links table `{table}` of `{class}` to its parent's table `{parent_table}`"),
    )
    .with_labels(vec![primary(span, "joined-table inheritance needs a foreign key to the parent's table")])
    .with_notes(vec![help(format!(
        "make its primary key a foreign key to the parent's: `id = mapped_column(ForeignKey(\"{parent_table}.id\"), primary_key=True)`; for single-table inheritance instead, give `{class}` no table (`__tablename__ = None`) (SQLAlchemy: \"Can't determine the inherit condition\")"
    ))])
}

pub fn inherit_ambiguous(
    span: Span,
    class: &str,
    parent_table: &str,
    table: &str,
    candidates: &[String],
) -> Diagnostic {
    error(
        "E0201",
        format!("several foreign keys link table `{table}` of `{class}` to its parent's table `{parent_table}`"),
    )
    .with_labels(vec![primary(span, "SQLAlchemy cannot choose the inherit condition")])
    .with_notes(vec![
        format!(
            "candidate columns: {}",
            candidates.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        ),
        help("give `__mapper_args__ = {\"inherit_condition\": ...}` naming the join to the parent"),
    ])
}

pub fn single_table_column_conflict(
    span: Span,
    class: &str,
    column: &str,
    table: &str,
    existing: Span,
) -> Diagnostic {
    error(
        "E0202",
        format!("column `{column}` of `{class}` conflicts with the existing column `{table}.{column}`"),
    )
    .with_labels(vec![
        primary(span, format!("single-table inheritance adds this column to `{table}`")),
        secondary(existing, format!("`{table}.{column}` is declared here")),
    ])
    .with_notes(vec![help(
        "declare the column once, on the parent class, or pass `use_existing_column=True` to `mapped_column()`",
    )])
}

pub fn single_table_primary_key(span: Span, class: &str, parent: &str) -> Diagnostic {
    error(
        "E0203",
        format!("primary key column on `{class}`, which has no table of its own"),
    )
    .with_labels(vec![primary(span, format!("single-table inheritance stores `{class}` in the table of `{parent}`"))])
    .with_notes(vec![help(
        "drop `primary_key=True`, or give the class a `__tablename__` and a primary key that is a foreign key to the parent's table (joined-table inheritance)",
    )])
}

pub fn single_table_table_args(span: Span, class: &str) -> Diagnostic {
    error(
        "E0204",
        format!("`__table_args__` on `{class}`, which has no table of its own"),
    )
    .with_labels(vec![primary(span, "single-table inheritance: there is no table to apply these to")])
    .with_notes(vec![help(
        "move the table arguments to the parent class (SQLAlchemy: \"Can't place __table_args__ on an inherited class with no table\")",
    )])
}

pub fn undetermined_direction(span: Span, class: &str, key: &str) -> Diagnostic {
    error(
        "E0205",
        format!("cannot determine the direction of relationship `{class}.{key}`"),
    )
    .with_labels(vec![primary(
        span,
        "its foreign key columns are in both the parent's and the child's tables",
    )])
    .with_notes(vec![help(
        "name the foreign key column this relationship uses with `foreign_keys=[...]`",
    )])
}

pub fn property_on_mixin(span: Span, mixin: &str, attr: &str, construct: &str) -> Diagnostic {
    error(
        "E0206",
        format!("`{construct}(...)` declared directly on mixin `{mixin}`"),
    )
    .with_labels(vec![primary(
        span,
        "mapper properties on a mixin must be `@declared_attr` functions",
    )])
    .with_notes(vec![help(format!(
        "write it as a function: `@declared_attr` `def {attr}(cls): return {construct}(...)`"
    ))])
}

pub fn multiple_mapped_bases(span: Span, class: &str, bases: &[String]) -> Diagnostic {
    error(
        "E0207",
        format!("class `{class}` has more than one mapped base"),
    )
    .with_labels(vec![primary(
        span,
        format!(
            "inherits {}",
            bases.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(" and ")
        ),
    )])
    .with_notes(vec![help(
        "a mapped class inherits at most one mapped class; make the others mixins or `__abstract__`",
    )])
}

pub fn concrete_not_ported(span: Span, what: &str, done: &str) -> Diagnostic {
    warning("W0200", format!("{what} is not ported yet"))
        .with_labels(vec![primary(span, done.to_owned())])
        .with_notes(vec![help(
            "tables, columns and relationships are still right; polymorphic loading across the concrete tables is not in the output",
        )])
}

pub fn duplicate_identity(
    span: Span,
    identity: &str,
    class: &str,
    first: &str,
    first_span: Span,
) -> Diagnostic {
    warning(
        "W0201",
        format!("polymorphic identity {identity} of `{class}` is already used by `{first}`"),
    )
    .with_labels(vec![
        primary(span, format!("rows with this value load as `{class}`")),
        secondary(first_span, format!("`{first}` uses it first")),
    ])
    .with_notes(vec![help(
        "give each class of the hierarchy its own `polymorphic_identity`",
    )])
}

pub fn missing_identity(span: Span, class: &str, column: &str) -> Diagnostic {
    warning(
        "W0202",
        format!("`{class}` has no `polymorphic_identity`, yet its hierarchy is polymorphic on `{column}`"),
    )
    .with_labels(vec![primary(span, "no discriminator value loads rows as this class")])
    .with_notes(vec![help(
        "add `__mapper_args__ = {\"polymorphic_identity\": ...}`, or `\"polymorphic_abstract\": True` if the class is never instantiated",
    )])
}

pub fn joined_without_primary_key(span: Span, class: &str, table: &str) -> Diagnostic {
    warning(
        "W0203",
        format!("table `{table}` of `{class}` has no primary key"),
    )
    .with_labels(vec![primary(
        span,
        "SQLAlchemy persists no rows in this table",
    )])
    .with_notes(vec![help(
        "make the foreign key to the parent's table the primary key: `primary_key=True`",
    )])
}

pub fn combined_columns(
    span: Span,
    attr: &str,
    column: &str,
    parent_column: &str,
    parent_span: Span,
) -> Diagnostic {
    warning(
        "W0204",
        format!(
            "column `{column}` implicitly combined with `{parent_column}` under attribute `{attr}`"
        ),
    )
    .with_labels(vec![
        primary(
            span,
            "the subclass's column has the parent's attribute name",
        ),
        secondary(parent_span, format!("`{parent_column}` is declared here")),
    ])
    .with_notes(vec![help(
        "rename one of the attributes, or map both explicitly (`column_property`)",
    )])
}

// ---- collections and loaders -----------------------------------------------------------------

pub fn abstract_collection(span: Span, class: &str, key: &str, collection: &str) -> Diagnostic {
    error(
        "E0500",
        format!("collection type `{collection}` of relationship `{class}.{key}` cannot be instantiated"),
    )
    .with_labels(vec![primary(
        span,
        "an abstract collection type: SQLAlchemy raises `ArgumentError`",
    )])
    .with_notes(vec![help(
        "annotate with `List[...]` or `Set[...]`, or pass a concrete `collection_class=` (`list`, `set`, `attribute_keyed_dict(...)`)",
    )])
}

pub fn dict_without_key(span: Span, class: &str, key: &str) -> Diagnostic {
    error(
        "E0501",
        format!("dict collection of relationship `{class}.{key}` has no key"),
    )
    .with_labels(vec![primary(
        span,
        "a plain `dict` has no appender method: SQLAlchemy raises `ArgumentError`",
    )])
    .with_notes(vec![help(
        "pass `collection_class=attribute_keyed_dict(\"name\")`, naming the target's attribute that keys the dict",
    )])
}

pub fn query_loader_on_scalar(
    span: Span,
    class: &str,
    key: &str,
    lazy: &str,
    why: &str,
) -> Diagnostic {
    error(
        "E0502",
        format!("`{lazy}` loader on relationship `{class}.{key}`, which {why}"),
    )
    .with_labels(vec![primary(
        span,
        "dynamic and write-only loaders need a one-to-many or many-to-many collection",
    )])
    .with_notes(vec![help(
        "use another loader (`lazy=\"select\"`, ...) here, or put this one on the collection side",
    )])
}

pub fn default_factory_mismatch(
    span: Span,
    class: &str,
    key: &str,
    given: &str,
    expected: &str,
) -> Diagnostic {
    error(
        "E0503",
        format!("`default_factory={given}` of relationship `{class}.{key}` is not its collection class"),
    )
    .with_labels(vec![primary(
        span,
        format!("SQLAlchemy raises `ArgumentError`: `default_factory` must be {expected}"),
    )])
    .with_notes(vec![help(
        "make `default_factory=` the collection the annotation names (`list` for `List[...]`, `set` for `Set[...]`)",
    )])
}

pub fn unknown_loader(span: Span, lazy: &str) -> Diagnostic {
    error("E0504", format!("unknown loader strategy `lazy=\"{lazy}\"`"))
        .with_labels(vec![primary(
            span,
            "SQLAlchemy raises `LoaderStrategyException`: \"Can't find strategy\"",
        )])
        .with_notes(vec![help(
            "use one of `select`, `joined`, `selectin`, `subquery`, `immediate`, `raise`, `raise_on_sql`, `noload`, `write_only`, `dynamic`",
        )])
}

// ---- run-time constructs -----------------------------------------------------------------------

pub fn runtime_class(span: Span, what: &str, assumed: &str) -> Diagnostic {
    warning("W0500", format!("{what} is created at run time"))
        .with_labels(vec![primary(span, assumed.to_owned())])
        .with_notes(vec![help(
            "declare mapped classes with `class` statements at module level for sa2rs to port them",
        )])
}

pub fn runtime_hook(span: Span, what: &str, assumed: &str) -> Diagnostic {
    warning("W0009", format!("{what} may change the mapping at run time"))
        .with_labels(vec![primary(span, assumed.to_owned())])
        .with_notes(vec![help(
            "sa2rs does not run Python; declare what it adds or changes in the class bodies for sa2rs to see it",
        )])
}

pub fn runtime_value(span: Span, what: &str, source: &str, assumed: &str) -> Diagnostic {
    warning("W0501", format!("{what} is read from {source} at run time"))
        .with_labels(vec![primary(span, assumed.to_owned())])
        .with_notes(vec![help(
            "sa2rs cannot know this value; write it as a literal, or check the output against the deployed configuration",
        )])
}

// ---- ORM targets -------------------------------------------------------------------------------

pub fn relation_not_expressible(
    span: Span,
    class: &str,
    key: &str,
    target: &str,
    why: &str,
) -> Diagnostic {
    warning(
        "W0700",
        format!("relationship `{class}.{key}` is left out of the {target} output"),
    )
    .with_labels(vec![primary(span, why.to_owned())])
    .with_notes(vec![help(
        "the relation registry of `--target plain` still describes it; write this query by hand",
    )])
}

pub fn column_type_not_expressible(
    span: Span,
    column: &str,
    class: &str,
    target: &str,
    how: &str,
) -> Diagnostic {
    warning(
        "W0701",
        format!("column `{column}` of type `{class}` has no mapping in {target}"),
    )
    .with_labels(vec![primary(span, format!("read and written as {how}"))])
    .with_notes(vec![help(
        "give the field the type your database stores, with a conversion, by hand",
    )])
}

pub fn schema_not_expressible(
    span: Span,
    schema: &str,
    table: &str,
    target: &str,
    written: &str,
) -> Diagnostic {
    warning(
        "W0702",
        format!("schema `{schema}` of table `{table}` cannot be named in the {target} output"),
    )
    .with_labels(vec![primary(
        span,
        format!("written as `{written}`, which is a Rust identifier"),
    )])
    .with_notes(vec![help(
        "the generated queries name the schema as written; rename the schema, or edit it by hand",
    )])
}

// ---- SQL DDL -----------------------------------------------------------------------------------

pub fn type_not_in_dialect(span: Span, column: &str, class: &str, dialect: &str) -> Diagnostic {
    error(
        "E0800",
        format!("column `{column}` of type `{class}` cannot be created in {dialect}"),
    )
    .with_labels(vec![primary(span, format!("{dialect} has no `{class}`"))])
    .with_notes(vec![help(format!(
        "SQLAlchemy's DDL compiler raises `UnsupportedCompilationError` for it too; give the column a type {dialect} has, or choose another `--dialect`"
    ))])
}

pub fn enum_without_name(span: Span, column: &str) -> Diagnostic {
    error(
        "E0801",
        format!("column `{column}`: PostgreSQL ENUM type requires a name"),
    )
    .with_labels(vec![primary(span, "a native enum without `name=`")])
    .with_notes(vec![help(
        "give the `Enum` a `name=`, or `native_enum=False` to store it as VARCHAR",
    )])
}

pub fn composite_autoincrement(span: Span, column: &str) -> Diagnostic {
    error(
        "E0802",
        format!("column `{column}`: SQLite does not support autoincrement for composite primary keys"),
    )
    .with_labels(vec![primary(span, "`autoincrement=True` on a column of a composite key")])
    .with_notes(vec![help(
        "SQLAlchemy's SQLite DDL compiler raises `CompileError` for it too; drop `autoincrement=True`, or choose another `--dialect`",
    )])
}

pub fn ddl_type_guessed(
    span: Span,
    column: &str,
    class: &str,
    written: &str,
    others: usize,
) -> Diagnostic {
    let also = match others {
        0 => String::new(),
        1 => " (and 1 other column)".to_owned(),
        n => format!(" (and {n} other columns)"),
    };
    warning(
        "W0800",
        format!("the DDL of type `{class}` is not known: column `{column}`{also}"),
    )
    .with_labels(vec![primary(span, format!("written as `{written}`"))])
    .with_notes(vec![help(
        "SQLAlchemy asks the type for its DDL (a `TypeDecorator`'s `impl`, or what its `load_dialect_impl` returns), which only running it tells; check the columns of this type by hand",
    )])
}

pub fn ddl_left_out(span: Span, what: &str, why: &str) -> Diagnostic {
    warning("W0801", format!("{what} is left out of the DDL"))
        .with_labels(vec![primary(span, why.to_owned())])
        .with_notes(vec![help("add it to the generated DDL by hand")])
}
