//! Reading a type expression: SQLAlchemy's type classes with their arguments (core and dialect),
//! `ARRAY(item)`, `Enum` of string values or of a Python enum class of the file, the file's
//! `TypeDecorator`s, and `.with_variant(...)`.

use super::imported_types::ColumnTypeDef;
use super::local_types::{AliasPairing, MemberAttr};
use super::types;
use super::{Export, Extractor, Resolved};
use crate::diagnostics as diag;
use crate::ir::{PyEnum, SqlType, TypeKind};
use crate::source::Span;
use crate::syntax::{keyword, Expr, ExprKind, Keyword, Stmt, StmtKind};
use crate::IndexMap;

/// What reading a type expression found.
pub enum TypeRead {
    Known(SqlType),
    /// Recognised as a SQLAlchemy type but with arguments sa2rs cannot read (an `Enum` with a
    /// `values_callable` it does not understand, say): the type, ported as text, plus what was
    /// not understood.
    Partial(SqlType, String),
}

/// How deep type expressions nest (`ARRAY(ARRAY(...))`, decorators of decorators) before
/// sa2rs stops reading them.
const MAX_TYPE_DEPTH: usize = 16;

/// `ARRAY(..., dimensions=n)` beyond this is not read.
const MAX_DIMENSIONS: i64 = 8;

fn unknown(class: &str, span: Span) -> SqlType {
    SqlType {
        class: class.to_owned(),
        impl_class: None,
        kind: TypeKind::Unknown,
        span,
        variants: None,
    }
}

fn literal_bool(e: &Expr) -> Option<bool> {
    e.as_bool()
}

