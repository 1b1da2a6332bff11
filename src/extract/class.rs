//! Declarative classes: which classes are mapped, their table names, columns and relationships.

use indexmap::IndexSet;

use super::annotation::class_name;
use super::{BaseKind, Export, Extractor, Resolved};
use crate::diagnostics as diag;
use crate::ir::ColumnName;
use crate::ir::{
    BackrefDecl, ClassDecl, ClassRole, ColumnStyle, RelationshipDecl, SecondaryRef, Spanned,
};
use crate::source::Span;
use crate::syntax::{ClassDef, Expr, ExprKind, Keyword, Stmt, StmtKind};

/// How a class relates to declarative mapping, judged from its bases.
enum Lineage {
    /// Subclasses `DeclarativeBase`: it *is* a base.
    Base,
    /// Inherits a declarative base (directly or through abstract classes).
    Declarative { flask: bool },
    /// Inherits a mapped class of this file.
    MappedParent(String),
    /// Inherits a name imported from elsewhere (`from .db import Base`).
    ImportedBase,
    /// Not a declarative class.
    None,
}

impl Extractor<'_> {
    fn lineage(&mut self, c: &ClassDef) -> Lineage {
        let mut lineage = Lineage::None;
        for base in &c.bases {
            if self.is_declarative_base(base) {
                let flask =
                    matches!(&base.kind, ExprKind::Attribute { attr, .. } if attr == "Model");
                return Lineage::Declarative { flask };
            }
            match self.scope.resolve_sqla(base) {
                Some(Resolved::Sqla(n))
                    if matches!(n.as_str(), "DeclarativeBase" | "DeclarativeBaseNoMeta") =>
                {
                    return Lineage::Base
                }
                Some(Resolved::Local(n)) => match self.declarative_classes.get(&n) {
                    Some(ClassRole::Mapped) => return Lineage::MappedParent(n),
                    Some(ClassRole::Abstract) => return Lineage::Declarative { flask: false },
                    None => {}
                },
                Some(Resolved::Imported(path)) => match self.index.lookup(&path) {
                    Some((_, Export::Class(ClassRole::Mapped))) => {
                        let name = path.rsplit('.').next().unwrap_or(&path).to_owned();
                        return Lineage::MappedParent(name);
                    }
                    Some((_, Export::Class(ClassRole::Abstract))) => {
                        return Lineage::Declarative { flask: false }
                    }
                    _ => lineage = Lineage::ImportedBase,
                },
                Some(Resolved::Unbound(_)) => lineage = Lineage::ImportedBase,
                _ => {}
            }
        }
        lineage
    }

    pub(super) fn class_def(&mut self, c: &ClassDef, span: Span) {
        let lineage = self.lineage(c);
        let info = ClassBody::scan(&c.body);
        match lineage {
            Lineage::None => return,
            Lineage::Base => {
                self.bases.insert(c.name.clone(), BaseKind::Declarative);
                self.base_type_map(c);
                return;
            }
            Lineage::ImportedBase if info.tablename.is_none() && info.table.is_none() => return,
            _ => {}
        }
        // `__table__`: the class maps that table; `__tablename__` is not used.
        let mapped_table = match info.table {
            Some(e) => match self.mapped_table(e) {
                Some(t) => Some(t),
                None => return,
            },
            None => None,
        };
        let tablename = match info.tablename.filter(|_| mapped_table.is_none()) {
            Some(e) => match e.as_str() {
                Some(s) => Some(Spanned::new(s.to_owned(), e.span)),
                None => {
                    self.diags
                        .push(diag::not_literal(e.span, "`__tablename__`"));
                    return;
                }
            },
            None => None,
        };
        let role = if info.is_abstract {
            ClassRole::Abstract
        } else {
            ClassRole::Mapped
        };
        let tablename = match (&lineage, role, tablename) {
            _ if mapped_table.is_some() => mapped_table.as_ref().map(|t| t.name.clone()),
            (_, ClassRole::Abstract, t) => t,
            (_, _, Some(t)) => Some(t),
            (Lineage::Declarative { flask: true }, _, None) => {
                Some(Spanned::new(flask_table_name(&c.name), c.name_span))
            }
            (Lineage::MappedParent(parent), _, None) => {
                self.diags
                    .push(diag::single_table_inheritance(c.name_span, &c.name, parent));
                return;
            }
            (_, _, None) => {
                self.diags.push(diag::no_tablename(c.name_span, &c.name));
                return;
            }
        };
        for (what, at) in &info.unported {
            self.diags.push(diag::not_ported(*at, what, "ignored"));
        }
        for base in &c.bases {
            if let Some(Resolved::Local(n)) = self.scope.resolve(base) {
                if !self.bases.contains_key(&n) && !self.declarative_classes.contains_key(&n) {
                    self.diags.push(diag::not_ported(
                        base.span,
                        "a mixin class",
                        "its attributes are not copied",
                    ));
                }
            }
        }
        self.declarative_classes.insert(c.name.clone(), role);
        self.enter_class(c);
        self.class_body = super::join::definitions(&c.body);
        let mut decl = ClassDecl {
            name: c.name.clone(),
            name_span: c.name_span,
            file: self.file,
            module: self.module.clone(),
            role,
            tablename,
            columns: Vec::new(),
            relationships: Vec::new(),
            table_args: Default::default(),
            table_var: None,
        };
        for stmt in &c.body {
            self.class_stmt(&mut decl, stmt);
        }
        let order = attribute_order(&c.body);
        decl.columns
            .sort_by_key(|col| col.attr.as_ref().and_then(|a| order.get_index_of(&a.value)));
        match (mapped_table, info.table_args) {
            (Some(t), _) => self.map_table(&mut decl, &c.body, *t),
            (None, Some(e)) if role == ClassRole::Abstract => self.diags.push(diag::not_ported(
                e.span,
                "`__table_args__` of an abstract class",
                "not copied to subclasses",
            )),
            (None, Some(e)) => decl.table_args = self.class_table_args(e, &c.name),
            (None, None) => {}
        }
        if role == ClassRole::Abstract
            && (!decl.columns.is_empty() || !decl.relationships.is_empty())
        {
            self.diags.push(diag::not_ported(
                c.name_span,
                "attributes of an abstract class",
                "not copied to subclasses",
            ));
        }
        if role == ClassRole::Mapped {
            self.decls.classes.push(decl);
        }
        let _ = span;
    }

    fn class_stmt(&mut self, decl: &mut ClassDecl, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Assign { targets, value } => {
                let [target] = targets.as_slice() else { return };
                let Some(name) = target.as_name() else { return };
                if name.starts_with("__") {
                    return;
                }
                let attr = Spanned::new(name.to_owned(), target.span);
                self.attribute(decl, attr, None, value, stmt.span);
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
            } => {
                let Some(name) = target.as_name() else { return };
                if name.starts_with("__") {
                    return;
                }
                let Some(inner) = self.mapped_inner(annotation) else {
                    return;
                };
                let attr = Spanned::new(name.to_owned(), target.span);
                match value {
                    Some(v) => self.attribute(decl, attr, Some(inner), v, stmt.span),
                    None => {
                        let ann = self.column_annotation(inner);
                        if let Some(col) = self.column_call(
                            Some(attr),
                            Some(ann),
                            ColumnStyle::Mapped,
                            &[],
                            &[],
                            stmt.span,
                        ) {
                            decl.columns.push(col);
                        }
                    }
                }
            }
            StmtKind::FunctionDef(f) => {
                let declared = f.decorators.iter().any(|d| {
                    matches!(self.scope.resolve_sqla(d), Some(Resolved::Sqla(n)) if n == "declared_attr" || n == "directive")
                        || d.dotted().is_some_and(|p| p.contains(&"declared_attr"))
                });
                if declared {
                    self.diags.push(diag::not_ported(
                        f.name_span,
                        "a `declared_attr` function",
                        "ignored",
                    ));
                }
            }
            _ => {}
        }
    }

    /// `attr = value` or `attr: Mapped[inner] = value` in a class body.
    fn attribute(
        &mut self,
        decl: &mut ClassDecl,
        attr: Spanned<String>,
        inner: Option<&Expr>,
        value: &Expr,
        span: Span,
    ) {
        let ExprKind::Call {
            func,
            args,
            keywords,
        } = &value.kind
        else {
            return;
        };
        let callee = match self.scope.resolve_sqla(func) {
            Some(Resolved::Sqla(n)) => n,
            _ => {
                self.diags.push(diag::unrecognised_attribute(
                    value.span,
                    &decl.name,
                    &attr.value,
                ));
                return;
            }
        };
        match callee.as_str() {
            "Column" | "mapped_column" => {
                let style = if callee == "Column" {
                    ColumnStyle::Classic
                } else {
                    ColumnStyle::Mapped
                };
                let ann = inner.map(|i| self.column_annotation(i));
                if let Some(col) = self.column_call(Some(attr), ann, style, args, keywords, span) {
                    decl.columns.push(col);
                }
            }
            "relationship" => {
                let ann = inner.map(|i| self.relationship_annotation(i));
                let rel = self.relationship_call(decl, attr, ann, args, keywords, span);
                decl.relationships.push(rel);
            }
            // `column_property(Column(...))` still adds the column to the table.
            "column_property" => match args.first() {
                Some(Expr {
                    kind:
                        ExprKind::Call {
                            func: inner,
                            args: cargs,
                            keywords: ckw,
                        },
                    span: cspan,
                }) if matches!(self.scope.resolve_sqla(inner), Some(Resolved::Sqla(n)) if n == "Column" || n == "mapped_column") =>
                {
                    self.diags.push(diag::not_ported(
                        value.span,
                        "`column_property(...)`",
                        "ported as its plain column",
                    ));
                    if let Some(col) =
                        self.column_call(Some(attr), None, ColumnStyle::Classic, cargs, ckw, *cspan)
                    {
                        decl.columns.push(col);
                    }
                }
                _ => self.diags.push(diag::not_ported(
                    value.span,
                    "`column_property(...)`",
                    "this attribute is left out",
                )),
            },
            other => {
                let what = format!("`{other}(...)`");
                self.diags.push(diag::not_ported(
                    value.span,
                    &what,
                    "this attribute is left out",
                ));
            }
        }
    }

    fn relationship_call(
        &mut self,
        decl: &ClassDecl,
        attr: Spanned<String>,
        annotation: Option<crate::ir::RelAnnotation>,
        args: &[Expr],
        keywords: &[Keyword],
        span: Span,
    ) -> RelationshipDecl {
        let mut rel = RelationshipDecl {
            attr,
            span,
            target: None,
            annotation,
            back_populates: None,
            uselist: None,
            secondary: None,
            backref: None,
            remote_side: None,
            foreign_keys: None,
            primaryjoin: None,
            secondaryjoin: None,
            unported: Vec::new(),
            options: Vec::new(),
        };
        if let Some(first) = args.first() {
            rel.target = class_name(first);
            if rel.target.is_none() {
                self.diags
                    .push(diag::not_literal(first.span, "the relationship target"));
            }
        }
        if let Some(second) = args.get(1) {
            rel.secondary = self.secondary(second);
        }
        for kw in keywords {
            let Some(k) = kw.name.as_deref() else {
                continue;
            };
            match k {
                "argument" => rel.target = class_name(&kw.value),
                "back_populates" => match kw.value.as_str() {
                    Some(s) => rel.back_populates = Some(Spanned::new(s.to_owned(), kw.value.span)),
                    None => self
                        .diags
                        .push(diag::not_literal(kw.value.span, "`back_populates=`")),
                },
                "uselist" => match kw.value.as_bool() {
                    Some(b) => rel.uselist = Some(b),
                    None => self
                        .diags
                        .push(diag::not_literal(kw.value.span, "`uselist=`")),
                },
                "secondary" => rel.secondary = self.secondary(&kw.value),
                "backref" => {
                    rel.backref = self.backref(&kw.value);
                    // A join of its own for the reverse side is not ported.
                    let own_join = rel.backref.as_ref().and_then(|b| {
                        b.options
                            .iter()
                            .find(|(k, _)| k == "primaryjoin" || k == "secondaryjoin")
                    });
                    if let Some((k, _)) = own_join {
                        self.diags.push(diag::relationship_option_not_ported(
                            kw.value.span,
                            k,
                            &rel.attr.value,
                        ));
                        rel.unported.push(Spanned::new(k.clone(), kw.value.span));
                    }
                }
                "remote_side" => rel.remote_side = self.column_names(&kw.value, "`remote_side=`"),
                "foreign_keys" => {
                    rel.foreign_keys = self.column_names(&kw.value, "`foreign_keys=`")
                }
                "primaryjoin" | "secondaryjoin" => {
                    let option = if k == "primaryjoin" {
                        "primaryjoin"
                    } else {
                        "secondaryjoin"
                    };
                    match self.join_arg(&kw.value, option, decl, &rel.attr.value, span.start) {
                        Some(arg) => {
                            // Recorded as written too: its filters are not in the column pairs.
                            rel.options
                                .push((k.to_owned(), self.files.slice(kw.value.span).to_owned()));
                            match option {
                                "primaryjoin" => rel.primaryjoin = Some(arg),
                                _ => rel.secondaryjoin = Some(arg),
                            }
                        }
                        None => rel.unported.push(Spanned::new(k.to_owned(), kw.name_span)),
                    }
                }
                _ => rel
                    .options
                    .push((k.to_owned(), self.files.slice(kw.value.span).to_owned())),
            }
        }
        rel
    }

    fn backref(&mut self, e: &Expr) -> Option<BackrefDecl> {
        if let Some(s) = e.as_str() {
            return Some(BackrefDecl {
                name: Spanned::new(s.to_owned(), e.span),
                uselist: None,
                options: Vec::new(),
            });
        }
        if let ExprKind::Call {
            func,
            args,
            keywords,
        } = &e.kind
        {
            if matches!(self.scope.resolve_sqla(func), Some(Resolved::Sqla(n)) if n == "backref") {
                if let Some(name) = args.first().and_then(Expr::as_str) {
                    let mut b = BackrefDecl {
                        name: Spanned::new(name.to_owned(), args[0].span),
                        uselist: None,
                        options: Vec::new(),
                    };
                    for kw in keywords {
                        match kw.name.as_deref() {
                            Some("uselist") => b.uselist = kw.value.as_bool(),
                            Some(k) => b
                                .options
                                .push((k.to_owned(), self.files.slice(kw.value.span).to_owned())),
                            None => {}
                        }
                    }
                    return Some(b);
                }
            }
        }
        self.diags.push(diag::not_literal(e.span, "`backref=`"));
        None
    }

    /// Columns named as relationship arguments (`remote_side=`, `foreign_keys=`): `id`, `[id]`,
    /// `Node.id`, `"Node.id"`, `"[Node.id]"`, `lambda: Node.id`.
    fn column_names(&mut self, e: &Expr, what: &str) -> Option<Vec<Spanned<ColumnName>>> {
        fn name_of(e: &Expr) -> Option<Spanned<ColumnName>> {
            let (class, attr) = match &e.kind {
                ExprKind::Name(n) => (None, n.clone()),
                ExprKind::Attribute { value, attr } => {
                    // `Class.attr`, `table.c.column`, `Class.__table__.c.column`.
                    let owner = match &value.kind {
                        ExprKind::Name(n) => n.clone(),
                        ExprKind::Attribute { value: t, attr: c } if c == "c" || c == "columns" => {
                            match &t.kind {
                                ExprKind::Name(n) => format!("{n}.c"),
                                ExprKind::Attribute {
                                    value: cls,
                                    attr: tt,
                                } if tt == "__table__" => {
                                    format!("{}.__table__.c", cls.as_name()?)
                                }
                                _ => return None,
                            }
                        }
                        _ => return None,
                    };
                    (Some(owner), attr.clone())
                }
                ExprKind::Str(s) => {
                    let inner = s
                        .trim()
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .trim();
                    if inner.is_empty() || inner.contains(',') {
                        return None;
                    }
                    match inner.rsplit_once('.') {
                        Some((class, attr)) => {
                            (Some(class.trim().to_owned()), attr.trim().to_owned())
                        }
                        None => (None, inner.to_owned()),
                    }
                }
                ExprKind::Lambda { body, .. } => return name_of(body),
                _ => return None,
            };
            Some(Spanned::new(ColumnName { class, attr }, e.span))
        }
        let items: Vec<&Expr> = match &e.kind {
            ExprKind::List(v) | ExprKind::Tuple(v) | ExprKind::Set(v) => v.iter().collect(),
            ExprKind::Lambda { body, .. } => match &body.kind {
                ExprKind::List(v) | ExprKind::Tuple(v) | ExprKind::Set(v) => v.iter().collect(),
                _ => vec![body.as_ref()],
            },
            // A string holding a list: `"[Customer.a_id, Customer.b_id]"`.
            ExprKind::Str(s) if s.contains(',') => {
                let names: Vec<_> = s
                    .trim()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .split(',')
                    .map(|part| Expr {
                        kind: ExprKind::Str(part.trim().to_owned()),
                        span: e.span,
                    })
                    .collect();
                let found: Option<Vec<_>> = names.iter().map(name_of).collect();
                if found.is_none() {
                    self.diags.push(diag::not_literal(e.span, what));
                }
                return found;
            }
            _ => vec![e],
        };
        let found: Option<Vec<_>> = items.into_iter().map(name_of).collect();
        if found.is_none() {
            self.diags.push(diag::not_literal(e.span, what));
        }
        found
    }

    fn secondary(&mut self, e: &Expr) -> Option<Spanned<SecondaryRef>> {
        let target = match &e.kind {
            ExprKind::Lambda { body, .. } => body.as_ref(),
            _ => e,
        };
        match &target.kind {
            ExprKind::Name(n) => Some(Spanned::new(SecondaryRef::Variable(n.clone()), e.span)),
            ExprKind::Str(s) => Some(Spanned::new(SecondaryRef::TableName(s.clone()), e.span)),
            _ => {
                self.diags.push(diag::not_literal(e.span, "`secondary=`"));
                None
            }
        }
    }
}

