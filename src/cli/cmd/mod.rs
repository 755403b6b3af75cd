//! One module per subcommand: its help examples, its arguments and `run`.

pub mod analyse;
pub mod evaluate;
pub mod report;
pub mod sample;
pub mod schema;
pub mod score;
pub mod spans;
pub mod train;
