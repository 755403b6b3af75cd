//! The language of a comment and of a discussion, so that each comment is scored by a model
//! of its language, or not scored, with the reason, when no shipped model covers it.
//!
//! Detection is [`whatlang`]'s (trigram profiles of 69 languages), kept only when whatlang
//! calls it reliable: on the shared labelled sets (GermEval 2018 and AustroTox in German, C3 in
//! English) that is right for 99.7–99.99% of the comments it decides, and it decides 79–90% of
//! them, but only 2–13% of those up to 30 characters, where whatlang's unreliable guess is right
//! for 40–82% (`cargo run --release --example language_check` measures it). A comment whose
//! language cannot be told is null and is read as being in its discussion's language
//! ([`discussion_language`]).
//!
//! whatlang's answer is computed here through an index of its trigram profiles (the private
//! `index` module, issue #17): whatlang compares a text's trigrams with each of its script's
//! ~37 × 300 profile trigrams, a hash lookup each, which made detection 42% of `analyse`; the
//! index looks up only the text's own trigrams. Every other step is whatlang's, in its order,
//! so the answer is whatlang's to the bit, ties included: the tests compare every intermediate
//! score with whatlang's own on generated texts, and [`detect`] with [`detect_whatlang`] on every
//! text of the shared labelled sets when present. Texts in scripts other than Latin and
//! Cyrillic go to whatlang itself. The profiles are copied from whatlang's source (MIT) by
//! `scripts/whatlang_tables.py`; updating whatlang means rerunning it, and the tests tell.
//!
//! whatlang rather than lingua (measured side by side by `scripts/language-compare`, see
//! `docs/languages.md`): lingua decides 6–13 points more of these texts, most of them short,
//! at about the same precision, but costs 35–250 times as much per text and about 100 MB of
//! models; its gain is in the column of short comments, not in the scoring, which falls back to
//! the discussion's language.
//! ```
//! use threadlens::language::detect;
//! assert_eq!(detect("Das ist doch völliger Unsinn, was die Regierung hier wieder erzählt."), Some("de"));
//! assert_eq!(detect("This is complete nonsense, and the government knows it very well."), Some("en"));
//! assert_eq!(detect("Ok!"), None);
//! ```

use std::collections::HashMap;

use crate::thread::Discussion;

mod index;
mod whatlang_tables;

/// ISO 639-1 code of `text`'s language, when whatlang detects it reliably; `None` for text too
/// short or too mixed to tell. The same answer as [`detect_whatlang`], computed faster (see the
/// module documentation).
pub fn detect(text: &str) -> Option<&'static str> {
    kept(index::detect(text)?)
}

/// [`detect`] by calling `whatlang::detect`, as before the index: the reference the index is
/// tested against, and the "before" of `cargo run --release --example language_check -- --time`.
pub fn detect_whatlang(text: &str) -> Option<&'static str> {
    kept(whatlang::detect(text)?)
}

/// The code of a detected language, when whatlang calls the detection reliable.
fn kept(info: whatlang::Info) -> Option<&'static str> {
    if !info.is_reliable() {
        return None;
    }
    iso639_1(info.lang())
}

