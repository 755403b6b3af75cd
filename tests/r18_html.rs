//! Issue #18: `threadlens report --html FILE`, one self-contained page. The page's embedded
//! data is checked against `report --json --tree` on the same inputs; the page itself is
//! opened in a real browser by `scripts/check-html-report`.

use serde_json::Value;

use crate::analyse::{CANARY, SEED_IDS};
use crate::util::Workdir;

/// The Canary seed's comment ids in pre-order.
const CANARY_IDS: [&str; 8] = ["1", "1.1", "1.2", "1.3", "2", "2.1", "3", "3.1"];

/// The tree data blocks of a page: (the `data-tree` attribute, the parsed JSON).
fn tree_data(html: &str) -> Vec<(String, Value)> {
    let open = "<script type=\"application/json\" class=\"tl-data\" data-tree=\"";
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(open) {
        rest = &rest[i + open.len()..];
        let (tree, after) = rest.split_once("\">").expect("attribute closed");
        let (json, after) = after.split_once("</script>").expect("script closed");
        let value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
        out.push((tree.to_string(), value));
        rest = after;
    }
    out
}

fn nodes(data: &Value) -> &Vec<Value> {
    data["nodes"].as_array().expect("nodes array")
}

#[test]
fn r18_seed_page_holds_the_canary_tree() {
    let wd = Workdir::new();
    let run = wd.run(&["report", "--html", "report.html"]).expect_code(0);
    assert!(run.stdout.is_empty(), "the page goes to the file: {run:?}");
    assert!(run.stderr.contains("wrote report.html (5 discussions)"), "{run:?}");
    let html = std::fs::read_to_string(wd.join("report.html")).unwrap();

    // One section per discussion, in input order; only the Canary has a tree.
    for (k, id) in SEED_IDS.iter().enumerate() {
        let open = format!("<section class=\"discussion\" id=\"d{}\"", k + 1);
        let at = html.find(&open).unwrap_or_else(|| panic!("no section d{}", k + 1));
        assert!(
            html[at..]
                .starts_with(&format!("{open} aria-labelledby=\"d{}-h\" data-id=\"{id}\"", k + 1))
        );
    }
    let trees = tree_data(&html);
    assert_eq!(trees.len(), 1, "only the Canary has comments");
    let canary_section = html.find(&format!("data-id=\"{CANARY}\"")).unwrap();
    let (tree_id, data) = &trees[0];
    assert!(html[canary_section..].contains(&format!("id=\"{tree_id}\"")));
    let ids: Vec<&str> = nodes(data).iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, CANARY_IDS);

    // Every comment's stance, side and incivility as `report --json --tree` gives them.
    let run = wd.run(&["report", "--json", "--tree"]).expect_code(0);
    let reports: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    let canary = reports.iter().find(|r| r["id"] == CANARY).unwrap();
    let lines = canary["tree"].as_array().unwrap();
    assert_eq!(lines.len(), 8);
    let round = |v: &Value| (v.as_f64().unwrap() * 100.0).round() / 100.0;
    let mut marked = 0;
    for (line, node) in lines.iter().zip(nodes(data)) {
        assert_eq!(line["id"], node["id"]);
        assert_eq!(line["stance"][0], node["s"][0], "{node}");
        assert_eq!(round(&line["stance"][1]), node["s"][1].as_f64().unwrap());
        assert_eq!(line["side"][0], node["sd"][0]);
        assert_eq!(round(&line["incivility"]), node["u"].as_f64().unwrap());
        assert_eq!(line["uncivil"], node["v"]);
        // Each cue's text is highlighted in the comment's text.
        let text = node["h"].as_str().unwrap();
        for cue in line["cues"].as_array().into_iter().flatten() {
            let t = cue["text"].as_str().unwrap();
            let label = cue["label"].as_str().unwrap();
            let hit = text.match_indices("<mark class=\"cue\" title=\"cue: ").any(|(i, _)| {
                let mark = &text[i..];
                let (attrs, rest) = mark.split_once("\">").unwrap();
                attrs.contains(label) && rest.split("</mark>").next().unwrap().contains(t)
            });
            assert!(hit, "cue {t:?} ({label}) not marked in {text}");
            marked += 1;
        }
    }
    assert!(marked >= 5, "the uncivil Canary comment has several cues; {marked} marked");
    let texts: Vec<&str> = nodes(data).iter().map(|n| n["h"].as_str().unwrap()).collect();
    assert!(texts.iter().any(|t| t.contains(">bellend</mark>")), "the cue word is in a mark");
    // In the page itself the data's markup is escaped, so it cannot end the script element.
    assert!(html.contains("bellend\\u003c/mark\\u003e") && !html.contains("bellend</mark>"));
}