impl Extractor<'_> {
    /// Reads a type expression (a bare class or a call). `None` when `e` is not a type sa2rs
    /// recognises; the caller decides what else it may be.
    pub(super) fn read_type(&mut self, e: &Expr) -> Option<TypeRead> {
        self.type_at(e, 0)
    }

    fn type_at(&mut self, e: &Expr, depth: usize) -> Option<TypeRead> {
        if depth > MAX_TYPE_DEPTH {
            return None;
        }
        let (head, args, kws): (&Expr, &[Expr], &[Keyword]) = match &e.kind {
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                if let ExprKind::Attribute { value, attr } = &func.kind {
                    match attr.as_str() {
                        "evaluates_none" => return self.type_at(value, depth + 1),
                        // `TypeEngine.with_variant` returns a copy of the base type, which is
                        // what SQLAlchemy reports; the variants are the DDL of other dialects.
                        "with_variant" => {
                            let base = self.type_at(value, depth + 1)?;
                            return Some(self.with_variant(base, args, depth));
                        }
                        _ => {}
                    }
                }
                (func, args, keywords)
            }
            _ => (e, &[], &[]),
        };
        match self.scope.resolve_sqla(head)? {
            Resolved::Sqla(name) => {
                let dialect = self.scope.dialect(head);
                let (class, kind) = types::lookup(&name, dialect.as_deref())?;
                let mysql = matches!(dialect.as_deref(), Some("mysql" | "mariadb"));
                Some(self.type_arguments(class, kind, mysql, args, kws, e.span, depth))
            }
            Resolved::Local(name) if self.local.decorators.contains_key(&name) => {
                Some(self.decorator_type(&name, e, args, kws, depth))
            }
            // A module variable holding a type (`BIG = BigInteger()`, `J = JSON().with_variant(
            // ...)`), used as one: the value it holds.
            Resolved::Local(name) if matches!(e.kind, ExprKind::Name(_)) => {
                self.type_variable(&name, e, depth)
            }
            Resolved::Imported(path) => {
                // A type variable of another input module, used as one (not called).
                if !matches!(e.kind, ExprKind::Call { .. }) {
                    if let Some((_, Export::Type(t))) = self.index.lookup(&path) {
                        let (t, why) = *t;
                        return Some(match why {
                            Some(why) => TypeRead::Partial(t, why),
                            None => TypeRead::Known(t),
                        });
                    }
                }
                match self.imported_type_def(&path)? {
                    ColumnTypeDef::Decorator(d) => {
                        Some(self.imported_decorator_type(&path, &d, e, args, kws))
                    }
                    ColumnTypeDef::Enum(_) => None,
                }
            }
            _ => None,
        }
    }

    /// `base.with_variant(type_, *dialect_names)`: `type_` (as far as it is known; an unknown
    /// one is named by the text of its class) is the DDL type on those dialects.
    fn with_variant(&mut self, base: TypeRead, args: &[Expr], depth: usize) -> TypeRead {
        let Some((variant, dialects)) = args.split_first() else {
            return base;
        };
        let ty = match self.type_at(variant, depth + 1) {
            Some(TypeRead::Known(t) | TypeRead::Partial(t, _)) => t,
            None => {
                // Named by its class, as SQLAlchemy's `type(...).__name__` would.
                let head = match &variant.kind {
                    ExprKind::Call { func, .. } => func,
                    _ => variant,
                };
                unknown(self.files.slice(head.span), variant.span)
            }
        };
        let add = |mut t: SqlType| {
            let variants = t.variants.get_or_insert_with(Default::default);
            for d in dialects.iter().filter_map(Expr::as_str) {
                variants.0.push((d.to_owned(), ty.clone()));
            }
            t
        };
        match base {
            TypeRead::Known(t) => TypeRead::Known(add(t)),
            TypeRead::Partial(t, why) => TypeRead::Partial(add(t), why),
        }
    }

    /// Applies a type's arguments to its meaning: lengths, `timezone=`, `asdecimal=`,
    /// `as_uuid=`, MySQL's `unsigned=`, `ARRAY`'s item type, `Enum`'s values.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn type_arguments(
        &mut self,
        class: &str,
        mut kind: TypeKind,
        mysql: bool,
        args: &[Expr],
        kws: &[Keyword],
        span: Span,
        depth: usize,
    ) -> TypeRead {
        let arg = |pos: usize, kw: &str| keyword(kws, kw).map(|k| &k.value).or(args.get(pos));
        let int = |e: Option<&Expr>| {
            e.and_then(|e| match e.kind {
                ExprKind::Int(i) => i,
                _ => None,
            })
        };
        let mut problem: Option<String> = None;
        // A length that is not known: the type is still text, of unknown length.
        let mut length_problem: Option<String> = None;
        let not_bool = |what: &str| format!("`{what}=` is not a literal `True`/`False`");
        match &mut kind {
            TypeKind::Text { length } => {
                *length = int(arg(0, "length"));
                if length.is_none() && arg(0, "length").is_some() {
                    length_problem = Some("`length=` is not a literal integer".to_owned());
                }
            }
            TypeKind::Decimal { precision, scale } => {
                *precision = int(arg(0, "precision"));
                *scale = int(arg(1, "scale"));
                if let Some(k) = keyword(kws, "asdecimal") {
                    match literal_bool(&k.value) {
                        Some(false) => kind = TypeKind::Float,
                        Some(true) => {}
                        None => {
                            problem.get_or_insert_with(|| not_bool("asdecimal"));
                        }
                    }
                }
            }
            TypeKind::Float => {
                if let Some(k) = keyword(kws, "asdecimal") {
                    match literal_bool(&k.value) {
                        Some(true) => {
                            kind = TypeKind::Decimal {
                                precision: None,
                                scale: None,
                            }
                        }
                        Some(false) => {}
                        None => {
                            problem.get_or_insert_with(|| not_bool("asdecimal"));
                        }
                    }
                }
            }
            TypeKind::DateTime { timezone } => {
                if let Some(tz) = arg(0, "timezone") {
                    match literal_bool(tz) {
                        Some(b) => *timezone = b,
                        None => {
                            problem.get_or_insert_with(|| not_bool("timezone"));
                        }
                    }
                }
            }
            // `Uuid(as_uuid=False)` (and PostgreSQL's `UUID(as_uuid=False)`) hands out strings.
            TypeKind::Uuid => {
                if let Some(v) = arg(0, "as_uuid") {
                    match literal_bool(v) {
                        Some(false) => kind = TypeKind::Text { length: None },
                        Some(true) => {}
                        None => {
                            problem.get_or_insert_with(|| not_bool("as_uuid"));
                        }
                    }
                }
            }
            TypeKind::Int8 | TypeKind::Int16 | TypeKind::Int32 | TypeKind::Int64 if mysql => {
                if let Some(k) = keyword(kws, "unsigned") {
                    match literal_bool(&k.value) {
                        Some(true) => kind = unsigned(&kind),
                        Some(false) => {}
                        None => {
                            problem.get_or_insert_with(|| not_bool("unsigned"));
                        }
                    }
                }
            }
            TypeKind::Enum(_) => return self.enum_type(class, args, kws, span),
            TypeKind::Array { item, dimensions } => {
                match arg(0, "item_type") {
                    None => {
                        problem = Some(format!("`{class}` without an item type"));
                    }
                    Some(item_expr) => match self.type_at(item_expr, depth + 1) {
                        Some(TypeRead::Known(t)) => **item = t.kind,
                        Some(TypeRead::Partial(_, why)) => problem = Some(why),
                        None => {
                            let text = self.files.slice(item_expr.span).to_owned();
                            problem =
                                Some(format!("its item type `{text}` is not one sa2rs knows"));
                        }
                    },
                }
                match int(arg(2, "dimensions")) {
                    Some(n) if (1..=MAX_DIMENSIONS).contains(&n) => *dimensions = n as u8,
                    Some(_) => {
                        problem.get_or_insert_with(|| {
                            format!("`dimensions=` is not between 1 and {MAX_DIMENSIONS}")
                        });
                    }
                    None => {}
                }
            }
            _ => {}
        }
        if let (None, Some(why)) = (&problem, length_problem) {
            return TypeRead::Partial(
                SqlType {
                    class: class.to_owned(),
                    impl_class: None,
                    kind,
                    span,
                    variants: None,
                },
                why,
            );
        }
        match problem {
            None => TypeRead::Known(SqlType {
                class: class.to_owned(),
                impl_class: None,
                kind,
                span,
                variants: None,
            }),
            Some(p) => TypeRead::Partial(unknown(class, span), p),
        }
    }

    /// `Enum("a", "b", name=...)`, or `Enum(PythonEnum, ...)` for an `enum.Enum` class of the
    /// file (`Enum._enum_init`, `Enum._parse_into_values`).
    pub(super) fn enum_type(
        &mut self,
        class: &str,
        args: &[Expr],
        kws: &[Keyword],
        span: Span,
    ) -> TypeRead {
        let name = match keyword(kws, "name") {
            None => None,
            Some(k) => match &k.value.kind {
                ExprKind::Str(s) => Some(Some(s.clone())),
                ExprKind::NoneLit => Some(None),
                _ => {
                    return TypeRead::Partial(
                        unknown(class, span),
                        "`name=` is not a literal".to_owned(),
                    )
                }
            },
        };
        if let Some(first) = args.first() {
            match self.scope.resolve(first) {
                Some(Resolved::Local(n)) if self.local.enums.contains_key(&n) => {
                    return self.python_enum(class, &n, name, kws, span);
                }
                Some(Resolved::Imported(p)) if self.imported_enum(&p).is_some() => {
                    return self.python_enum(class, &p, name, kws, span);
                }
                // The generic `Enum(enum.Enum)` of a type map: its values come from the
                // annotated class.
                Some(Resolved::Python(p)) if p == "enum.Enum" && args.len() == 1 => {
                    return TypeRead::Known(SqlType {
                        class: class.to_owned(),
                        impl_class: None,
                        kind: TypeKind::Enum(Box::new(crate::ir::EnumType {
                            values: Vec::new(),
                            name: name.flatten(),
                            python: None,
                            native: enum_native(kws),
                            length: enum_length(kws),
                        })),
                        span,
                        variants: None,
                    });
                }
                _ => {}
            }
        }
        let mut values = Vec::new();
        for a in args {
            match a.as_str() {
                Some(s) => values.push(s.to_owned()),
                None => {
                    return TypeRead::Partial(
                        unknown(class, span),
                        format!(
                            "an `{class}` of something other than string literals or an `enum.Enum` class of this file"
                        ),
                    )
                }
            }
        }
        if values.is_empty() {
            return TypeRead::Partial(unknown(class, span), format!("an `{class}` without values"));
        }
        TypeRead::Known(SqlType {
            class: class.to_owned(),
            impl_class: None,
            kind: TypeKind::Enum(Box::new(crate::ir::EnumType {
                values,
                name: name.flatten(),
                python: None,
                native: enum_native(kws),
                length: enum_length(kws),
            })),
            span,
            variants: None,
        })
    }

    /// An `Enum` of the enum class `enum_class`: the database stores the member names, unless
    /// `values_callable` lists their values; the SQL name defaults to the class name in lower
    /// case (`Enum._enum_init`). `name` is `name=` when given.
    pub(super) fn python_enum(
        &mut self,
        class: &str,
        enum_class: &str,
        name: Option<Option<String>>,
        kws: &[Keyword],
        span: Span,
    ) -> TypeRead {
        let (ec, enum_class) = match self.local.enums.get(enum_class).cloned() {
            Some(ec) => {
                if self.used_before_defined(span, enum_class, ec.name_span) {
                    return TypeRead::Known(unknown(class, span));
                }
                (ec, enum_class)
            }
            // An enum class of another module, named by its dotted path.
            None => match self.imported_enum(enum_class) {
                Some(ec) => (ec, enum_class.rsplit('.').next().unwrap_or(enum_class)),
                None => {
                    return TypeRead::Partial(
                        unknown(class, span),
                        format!("`{enum_class}` is unknown"),
                    )
                }
            },
        };
        let stores =
            match keyword(kws, "values_callable") {
                None => MemberAttr::Name,
                Some(k) => match self.local.values_callable(&k.value) {
                    Some(a) => a,
                    None => return TypeRead::Partial(
                        unknown(class, span),
                        "`values_callable=` is not `lambda x: [e.value for e in x]` (or `.name`)"
                            .to_owned(),
                    ),
                },
            };
        let omit_aliases = match keyword(kws, "omit_aliases").map(|k| k.value.as_bool()) {
            None => true,
            Some(Some(b)) => b,
            Some(None) => {
                return TypeRead::Partial(
                    unknown(class, span),
                    "`omit_aliases=` is not a literal `True`/`False`".to_owned(),
                )
            }
        };
        if !omit_aliases && stores == MemberAttr::Value {
            match ec.alias_pairing() {
                AliasPairing::Exact => {}
                AliasPairing::Raises => {
                    self.diags
                        .push(diag::enum_aliases_key_error(span, enum_class, ec.name_span));
                    return TypeRead::Known(unknown(class, span));
                }
                AliasPairing::Scrambled => {
                    return TypeRead::Partial(
                        unknown(class, span),
                        format!(
                            "with `omit_aliases=False`, SQLAlchemy pairs the members of `{enum_class}` (aliases included) with the listed values from the end, so members store other members' values"
                        ),
                    )
                }
            }
        }
        // `Enum._parse_into_values`: the members (aliases too with `omit_aliases=False`);
        // `values_callable` iterates the class, which never yields aliases.
        let with_aliases = !omit_aliases && stores == MemberAttr::Name;
        let members: Vec<&super::local_types::Member> = ec
            .members
            .iter()
            .filter(|m| !m.alias || with_aliases)
            .collect();
        let mut values = Vec::new();
        for m in &members {
            match (stores, &m.value) {
                (MemberAttr::Name, _) => values.push(m.name.clone()),
                (MemberAttr::Value, super::local_types::MemberValue::Str(s)) => {
                    values.push(s.clone())
                }
                (MemberAttr::Value, super::local_types::MemberValue::Int(_)) => {
                    // `Enum._enum_init` measures each value with `len()`: a `TypeError`.
                    self.diags.push(diag::enum_values_not_strings(
                        span, enum_class, &m.name, m.span,
                    ));
                    return TypeRead::Known(unknown(class, span));
                }
                (MemberAttr::Value, super::local_types::MemberValue::Computed) => {
                    self.diags
                        .push(diag::enum_value_computed(m.span, enum_class, &m.name, span));
                    return TypeRead::Known(unknown(class, span));
                }
            }
        }
        if values.is_empty() {
            return TypeRead::Partial(
                unknown(class, span),
                format!("an `{class}` of `{enum_class}`, which has no members"),
            );
        }
        let name = match name {
            Some(n) => n,
            None => Some(enum_class.to_lowercase()),
        };
        TypeRead::Known(SqlType {
            class: class.to_owned(),
            impl_class: None,
            kind: TypeKind::Enum(Box::new(crate::ir::EnumType {
                values,
                name,
                python: Some(PyEnum {
                    class: enum_class.to_owned(),
                    members: members.iter().map(|m| m.name.clone()).collect(),
                    stores_values: stores == MemberAttr::Value,
                    span: ec.name_span,
                }),
                native: enum_native(kws),
                length: enum_length(kws),
            })),
            span,
            variants: None,
        })
    }

    /// A `TypeDecorator` of the file: SQLAlchemy reports the decorator's class name; the values
    /// are its `impl`'s. Arguments of the decorator go to the `impl` (`TypeDecorator.__init__`)
    /// unless it defines its own `__init__`.
    fn decorator_type(
        &mut self,
        name: &str,
        e: &Expr,
        args: &[Expr],
        kws: &[Keyword],
        depth: usize,
    ) -> TypeRead {
        if let Some(d) = self.local.decorators.get(name) {
            let defined = d.name_span;
            if self.used_before_defined(e.span, name, defined) {
                return TypeRead::Known(unknown(name, e.span));
            }
        }
        let (impl_, own_init) = self.decorator_impl(name);
        let Some(impl_) = impl_ else {
            return TypeRead::Partial(unknown(name, e.span), "it sets no `impl`".to_owned());
        };
        let bare = matches!(impl_.kind, ExprKind::Name(_) | ExprKind::Attribute { .. });
        let impl_expr = if bare && !own_init && (!args.is_empty() || !kws.is_empty()) {
            Expr {
                kind: ExprKind::Call {
                    func: Box::new(impl_),
                    args: args.to_vec(),
                    keywords: kws.to_vec(),
                },
                span: e.span,
            }
        } else {
            impl_
        };
        let dialect_impl = self.decorator_dialect_impl(name);
        let with_name = |t: SqlType| SqlType {
            class: name.to_owned(),
            // Its DDL is its `impl`'s, unless `load_dialect_impl` chooses another.
            impl_class: (!dialect_impl).then(|| t.impl_class.unwrap_or(t.class)),
            kind: t.kind,
            span: e.span,
            variants: t.variants,
        };
        match self.type_at(&impl_expr, depth + 1) {
            Some(TypeRead::Known(t)) => TypeRead::Known(with_name(t)),
            Some(TypeRead::Partial(t, why)) => TypeRead::Partial(with_name(t), why),
            None => {
                let text = self.files.slice(impl_expr.span).to_owned();
                TypeRead::Partial(
                    unknown(name, e.span),
                    format!("its `impl`, `{text}`, is not a type sa2rs knows"),
                )
            }
        }
    }
}