/// The two-letter code of a whatlang language.
fn iso639_1(lang: whatlang::Lang) -> Option<&'static str> {
    Some(match lang.code() {
        "afr" => "af",
        "aka" => "ak",
        "amh" => "am",
        "ara" => "ar",
        "aze" => "az",
        "bel" => "be",
        "ben" => "bn",
        "bul" => "bg",
        "cat" => "ca",
        "ces" => "cs",
        "cmn" => "zh",
        "cym" => "cy",
        "dan" => "da",
        "deu" => "de",
        "ell" => "el",
        "eng" => "en",
        "epo" => "eo",
        "est" => "et",
        "fin" => "fi",
        "fra" => "fr",
        "guj" => "gu",
        "heb" => "he",
        "hin" => "hi",
        "hrv" => "hr",
        "hun" => "hu",
        "hye" => "hy",
        "ind" => "id",
        "ita" => "it",
        "jav" => "jv",
        "jpn" => "ja",
        "kan" => "kn",
        "kat" => "ka",
        "khm" => "km",
        "kor" => "ko",
        "lat" => "la",
        "lav" => "lv",
        "lit" => "lt",
        "mal" => "ml",
        "mar" => "mr",
        "mkd" => "mk",
        "mya" => "my",
        "nep" => "ne",
        "nld" => "nl",
        "nob" => "nb",
        "ori" => "or",
        "pan" => "pa",
        "pes" => "fa",
        "pol" => "pl",
        "por" => "pt",
        "ron" => "ro",
        "rus" => "ru",
        "sin" => "si",
        "slk" => "sk",
        "slv" => "sl",
        "sna" => "sn",
        "spa" => "es",
        "srp" => "sr",
        "swe" => "sv",
        "tam" => "ta",
        "tel" => "te",
        "tgl" => "tl",
        "tha" => "th",
        "tuk" => "tk",
        "tur" => "tr",
        "ukr" => "uk",
        "urd" => "ur",
        "uzb" => "uz",
        "vie" => "vi",
        "yid" => "yi",
        "zul" => "zu",
        _ => return None,
    })
}

/// `code` as one of the static ISO 639-1 codes [`detect`] returns, when it is one.
pub fn iso639_1_static(code: &str) -> Option<&'static str> {
    whatlang::Lang::all().iter().filter_map(|&l| iso639_1(l)).find(|c| *c == code)
}

/// Characters of the article (title and body) read to tell its language.
const ARTICLE_CHARS: usize = 2000;

/// The language of a discussion: the article's (title and the start of its body) when that
/// can be told, else the language most of its comments are reliably detected in (`comments`:
/// each comment's [`detect`] result; ties go to the alphabetically first code), else `None`.
pub fn discussion_language(
    d: &Discussion,
    comments: &[Option<&'static str>],
) -> Option<&'static str> {
    let a = &d.article;
    let mut text = a.title.clone().unwrap_or_default();
    text.push('\n');
    text.extend(a.body.chars().take(ARTICLE_CHARS));
    if let Some(l) = detect(&text) {
        return Some(l);
    }
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    for l in comments.iter().flatten() {
        *counts.entry(l).or_default() += 1;
    }
    counts.into_iter().max_by(|x, y| x.1.cmp(&y.1).then(y.0.cmp(x.0))).map(|(l, _)| l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Article, CommentSection, Document, RawComment};

    fn discussion(title: &str, body: &str, comments: &[&str]) -> Discussion {
        Discussion::build(Document {
            article: Article {
                id: "a".into(),
                title: (!title.is_empty()).then(|| title.to_string()),
                body: body.into(),
                ..Default::default()
            },
            section: CommentSection::Present,
            comments: comments
                .iter()
                .enumerate()
                .map(|(i, t)| RawComment {
                    id: i.to_string(),
                    text: t.to_string(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })
    }

    #[test]
    fn short_text_is_not_guessed() {
        for t in ["", "!!!!", "???", "Ok", "lol", "12345", "👍👍"] {
            assert_eq!(detect(t), None, "{t:?}");
        }
        assert_eq!(
            detect("Les journalistes ont encore une fois oublié de vérifier leurs sources."),
            Some("fr")
        );
    }

    #[test]
    fn article_first_then_the_comments_majority() {
        let de =
            "Die Bundesregierung hat heute neue Regeln für die Speicherung von Daten beschlossen.";
        let en = "The government announced new rules on data retention today, to much criticism.";
        let d = discussion(de, "", &[en]);
        let langs: Vec<_> = d.nodes().iter().map(|n| detect(&n.comment.text)).collect();
        assert_eq!(discussion_language(&d, &langs), Some("de"));
        // No article text: the comments decide; undecided ones do not count.
        let d = discussion("", "", &[de, "Ok", en, en]);
        let langs: Vec<_> = d.nodes().iter().map(|n| detect(&n.comment.text)).collect();
        assert_eq!(langs, [Some("de"), None, Some("en"), Some("en")]);
        assert_eq!(discussion_language(&d, &langs), Some("en"));
        let d = discussion("", "", &["Ok", "Ja"]);
        assert_eq!(discussion_language(&d, &[None, None]), None);
    }
}
