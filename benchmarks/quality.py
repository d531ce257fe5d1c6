"""Reproduce the README's quality table: `rxquote eval` on seed-dev and rxhive-templates.

    python benchmarks/quality.py                 # prints the Markdown table (with the date)
    python benchmarks/quality.py --out benchmarks/QUALITY.md

It runs exactly what `rxquote eval GOLD -k 10` runs (the same code, in one process):

    rxquote eval ../shared/eval/seed-dev.jsonl
    rxquote eval ../shared/eval/rxhive-templates.jsonl --corpus ../shared/corpus/rxhive --index CACHE

seed-dev uses the project's `seeds/` (indexed into a temporary folder, so the project's own
`index/` is never touched); rxhive-templates uses `../shared/corpus/rxhive`, indexed into a
cache folder (default `$XDG_CACHE_HOME/rxquote/bench/rxhive-index`, about 15 s to build the
first time, reused while the corpus is unchanged; `--fresh` builds into a temporary folder).
`../shared` is found beside the checkout, or set `RXQUOTE_SHARED` / `--shared`.

Latency depends on the machine; every other number is deterministic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout even without an install

from rxquote.answer import Engine  # noqa: E402
from rxquote.evaluate import evaluate, load_gold  # noqa: E402

RANKERS = (("system", "rxquote"), ("plain", "BM25, plain words"), ("stemmed", "BM25, stemmed + stopwords"))
COLUMNS = (
    ("drug_hit@1", "Drug Hit@1"), ("drug_hit@5", "Drug Hit@5"), ("drug_mrr@10", "Drug MRR@10"),
    ("section_hit@1", "Section Hit@1"), ("section_hit@3", "Section Hit@3"), ("section_hit@5", "Section Hit@5"),
    ("section_mrr@10", "Section MRR@10"), ("section_ndcg@10", "Section nDCG@10"), ("status_accuracy", "Status acc."),
)


def find_shared(arg: str | None) -> Path:
    for cand in [arg, os.environ.get("RXQUOTE_SHARED"), str(ROOT.parent / "shared")]:
        if cand and (Path(cand) / "eval").is_dir():
            return Path(cand)
    sys.exit("quality.py: ../shared (eval sets, rxhive corpus) not found; pass --shared DIR")


def default_cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "rxquote" / "bench" / "rxhive-index"


def run_set(name: str, gold: Path, corpus: Path, index_dir: Path, k: int) -> tuple[dict, int, float]:
    t0 = time.perf_counter()
    engine = Engine.open(corpus, index_dir)
    items, problems = load_gold([gold])
    for p in problems:
        print(f"quality.py: {p}", file=sys.stderr)
    print(f"quality.py: {name}: {len(items)} questions, {engine.index.size} chunks ...", file=sys.stderr)
    report = evaluate(engine, items, k)
    return report, engine.index.size, time.perf_counter() - t0


def fmt(v) -> str:
    return "\u2013" if v is None else f"{v:.3f}"


def markdown(results: list[tuple[str, str, dict, int]], k: int, when: str) -> str:
    head = ["Gold set", "Ranker"] + [c for _, c in COLUMNS] + ["p50 / p95 ms"]
    lines = [
        f"Measured {when} with `python benchmarks/quality.py` (k = {k}; "
        f"rxquote {_version()}, Python {platform.python_version()}).",
        "",
        "| " + " | ".join(head) + " |",
        "| " + " | ".join(["---", "---"] + ["---:"] * (len(head) - 2)) + " |",
    ]
    for label, gold_desc, report, _ in results:
        for key, ranker in RANKERS:
            s = report["system"] if key == "system" else report["baselines"][key]
            cells = [label if key == "system" else "", f"**{ranker}**" if key == "system" else ranker]
            cells += [f"**{fmt(s[m])}**" if key == "system" else fmt(s[m]) for m, _ in COLUMNS]
            lat = f"{s['latency_ms_p50']:.1f} / {s['latency_ms_p95']:.1f}"
            cells.append(lat)
            lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for label, gold_desc, report, chunks in results:
        s = report["system"]
        lines.append(f"- **{label}**: {gold_desc}; {s['questions']} questions ({s['retrieval_questions']} with "
                     f"expected passages, {s['status_questions']} with an expected status), {chunks} chunks; "
                     f"{len(report['failures'])} failed question(s).")
    lines += [
        "",
        "Drug level: a passage from the right monograph (and ingredient) came back; section level: the passage "
        "that answers (right section, and the expected words where the gold gives them). Hit@k and MRR@10 over "
        "the questions with expected passages; status accuracy over the questions with an expected status. "
        "Baselines rank the same chunks with rank-bm25's BM25Okapi on the question alone (no medicine "
        "resolution, no intent, no conversation). Latency is per question on the machine that measured it. "
        "Definitions: `src/rxquote/evaluate.py`; same numbers as `rxquote eval GOLD.jsonl`.",
    ]
    return "\n".join(lines) + "\n"


def _version() -> str:
    from rxquote import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", help="the shared folder (eval/, corpus/rxhive/); default ../shared")
    ap.add_argument("--cache", type=Path, default=None, help="rxhive index folder (default: %(default)s)")
    ap.add_argument("--fresh", action="store_true", help="build the rxhive index into a temporary folder")
    ap.add_argument("-k", "--top-k", type=int, default=10)
    ap.add_argument("--out", type=Path, help="also write the Markdown here")
    ap.add_argument("--skip-rxhive", action="store_true", help="seed-dev only (quick)")
    args = ap.parse_args(argv)
    shared = find_shared(args.shared)
    when = dt.date.today().isoformat()
    results = []
    with tempfile.TemporaryDirectory(prefix="rxquote-quality-") as tmp:
        report, chunks, secs = run_set("seed-dev", shared / "eval" / "seed-dev.jsonl", ROOT / "seeds", Path(tmp) / "seeds", args.top_k)
        results.append(("seed-dev", "`seeds/`, hand-written (sections, FAQs, follow-ups, statuses)", report, chunks))
        if not args.skip_rxhive:
            cache = Path(tmp) / "rxhive" if args.fresh else (args.cache or default_cache())
            report, chunks, secs = run_set("rxhive-templates", shared / "eval" / "rxhive-templates.jsonl",
                                           shared / "corpus" / "rxhive", cache, args.top_k)
            results.append(("rxhive-templates", "`../shared/corpus/rxhive`, MedlinePlus question templates", report, chunks))
    text = markdown(results, args.top_k, when)
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(f"# rxquote retrieval quality\n\n{text}", encoding="utf-8")
        print(f"quality.py: wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
