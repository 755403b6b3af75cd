//! threadlens analyses reader-comment discussions under news articles.
//!
//! The pipeline, each stage knowing only its input type:
//! bytes → [`parse`] → [`Document`] → [`Discussion::build`] → [`Discussion`]
//! (reply tree) → [`metrics`] → tables ([`export`]).
#![deny(missing_docs)]

pub mod metrics;
pub mod model;
pub mod thread;

pub use model::{Anomaly, AnomalyKind, Article, CommentSection, Document, RawComment};
pub use thread::{Discussion, Node, NodeFlags, NodeId};