/// The order in which declarative scans a class body's attributes: `vars(cls)` merged with
/// `cls.__annotations__` by SQLAlchemy's `util.merge_lists_w_ordering`. Table columns follow it,
/// so an annotation-only `Mapped[int]` can come before a `Column` declared above it.
fn attribute_order(body: &[Stmt]) -> IndexSet<String> {
    let mut vars = IndexSet::new();
    let mut annotations = IndexSet::new();
    for stmt in body {
        match &stmt.kind {
            StmtKind::Assign { targets, .. } => {
                vars.extend(targets.iter().filter_map(Expr::as_name).map(str::to_owned))
            }
            StmtKind::AnnAssign { target, value, .. } => {
                if let Some(n) = target.as_name() {
                    if value.is_some() {
                        vars.insert(n.to_owned());
                    }
                    annotations.insert(n.to_owned());
                }
            }
            StmtKind::FunctionDef(f) => {
                vars.insert(f.name.clone());
            }
            StmtKind::ClassDef(c) => {
                vars.insert(c.name.clone());
            }
            _ => {}
        }
    }
    merge_lists_w_ordering(&vars, &annotations)
}

/// SQLAlchemy's `util.merge_lists_w_ordering(a, b)`: walk one list until an element that both
/// share, then switch to the other; shared elements are emitted from the list that reaches them
/// second.
fn merge_lists_w_ordering(a: &IndexSet<String>, b: &IndexSet<String>) -> IndexSet<String> {
    let mut overlap: IndexSet<&String> = a.iter().filter(|x| b.contains(*x)).collect();
    let mut result = IndexSet::new();
    let (mut current, mut other) = (a.iter(), b.iter());
    loop {
        let mut switched = false;
        for element in current.by_ref() {
            if overlap.shift_remove(element) {
                switched = true;
                break;
            }
            result.insert(element.clone());
        }
        if !switched {
            result.extend(other.cloned());
            return result;
        }
        std::mem::swap(&mut current, &mut other);
    }
}

