"""How well medicine names are recognised: `DrugTable.find` on the consumer-dev questions.

    python benchmarks/names.py [--index DIR] [--corpus DIR] [--shared DIR] [--misses]

For each consumer-dev question with `expect` sources: does `find()` name the medicine of an
expected page (the page's drug or title)? The question alone, and — for follow-ups — with its
history before it (the conversation names the medicine). Per style, plus every
`expect_status` line's mentions, and the time `find()` takes per question over all the
questions of ../shared/eval/*.jsonl (a warm table; the lexicon-only names loaded).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rxquote.drugs import DrugTable, normalize  # noqa: E402
from rxquote.drugs_build import build_table  # noqa: E402
from rxquote.index import ensure  # noqa: E402


def page_names(idx) -> dict[str, set[str]]:
    names: dict[str, set[str]] = collections.defaultdict(set)
    for i in range(idx.size):
        names[idx.source_of(i)] |= {normalize(idx.drug_of(i)), normalize(idx.title_of(i))}
    return names


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--index", default=str(ROOT / "index"))
    ap.add_argument("--misses", action="store_true", help="print the questions whose medicine is missed")
    ap.add_argument("--rebuild-table", action="store_true",
                    help="build the name table afresh in this process (the index's own table is not touched)")
    ap.add_argument("--false-positives", action="store_true",
                    help="also: ordinary words (alone, and with one typo) read as medicines; held-out name-likeness")
    args = ap.parse_args()
    shared = Path(args.shared)
    corpus = Path(args.corpus or shared / "corpus" / "rxhive")
    index_dir = Path(args.index)
    if not (index_dir / "manifest.json").exists():
        from rxquote.cli import default_index

        index_dir = default_index(corpus)
    idx, _ = ensure(corpus, index_dir)
    table = idx.drugs
    if args.rebuild_table:
        t0 = time.perf_counter()
        built = build_table(table.medicines, vocabulary=idx.analyzer.stem_cache)
        drugs_json, lexicon_json = built.to_json()
        table = DrugTable.from_json(drugs_json, table.common_words, lexicon=lambda: lexicon_json)
        print(f"table built in {time.perf_counter() - t0:.1f} s")
    pages = page_names(idx)
    gold = [json.loads(line) for line in (shared / "eval" / "consumer-dev.jsonl").read_text().splitlines() if line.strip()]

    per_style: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])  # hit alone, hit w/ history, n
    misses = []
    for g in gold:
        if "expect" not in g:
            continue
        want = set().union(*(pages.get(e["source"], set()) for e in g["expect"]))
        got = [normalize(m.drug) for m in table.find(g["question"]) if m.drug]
        hist = " ".join(g.get("history", []) + [g["question"]])
        got_h = [normalize(m.drug) for m in table.find(hist) if m.drug]
        s = per_style[g.get("style", "?")]
        s[0] += bool(want & set(got))
        s[1] += bool(want & set(got_h))
        s[2] += 1
        if not want & set(got_h):
            misses.append((g["id"], g.get("style"), g["question"], sorted(want), got_h))
    tot = [sum(v[i] for v in per_style.values()) for i in range(3)]
    print(f"{'style':<12} {'alone':>7} {'w/hist':>7} {'n':>4}")
    for style, (a, h, n) in sorted(per_style.items()):
        print(f"{style:<12} {a:>7} {h:>7} {n:>4}")
    print(f"{'all':<12} {tot[0]:>7} {tot[1]:>7} {tot[2]:>4}")
    if args.misses:
        print("\nmissed (with history):")
        for m in misses:
            print("  ", *m)
    print("\nstatus lines:")
    for g in gold:
        if "expect_status" in g and g["expect_status"] in ("unknown_drug",):
            ms = [(m.text, m.drug, m.how, m.unknown_name) for m in table.find(g["question"])]
            print(f"  {g['id']} {g['expect_status']:<12} {g['question'][:60]!r} → {ms}")

    questions = []
    for f in sorted((shared / "eval").glob("*.jsonl")):
        for line in f.read_text().splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    table.find("zoloft")  # warm: the lexicon-only names are loaded once per process
    times = []
    for q in questions:
        t0 = time.perf_counter()
        table.find(q)
        times.append(time.perf_counter() - t0)
    times.sort()
    print(f"\nfind(): {len(questions)} questions, mean {statistics.mean(times) * 1e6:.0f} µs, "
          f"p50 {times[len(times) // 2] * 1e6:.0f} µs, p95 {times[int(len(times) * 0.95)] * 1e6:.0f} µs, "
          f"max {times[-1] * 1e6:.0f} µs")


    if args.false_positives:
        false_positives(table)


def false_positives(table) -> None:
    """Ordinary words of the corpus read as medicines: each word alone, and with one random
    typo; and the name-likeness model's recall on lexicon names held out of its training."""
    import random

    from rxquote import namelike
    from rxquote.drugs_build import _ALPHA_NAME, _ordinary_words

    rng = random.Random(0)
    names = table._alias_words | table._lexicon_words
    ordinary = sorted(w for w in table.common_words | _ordinary_words() if w.isalpha() and len(w) >= 4 and w not in names)
    got = collections.Counter(m.how for w in ordinary for m in table.find(w))
    print(f"\nordinary words alone: {len(ordinary)}, read as medicines: {sum(got.values())} {dict(got)}")

    def typo(w: str) -> str:
        i = rng.randrange(1, len(w))  # typos rarely hit the first letter
        op = rng.choice("sdit")
        if op == "s":
            return w[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + w[i + 1 :]
        if op == "d":
            return w[:i] + w[i + 1 :]
        if op == "i":
            return w[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + w[i:]
        return w[: i - 1] + w[i] + w[i - 1] + w[i + 1 :]

    sample = rng.sample([w for w in ordinary if len(w) >= 5], 5000)
    typos = [typo(w) for w in sample]
    found = [(t, m.how, m.drug or m.unknown_name) for t in typos for m in table.find(t)]
    got = collections.Counter(h for _, h, _ in found)
    print(f"ordinary words with one typo: {len(typos)}, read as medicines: {len(found)} {dict(got)}")
    print("   e.g.", found[:12])

    # name-likeness: train without a tenth of the single-word names, test on those not in the corpus
    single = sorted(a for a in list(table.aliases) + list(table.other_names) if _ALPHA_NAME.match(a))
    rng.shuffle(single)
    held, train_names = single[: len(single) // 10], single[len(single) // 10 :]
    model = namelike.train(train_names, [w for w in ordinary if w not in set(held)])
    unseen = [w for w in held if w not in table.common_words]
    recall = sum(namelike.looks_like_a_name(model, w) for w in unseen) / len(unseen)
    fp = sum(namelike.looks_like_a_name(model, t) for t in typos) / len(typos)
    print(f"name-likeness (threshold {namelike.THRESHOLD}): recall on {len(unseen)} held-out names {recall:.3f}, "
          f"on ordinary words with a typo {fp:.3f}")
    invented = ["veltrazine", "zorbitrex", "zorvantix", "quenzaprol", "dexolamid", "trivexamab", "lorvacet"]
    print("invented names:", [(w, [m.how for m in table.find(w)]) for w in invented])


if __name__ == "__main__":
    main()
