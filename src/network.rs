//! The author interaction network of a corpus, written as GraphML (`analyse --graph FILE`):
//! nodes are the known authors, with how many comments they wrote and their mean incivility;
//! a directed edge A → B says A replied to B, with how many replies, the share that disagree
//! and the share rated uncivil. networkx (`read_graphml`), igraph and Gephi open it.
//!
//! Authors are matched by name across the corpus's discussions (one name, one node): on a
//! site with accounts a name is a person; across sites it may not be.
//!
//! ```
//! use std::borrow::Cow;
//! use threadlens::network::AuthorNetwork;
//! use threadlens::parse::ParseOptions;
//! use threadlens::pipeline::{self, Analysed, RunOptions, Sink, Source};
//! use threadlens::scores::Scorers;
//!
//! struct Net(AuthorNetwork);
//! impl Sink for Net {
//!     fn write(&mut self, a: &Analysed) -> Result<(), threadlens::export::ExportError> {
//!         self.0.add(&a.tables);
//!         Ok(())
//!     }
//! }
//! let table = "id,parent_id,author,text\n1,,ann,Hi\n2,1,bob,No\n3,2,ann,Yes\n";
//! let sources = [Source::Bytes { name: "t.csv".into(), bytes: Cow::Borrowed(table.as_bytes()) }];
//! let mut net = Net(AuthorNetwork::default());
//! pipeline::run(&sources, &ParseOptions::default(), &Scorers::default(), &RunOptions::default(), &mut net)?;
//! let mut xml = Vec::new();
//! net.0.write_graphml(&mut xml)?;
//! let xml = String::from_utf8(xml)?;
//! assert_eq!(xml.matches("<node ").count(), 2);
//! assert_eq!(xml.matches("<edge ").count(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::io::Write;

use crate::export::{Batch, Column, Strs, Vals};
use crate::tables::DiscussionTables;

/// An author's comments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuthorNode {
    /// Comments written.
    pub comments: u64,
    /// Of them, scored for incivility.
    pub scored: u64,
    /// Sum of their incivility probabilities.
    pub incivility_sum: f64,
}

/// Replies from one author to another, over the corpus.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuthorEdge {
    /// Replies.
    pub replies: u64,
    /// Of them, with a stance (disagree, neutral or agree).
    pub with_stance: u64,
    /// Of them, disagreeing.
    pub disagree: u64,
    /// Whether an incivility model scored the discussions (else `uncivil` means nothing).
    pub scored: bool,
    /// Replies rated uncivil.
    pub uncivil: u64,
}

/// The author network, added to discussion by discussion.
#[derive(Clone, Debug, Default)]
pub struct AuthorNetwork {
    /// Known authors, by name.
    pub authors: HashMap<String, AuthorNode>,
    /// (author, parent author) → the author's replies to the parent author.
    pub edges: HashMap<(String, String), AuthorEdge>,
}

pub(crate) fn column<'a>(b: &'a Batch, name: &str) -> &'a Column {
    let i = b.spec().columns.iter().position(|c| c.name == name).expect("a column of the spec");
    &b.columns()[i]
}

pub(crate) fn strings<'a>(b: &'a Batch, name: &str) -> &'a Strs {
    match column(b, name) {
        Column::Str(v) | Column::Category(v) => v,
        other => panic!("{name} is not a string column: {:?}", other.dtype()),
    }
}

pub(crate) fn ints<'a>(b: &'a Batch, name: &str) -> &'a Vals<i64> {
    match column(b, name) {
        Column::Int(v) => v,
        other => panic!("{name} is not an integer column: {:?}", other.dtype()),
    }
}

pub(crate) fn timestamps<'a>(b: &'a Batch, name: &str) -> &'a Vals<i64> {
    match column(b, name) {
        Column::Timestamp(v) => v,
        other => panic!("{name} is not a timestamp column: {:?}", other.dtype()),
    }
}

fn floats<'a>(b: &'a Batch, name: &str) -> &'a Vals<f64> {
    match column(b, name) {
        Column::Float(v) => v,
        other => panic!("{name} is not a float column: {:?}", other.dtype()),
    }
}

