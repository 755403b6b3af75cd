//! Does the reply tree help stance across topics? The ablation of models/stance.md (#16).
//!
//! The shipped stance recipe is refitted once per topic (DEBAGREEMENT's five subreddits and
//! the mask-mandate pairs), each time without that topic, and scores the topic left out (the
//! first stage, as `threadlens evaluate --leave-topic-out`). A small second stage (multinomial
//! logistic regression, class offsets tuned for macro-F1) then reads the first stage's
//! log-probabilities with or without each group of reply-tree features
//! (`threadlens::classify::context`), again fitted on every other topic and scored on the one
//! left out. It prints macro-F1 per left-out topic and pooled.
//!
//! ```sh
//! cargo run --release --example stance_context -- ../shared/data/agreement [CACHE.json]
//! ```
//!
//! About ten minutes (six fits of the recipe); with CACHE.json the first-stage predictions are
//! written there, and read from there on the next run.

use std::path::PathBuf;

use threadlens::classify::context::{self, Group};
use threadlens::classify::{Task, data, incivility, stance};
use threadlens::evaluation::ConfusionMatrix;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().unwrap_or_else(|| "../shared/data/agreement".into()));
    let cache = args.next().map(PathBuf::from);
    let classes = data::default_classes(Task::Stance);
    let mut datasets = Vec::new();
    for file in data::files(&root) {
        datasets.push(data::load(&file, Task::Stance, &classes, &data::Columns::default())?);
    }
    let datasets = data::merge_same_names(datasets);
    let scorer = stance::shipped_model();
    let params = &scorer.file().training.params;

    let (names, of_row) = context::topics(&datasets);
    let probs: Vec<Vec<f64>> = match &cache {
        Some(p) if p.exists() => serde_json::from_str(&std::fs::read_to_string(p)?)?,
        _ => {
            let t = context::leave_topic_out(&datasets, params, |m| eprintln!("{m}"))?;
            assert_eq!((&t.names, &t.of_row), (&names, &of_row));
            if let Some(p) = &cache {
                std::fs::write(p, serde_json::to_string(&t.probs)?)?;
            }
            t.probs
        }
    };
    let labels: Vec<usize> = datasets.iter().flat_map(|d| &d.examples).map(|e| e.label).collect();
    assert_eq!(probs.len(), labels.len(), "the cache is of other data");
    eprintln!("scoring incivility and the reply tree");
    let features = context::context_features(&datasets, &probs, &incivility::shipped_model());

    let argmax = |p: &Vec<f64>| {
        (0..p.len()).max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a))).unwrap_or(0)
    };
    let mut runs: Vec<(String, Vec<usize>)> =
        vec![("first stage (the recipe as shipped)".into(), probs.iter().map(argmax).collect())];
    let mut configs: Vec<(String, Vec<Group>)> =
        vec![("second stage: first-stage probabilities only".into(), vec![])];
    for g in Group::ALL {
        configs.push((format!("+ {}", g.name()), vec![g]));
    }
    configs.push(("+ all four groups".into(), Group::ALL.to_vec()));
    for g in Group::ALL {
        let rest: Vec<Group> = Group::ALL.into_iter().filter(|&h| h != g).collect();
        configs.push((format!("all but {}", g.name()), rest));
    }
    for (name, groups) in configs {
        let pred =
            context::second_stage(&features, &labels, &of_row, names.len(), &classes, &groups)?;
        runs.push((name, pred));
    }

    let f1 = |pred: &[usize], keep: &dyn Fn(usize) -> bool| {
        let idx: Vec<usize> = (0..labels.len()).filter(|&i| keep(i)).collect();
        let p: Vec<usize> = idx.iter().map(|&i| pred[i]).collect();
        let t: Vec<usize> = idx.iter().map(|&i| labels[i]).collect();
        ConfusionMatrix::new(&p, &t, classes.len()).macro_f1().unwrap_or(0.0)
    };
    let short = |n: &str| n.strip_prefix("debagreement ").unwrap_or(n).to_string();
    let deb: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| n.starts_with("debagreement"))
        .map(|(i, _)| i)
        .collect();
    print!("| macro-F1, topic left out |");
    for n in &names {
        print!(" {} |", short(n));
    }
    println!(" DEBAGREEMENT pooled | all pooled |");
    println!("|---|{}---:|---:|", "---:|".repeat(names.len()));
    for (name, pred) in &runs {
        print!("| {name} |");
        for t in 0..names.len() {
            print!(" {:.3} |", f1(pred, &|i| of_row[i] == t));
        }
        println!(" {:.3} | {:.3} |", f1(pred, &|i| deb.contains(&of_row[i])), f1(pred, &|_| true));
    }
    // How many pairs the tree features can say anything about.
    let rows: Vec<&data::Example> = datasets.iter().flat_map(|d| &d.examples).collect();
    let sib = context::BASE;
    let own = sib + Group::Siblings.width();
    let n_sib = features.iter().filter(|f| f[sib] > 0.0).count();
    let n_own = features.iter().filter(|f| f[own] > 0.0).count();
    let n_thread = rows.iter().filter(|e| e.thread.is_some()).count();
    println!(
        "\n{n_thread} pairs with a thread: {n_sib} with a sibling in the data, {n_own} with another reply by the same author in the thread"
    );
    // Where a group has something to say: macro-F1 on those pairs only (all topics pooled).
    let run = |name: &str| &runs.iter().find(|(n, _)| n == name).expect("a run").1;
    for (what, col, group) in
        [("a sibling", sib, "+ siblings"), ("another reply by the author", own, "+ author")]
    {
        let keep = |i: usize| features[i][col] > 0.0;
        println!(
            "pairs with {what}: first stage {:.3}, second stage on first-stage probabilities {:.3}, {group} {:.3}",
            f1(run("first stage (the recipe as shipped)"), &keep),
            f1(run("second stage: first-stage probabilities only"), &keep),
            f1(run(group), &keep),
        );
    }
    Ok(())
}
