//! `--target sea-orm`: SeaORM 2.x entities in the dense format (`#[sea_orm::model]`), one
//! module per table, with a relation field per relationship named after its Python attribute:
//! `BelongsTo` for a many-to-one, `HasMany` / `HasOne` (`uselist=False`) for a one-to-many,
//! `HasMany` `via` the junction entity for a many-to-many through a table. Where SeaORM needs
//! the other side of a relation that the Python declares on one side only, it is added and
//! documented as such; several relations to one entity and self-reference name their
//! `relation_enum`s so that both sides pair up.

use crate::IndexMap;
use proc_macro2::TokenStream;
use quote::quote;

use super::enums::enum_item_with;
use super::names::{ident, Namespace};
use super::orm::{Layout, OrmPlan, RelationJoin, RelationPlan};
use super::rust::{column_doc, doc, print, print_registry, value_type};
use super::tree::GeneratedFile;
use crate::diagnostics::{self as diag, Diagnostic};
use crate::graph::{Direction, Graph, TableId};
use crate::ir::TypeKind;
use crate::source::SourceFiles;

/// Generates the SeaORM entities for the graph in `layout` (a tree as sea-orm-cli lays it
/// out: `mod.rs`, `prelude.rs`, one file per entity, `sea_orm_active_enums.rs`); what it
/// cannot express is reported in `diags`.
pub fn emit(
    graph: &Graph,
    files: &SourceFiles,
    inputs: &[String],
    layout: Layout,
    diags: &mut Vec<Diagnostic>,
) -> Vec<GeneratedFile> {
    emit_format(graph, files, inputs, layout, false, diags)
}

/// [`emit`] in the expanded format that SeaORM 1.x code uses: a `Relation` enum with
/// `DeriveRelation`, `Related` impls and a `Linked` struct per relationship.
pub fn emit_expanded(
    graph: &Graph,
    files: &SourceFiles,
    inputs: &[String],
    layout: Layout,
    diags: &mut Vec<Diagnostic>,
) -> Vec<GeneratedFile> {
    emit_format(graph, files, inputs, layout, true, diags)
}

