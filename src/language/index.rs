//! whatlang's `detect`, computed through an inverted index of its trigram profiles (issue #17).
//!
//! For a Latin or Cyrillic text whatlang 0.18 ("combined" method) scores every language of the
//! script twice and mixes the scores: by alphabet (which letters each language uses) and by
//! trigrams (the distance between the text's 600 most frequent trigrams, ranked, and each
//! language's 300 ranked profile trigrams; a trigram a profile lacks costs 300). whatlang walks
//! all 37 × 300 Latin profile trigrams with a hash lookup each; here a table built once maps each
//! profile trigram to its (language, rank) pairs, so only the text's own trigrams are looked up
//! and each language's distance is 300 × 300 less what its matched trigrams save.
//!
//! Everything else is whatlang's computation step by step, in the same order and the same
//! integer and floating-point operations: the script (`whatlang::detect_script`), lowercasing,
//! the stop characters, trigram extraction and ranking (count, then trigram, descending), the
//! alphabet scores, the distance clamp, the score mix and its weights, and the confidence. Each
//! vector whatlang sorts with an unstable sort is built in whatlang's order with whatlang's
//! element type and sorted with the same call, so ties come out in the same order. The result
//! is a `whatlang::Info` equal to `whatlang::detect`'s, confidence bit for bit; the tests check
//! it on generated texts and, when present, on every text of the shared labelled sets.
//! Texts of any other script are whatlang's own answer (`whatlang::detect`).
//!
//! The profiles and alphabets are private to whatlang and copied in `whatlang_tables.rs`
//! (MIT, generated from whatlang's source by `scripts/whatlang_tables.py`).

use std::cmp::Reverse;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use whatlang::{Info, Lang, Script};

use super::whatlang_tables::{
    CYRILLIC_ALPHABETS, CYRILLIC_PROFILES, LATIN_ALPHABETS, LATIN_PROFILES,
};

/// Languages' scores, best first (whatlang's order).
type Scores = Vec<(Lang, f64)>;

/// whatlang's `MAX_TRIGRAM_DISTANCE`: the cost of a profile trigram the text lacks.
const MAX_TRIGRAM_DISTANCE: u32 = 300;
/// whatlang's `MAX_TOTAL_DISTANCE`.
const MAX_TOTAL_DISTANCE: u32 = MAX_TRIGRAM_DISTANCE * MAX_TRIGRAM_DISTANCE;
/// whatlang's `TEXT_TRIGRAMS_SIZE`: the text's trigrams ranked (the most frequent).
const TEXT_TRIGRAMS_SIZE: usize = 600;

/// One script's tables: profiles as an inverted index, and alphabets as whatlang builds them.
struct ScriptTables {
    script: Script,
    /// Profile languages, in whatlang's profile order.
    langs: Vec<Lang>,
    /// Each profile's number of trigrams (300 in 0.18).
    profile_len: Vec<u32>,
    /// Trigram (three chars packed, see [`pack`]) → range of `entries`.
    index: FxHashMap<u64, (u32, u32)>,
    /// (language's position in `langs`, the trigram's rank in its profile).
    entries: Vec<(u16, u16)>,
    /// whatlang's `build_inverted_map`: the alphabets' characters, sorted, and for each the
    /// languages whose alphabet has it (in alphabet order).
    alphabet_chars: Vec<char>,
    alphabet_langs: Vec<Vec<Lang>>,
}

static LATIN: LazyLock<ScriptTables> =
    LazyLock::new(|| ScriptTables::new(Script::Latin, LATIN_PROFILES, LATIN_ALPHABETS));
static CYRILLIC: LazyLock<ScriptTables> =
    LazyLock::new(|| ScriptTables::new(Script::Cyrillic, CYRILLIC_PROFILES, CYRILLIC_ALPHABETS));

/// Three characters as one number ordered as the character triple (each char < 2^21).
fn pack(c1: char, c2: char, c3: char) -> u64 {
    (u64::from(c1) << 42) | (u64::from(c2) << 21) | u64::from(c3)
}

