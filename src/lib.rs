//! threadlens analyses reader-comment discussions under news articles.
//!
//! The pipeline, each stage knowing only its input type:
//! bytes → [`parse`] → [`Document`] → [`Discussion::build`] → [`Discussion`]
//! (reply tree) → [`metrics`] → [`tables`] → [`export`] (Parquet, CSV,
//! JSONL). [`report`] draws a discussion for people, [`html_report`] as one self-contained
//! page. [`pipeline`] runs it all, from files,
//! folders or bytes to a sink of table rows, on every core: the command line is a thin face
//! over it.
//!
//! # Example
//! ```
//! use threadlens::{metrics, parse, Discussion};
//!
//! let capture = "Headline\n\nArticle text.\nShow Comments\n  1. First\n    1. A reply\n  2. Second\n";
//! let opts = parse::ParseOptions::default();
//! let doc = parse::parse_bytes(capture.as_bytes(), "page.txt", &opts)?.remove(0);
//! let discussion = Discussion::build(doc);
//! let m = metrics::discussion_metrics(&discussion);
//! assert_eq!((m.comments, m.threads, m.max_depth), (3, 2, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod classify;
pub mod dynamics;
pub mod evaluation;
pub mod export;
pub mod html_report;
pub mod interactions;
pub mod language;
pub mod metrics;
pub mod model;
pub mod network;
pub mod parse;
pub mod pipeline;
pub mod report;
pub mod scores;
pub mod tables;
pub mod thread;

pub use model::{Anomaly, AnomalyKind, Article, CommentKind, CommentSection, Document, RawComment};
pub use thread::{Discussion, Node, NodeFlags, NodeId};