fn emit_format(
    graph: &Graph,
    files: &SourceFiles,
    inputs: &[String],
    layout: Layout,
    expanded: bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<GeneratedFile> {
    let plan = super::orm::plan(graph, files, "SeaORM", diags);
    let relations = Relations::plan(graph, files, &plan, diags);
    let header = super::rust::header(inputs);
    let mut main = vec![print(quote! { #(#header)* })];
    let mut modules = Vec::new();
    // Each enum in a module of its own: `DeriveActiveEnum` adds a `<Name>Enum` type beside it,
    // which another enum may be called.
    let mut names = Namespace::default();
    for t in &plan.tables {
        names.reserve(&t.module);
    }
    for reserved in ["prelude", "relations", "sea_orm_active_enums"] {
        names.reserve(reserved);
    }
    let enums: Vec<String> = plan
        .base
        .enums
        .items
        .iter()
        .map(|e| {
            let item = enum_item_with(
                e,
                &quote!(, EnumIter, DeriveActiveEnum),
                &quote!(#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]),
                |value| quote!(#[sea_orm(string_value = #value)]),
            );
            let module = ident(&names.snake(&format!("{}_enum", e.name)));
            let name = ident(&e.name);
            print(quote! {
                pub use #module::#name;

                #[doc = " The module of the enum (for the types `DeriveActiveEnum` adds)."]
                pub mod #module {
                    use sea_orm::entity::prelude::*;

                    #item
                }
            })
        })
        .collect();
    if !enums.is_empty() {
        match layout {
            Layout::File => main.extend(enums),
            Layout::Tree => {
                main.push(print(quote!(
                    pub use sea_orm_active_enums::*;
                )));
                let doc = super::rust::inner_doc("The enums the entities' columns use.");
                let text = std::iter::once(print(doc)).chain(enums).collect::<Vec<_>>();
                modules.push((
                    "sea_orm_active_enums".to_owned(),
                    text.join("\n"),
                    String::new(),
                ));
            }
        }
    }
    for t in 0..graph.tables.len() {
        let (text, body) = entity(graph, files, &plan, &relations, TableId(t), expanded, diags);
        let m = &plan.tables[t].module;
        let (outer, inner) = (doc(&text), super::rust::inner_doc(&text));
        let module = ident(m);
        modules.push((
            m.clone(),
            print(quote! { #inner #body }),
            print(quote! { #outer pub mod #module { #body } }),
        ));
    }
    let uses = prelude(&plan);
    modules.push((
        "prelude".to_owned(),
        print(quote! {
            //! Every entity, by the name of its struct.
            #uses
        }),
        print(quote! {
            /// Every entity, by the name of its struct.
            pub mod prelude { #uses }
        }),
    ));
    modules.push((
        "relations".to_owned(),
        print_registry(graph, &plan.base, false),
        print_registry(graph, &plan.base, true),
    ));
    super::orm::assemble(layout, main, modules)
}

/// One relation field of an entity.
struct RelField {
    name: String,
    doc: String,
    /// Inside `#[sea_orm(...)]`.
    attrs: TokenStream,
    ty: TokenStream,
    /// The entity it relates to.
    target: TableId,
    /// What it is, for the expanded format.
    kind: RelKind,
    /// The expanded format's `Linked` struct for it (`ParentLink`).
    link: String,
}

/// A relation as the expanded format declares it.
enum RelKind {
    /// `Relation::<variant>`: `belongs_to` over column `from` of this entity to `to` of the
    /// target.
    BelongsTo {
        variant: String,
        from: usize,
        to: usize,
    },
    /// `Relation::<variant>`: `has_many` (or `has_one`, not `many`) paired with the target's
    /// `belongs_to` `via`.
    Has {
        variant: String,
        via: String,
        many: bool,
    },
    /// Through `junction`, by its relations to this entity (`from`) and the target (`to`).
    Through {
        junction: TableId,
        from: String,
        to: String,
    },
}

/// The relation fields of every entity, by table.
struct Relations {
    fields: Vec<Vec<RelField>>,
    /// The field of each entry of [`OrmPlan::relations`], when it has one.
    of_plan: Vec<Option<RelationField>>,
}

/// Where a relationship is in the generated entities: the relation field of the entity, and
/// what `Entity::load().with(...)` takes to load it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationField {
    pub field: String,
    /// `Relation::<variant>`; `None` when it is loaded by the target entity (the only
    /// relation to it, or a many-to-many), as SeaORM's loader expects.
    pub relation_enum: Option<String>,
    /// The expanded format's `Linked` struct that loads it.
    pub link: String,
}

/// The relation field of each entry of [`OrmPlan::relations`] (`None` for those left out,
/// reported in `diags`).
pub fn relation_fields(
    graph: &Graph,
    files: &SourceFiles,
    plan: &OrmPlan,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Option<RelationField>> {
    Relations::plan(graph, files, plan, diags).of_plan
}

/// A `BelongsTo` already planned: `(child, fk column, parent, key column)` to its enum.
type BelongsKey = (usize, usize, usize, usize);

/// A relation field's name: never a raw identifier (`fn_rel`, not `r#fn`), which SeaORM's
/// macros cannot build method names from (nor one ending in `_`: `set_<field>_option`).
fn relation_field(ns: &mut Namespace, name: &str) -> String {
    let field = ns.snake(name);
    if super::names::is_keyword(&field) || field.ends_with('_') {
        ns.snake(&format!("{} rel", field.trim_end_matches('_')))
    } else {
        field
    }
}

/// A relation's target as a path from the module of `from`.
fn entity_path(plan: &OrmPlan, from: TableId, to: TableId) -> TokenStream {
    if from == to {
        quote!(Entity)
    } else {
        let m = ident(&plan.tables[to.0].module);
        quote!(super::#m::Entity)
    }
}

/// The relation fields while they are planned.
struct Planner<'a> {
    graph: &'a Graph,
    plan: &'a OrmPlan,
    fields: Vec<Vec<RelField>>,
    field_ns: Vec<Namespace>,
    enum_ns: Vec<Namespace>,
    /// The expanded format's item names, by entity.
    item_ns: Vec<Namespace>,
    /// Every `BelongsTo`: its field's index and its `relation_enum`.
    belongs: IndexMap<BelongsKey, (usize, String)>,
}

impl Planner<'_> {
    /// Adds a `BelongsTo` field `name` to `child` over `fk` -> `parent.key`; returns its enum.
    fn belongs_to(
        &mut self,
        (child, fk, parent, key): (TableId, usize, TableId, usize),
        name: &str,
        doc: String,
    ) -> String {
        let field = relation_field(&mut self.field_ns[child.0], name);
        let variant = self.enum_ns[child.0].camel(name);
        let from = &self.plan.tables[child.0].fields[fk];
        let to = &self.plan.tables[parent.0].fields[key];
        let target = entity_path(self.plan, child, parent);
        let nullable = self.graph.table(child).columns[fk].nullable;
        let ty = if nullable || child == parent {
            quote!(BelongsTo<Option<#target>>)
        } else {
            quote!(BelongsTo<#target>)
        };
        let self_ref = (child == parent).then(|| quote!(self_ref,));
        let attrs = quote!(belongs_to, #self_ref relation_enum = #variant, from = #from, to = #to);
        let link = self.item_ns[child.0].camel(&format!("{field}_link"));
        self.fields[child.0].push(RelField {
            name: field,
            doc,
            attrs,
            ty,
            target: parent,
            kind: RelKind::BelongsTo {
                variant: variant.clone(),
                from: fk,
                to: key,
            },
            link,
        });
        let index = self.fields[child.0].len() - 1;
        self.belongs
            .insert((child.0, fk, parent.0, key), (index, variant.clone()));
        variant
    }
}

impl Relations {
    fn plan(
        graph: &Graph,
        files: &SourceFiles,
        plan: &OrmPlan,
        diags: &mut Vec<Diagnostic>,
    ) -> Relations {
        let n = graph.tables.len();
        let mut p = Planner {
            graph,
            plan,
            fields: (0..n).map(|_| Vec::new()).collect(),
            field_ns: plan
                .tables
                .iter()
                .map(|t| {
                    let mut ns = Namespace::default();
                    for f in &t.fields {
                        ns.reserve(f);
                    }
                    ns
                })
                .collect(),
            enum_ns: (0..n).map(|_| Namespace::default()).collect(),
            item_ns: (0..n)
                .map(|_| {
                    let mut ns = Namespace::default();
                    for item in [
                        "Model",
                        "Entity",
                        "Column",
                        "ActiveModel",
                        "PrimaryKey",
                        "Relation",
                        "Related",
                        "Linked",
                    ] {
                        ns.reserve(item);
                    }
                    ns
                })
                .collect(),
            belongs: IndexMap::default(),
        };
        let where_ = |r: &RelationPlan| {
            let rel = plan.relationship(graph, r);
            format!(
                "`{}.{}` (`{}`)",
                graph.class(rel.class).name,
                rel.key,
                files.location(rel.span)
            )
        };
        let mut of_plan = vec![None; plan.relations.len()];
        // Rows that only a discriminator tells apart: SeaORM's relations join on columns.
        let mut skip = vec![false; plan.relations.len()];
        for (i, r) in plan.relations.iter().enumerate() {
            if r.from_rows.is_some() || r.to_rows.is_some() {
                let rel = plan.relationship(graph, r);
                skip[i] = true;
                diags.push(diag::relation_not_expressible(
                    rel.span,
                    &graph.class(rel.class).name,
                    &rel.key,
                    "SeaORM",
                    "a single-table subclass's rows differ only by the discriminator, which SeaORM's relations do not filter on",
                ));
            }
        }
        // Many-to-ones first: the one-to-manys pair with them.
        for (i, r) in plan.relations.iter().enumerate() {
            if skip[i] {
                continue;
            }
            let rel = plan.relationship(graph, r);
            if let (RelationJoin::Direct { pairs }, Direction::ManyToOne) = (&r.join, rel.direction)
            {
                let [(local, remote)] = pairs.as_slice() else {
                    diags.push(diag::relation_not_expressible(
                        rel.span,
                        &graph.class(rel.class).name,
                        &rel.key,
                        "SeaORM",
                        "SeaORM's dense relation fields join on one column",
                    ));
                    continue;
                };
                let d = format!("{}: many-to-one.", where_(r));
                let variant = p.belongs_to((r.from, *local, r.to, *remote), &r.name, d);
                let last = p.fields[r.from.0].last();
                of_plan[i] = Some(RelationField {
                    field: last.map(|f| f.name.clone()).unwrap_or_default(),
                    relation_enum: Some(variant),
                    link: last.map(|f| f.link.clone()).unwrap_or_default(),
                });
            }
        }
        for (i, r) in plan.relations.iter().enumerate() {
            if skip[i] {
                continue;
            }
            let rel = plan.relationship(graph, r);
            let class = &graph.class(rel.class).name;
            let not = |why: &str, diags: &mut Vec<Diagnostic>| {
                diags.push(diag::relation_not_expressible(
                    rel.span, class, &rel.key, "SeaORM", why,
                ));
            };
            match (&r.join, rel.direction) {
                (RelationJoin::Direct { .. }, Direction::ManyToOne) => {}
                (RelationJoin::Direct { pairs }, _) => {
                    let [(local, remote)] = pairs.as_slice() else {
                        not("SeaORM's dense relation fields join on one column", diags);
                        continue;
                    };
                    let key = (r.to.0, *remote, r.from.0, *local);
                    let via = match p.belongs.get(&key) {
                        Some((_, v)) => v.clone(),
                        None => {
                            let name = plan.tables[r.from.0].module.clone();
                            let d = format!(
                                "Not a Python attribute: the many-to-one SeaORM pairs with {}.",
                                where_(r)
                            );
                            p.belongs_to((r.to, *remote, r.from, *local), &name, d)
                        }
                    };
                    let field = relation_field(&mut p.field_ns[r.from.0], &r.name);
                    let variant = p.enum_ns[r.from.0].camel(&r.name);
                    let target = entity_path(plan, r.from, r.to);
                    let (kind, ty, what) = if r.many {
                        (quote!(has_many), quote!(HasMany<#target>), "one-to-many")
                    } else {
                        (quote!(has_one), quote!(HasOne<#target>), "one-to-one")
                    };
                    let attrs = if r.from == r.to {
                        // The many-to-one names this side as its reverse.
                        let (index, _) = p.belongs[&key];
                        let f = &mut p.fields[r.to.0][index];
                        let a = &f.attrs;
                        f.attrs = quote!(#a, relation_reverse = #variant);
                        quote!(self_ref, relation_enum = #variant, relation_reverse = #via)
                    } else {
                        quote!(#kind, relation_enum = #variant, via_rel = #via)
                    };
                    let link = p.item_ns[r.from.0].camel(&format!("{field}_link"));
                    of_plan[i] = Some(RelationField {
                        field: field.clone(),
                        relation_enum: Some(variant.clone()),
                        link: link.clone(),
                    });
                    p.fields[r.from.0].push(RelField {
                        name: field,
                        doc: format!("{}: {what}.", where_(r)),
                        attrs,
                        ty,
                        target: r.to,
                        kind: RelKind::Has {
                            variant: variant.clone(),
                            via: via.clone(),
                            many: r.many,
                        },
                        link,
                    });
                }
                (
                    RelationJoin::Through {
                        secondary,
                        parent,
                        target,
                    },
                    _,
                ) => {
                    let ([(local, ps)], [(tc, ts)]) = (parent.as_slice(), target.as_slice()) else {
                        not("SeaORM's junction relations join on one column each", diags);
                        continue;
                    };
                    if r.from == r.to {
                        not(
                            "a self-referential many-to-many is not generated for SeaORM yet",
                            diags,
                        );
                        continue;
                    }
                    // A junction relation is known by its target entity alone.
                    let beside = plan
                        .relations
                        .iter()
                        .enumerate()
                        .any(|(j, x)| j != i && !skip[j] && x.from == r.from && x.to == r.to);
                    if beside {
                        not(
                            "SeaORM knows a many-to-many by its target entity, which another relation of this entity also reaches",
                            diags,
                        );
                        continue;
                    }
                    // The junction's relations to both ends, named as `via` expects: after
                    // the modules of the entities.
                    let mut ok = true;
                    let mut ends = Vec::new();
                    for (end, end_col, sec_col) in [(r.from, *local, *ps), (r.to, *tc, *ts)] {
                        let key = (secondary.0, sec_col, end.0, end_col);
                        let expected = Namespace::default().camel(&plan.tables[end.0].module);
                        let variant = match p.belongs.get(&key) {
                            Some((_, v)) => v.clone(),
                            None => p.belongs_to(
                                (*secondary, sec_col, end, end_col),
                                &plan.tables[end.0].module,
                                format!(
                                    "Not a Python attribute: the junction's side of {}.",
                                    where_(r)
                                ),
                            ),
                        };
                        ok &= variant == expected;
                        ends.push(variant);
                    }
                    if !ok {
                        not(
                            "its association table's relations cannot be named as SeaORM's `via` needs",
                            diags,
                        );
                        continue;
                    }
                    let field = relation_field(&mut p.field_ns[r.from.0], &r.name);
                    let junction = &plan.tables[secondary.0].module;
                    let target = entity_path(plan, r.from, r.to);
                    let link = p.item_ns[r.from.0].camel(&format!("{field}_link"));
                    of_plan[i] = Some(RelationField {
                        field: field.clone(),
                        relation_enum: None,
                        link: link.clone(),
                    });
                    p.fields[r.from.0].push(RelField {
                        name: field,
                        doc: format!("{}: many-to-many.", where_(r)),
                        attrs: quote!(has_many, via = #junction),
                        ty: quote!(HasMany<#target>),
                        target: r.to,
                        kind: RelKind::Through {
                            junction: *secondary,
                            from: ends[0].clone(),
                            to: ends[1].clone(),
                        },
                        link,
                    });
                }
            }
        }
        // SeaORM's loader takes the target entity for the only relation to it, and the
        // `Relation` variant when there are several (or for self-reference).
        for (i, r) in plan.relations.iter().enumerate() {
            if let Some(f) = &mut of_plan[i] {
                let to_target = p.fields[r.from.0]
                    .iter()
                    .filter(|x| x.target == r.to)
                    .count();
                if to_target == 1 && r.from != r.to {
                    f.relation_enum = None;
                }
            }
        }
        Relations {
            fields: p.fields,
            of_plan,
        }
    }
}

/// A column's Rust type for SeaORM on SQLite, which reads a `Uuid` stored as text (as
/// SQLAlchemy stores it) as `TextUuid`; what it has no type for is reported and read as text.
fn column_type(
    graph: &Graph,
    plan: &OrmPlan,
    t: TableId,
    c: usize,
    diags: &mut Vec<Diagnostic>,
) -> TokenStream {
    let col = &graph.table(t).columns[c];
    if let Some(e) = plan.enum_name(t, c) {
        let e = ident(e);
        return quote!(super::#e);
    }
    match &col.ty.kind {
        TypeKind::Uuid => quote!(TextUuid),
        kind if super::orm::no_sqlite_type(kind) => {
            diags.push(super::orm::unmapped_type(
                graph,
                t,
                c,
                "SeaORM on SQLite",
                "text",
            ));
            quote!(String)
        }
        _ => value_type(&plan.base, t.0, c, col),
    }
}

/// An entity's doc comment and module body, in the dense format or the `expanded` one.
fn entity(
    graph: &Graph,
    files: &SourceFiles,
    plan: &OrmPlan,
    relations: &Relations,
    t: TableId,
    expanded: bool,
    diags: &mut Vec<Diagnostic>,
) -> (String, TokenStream) {
    let table = graph.table(t);
    let tp = &plan.tables[t.0];
    let table_name = &table.name;
    let schema = table.schema.as_ref().map(|s| quote!(, schema_name = #s));
    let columns = table.columns.iter().enumerate().map(|(c, col)| {
        let field_name = &tp.fields[c];
        let field = ident(field_name);
        // A primary key SeaORM loads is never NULL (nor is an identity SQLAlchemy loads).
        let nullable = col.nullable && !col.primary_key;
        let ty = super::orm::optional(column_type(graph, plan, t, c, diags), nullable);
        let mut attrs = Vec::new();
        if col.primary_key {
            attrs.push(quote!(primary_key));
            attrs.push(quote!(auto_increment = false));
        }
        if *field_name != col.name {
            let name = &col.name;
            attrs.push(quote!(column_name = #name));
        }
        if col.unique {
            attrs.push(quote!(unique));
        }
        let attrs = (!attrs.is_empty()).then(|| quote!(#[sea_orm(#(#attrs),*)]));
        let d = doc(&column_doc(graph, files, col, field_name, None, &[]));
        quote! { #d #attrs pub #field: #ty, }
    });
    let rels = relations.fields[t.0].iter().map(|f| {
        let d = doc(&f.doc);
        let name = ident(&f.name);
        let (attrs, ty) = (&f.attrs, &f.ty);
        quote! { #d #[sea_orm(#attrs)] pub #name: #ty, }
    });
    let body = if expanded {
        let relation_items = expanded_relations(plan, relations, t);
        quote! {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = #table_name #schema)]
            pub struct Model {
                #(#columns)*
            }

            #relation_items

            impl ActiveModelBehavior for ActiveModel {}
        }
    } else {
        quote! {
            use sea_orm::entity::prelude::*;

            #[sea_orm::model]
            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = #table_name #schema)]
            pub struct Model {
                #(#columns)*
                #(#rels)*
            }

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
    (super::orm::entity_doc(graph, files, t), body)
}

/// The expanded format's relations of entity `t`: the `Relation` enum (`DeriveRelation`),
/// `Related` where one relation reaches an entity, and a `Linked` struct per relation (which
/// also serves several relations to one entity, and self-reference).
fn expanded_relations(plan: &OrmPlan, relations: &Relations, t: TableId) -> TokenStream {
    use heck::ToUpperCamelCase;
    let column = |table: TableId, c: usize| -> String {
        plan.tables[table.0].fields[c]
            .trim_start_matches("r#")
            .to_upper_camel_case()
    };
    let path = |target: TableId, item: &str| -> String {
        if target == t {
            item.to_owned()
        } else {
            format!("super::{}::{item}", plan.tables[target.0].module)
        }
    };
    let fields = &relations.fields[t.0];
    let mut variants = Vec::new();
    let mut related = Vec::new();
    let mut links = Vec::new();
    for f in fields {
        let entity = path(f.target, "Entity");
        let target_entity: TokenStream = entity.parse().unwrap_or_default();
        let d = doc(&f.doc);
        let link_def = match &f.kind {
            RelKind::BelongsTo { variant, from, to } => {
                let (from, to) = (
                    format!("Column::{}", column(t, *from)),
                    path(f.target, &format!("Column::{}", column(f.target, *to))),
                );
                let v = ident(variant);
                variants.push(quote! {
                    #d
                    #[sea_orm(belongs_to = #entity, from = #from, to = #to)]
                    #v,
                });
                quote!(vec![Relation::#v.def()])
            }
            RelKind::Has { variant, via, many } => {
                let v = ident(variant);
                // `has_one` takes its definition from the target's `Related` impl, which
                // exists when its `belongs_to` is its only relation here; `has_many` names it.
                let back = &relations.fields[f.target.0];
                let related_back = f.target != t
                    && back.iter().filter(|x| x.target == t).count() == 1
                    && back.iter().any(|x| {
                        x.target == t
                            && matches!(&x.kind, RelKind::BelongsTo { variant, .. } if variant == via)
                    });
                let via = format!("Relation::{via}");
                variants.push(if !many && related_back {
                    quote! {
                        #d
                        #[sea_orm(has_one = #entity)]
                        #v,
                    }
                } else {
                    quote! {
                        #d
                        #[sea_orm(has_many = #entity, via_rel = #via)]
                        #v,
                    }
                });
                quote!(vec![Relation::#v.def()])
            }
            RelKind::Through { junction, from, to } => {
                let m = ident(&plan.tables[junction.0].module);
                let (from, to) = (ident(from), ident(to));
                quote!(vec![super::#m::Relation::#from.def().rev(), super::#m::Relation::#to.def()])
            }
        };
        // `Related` where this is the only relation to a target of another entity.
        if f.target != t && fields.iter().filter(|x| x.target == f.target).count() == 1 {
            let (to, via) = match &f.kind {
                RelKind::BelongsTo { variant, .. } | RelKind::Has { variant, .. } => {
                    let v = ident(variant);
                    (quote!(Relation::#v.def()), quote!())
                }
                RelKind::Through { junction, from, to } => {
                    let m = ident(&plan.tables[junction.0].module);
                    let (from, to) = (ident(from), ident(to));
                    (
                        quote!(super::#m::Relation::#to.def()),
                        quote! {
                            fn via() -> Option<RelationDef> {
                                Some(super::#m::Relation::#from.def().rev())
                            }
                        },
                    )
                }
            };
            related.push(quote! {
                impl Related<#target_entity> for Entity {
                    fn to() -> RelationDef {
                        #to
                    }
                    #via
                }
            });
        }
        let link = ident(&f.link);
        let link_doc = doc(&format!("{} Loads it with `find_linked`.", f.doc));
        links.push(quote! {
            #link_doc
            #[derive(Debug, Clone, Copy)]
            pub struct #link;

            impl Linked for #link {
                type FromEntity = Entity;
                type ToEntity = #target_entity;

                fn link(&self) -> Vec<RelationDef> {
                    #link_def
                }
            }
        });
    }
    quote! {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #(#variants)*
        }

        #(#related)*
        #(#links)*
    }
}

/// The items of `prelude`: every entity under its struct name, as sea-orm-cli lays it out.
fn prelude(plan: &OrmPlan) -> TokenStream {
    let uses = plan.tables.iter().map(|t| {
        let (m, name) = (ident(&t.module), ident(&t.name));
        quote!(pub use super::#m::Entity as #name;)
    });
    quote! { #(#uses)* }
}
