//! One module per subcommand: its help examples, its arguments and `run`.

pub mod analyse;
pub mod report;
