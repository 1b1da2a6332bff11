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