impl AuthorNetwork {
    /// Adds one discussion's rows (its `comments` and `interactions`).
    pub fn add(&mut self, t: &DiscussionTables) {
        let authors = strings(&t.comments, "author");
        let incivility = floats(&t.comments, "incivility");
        for (a, p) in authors.iter().zip(incivility.iter()) {
            let Some(a) = a else { continue };
            let n = match self.authors.get_mut(a) {
                Some(n) => n,
                None => self.authors.entry(a.to_string()).or_default(),
            };
            n.comments += 1;
            if let Some(p) = p {
                n.scored += 1;
                n.incivility_sum += p;
            }
        }
        let i = &t.interactions;
        let (from, to) = (strings(i, "author"), strings(i, "parent_author"));
        let (replies, uncivil) = (ints(i, "replies"), ints(i, "uncivil"));
        let stances = [ints(i, "disagree"), ints(i, "neutral"), ints(i, "agree")];
        for r in 0..i.num_rows() {
            let (Some(a), Some(b)) = (from.get(r), to.get(r)) else { continue };
            let e = self.edges.entry((a.to_string(), b.to_string())).or_default();
            let n = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
            e.replies += n(replies.get(r));
            e.disagree += n(stances[0].get(r));
            e.with_stance += stances.iter().map(|s| n(s.get(r))).sum::<u64>();
            if let Some(u) = uncivil.get(r) {
                e.scored = true;
                e.uncivil += n(Some(u));
            }
        }
    }

    /// The authors of comments and replies, as nodes.
    pub fn node_count(&self) -> usize {
        self.names().len()
    }

    fn names(&self) -> Vec<&String> {
        let mut names: Vec<&String> = self.authors.keys().collect();
        // An author replied to is a node even when none of their comments was kept by name.
        names.extend(self.edges.keys().flat_map(|(a, b)| [a, b]));
        names.sort();
        names.dedup();
        names
    }

    /// Writes the network as GraphML: directed; nodes `a0`, `a1`, … (authors in name order)
    /// with `name`, `comments` and `mean_incivility` (absent when none was scored); edges with
    /// `replies`, `disagree_share` (of the replies with a stance; absent without) and
    /// `uncivil_share` (absent without an incivility model).
    pub fn write_graphml(&self, mut w: impl Write) -> std::io::Result<()> {
        use quick_xml::escape::escape;
        let names = self.names();
        let index: HashMap<&String, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            w,
            r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
        )?;
        for (id, on, name, ty) in [
            ("name", "node", "name", "string"),
            ("comments", "node", "comments", "long"),
            ("mean_incivility", "node", "mean_incivility", "double"),
            ("replies", "edge", "replies", "long"),
            ("disagree_share", "edge", "disagree_share", "double"),
            ("uncivil_share", "edge", "uncivil_share", "double"),
        ] {
            writeln!(w, r#"  <key id="{id}" for="{on}" attr.name="{name}" attr.type="{ty}"/>"#)?;
        }
        writeln!(w, r#"  <graph id="authors" edgedefault="directed">"#)?;
        for (i, name) in names.iter().enumerate() {
            let node = self.authors.get(*name).cloned().unwrap_or_default();
            write!(w, r#"    <node id="a{i}"><data key="name">{}</data>"#, escape(name.as_str()))?;
            write!(w, r#"<data key="comments">{}</data>"#, node.comments)?;
            if node.scored > 0 {
                let mean = node.incivility_sum / node.scored as f64;
                write!(w, r#"<data key="mean_incivility">{mean}</data>"#)?;
            }
            writeln!(w, "</node>")?;
        }
        let mut edges: Vec<(&(String, String), &AuthorEdge)> = self.edges.iter().collect();
        edges.sort_by(|x, y| x.0.cmp(y.0));
        for (k, ((a, b), e)) in edges.into_iter().enumerate() {
            write!(w, r#"    <edge id="e{k}" source="a{}" target="a{}">"#, index[a], index[b])?;
            write!(w, r#"<data key="replies">{}</data>"#, e.replies)?;
            if e.with_stance > 0 {
                let share = e.disagree as f64 / e.with_stance as f64;
                write!(w, r#"<data key="disagree_share">{share}</data>"#)?;
            }
            if e.scored && e.replies > 0 {
                let share = e.uncivil as f64 / e.replies as f64;
                write!(w, r#"<data key="uncivil_share">{share}</data>"#)?;
            }
            writeln!(w, "</edge>")?;
        }
        writeln!(w, "  </graph>")?;
        writeln!(w, "</graphml>")?;
        Ok(())
    }
}