/// The dunder settings of a class body.
struct ClassBody<'a> {
    tablename: Option<&'a Expr>,
    table_args: Option<&'a Expr>,
    table: Option<&'a Expr>,
    is_abstract: bool,
    unported: Vec<(String, Span)>,
}

impl<'a> ClassBody<'a> {
    fn scan(body: &'a [Stmt]) -> Self {
        let mut info = ClassBody {
            tablename: None,
            table_args: None,
            table: None,
            is_abstract: false,
            unported: Vec::new(),
        };
        for stmt in body {
            let (target, value) = match &stmt.kind {
                StmtKind::Assign { targets, value } if targets.len() == 1 => (&targets[0], value),
                StmtKind::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => (target, value),
                StmtKind::FunctionDef(f) if f.name == "__tablename__" => {
                    info.unported
                        .push(("a computed `__tablename__`".into(), f.name_span));
                    continue;
                }
                _ => continue,
            };
            match target.as_name() {
                Some("__tablename__") => info.tablename = Some(value),
                Some("__abstract__") => info.is_abstract = value.as_bool() == Some(true),
                Some("__table_args__") => info.table_args = Some(value),
                Some("__table__") => info.table = Some(value),
                Some(n @ "__mapper_args__") => {
                    info.unported.push((format!("`{n}`"), target.span));
                }
                _ => {}
            }
        }
        info
    }
}