/// whatlang's `is_stop_char`: space, punctuation or digit (ASCII).
fn is_stop_char(ch: char) -> bool {
    matches!(ch, '\u{0000}'..='\u{0040}' | '\u{005B}'..='\u{0060}' | '\u{007B}'..='\u{007E}')
}

impl ScriptTables {
    fn new(script: Script, profiles: &[(Lang, &str)], alphabets: &[(Lang, &str)]) -> Self {
        let mut postings: FxHashMap<u64, Vec<(u16, u16)>> = FxHashMap::default();
        let mut langs = Vec::with_capacity(profiles.len());
        let mut profile_len = Vec::with_capacity(profiles.len());
        for (li, &(lang, trigrams)) in profiles.iter().enumerate() {
            let chars: Vec<char> = trigrams.chars().collect();
            assert_eq!(chars.len() % 3, 0, "{lang:?}'s profile");
            for (rank, t) in chars.chunks(3).enumerate() {
                postings.entry(pack(t[0], t[1], t[2])).or_default().push((li as u16, rank as u16));
            }
            langs.push(lang);
            profile_len.push((chars.len() / 3) as u32);
        }
        let mut index = FxHashMap::default();
        let mut entries = Vec::new();
        for (key, list) in postings {
            let start = entries.len() as u32;
            entries.extend(list);
            index.insert(key, (start, entries.len() as u32));
        }
        // whatlang's build_inverted_map, with a sorted map instead of a sorted hash map's pairs.
        let mut map: std::collections::BTreeMap<char, Vec<Lang>> = Default::default();
        for &(lang, alphabet) in alphabets {
            for c in alphabet.chars() {
                map.entry(c).or_default().push(lang);
            }
        }
        let (alphabet_chars, alphabet_langs) = map.into_iter().unzip();
        ScriptTables { script, langs, profile_len, index, entries, alphabet_chars, alphabet_langs }
    }

    /// whatlang's `alphabets::common::generic_alphabet_calculate_scores` with every language
    /// allowed: (normalised scores, best first; the number of letters).
    fn alphabet_scores(&self, text: &str) -> (Scores, usize) {
        let script_langs = self.script.langs();
        let mut char_scores = vec![0usize; self.alphabet_chars.len()];
        let mut max_raw_score = 0;
        for ch in text.chars() {
            if is_stop_char(ch) {
                continue;
            }
            max_raw_score += 1;
            if let Ok(position) = self.alphabet_chars.binary_search(&ch) {
                char_scores[position] += 2;
            }
        }
        let mut lang_scores = vec![0usize; Lang::all().len()];
        let mut common_score: usize = 0;
        for (position, char_score) in char_scores.into_iter().enumerate() {
            if char_score > 0 {
                let languages = &self.alphabet_langs[position];
                if languages.len() == script_langs.len() {
                    common_score += char_score;
                } else {
                    for &lang in languages {
                        lang_scores[lang as usize] += char_score;
                    }
                }
            }
        }
        let mut raw_scores: Vec<(Lang, usize)> = script_langs
            .iter()
            .map(|&l| (l, (lang_scores[l as usize] + common_score).saturating_sub(max_raw_score)))
            .collect();
        raw_scores.sort_unstable_by_key(|(_, score)| Reverse(*score));
        let scores = raw_scores
            .iter()
            .map(|&(lang, raw)| (lang, raw as f64 / max_raw_score as f64))
            .collect();
        (scores, max_raw_score)
    }

