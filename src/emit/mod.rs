//! Stage 4, emit: one module per output format. Only this stage knows `quote`.

mod class_doc;
pub mod diesel;
mod enums;
pub mod graph_json;
mod hierarchy;
mod loading;
pub mod mermaid;
pub mod names;
pub mod orm;
pub mod rust;
pub mod sea_orm;
pub mod sql;
pub mod sqlx;
mod table_doc;
mod text;
pub mod tree;

/// The inputs an output was generated from, for its header: each named when there are up to
/// three, else how many with the first and the last.
pub(crate) fn inputs_summary(inputs: &[String]) -> String {
    let quoted: Vec<String> = inputs.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => "no input".to_owned(),
        [one] => one.clone(),
        [first @ .., last] if quoted.len() <= 3 => format!("{} and {last}", first.join(", ")),
        [first, .., last] => format!("{} Python modules ({first} to {last})", quoted.len()),
    }
}
