//! Stage 4, emit: one module per output format. Only this stage knows `quote`.

pub mod graph_json;
mod hierarchy;
mod names;
pub mod rust;