    /// whatlang's `trigrams::detection::calculate_scores_in_profiles` with every language
    /// allowed, the distances through the index: (distances and scores, best first; the
    /// number of the text's ranked trigrams).
    fn trigram_scores(&self, text: &str) -> (Vec<(Lang, u32)>, Scores, usize) {
        // whatlang's trigrams::utils::count.
        let mut counts: FxHashMap<u64, u32> =
            FxHashMap::with_capacity_and_hasher(text.len().min(2048), Default::default());
        let mut chars =
            text.chars().map(|c| if is_stop_char(c) { ' ' } else { c }).chain(Some(' '));
        let mut c1 = ' ';
        let mut c2 = chars.next().unwrap_or(' ');
        for c3 in chars {
            if !(c2 == ' ' && (c1 == ' ' || c3 == ' ')) {
                *counts.entry(pack(c1, c2, c3)).or_insert(0) += 1;
            }
            c1 = c2;
            c2 = c3;
        }
        // Ranked by count, then trigram, descending (whatlang sorts (count, trigram) pairs,
        // all different, so any sort gives the same order); the first 600 kept.
        let mut ranked: Vec<(u32, u64)> = counts.into_iter().map(|(t, n)| (n, t)).collect();
        ranked.sort_unstable_by(|a, b| b.cmp(a));
        ranked.truncate(TEXT_TRIGRAMS_SIZE);
        let count = ranked.len() as u32;

        // Σ over profile trigrams of |text rank − profile rank|, or 300 when the text lacks it:
        // 300 × profile length, plus (distance − 300) for each trigram found.
        let mut found = vec![0i64; self.langs.len()];
        for (n, &(_, trigram)) in ranked.iter().enumerate() {
            if let Some(&(start, end)) = self.index.get(&trigram) {
                for &(li, i) in &self.entries[start as usize..end as usize] {
                    let d = (n as i32 - i32::from(i)).unsigned_abs();
                    found[usize::from(li)] += i64::from(d) - i64::from(MAX_TRIGRAM_DISTANCE);
                }
            }
        }
        let mut lang_distances: Vec<(Lang, u32)> = Vec::with_capacity(self.langs.len());
        for (li, &lang) in self.langs.iter().enumerate() {
            let sum = i64::from(self.profile_len[li]) * i64::from(MAX_TRIGRAM_DISTANCE) + found[li];
            // whatlang's u32 sum (at most 300 × 599 per language: exact).
            let mut total_dist = sum as u32;
            if MAX_TRIGRAM_DISTANCE > count {
                let delta = MAX_TRIGRAM_DISTANCE - count;
                total_dist = total_dist.wrapping_sub(delta * MAX_TRIGRAM_DISTANCE);
            }
            lang_distances.push((lang, total_dist.clamp(0, MAX_TOTAL_DISTANCE)));
        }
        lang_distances.sort_unstable_by_key(|(_, dist)| *dist);
        let max_dist = count * MAX_TRIGRAM_DISTANCE;
        let scores = lang_distances
            .iter()
            .map(|&(lang, distance)| {
                let similarity = max_dist.wrapping_sub(distance);
                (lang, similarity as f64 / max_dist as f64)
            })
            .collect();
        (lang_distances, scores, ranked.len())
    }

    /// whatlang's `combined::raw_detect`.
    fn raw(&self, text: &str) -> Raw {
        let lower = text.to_lowercase();
        let (alphabet_scores, alphabet_count) = self.alphabet_scores(&lower);
        let (distances, trigram_scores, trigrams_count) = self.trigram_scores(&lower);

        let mut all_langs: Vec<Lang> = alphabet_scores.iter().map(|x| x.0).collect();
        for (lang, _) in trigram_scores.iter() {
            if !all_langs.contains(lang) {
                all_langs.push(*lang);
            }
        }
        let alphabet_weight =
            (-(alphabet_count as f64 / 300.0) + 2.0 / 3.0).clamp(1.0 / 3.0, 2.0 / 3.0);
        let trigram_weight = 1.0 - alphabet_weight;
        let mut scores = Vec::with_capacity(all_langs.len());
        for lang in all_langs {
            let a: f64 =
                alphabet_scores.iter().find(|(l, _)| l == &lang).map(|x| x.1).unwrap_or(0.0);
            let t: f64 =
                trigram_scores.iter().find(|(l, _)| l == &lang).map(|x| x.1).unwrap_or(0.0);
            scores.push((lang, a * alphabet_weight + t * trigram_weight));
        }
        scores.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less));
        Raw { alphabet_scores, alphabet_count, distances, trigram_scores, trigrams_count, scores }
    }

    /// whatlang's `combined::detect`.
    fn detect(&self, text: &str) -> Option<Info> {
        let Raw { scores, trigrams_count, .. } = self.raw(text);
        let mut scores = scores.into_iter();
        let (lang1, score1) = scores.next()?;
        let confidence = match scores.next() {
            Some((_, score2)) => calculate_confidence(score1, score2, trigrams_count),
            None => 1.0,
        };
        Some(Info::new(self.script, lang1, confidence))
    }
}