/// Flask-SQLAlchemy's automatic table name: `camel_to_snake_case` in `flask_sqlalchemy.model`,
/// `re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower().lstrip("_")`.
pub fn flask_table_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let after_lower_or_digit =
            i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
        let before_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        if c.is_ascii_uppercase() && (after_lower_or_digit || (i > 0 && before_lower)) {
            out.push('_');
        }
        out.push(c);
    }
    out.to_lowercase().trim_start_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::flask_table_name;

    #[test]
    fn merge_matches_sqlalchemys_docstring_example() {
        let set = |v: &[&str]| {
            v.iter()
                .map(|s| s.to_string())
                .collect::<indexmap::IndexSet<_>>()
        };
        let a = set(&["__tablename__", "id", "x", "created_at"]);
        let b = set(&["id", "name", "data", "y", "created_at"]);
        let merged: Vec<String> = super::merge_lists_w_ordering(&a, &b).into_iter().collect();
        assert_eq!(
            merged,
            [
                "__tablename__",
                "id",
                "name",
                "data",
                "y",
                "x",
                "created_at"
            ]
        );
    }

    #[test]
    fn flask_names_follow_camel_to_snake_case() {
        assert_eq!(flask_table_name("User"), "user");
        assert_eq!(flask_table_name("UserAddress"), "user_address");
        assert_eq!(flask_table_name("HTTPRequest"), "http_request");
        assert_eq!(flask_table_name("OAuth2Token"), "o_auth2_token");
    }
}
