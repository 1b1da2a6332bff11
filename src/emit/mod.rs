//! Stage 4, emit: one module per output format. Only this stage knows `quote`.

mod class_doc;
mod enums;
pub mod graph_json;
mod hierarchy;
mod loading;
mod names;
pub mod rust;
mod table_doc;
pub mod tree;