#[test]
fn r18_page_loads_nothing_from_the_network() {
    let wd = Workdir::new();
    wd.run(&["report", "--html", "report.html"]).expect_code(0);
    let html = std::fs::read_to_string(wd.join("report.html")).unwrap();
    // No external resource of any kind: no src attribute, no <link>, no CSS import or url(),
    // and every href an anchor in the page.
    for forbidden in ["src=", "<link", "@import", "url(", "<iframe", "<object", "<embed"] {
        assert!(!html.contains(forbidden), "the page holds {forbidden:?}");
    }
    let hrefs: Vec<&str> = html
        .match_indices("href=\"")
        .map(|(i, _)| &html[i + 6..i + 30.min(html.len() - i)])
        .collect();
    assert_eq!(hrefs.len(), SEED_IDS.len(), "the overview links each discussion: {hrefs:?}");
    for (k, h) in hrefs.iter().enumerate() {
        let anchor = format!("#d{}\"", k + 1);
        assert!(h.starts_with(&anchor), "{h}");
        assert!(html.contains(&format!(" id=\"d{}\"", k + 1)));
    }
    assert!(html.contains("<style>") && html.contains("<script>\n"));
    assert!(html.contains("<svg"), "the charts are inline SVG");
    // The Canary's captures have no times: its sides are drawn over position.
    assert!(html.contains("<title>Sides over position</title>"));
    assert!(html.contains("<title>Escalation</title>") && html.contains("source names no authors"));
}

#[test]
fn r18_existing_file_needs_force() {
    let wd = Workdir::new();
    let path = wd.create("report.html", "my notes\n");
    let run = wd.run(&["report", "--html", "report.html"]).expect_code(2);
    assert!(run.stderr.contains("report.html") && run.stderr.contains("--force"), "{run:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my notes\n");
    wd.run(&["report", "--html", "report.html", "--force"]).expect_code(0);
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "replaced with --force");
    // Nothing left beside it from the temporary write.
    assert_eq!(wd.list("."), ["report.html"]);
}

#[test]
fn r18_nothing_read_writes_nothing() {
    let wd = Workdir::new();
    wd.run(&["report", "missing.txt", "--html", "report.html"]).expect_code(1);
    assert!(!wd.join("report.html").exists());
}

#[test]
fn r18_comment_text_cannot_break_out_of_the_page() {
    let wd = Workdir::new();
    wd.create(
        "t.csv",
        "id,parent_id,author,timestamp,text\n\
         1,,<b>eve</b>,1700000000,\"</script><script>alert(1)</script> <!-- &amp;\"\n\
         2,1,bob,1700000060,fine\n",
    );
    wd.run(&["report", "t.csv", "--html", "r.html"]).expect_code(0);
    let html = std::fs::read_to_string(wd.join("r.html")).unwrap();
    // The page's own scripts only: the data block and the page script.
    assert_eq!(html.matches("</script>").count(), 2, "{html}");
    assert!(!html.contains("<b>eve"));
    let trees = tree_data(&html);
    let n = nodes(&trees[0].1);
    assert_eq!(n[0]["a"], "<b>eve</b>");
    assert_eq!(n[0]["h"], "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;!-- &amp;amp;");
    assert_eq!(n[1]["p"], 0);
    assert_eq!(n[1]["t"], "2023-11-14T22:14:20Z");
    // With times on every comment, the sides are drawn over time.
    assert!(html.contains("<title>Sides over time</title>"), "sides chart by time");
}

/// 10,000 comments in one discussion: all in the data, the page linear in size (its script
/// draws replies only when opened; the browser check times it).
#[test]
fn r18_ten_thousand_comments() {
    let wd = Workdir::new();
    let mut csv = String::from("id,parent_id,author,text\n");
    for i in 0..10_000 {
        // 100 threads of 100: a top-level comment, then chains and fans below it. Ids from 1
        // (a parent id 0 means the article): comment i is i + 1.
        let parent =
            if i % 100 == 0 { String::new() } else { (i - usize::from(i % 3 == 0)).to_string() };
        csv.push_str(&format!("{},{parent},user{},comment number {i}\n", i + 1, i % 57));
    }
    wd.create("big.csv", csv);
    wd.run(&["report", "big.csv", "--no-scores", "--html", "big.html"]).expect_code(0);
    let html = std::fs::read_to_string(wd.join("big.html")).unwrap();
    let trees = tree_data(&html);
    assert_eq!(nodes(&trees[0].1).len(), 10_000);
    let top = nodes(&trees[0].1).iter().filter(|n| n["p"] == -1).count();
    assert_eq!(top, 100, "100 threads");
    assert!(html.len() < 4_000_000, "{} bytes", html.len());
    // 57 authors: the network shows the 30 most active and says so.
    assert!(html.contains("the 30 most active of 57 authors"), "network cap stated");
}
