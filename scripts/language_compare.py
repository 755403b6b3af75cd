#!/usr/bin/env python3
"""lingua against whatlang on the shared labelled sets whose language is known (issue #16).

Reads the texts as `examples/language_check.rs` does (GermEval 2018 and AustroTox in German,
C3 in English) and prints, for lingua (the `lingua-language-detector` package, its 75
languages, high-accuracy mode), the same table as that example prints for threadlens'
whatlang detection: by comment length, the share of texts told and the share of those right.
lingua is run twice: deciding every text, and with a minimum relative distance of 0.25
between its first two languages, its own way of saying "cannot tell" (what threadlens'
`detect` does with whatlang's `is_reliable`). The seconds per text are printed too.

    scripts/language-compare            # makes a venv with lingua, then runs this
    python scripts/language_compare.py [../shared/data/incivility]   # lingua installed
"""
import csv
import json
import pathlib
import sys
import time

BUCKETS = ["<=30", "31-80", "81-200", ">200"]


def bucket(text):
    n = len(text)
    return 0 if n <= 30 else 1 if n <= 80 else 2 if n <= 200 else 3


def sets(root):
    germeval = []
    for f in ["germeval2018.training.txt", "germeval2018.test.txt"]:
        for line in (root / "germeval2018_de" / f).read_text(encoding="utf-8").splitlines():
            t = line.split("\t")[0].replace("|LBR|", " ")
            germeval.append(" ".join(w for w in t.split() if not w.startswith("@")))
    austrotox = []
    for line in (root / "austrotox_de" / "austrotox_de.jsonl").read_text(encoding="utf-8").splitlines():
        v = json.loads(line)
        austrotox.append(v.get("Comment") or "")
    with open(root / "c3" / "C3_anonymized.csv", newline="", encoding="utf-8") as f:
        c3 = [r["comment_text"] for r in csv.DictReader(f)]
    return [("GermEval 2018", "de", germeval), ("AustroTox", "de", austrotox),
            ("C3 (Globe and Mail)", "en", c3)]


def check(name, want, texts, detector):
    n, told, right = [0] * 4, [0] * 4, [0] * 4
    start = time.perf_counter()
    for t in texts:
        b = bucket(t)
        n[b] += 1
        lang = detector.detect_language_of(t)
        if lang is not None:
            told[b] += 1
            right[b] += lang.iso_code_639_1.name.lower() == want
    secs = time.perf_counter() - start
    pct = lambda x, of: 0.0 if of == 0 else 100.0 * x / of
    print(f"{name} ({want}, {len(texts)} texts)")
    print(f"  {'chars':<8} {'texts':>6} {'told':>8} {'right':>8}")
    for b in range(4):
        print(f"  {BUCKETS[b]:<8} {n[b]:>6} {pct(told[b], n[b]):>7.1f}% {pct(right[b], told[b]):>7.1f}%")
    print(f"  all: told {pct(sum(told), len(texts)):.1f}%, right "
          f"{pct(sum(right), max(sum(told), 1)):.2f}% of those told; "
          f"{1e6 * secs / max(len(texts), 1):.0f} µs per text")


def main():
    from lingua import LanguageDetectorBuilder

    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/incivility")
    data = sets(root)
    for label, distance in [("lingua, deciding every text", 0.0),
                            ("lingua, minimum relative distance 0.25", 0.25)]:
        detector = (LanguageDetectorBuilder.from_all_languages()
                    .with_minimum_relative_distance(distance)
                    .with_preloaded_language_models().build())
        print(f"== {label}")
        for name, want, texts in data:
            check(name, want, texts, detector)


if __name__ == "__main__":
    main()