/// A module-level `name = value` whose name is bound once: by this assignment at the top
/// level, and by no other assignment, class, function or import, nor inside a block (which
/// binding a class sees would depend on order and control flow).
pub(super) struct BoundOnce<'b> {
    pub target: &'b Expr,
    pub name: &'b str,
    pub value: &'b Expr,
}

/// The module's [`BoundOnce`] assignments, in order.
pub(super) fn bound_once(body: &[Stmt]) -> Vec<BoundOnce<'_>> {
    let mut bindings: IndexMap<&str, usize> = IndexMap::default();
    for stmt in body {
        bound_names(stmt, &mut |name, weight| {
            *bindings.entry(name).or_default() += weight;
        });
    }
    body.iter()
        .filter_map(|stmt| {
            let (target, value) = stmt.assignment()?;
            let name = target.as_name()?;
            (bindings.get(name) == Some(&1)).then_some(BoundOnce {
                target,
                name,
                value,
            })
        })
        .collect()
}

impl Extractor<'_> {
    /// Collects the module-level names bound once (see [`BoundOnce`]) to what may be a type
    /// expression (a call, a name or an attribute; `type_variable` reads it when a column uses
    /// the name).
    pub(super) fn collect_type_variables(&mut self, once: &[BoundOnce]) {
        for b in once {
            let could_be_type = matches!(
                b.value.kind,
                ExprKind::Call { .. } | ExprKind::Name(_) | ExprKind::Attribute { .. }
            );
            if could_be_type && self.is_type_head(b.value) {
                self.type_variables
                    .insert(b.name.to_owned(), (b.target.span, b.value.clone()));
            }
        }
    }

    /// Whether `e`, past `.with_variant(...)` and the call, names a SQLAlchemy type, a type
    /// decorator of the file or a type variable collected above it.
    fn is_type_head(&self, mut e: &Expr) -> bool {
        for _ in 0..MAX_TYPE_DEPTH {
            match &e.kind {
                ExprKind::Call { func, .. } => match &func.kind {
                    ExprKind::Attribute { value, attr }
                        if matches!(attr.as_str(), "with_variant" | "evaluates_none") =>
                    {
                        e = value
                    }
                    _ => e = func,
                },
                _ => break,
            }
        }
        match self.scope.resolve(e) {
            Some(Resolved::Sqla(name)) => {
                let dialect = self.scope.dialect(e);
                types::lookup(&name, dialect.as_deref()).is_some()
            }
            Some(Resolved::Local(name)) => {
                self.local.decorators.contains_key(&name) || self.type_variables.contains_key(&name)
            }
            _ => false,
        }
    }

    /// The types the module's type variables hold, read at module level for other modules
    /// to use: what reading them reports is theirs to report, where they use one.
    pub(super) fn exported_types(&mut self) -> Vec<(String, TypeRead)> {
        if self.type_variables.is_empty() {
            return Vec::new();
        }
        let (diags, reported) = (self.diags.len(), self.reported.clone());
        let class_body = std::mem::take(&mut self.class_body);
        let variables: Vec<(String, Expr)> = self
            .type_variables
            .iter()
            .map(|(name, (_, value))| (name.clone(), value.clone()))
            .collect();
        let types = variables
            .into_iter()
            .filter_map(|(name, value)| Some((name, self.type_at(&value, 1)?)))
            .collect();
        self.diags.truncate(diags);
        self.reported = reported;
        self.class_body = class_body;
        types
    }

    /// The type a module variable holds, used (at `e`) as a column's type: read from the
    /// variable's value, named and placed as SQLAlchemy has it (the type object itself).
    /// `None` when `name` is no type variable, or one the class body binds again or uses above
    /// its assignment (a `NameError` in Python).
    fn type_variable(&mut self, name: &str, e: &Expr, depth: usize) -> Option<TypeRead> {
        if self.class_body.contains_key(name) {
            return None;
        }
        let (defined, value) = self.type_variables.get(name)?.clone();
        if self.used_before_defined(e.span, name, defined) {
            return Some(TypeRead::Known(unknown(name, e.span)));
        }
        self.type_at(&value, depth + 1)
    }

    /// The `impl` of the decorator `name` of this file (or of the decorator of the file it
    /// inherits), and whether it or a parent defines `__init__`.
    pub(super) fn decorator_impl(&self, name: &str) -> (Option<Expr>, bool) {
        let mut current = name.to_owned();
        let mut own_init = false;
        for _ in 0..MAX_TYPE_DEPTH {
            let Some(d) = self.local.decorators.get(&current) else {
                break;
            };
            own_init |= d.own_init;
            if let Some(i) = &d.impl_ {
                return (Some(i.clone()), own_init);
            }
            match &d.parent {
                Some(p) => current = p.clone(),
                None => break,
            }
        }
        (None, own_init)
    }

    /// Whether the decorator `name` (or a decorator of the file it inherits) chooses its DDL
    /// type per dialect in `load_dialect_impl`, which only running it can tell.
    pub(super) fn decorator_dialect_impl(&self, name: &str) -> bool {
        let mut current = name.to_owned();
        for _ in 0..MAX_TYPE_DEPTH {
            let Some(d) = self.local.decorators.get(&current) else {
                break;
            };
            if d.dialect_impl {
                return true;
            }
            match &d.parent {
                Some(p) => current = p.clone(),
                None => break,
            }
        }
        false
    }

    /// A class of the file used (at `span`) above its definition: Python has not run the class
    /// statement yet when the model's class body (or SQLAlchemy's annotation scan, which happens
    /// as the model class is created) needs it. Reported as the error it is.
    fn used_before_defined(&mut self, span: Span, name: &str, defined: Span) -> bool {
        let before = span.file == defined.file && span.start < defined.start;
        if before {
            self.diags
                .push(diag::used_before_definition(span, name, defined));
        }
        before
    }
}