/// What whatlang's `combined::raw_detect` computes on the way (all of it compared with
/// whatlang's in the tests; `detect` reads the last two).
#[cfg_attr(not(test), allow(dead_code))]
struct Raw {
    alphabet_scores: Vec<(Lang, f64)>,
    alphabet_count: usize,
    distances: Vec<(Lang, u32)>,
    trigram_scores: Vec<(Lang, f64)>,
    trigrams_count: usize,
    scores: Vec<(Lang, f64)>,
}

/// whatlang's `core::confidence::calculate_confidence`.
fn calculate_confidence(highest_score: f64, second_score: f64, count: usize) -> f64 {
    if highest_score == 0.0 {
        return 0.0;
    }
    if second_score == 0.0 {
        return highest_score;
    }
    let confident_rate = (3.0 / count as f64) + 0.015;
    let rate = (highest_score - second_score) / second_score;
    if rate > confident_rate { 1.0 } else { rate / confident_rate }
}

/// `whatlang::detect(text)`, the same value, through the index for Latin and Cyrillic texts.
pub(super) fn detect(text: &str) -> Option<Info> {
    let tables = match whatlang::detect_script(text)? {
        Script::Latin => &*LATIN,
        Script::Cyrillic => &*CYRILLIC,
        _ => return whatlang::detect(text),
    };
    tables.detect(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sentences in the scripts' languages and others, and what is hard for the index: ties,
    /// one letter, no letters, mixed scripts, more than 600 distinct trigrams.
    const SENTENCES: &[&str] = &[
        "Das ist doch völliger Unsinn, was die Regierung hier wieder erzählt.",
        "Die Straße ist gesperrt, weil die Brücke über die Isar erneuert wird.",
        "This is complete nonsense, and the government knows it very well.",
        "Most of the people in this thread have not read the article, which is a shame, because \
         the author makes a number of good points about the state of the health service.",
        "Can you tell me where is Schönheitstraße? Façade, naïve, café.",
        "Les journalistes ont encore une fois oublié de vérifier leurs sources.",
        "Además de todo lo anteriormente dicho, también encontramos problemas.",
        "Il governo ha approvato la legge, ma l'opposizione non è d'accordo.",
        "De regering heeft opnieuw tegen de burgers gelogen, het is een absolute schande.",
        "O governo não disse nada sobre a situação das escolas públicas.",
        "Rząd znowu okłamał obywateli, to jest absolutny skandal.",
        "Vláda opět lhala občanům, je to naprostý skandál a ostuda.",
        "Hallitus valehteli taas kansalaisille, se on täysi skandaali.",
        "Regeringen ljög igen för medborgarna, det är en fullständig skandal.",
        "Regjeringen løy igjen til innbyggerne, det er en fullstendig skandale.",
        "Kormány ismét hazudott a polgároknak, ez teljes botrány.",
        "Hükümet yine vatandaşlara yalan söyledi, bu tam bir skandal.",
        "Guvernul a mințit din nou cetățenii, este un scandal total.",
        "Ĉiuj redaktantoj de Esperanta Vikipedio estas volontuloj.",
        "Chính phủ lại nói dối người dân, đây là một vụ bê bối hoàn toàn.",
        "Pemerintah kembali berbohong kepada warga, ini skandal besar.",
        "Мы хотим видеть дальше, чем окна дома напротив.",
        "Та нічого, все нормально. А в тебе як?",
        "Владата повторно ги излажа граѓаните, ова е целосен скандал.",
        "Владата отново излъга гражданите, това е пълен скандал.",
        "Влада је поново лагала грађане, ово је потпуни скандал.",
        "Урад зноў падмануў грамадзян, гэта поўны скандал.",
        "Η κυβέρνηση είπε ξανά ψέματα στους πολίτες.",
        "האקדמיה ללשון העברית",
        "الحكومة كذبت مرة أخرى على المواطنين",
        "सरकार ने फिर से नागरिकों से झूठ बोला",
        "政府再次对公民撒谎，这是一个彻底的丑闻。",
        "政府はまた市民に嘘をついた、これは完全なスキャンダルだ。",
        "정부가 또 시민들에게 거짓말을 했다.",
    ];

    const EDGES: &[&str] = &[
        "",
        " ",
        "\n\t",
        "!!!!",
        "???",
        "...",
        "12345",
        "3.14",
        "@#$%^&*()",
        "Ok",
        "Ok!",
        "ok",
        "lol",
        "a",
        "A",
        "x",
        "ñ",
        "ß",
        "é",
        "ö",
        "ç",
        "я",
        "ї",
        "ў",
        "ə̇",
        "ı",
        "aa",
        "ab",
        "ja",
        "Ja",
        "Nein",
        "no",
        "si",
        "oui",
        "да",
        "нет",
        "👍",
        "👍👍",
        "😂😂😂 lol",
        "🙂 ok 🙂",
        "https://example.org/a/b?c=d",
        "www.spiegel.de",
        "@user @other #hashtag",
        "&amp; &gt;",
        "ja ja ja ja ja ja ja ja",
        "nein nein nein nein",
        "the the the the the the the the",
        "aaaaaaaaaaaaaaaaaaaa",
        "ababababababababab",
        "Привет hello",
        "hello Привет мир",
        "Dasistdochvölligerunsinn",
        "I am begging pardon",
        "Mit dem Wissen wächst der Zweifel",
        "Ja kulkee kylmä hetki pariimme, Olet hauras kuin jää, Ja kulke",
        "ÄÖÜ äöü ẞ",
        "İstanbul'da IŞIK",
        "Ǆemal ǅ ǆ",
        "ﬁnance ﬂow",
        "\u{0}\u{1}abc",
        "a\u{300}e\u{301}",
        "ΑΒΓ abc",
        "abc ΑΒΓ δεζ",
        "ა ბ გ",
        "ok 水",
        "水",
        "mmm",
        "hmm...",
        "xD",
        ":-)",
        "<3",
    ];

    /// Words to mix into texts of any length (seeded, so the same texts every run).
    fn generated_texts() -> Vec<String> {
        use rand::{Rng, SeedableRng};
        let mut texts: Vec<String> = EDGES.iter().map(|s| s.to_string()).collect();
        texts.extend(SENTENCES.iter().map(|s| s.to_string()));
        texts.extend(SENTENCES.iter().map(|s| s.to_uppercase()));
        let words: Vec<&str> = SENTENCES.iter().chain(EDGES).flat_map(|s| s.split(' ')).collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        for i in 0..3000 {
            // Mostly short texts (where ties and near-ties are), some long ones.
            let n = match i % 10 {
                0..=5 => rng.random_range(1..6),
                6..=8 => rng.random_range(6..60),
                _ => rng.random_range(60..1500),
            };
            let mut t = String::new();
            // Some texts from one sentence's words only, most from the whole pool.
            let pool: Vec<&str> = if i % 3 == 0 {
                SENTENCES[rng.random_range(0..SENTENCES.len())].split(' ').collect()
            } else {
                words.clone()
            };
            for _ in 0..n {
                t.push_str(pool[rng.random_range(0..pool.len())]);
                t.push(if rng.random_bool(0.1) { '\n' } else { ' ' });
            }
            texts.push(t);
        }
        // Long texts of one language, past the 600 ranked trigrams.
        for s in SENTENCES {
            texts.push(s.repeat(40));
            texts.push(SENTENCES.iter().filter(|x| *x != s).fold(s.repeat(5), |a, b| a + b));
        }
        // Each profile's trigrams as words (so every trigram of every profile occurs, and a
        // wrong rank or character in the tables shows), in profile order, reversed, shuffled,
        // a part, and repeated by rank (the text's ranks near the profile's).
        for &(_, profile) in LATIN_PROFILES.iter().chain(CYRILLIC_PROFILES) {
            let chars: Vec<char> = profile.chars().collect();
            let mut tris: Vec<String> = chars.chunks(3).map(|t| t.iter().collect()).collect();
            texts.push(tris.join("  "));
            texts.push(tris[..50].join(" . "));
            let weighted: Vec<String> = tris
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{t}  ").repeat((300 - i) / 30 + 1))
                .collect();
            texts.push(weighted.concat());
            tris.reverse();
            texts.push(tris.join("  "));
            for i in (1..tris.len()).rev() {
                tris.swap(i, rng.random_range(0..=i));
            }
            texts.push(tris.join(" , "));
        }
        // Random letters: many distinct trigrams, many ties in count.
        let letters: Vec<char> =
            "abcdefghijklmnopqrstuvwxyzäöüßéèàçñøåłżšžčěőű абвгдежзийклмнопрстуфхцчшщъыьэюяіїєґ"
                .chars()
                .collect();
        for len in [1, 2, 3, 5, 8, 13, 40, 200, 2000, 20000] {
            for _ in 0..10 {
                texts.push((0..len).map(|_| letters[rng.random_range(0..letters.len())]).collect());
            }
        }
        texts
    }

    /// The start of a text, for messages.
    fn head(text: &str) -> String {
        text.chars().take(100).collect()
    }

    fn bits(v: &[(Lang, f64)]) -> Vec<(Lang, u64)> {
        v.iter().map(|&(l, x)| (l, x.to_bits())).collect()
    }

    /// Whether every intermediate result whatlang's `dev::raw_detect` shows (alphabet scores,
    /// trigram distances and scores, the mixed scores, in order, bit for bit) is the index's.
    fn same_raw(text: &str) -> Result<(), String> {
        use whatlang::dev::{RawLangInfo, raw_detect};
        let Some(RawLangInfo::MultiScript(want)) = raw_detect(text).lang_info else {
            return Ok(());
        };
        let tables = match whatlang::detect_script(text) {
            Some(Script::Latin) => &*LATIN,
            Some(Script::Cyrillic) => &*CYRILLIC,
            _ => return Ok(()),
        };
        let got = tables.raw(text);
        let (wa, wt) = (&want.alphabet_raw_outcome, &want.trigram_raw_outcome);
        let checks = [
            ("alphabet scores", bits(&wa.scores) == bits(&got.alphabet_scores)),
            ("alphabet count", wa.count == got.alphabet_count),
            ("trigram distances", wt.raw_distances == got.distances),
            ("trigram scores", bits(&wt.scores) == bits(&got.trigram_scores)),
            ("trigram count", wt.trigrams_count == got.trigrams_count),
            ("scores", bits(&want.scores) == bits(&got.scores)),
        ];
        match checks.iter().find(|c| !c.1) {
            None => Ok(()),
            Some((what, _)) => Err(format!("{:?}: {what} differ", head(text))),
        }
    }

    /// Whether the indexed detector gives whatlang's answer, confidence bit for bit, and
    /// `detect` the code `detect_whatlang` gives.
    fn same(text: &str) -> Result<(), String> {
        same_raw(text)?;
        let (want, got) = (whatlang::detect(text), detect(text));
        let key =
            |i: &Option<Info>| i.as_ref().map(|i| (i.lang(), i.script(), i.confidence().to_bits()));
        let codes = (super::super::detect_whatlang(text), super::super::detect(text));
        if key(&want) == key(&got) && codes.0 == codes.1 {
            Ok(())
        } else {
            Err(format!(
                "{:?}: whatlang {want:?} {:?}, index {got:?} {:?}",
                head(text),
                codes.0,
                codes.1
            ))
        }
    }

    #[test]
    fn tables_cover_whatlangs_languages() {
        for t in [&*LATIN, &*CYRILLIC] {
            let mut langs = t.langs.clone();
            let mut want = t.script.langs().to_vec();
            langs.sort_by_key(|l| l.code());
            want.sort_by_key(|l| l.code());
            assert_eq!(langs, want);
            assert!(t.profile_len.iter().all(|&n| n == 300));
        }
    }

    #[test]
    fn same_as_whatlang_on_generated_texts() {
        let texts = generated_texts();
        assert!(texts.len() > 1000);
        let diffs: Vec<String> = texts.iter().filter_map(|t| same(t).err()).collect();
        assert!(
            diffs.is_empty(),
            "{} of {} differ:\n{}",
            diffs.len(),
            texts.len(),
            diffs[..diffs.len().min(20)].join("\n")
        );
    }
}
