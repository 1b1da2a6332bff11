//! `--emit graph-json`: the graph in the shape SQLAlchemy's inspection API reports, so the two
//! can be compared field by field (see the project's graph-json contract).

use serde_json::{json, Map, Value};

use crate::graph::Graph;

/// The graph as pretty-printed JSON, with a trailing newline.
pub fn emit(graph: &Graph) -> String {
    let mut tables: Vec<_> = graph.tables.iter().collect();
    tables.sort_by_key(|t| t.fullname());
    let mut table_map = Map::new();
    for t in tables {
        let columns: Vec<Value> = t
            .columns
            .iter()
            .map(|c| {
                let mut fks: Vec<&str> = c.foreign_keys.iter().map(|f| f.target.as_str()).collect();
                fks.sort_unstable();
                json!({
                    "name": c.name,
                    "type": c.ty.class,
                    "nullable": c.nullable,
                    "primary_key": c.primary_key,
                    "foreign_keys": fks,
                })
            })
            .collect();
        let class = t.class.map(|id| graph.class(id).name.clone());
        table_map.insert(t.fullname(), json!({ "class": class, "columns": columns }));
    }
    let mut rels: Vec<_> = graph.relationships.iter().collect();
    rels.sort_by(|a, b| {
        (&graph.class(a.class).name, &a.key).cmp(&(&graph.class(b.class).name, &b.key))
    });
    let rels: Vec<Value> = rels
        .into_iter()
        .map(|r| {
            let pairs: Vec<Value> = r
                .local_remote_pairs()
                .map(|&(l, rm)| json!([graph.qualified(l), graph.qualified(rm)]))
                .collect();
            json!({
                "class": graph.class(r.class).name,
                "key": r.key,
                "target": graph.class(r.target).name,
                "direction": r.direction.sqla_name(),
                "uselist": r.uselist,
                "secondary": r.secondary.map(|s| graph.table(s).fullname()),
                "back_populates": r.back_populates,
                "local_remote_pairs": pairs,
            })
        })
        .collect();
    let doc = json!({ "tables": table_map, "relationships": rels });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