/// Calls `bind(name, weight)` for each name `stmt` binds at module level: weight 1 for a
/// plain binding, 2 (never alone) for one inside a block, whose running is not known.
fn bound_names<'s>(stmt: &'s Stmt, bind: &mut impl FnMut(&'s str, usize)) {
    fn targets<'s>(e: &'s Expr, weight: usize, bind: &mut impl FnMut(&'s str, usize)) {
        match &e.kind {
            ExprKind::Name(n) => bind(n, weight),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    targets(i, 2, bind);
                }
            }
            ExprKind::Starred(inner) => targets(inner, 2, bind),
            _ => {}
        }
    }
    fn walk<'s>(stmt: &'s Stmt, weight: usize, bind: &mut impl FnMut(&'s str, usize)) {
        match &stmt.kind {
            StmtKind::Assign { targets: ts, .. } => {
                for t in ts {
                    targets(t, weight, bind);
                }
            }
            StmtKind::AnnAssign { target, .. } => targets(target, weight, bind),
            StmtKind::ClassDef(c) => bind(&c.name, weight),
            StmtKind::FunctionDef(f) => bind(&f.name, weight),
            StmtKind::Import { names } | StmtKind::ImportFrom { names, .. } => {
                for a in names {
                    let bound = a.asname.as_deref().unwrap_or(&a.name);
                    bind(bound.split('.').next().unwrap_or(bound), weight);
                }
            }
            StmtKind::If { .. } | StmtKind::Try { .. } | StmtKind::Block { .. } => {
                for b in stmt.nested_bodies() {
                    for s in b {
                        walk(s, 2, bind);
                    }
                }
            }
            _ => {}
        }
    }
    walk(stmt, 1, bind);
}

/// The unsigned integer of the same width (MySQL's `unsigned=True`).
fn unsigned(kind: &TypeKind) -> TypeKind {
    match kind {
        TypeKind::Int8 => TypeKind::UInt8,
        TypeKind::Int16 => TypeKind::UInt16,
        TypeKind::Int32 => TypeKind::UInt32,
        _ => TypeKind::UInt64,
    }
}

/// `native_enum=` (default true).
fn enum_native(kws: &[Keyword]) -> bool {
    keyword(kws, "native_enum")
        .and_then(|k| k.value.as_bool())
        .unwrap_or(true)
}

/// `length=` of a non-native `Enum`.
fn enum_length(kws: &[Keyword]) -> Option<i64> {
    keyword(kws, "length").and_then(|k| match k.value.kind {
        ExprKind::Int(i) => i,
        _ => None,
    })
}
