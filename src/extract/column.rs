//! `Column(...)`, `mapped_column(...)` and `ForeignKey(...)`.

use super::sqltype::TypeRead;
use super::{Extractor, Resolved};
use crate::diagnostics as diag;
use crate::ir::{
    AnnotationType, ColumnCheck, ColumnDdl, ColumnDecl, ColumnStyle, ComputedDdl, DefaultValue,
    FkOptions, ForeignKeyDecl, IdentityDdl, SequenceDdl, ServerDefault, Spanned, SqlType, TypeKind,
};
use crate::source::Span;
use crate::syntax::{Expr, ExprKind, Keyword};

impl Extractor<'_> {
    /// Reads a column call. `attr` is the class attribute it is assigned to (`None` inside a
    /// `Table`).
    pub(super) fn column_call(
        &mut self,
        attr: Option<Spanned<String>>,
        annotation: Option<AnnotationType>,
        style: ColumnStyle,
        args: &[Expr],
        keywords: &[Keyword],
        span: Span,
    ) -> Option<ColumnDecl> {
        let mut name = None;
        let mut sql_type_ = None;
        let mut foreign_keys = Vec::new();
        let mut ddl: Option<Box<ColumnDdl>> = None;
        let mut server_default = None;
        for (i, arg) in args.iter().enumerate() {
            if let (0, Some(s)) = (i, arg.as_str()) {
                name = Some(s.to_owned());
                continue;
            }
            match self.column_arg(arg) {
                ColumnArg::Type(t) => sql_type_ = Some(t),
                ColumnArg::ForeignKey(fk) => foreign_keys.push(fk),
                ColumnArg::Identity(found) => {
                    ddl.get_or_insert_with(Box::default).identity = Some(found)
                }
                ColumnArg::Sequence(seq) => {
                    ddl.get_or_insert_with(Box::default).sequence = Some(seq)
                }
                ColumnArg::Computed(c) => ddl.get_or_insert_with(Box::default).computed = Some(c),
                ColumnArg::Check(c) => ddl.get_or_insert_with(Box::default).checks.push(c),
                ColumnArg::ServerDefault(d) => server_default = Some(d),
                ColumnArg::Ignored => {}
            }
        }
        // Columns are kept for the whole run, most with one key or none: no spare capacity.
        foreign_keys.shrink_to_fit();
        let mut col = ColumnDecl {
            attr: attr.clone(),
            name: String::new(),
            span,
            style,
            sql_type: None,
            annotation: annotation.map(Box::new),
            primary_key: false,
            nullable: None,
            unique: None,
            index: None,
            default: None,
            server_default,
            comment: None,
            foreign_keys,
            use_existing: false,
            ddl: None,
        };
        for kw in keywords {
            let Some(k) = kw.name.as_deref() else {
                self.diags.push(diag::not_ported(
                    kw.span,
                    "`**` arguments of a column",
                    "ignored",
                ));
                continue;
            };
            if self.column_ddl_keyword(&mut ddl, kw, k) {
                continue;
            }
            match k {
                "primary_key" => col.primary_key = self.literal_bool(kw).unwrap_or(false),
                "nullable" => col.nullable = self.literal_bool(kw),
                "unique" => col.unique = self.literal_bool(kw),
                "use_existing_column" => col.use_existing = self.literal_bool(kw).unwrap_or(false),
                "index" => col.index = self.literal_bool(kw),
                "default" | "insert_default" => {
                    col.default = Some(self.files.slice(kw.value.span).to_owned())
                }
                "server_default" => {
                    col.server_default = Some(Box::new(self.server_default(&kw.value)))
                }
                "comment" => col.comment = kw.value.as_str().map(str::to_owned),
                "name" => match kw.value.as_str() {
                    Some(s) => name = Some(s.to_owned()),
                    None => self
                        .diags
                        .push(self.not_literal(kw.value.span, "the column name")),
                },
                "type_" => {
                    if let ColumnArg::Type(t) = self.column_arg(&kw.value) {
                        sql_type_ = Some(t);
                    }
                }
                _ => {}
            }
        }
        // An identity column is NOT NULL unless said otherwise.
        let identity = ddl.as_ref().is_some_and(|d| d.identity.is_some());
        if identity && col.nullable.is_none() {
            col.nullable = Some(false);
        }
        col.sql_type = sql_type_;
        col.ddl = ddl;
        col.name = match (name, &attr) {
            (Some(n), _) => n,
            (None, Some(a)) => a.value.clone(),
            (None, None) => {
                self.diags
                    .push(self.not_literal(span, "the name of this `Table` column"));
                return None;
            }
        };
        Some(col)
    }

    /// `server_default=`: a string, `text("...")`, `func.now()`, `true()`; anything else is
    /// kept as source text only.
    fn server_default(&mut self, e: &Expr) -> ServerDefault {
        let value = match &e.kind {
            ExprKind::Str(s) => DefaultValue::Literal(s.clone()),
            ExprKind::Call {
                func,
                args,
                keywords,
            } if keywords.is_empty() => {
                let function = match &func.kind {
                    ExprKind::Attribute { value, attr } => match self.scope.resolve_sqla(value) {
                        Some(Resolved::Sqla(f)) if f == "func" => Some(attr.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                match (function, args.as_slice()) {
                    (Some(name), []) => DefaultValue::Function(name),
                    (Some(_), _) => DefaultValue::Unknown,
                    (None, _) => match (self.callee(func).as_deref(), args.as_slice()) {
                        (Some("text" | "literal_column"), [sql]) => match sql.as_str() {
                            Some(sql) => DefaultValue::Sql(sql.to_owned()),
                            None => DefaultValue::Unknown,
                        },
                        (Some("true"), []) => DefaultValue::Bool(true),
                        (Some("false"), []) => DefaultValue::Bool(false),
                        _ => DefaultValue::Unknown,
                    },
                }
            }
            _ => DefaultValue::Unknown,
        };
        ServerDefault {
            source: self.files.slice(e.span).to_owned(),
            value,
            span: e.span,
        }
    }

    /// The DDL options of `ForeignKey(...)`: `name=`, `ondelete=`, `onupdate=`,
    /// `deferrable=`, `initially=`, `use_alter=`.
    pub(super) fn fk_options(&mut self, keywords: &[Keyword]) -> FkOptions {
        let mut o = FkOptions::default();
        for kw in keywords {
            let text = || kw.value.as_str().map(str::to_owned);
            match kw.name.as_deref() {
                Some("name") => o.name = text(),
                Some("ondelete") => o.ondelete = text(),
                Some("onupdate") => o.onupdate = text(),
                Some("initially") => o.initially = text(),
                Some("deferrable") => o.deferrable = kw.value.as_bool(),
                Some("use_alter") => o.use_alter = kw.value.as_bool().unwrap_or(false),
                _ => {}
            }
        }
        o
    }

    fn literal_bool(&mut self, kw: &Keyword) -> Option<bool> {
        let b = kw.value.as_bool();
        if b.is_none() {
            let what = format!("`{}=`", kw.name.as_deref().unwrap_or("?"));
            self.diags.push(self.not_literal(kw.value.span, &what));
        }
        b
    }

    /// `ForeignKey(User.id)`, `ForeignKey(User.__table__.c.id)`, `ForeignKey(users.c.id)`: the
    /// `table.column` a column object names, for a class or `Table` declared above (as Python
    /// requires).
    fn column_object_target(&self, e: &Expr) -> Option<String> {
        let ExprKind::Attribute { value, attr } = &e.kind else {
            return None;
        };
        // `Class.attr` is resolved with the classes (see `class_attr`).
        if value.as_name().is_some() {
            return None;
        }
        let ExprKind::Attribute {
            value: owner,
            attr: c,
        } = &value.kind
        else {
            return None;
        };
        if c != "c" && c != "columns" {
            return None;
        }
        let table = match &owner.kind {
            ExprKind::Name(var) => self
                .decls
                .tables
                .iter()
                .rev()
                .find(|t| t.var.as_deref() == Some(var))?
                .name
                .value
                .clone(),
            ExprKind::Attribute {
                value: class,
                attr: t,
            } if t == "__table__" => {
                let class = class.as_name()?;
                self.decls
                    .classes
                    .iter()
                    .rev()
                    .find(|c| c.name == class)?
                    .tablename
                    .as_ref()?
                    .value
                    .clone()
            }
            _ => return None,
        };
        Some(format!("{table}.{attr}"))
    }

    fn column_arg(&mut self, arg: &Expr) -> ColumnArg {
        // `Column(Integer, user_id_seq)`: the module variable's `Sequence(...)`.
        if let Some(item) = self.column_item(arg) {
            return self.column_arg(&item);
        }
        // `MutableDict.as_mutable(JSONB)`: the column's type is the one wrapped.
        if let ExprKind::Call { func, args, .. } = &arg.kind {
            if let (ExprKind::Attribute { attr, .. }, [inner]) = (&func.kind, args.as_slice()) {
                if attr == "as_mutable" {
                    return self.column_arg(inner);
                }
            }
        }
        if let Some(read) = self.read_type(arg) {
            return ColumnArg::Type(self.type_read(arg, read));
        }
        let head = match &arg.kind {
            ExprKind::Call { func, .. } => func.as_ref(),
            _ => arg,
        };
        let resolved = self.scope.resolve_sqla(head);
        match resolved {
            Some(Resolved::Sqla(name)) => match name.as_str() {
                "ForeignKey" => {
                    let ExprKind::Call { args, keywords, .. } = &arg.kind else {
                        return ColumnArg::Ignored;
                    };
                    let options = self.fk_options(keywords);
                    let target = args.first().and_then(|a| match a.as_str() {
                        Some(t) => Some(t.to_owned()),
                        None => self.column_object_target(a),
                    });
                    // `ForeignKey(User.id)`, `User` imported from another module: resolved later.
                    let class_attr = match (&target, args.first().map(|a| &a.kind)) {
                        (None, Some(ExprKind::Attribute { value, attr })) => {
                            match self.scope.resolve(value) {
                                Some(Resolved::Imported(path)) => Some((path, attr.clone())),
                                Some(Resolved::Local(name))
                                    if self.declarative_classes.contains_key(&name) =>
                                {
                                    Some((format!("{}.{name}", self.module), attr.clone()))
                                }
                                // Imported, then redefined below by a class that is not a model.
                                Some(Resolved::Local(name)) => self
                                    .scope
                                    .shadowed_import(&name)
                                    .map(|path| (path.clone(), attr.clone())),
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                    match (target, class_attr) {
                        (Some(target), _) => ColumnArg::ForeignKey(ForeignKeyDecl {
                            target,
                            span: arg.span,
                            options,
                            class_attr: None,
                        }),
                        (None, Some(class_attr)) => ColumnArg::ForeignKey(ForeignKeyDecl {
                            target: format!("{}.{}", class_attr.0, class_attr.1),
                            span: arg.span,
                            options,
                            class_attr: Some(class_attr),
                        }),
                        (None, None) => {
                            self.diags.push(
                                self.not_literal(arg.span, "the target of `ForeignKey(...)`"),
                            );
                            ColumnArg::Ignored
                        }
                    }
                }
                "Identity" | "Sequence" | "Computed" | "CheckConstraint" | "DefaultClause" => {
                    let (call, args, keywords) = match &arg.kind {
                        ExprKind::Call { args, keywords, .. } => {
                            (true, args.as_slice(), keywords.as_slice())
                        }
                        _ => (false, &[][..], &[][..]),
                    };
                    match (name.as_str(), args.first()) {
                        ("Identity", _) => ColumnArg::Identity(self.identity(arg, args, keywords)),
                        ("Sequence", _) => ColumnArg::Sequence(self.sequence(arg, args, keywords)),
                        ("Computed", _) => ColumnArg::Computed(self.computed(arg, args, keywords)),
                        ("CheckConstraint", _) if call => {
                            ColumnArg::Check(self.column_check(arg, args, keywords))
                        }
                        // `DefaultClause("5")` is a server default.
                        ("DefaultClause", Some(value)) => {
                            ColumnArg::ServerDefault(Box::new(self.server_default(value)))
                        }
                        _ => ColumnArg::Ignored,
                    }
                }
                "FetchedValue" => ColumnArg::Ignored,
                _ => self.unknown_type(arg, &name),
            },
            Some(Resolved::Imported(n)) if n.starts_with("sqlalchemy_utils.") => {
                let last = n.rsplit('.').next().unwrap_or(&n).to_owned();
                match super::types::sqlalchemy_utils_type(&last) {
                    Some(kind) => ColumnArg::Type(SqlType {
                        class: last,
                        impl_class: None,
                        kind,
                        span: arg.span,
                        variants: None,
                    }),
                    None => self.unknown_type(arg, &last),
                }
            }
            Some(
                Resolved::Local(n)
                | Resolved::Imported(n)
                | Resolved::Unbound(n)
                | Resolved::Python(n),
            ) => {
                let last = n.rsplit('.').next().unwrap_or(&n).to_owned();
                self.unknown_type(arg, &last)
            }
            None => {
                self.diags.push(diag::not_ported(
                    arg.span,
                    "this column argument",
                    "ignored",
                ));
                ColumnArg::Ignored
            }
        }
    }

    /// The type read, reporting what was only partly understood.
    pub(super) fn type_read(&mut self, arg: &Expr, read: TypeRead) -> SqlType {
        match read {
            TypeRead::Known(t) => t,
            TypeRead::Partial(t, why) => {
                self.diags
                    .push(diag::type_partly_read(arg.span, &t.class, &why));
                t
            }
        }
    }

    fn unknown_type(&mut self, arg: &Expr, class: &str) -> ColumnArg {
        self.diags.push(diag::unknown_type(arg.span, class));
        ColumnArg::Type(SqlType {
            class: class.to_owned(),
            impl_class: None,
            kind: TypeKind::Unknown,
            span: arg.span,
            variants: None,
        })
    }
}

enum ColumnArg {
    Type(SqlType),
    ForeignKey(ForeignKeyDecl),
    Identity(IdentityDdl),
    Sequence(SequenceDdl),
    Computed(ComputedDdl),
    Check(ColumnCheck),
    ServerDefault(Box<ServerDefault>),
    Ignored,
}
