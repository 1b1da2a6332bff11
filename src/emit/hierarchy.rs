//! Inheritance in the generated Rust. Every mapped class keeps its struct (holding the columns
//! its mapper maps); each class hierarchy also gets an `Any...` enum that holds a row of any of
//! its classes, each member its `POLYMORPHIC_IDENTITY`, and the registry's `Entity::parent`
//! so that `relation()` finds inherited relationships.

use proc_macro2::TokenStream;
use quote::quote;

use super::names::{ident, Namespace};
use super::rust::Plan;
use crate::graph::{ClassId, Graph, InheritKind};
use crate::ir::Identity;

/// A class hierarchy with at least one (non-concrete) subclass.
pub(super) struct Hierarchy {
    pub root: ClassId,
    /// The `Any...` enum's name.
    pub name: String,
    /// The root and its descendants, in declaration order.
    pub members: Vec<ClassId>,
    /// Whether the identities are integers (else strings).
    pub int_identities: bool,
}

/// The hierarchies of the graph, naming their enums in `types`.
pub(super) fn plan(graph: &Graph, types: &mut Namespace) -> Vec<Hierarchy> {
    let mut out = Vec::new();
    // Every class under its root, in class order: one pass, not one per root.
    let mut by_root: crate::IndexMap<ClassId, Vec<ClassId>> = crate::IndexMap::default();
    for m in (0..graph.classes.len()).map(ClassId) {
        if let Some(&root) = graph.lineage(m).last() {
            by_root.entry(root).or_default().push(m);
        }
    }
    for c in 0..graph.classes.len() {
        let root = ClassId(c);
        if graph.parent(root).is_some() {
            continue;
        }
        let members: Vec<ClassId> = by_root.get(&root).cloned().unwrap_or_default();
        if members.len() < 2 {
            continue;
        }
        let identities: Vec<&Identity> = members
            .iter()
            .filter_map(|&m| graph.class(m).polymorphic_identity.as_ref())
            .collect();
        let int_identities =
            !identities.is_empty() && identities.iter().all(|i| matches!(i, Identity::Int(_)));
        out.push(Hierarchy {
            root,
            name: types.camel(&format!("Any{}", graph.class(root).name)),
            members,
            int_identities,
        });
    }
    out
}

fn hierarchy_of<'p>(graph: &Graph, plan: &'p Plan, c: ClassId) -> Option<&'p Hierarchy> {
    let root = graph.lineage(c).last().copied()?;
    plan.hierarchies.iter().find(|h| h.root == root)
}

/// The sentence a class's struct doc adds about its inheritance (empty without any).
pub(super) fn class_doc(graph: &Graph, c: ClassId) -> String {
    let class = graph.class(c);
    match class.inherits {
        Some(i) => {
            let parent = &graph.class(i.parent).name;
            match i.kind {
                InheritKind::Single => format!(
                    "\n\nSingle-table inheritance: a subclass of `{parent}` whose rows are in its parent's table."
                ),
                InheritKind::Joined => format!(
                    "\n\nJoined-table inheritance: a subclass of `{parent}`; its fields come from its table and its parent's."
                ),
                InheritKind::Concrete => format!(
                    "\n\nConcrete inheritance from `{parent}` (not ported): only this table's columns."
                ),
            }
        }
        None => String::new(),
    }
}

/// The type of a hierarchy's identity values.
fn identity_type(h: &Hierarchy) -> TokenStream {
    if h.int_identities {
        quote!(Option<i64>)
    } else {
        quote!(Option<&'static str>)
    }
}

/// `POLYMORPHIC_IDENTITY` for a member of a hierarchy (nothing for other classes).
pub(super) fn identity_const(graph: &Graph, plan: &Plan, c: ClassId) -> TokenStream {
    let Some(h) = hierarchy_of(graph, plan, c) else {
        return TokenStream::new();
    };
    let ty = identity_type(h);
    let value = match &graph.class(c).polymorphic_identity {
        Some(Identity::Int(i)) if h.int_identities => {
            let abs = proc_macro2::Literal::u64_unsuffixed(i.unsigned_abs());
            if *i < 0 {
                quote!(Some(-#abs))
            } else {
                quote!(Some(#abs))
            }
        }
        Some(Identity::Int(i)) => {
            let s = i.to_string();
            quote!(Some(#s))
        }
        Some(Identity::Str(s)) => quote!(Some(#s)),
        None => quote!(None),
    };
    quote! {
        /// The discriminator value of this class's rows (`polymorphic_identity`).
        pub const POLYMORPHIC_IDENTITY: #ty = #value;
    }
}

/// The `Any...` enum of a hierarchy.
pub(super) fn any_enum(graph: &Graph, plan: &Plan, h: &Hierarchy) -> TokenStream {
    let name = ident(&h.name);
    let root = graph.class(h.root);
    let on = graph.class(h.root).polymorphic_on;
    let discriminator = match on {
        Some(col) => format!(", discriminator column `{}`", graph.qualified(col)),
        None => String::new(),
    };
    let d = format!(
        "A row of the `{}` class hierarchy (table `{}`{discriminator}): one variant per mapped class.",
        root.name,
        graph.table(root.table).name
    );
    let d = format!(" {d}");
    let doc = quote!(#[doc = #d]);
    let structs: Vec<_> = h
        .members
        .iter()
        .map(|&m| ident(&plan.entities[plan.class_entity[m.0]].name))
        .collect();
    let variant_docs = h.members.iter().map(|&m| {
        let d = format!(" A row of `{}`.", graph.class(m).name);
        quote!(#[doc = #d])
    });
    let on_value = match on {
        Some(col) => {
            let q = graph.qualified(col);
            quote!(Some(#q))
        }
        None => quote!(None),
    };
    let ty = identity_type(h);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#variant_docs #structs(#structs),)* }

        impl #name {
            /// The discriminator column (`polymorphic_on`), as `table.column`.
            pub const POLYMORPHIC_ON: Option<&'static str> = #on_value;

            /// The discriminator value of the row's class (`polymorphic_identity`).
            pub const fn polymorphic_identity(&self) -> #ty {
                match self { #(Self::#structs(_) => #structs::POLYMORPHIC_IDENTITY,)* }
            }

            /// The row's class, in the relation registry.
            pub const fn entity(&self) -> relations::Entity {
                match self { #(Self::#structs(_) => relations::Entity::#structs,)* }
            }
        }

        #(
            impl From<#structs> for #name {
                fn from(row: #structs) -> Self {
                    Self::#structs(row)
                }
            }
        )*
    }
}

/// The `(child, parent)` entity names of the classes that have a mapped parent, in class
/// order.
pub(super) fn entity_parents(graph: &Graph, plan: &Plan) -> Vec<(String, String)> {
    let entity = |c: ClassId| plan.entities[plan.class_entity[c.0]].name.clone();
    (0..graph.classes.len())
        .map(ClassId)
        .filter_map(|c| graph.parent(c).map(|p| (entity(c), entity(p))))
        .collect()
}

/// `Entity::parent` and an inheritance-aware `relation()` when some entity has a parent
/// (`parents`, from [`entity_parents`]); otherwise no `parent` and the plain look-up.
pub(super) fn registry_lookup(parents: &[(String, String)]) -> (TokenStream, TokenStream) {
    if parents.is_empty() {
        let relation = quote! {
            /// The relationship `field` of `from`.
            pub fn relation(from: Entity, field: &str) -> Option<&'static Relation> {
                RELATIONS.iter().find(|r| r.from == from && r.field == field)
            }
        };
        return (TokenStream::new(), relation);
    }
    let arms = parents.iter().map(|(c, p)| {
        let (c, p) = (ident(c), ident(p));
        quote!(Entity::#c => Some(Entity::#p),)
    });
    let parent = quote! {
        /// The mapped class this entity inherits (and whose relationships it has), if any.
        pub const fn parent(self) -> Option<Entity> {
            match self {
                #(#arms)*
                _ => None,
            }
        }
    };
    let relation = quote! {
        /// The relationship `field` of `from`, declared on it or inherited from a parent.
        pub fn relation(from: Entity, field: &str) -> Option<&'static Relation> {
            let mut at = Some(from);
            while let Some(entity) = at {
                if let Some(r) = RELATIONS.iter().find(|r| r.from == entity && r.field == field) {
                    return Some(r);
                }
                at = entity.parent();
            }
            None
        }
    };
    (parent, relation)
}
