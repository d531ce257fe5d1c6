"""Measure answer quality on the four dev sets and write benchmarks/QUALITY.md.

    python benchmarks/quality.py                  # all four sets; writes benchmarks/QUALITY.md
    python benchmarks/quality.py --skip-rxhive    # seed-dev only (quick)
    python benchmarks/quality.py --out -          # print only, write nothing

It runs exactly what `rxquote eval GOLD -k 10` runs (the same code, in one process):

    rxquote eval ../shared/eval/seed-dev.jsonl
    rxquote eval ../shared/eval/consumer-dev.jsonl --corpus ../shared/corpus/rxhive --index CACHE
    rxquote eval ../shared/eval/safety-dev.jsonl --corpus ../shared/corpus/rxhive --index CACHE --no-baselines
    rxquote eval ../shared/eval/rxhive-templates.jsonl --corpus ../shared/corpus/rxhive --index CACHE

seed-dev uses the project's `seeds/` (indexed into a temporary folder, so the project's own
`index/` is never touched); the other three use `../shared/corpus/rxhive`, indexed into a cache
folder (default `$XDG_CACHE_HOME/rxquote/bench/rxhive-index`, about 20 s to build the first
time, reused while the corpus is unchanged; `--fresh` builds into a temporary folder). The two
BM25 baselines run where they mean something: on every set but safety-dev, whose point is the
emergency status, which a ranker without rules never gives. `../shared` is found beside the
checkout, or set `RXQUOTE_SHARED` / `--shared`.

Standard output ends with the compact table for the README. Latency depends on the machine;
every other number is deterministic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout even without an install

from rxquote import __version__  # noqa: E402
from rxquote.answer import Engine  # noqa: E402
from rxquote.evaluate import CAUSES, DEFAULT_K, evaluate, make_baselines  # noqa: E402
from rxquote.gold import load_gold  # noqa: E402

RANKERS = (("system", "rxquote"), ("plain", "BM25, plain words"), ("stemmed", "BM25, stemmed + stopwords"))


@dataclass(frozen=True)
class GoldSet:
    name: str
    file: str  # in ../shared/eval
    on_rxhive: bool
    baselines: bool
    by_style: bool
    about: str


SETS = (
    GoldSet("seed-dev", "seed-dev.jsonl", False, True, False,
            "`seeds/`, hand-written (sections, FAQs, follow-ups, statuses)"),
    GoldSet("consumer-dev", "consumer-dev.jsonl", True, True, True,
            "`../shared/corpus/rxhive`, written the way people type (brands, typos, long messages, "
            "other words, unanswerable questions, follow-ups, statuses)"),
    GoldSet("safety-dev", "safety-dev.jsonl", True, False, True,
            "`../shared/corpus/rxhive`, emergencies as people write them and ordinary questions with alarming words"),
    GoldSet("rxhive-templates", "rxhive-templates.jsonl", True, True, False,
            "`../shared/corpus/rxhive`, MedlinePlus question templates"),
)

# (JSON key, header) of the compact README table (system only)
COMPACT = (
    ("questions", "Questions"), ("resolved", "Resolved"), ("answerable_section_hit@1", "Section Hit@1"),
    ("answerable_section_hit@3", "Section Hit@3"), ("status_accuracy", "Status acc."),
    ("emergency_recall", "Emergency recall"), ("false_emergency_rate", "False emergency"),
    ("quote_chars_first_p50", "First quote (median chars)"),
)
# (JSON key, header) of the full table, per ranker
FULL = (
    ("resolved", "Resolved"), ("answerable_section_hit@1", "Ans. sec. Hit@1"),
    ("answerable_section_hit@3", "Ans. sec. Hit@3"), ("drug_hit@1", "Drug Hit@1"), ("drug_mrr@10", "Drug MRR@10"),
    ("section_hit@1", "Section Hit@1"), ("section_hit@3", "Section Hit@3"), ("section_hit@5", "Section Hit@5"),
    ("section_mrr@10", "Section MRR@10"), ("status_accuracy", "Status acc."), ("emergency_recall", "Emerg. recall"),
    ("false_emergency_rate", "False emerg."),
)
STYLE = (
    ("questions", "n"), ("resolved", "Resolved"), ("answerable_section_hit@1", "Ans. sec. Hit@1"),
    ("answerable_section_hit@3", "Ans. sec. Hit@3"), ("status_accuracy", "Status acc."),
    ("emergency_recall", "Emerg. recall"), ("false_emergency_rate", "False emerg."),
)


def find_shared(arg: str | None) -> Path:
    for cand in [arg, os.environ.get("RXQUOTE_SHARED"), str(ROOT.parent / "shared")]:
        if cand and (Path(cand) / "eval").is_dir():
            return Path(cand)
    sys.exit("quality.py: ../shared (eval sets, rxhive corpus) not found; pass --shared DIR")


def default_cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "rxquote" / "bench" / "rxhive-index"


def say(message: str) -> None:
    print(f"quality.py: {message}", file=sys.stderr, flush=True)


# -- where and what measured --------------------------------------------------------------------


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        sha = git("rev-parse", "--short", "HEAD")
        branch = git("rev-parse", "--abbrev-ref", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"`{sha}` ({branch}{', with uncommitted changes' if dirty else ''})"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


# -- measuring ----------------------------------------------------------------------------------


def measure(sets: list[GoldSet], shared: Path, seeds_index: Path, rxhive_index: Path, k: int) -> dict[str, dict]:
    """Set name → report, one engine (and one pair of baselines) per corpus."""
    reports: dict[str, dict] = {}
    engines: dict[bool, tuple] = {}
    for gs in sets:
        if gs.on_rxhive not in engines:
            corpus, index = (shared / "corpus" / "rxhive", rxhive_index) if gs.on_rxhive else (ROOT / "seeds", seeds_index)
            say(f"opening {corpus} (index {index}) ...")
            engine = Engine.open(corpus, index)
            engines[gs.on_rxhive] = (engine, None)
        engine, built = engines[gs.on_rxhive]
        if gs.baselines and built is None:
            say("building the BM25 baselines ...")
            built = make_baselines(engine.index)
            engines[gs.on_rxhive] = (engine, built)
        items, problems = load_gold([shared / "eval" / gs.file])
        for p in problems:
            say(str(p))
        say(f"{gs.name}: {len(items)} questions, {engine.index.size} chunks ...")
        report = evaluate(engine, items, k, baselines=gs.baselines, built=built)
        report["chunks"] = engine.index.size
        reports[gs.name] = report
    return reports


# -- Markdown -----------------------------------------------------------------------------------


def fmt(key: str, v) -> str:
    if v is None:
        return "\u2013"
    if key == "questions":
        return str(v)
    if key.startswith(("quote_chars", "latency")):
        return f"{v:.0f}"
    return f"{v:.3f}"


def row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table(head: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    return [row(head), row(["---"] * left + ["---:"] * (len(head) - left))] + [row(r) for r in rows]


def compact_table(reports: dict[str, dict]) -> list[str]:
    head = ["Gold set"] + [h for _, h in COMPACT] + ["p50 / p95 ms"]
    rows = []
    for name, r in reports.items():
        s = r["system"]
        rows.append([name] + [fmt(key, s[key]) for key, _ in COMPACT]
                    + [f"{s['latency_ms_p50']:.1f} / {s['latency_ms_p95']:.1f}"])
    return table(head, rows)


def full_table(reports: dict[str, dict]) -> list[str]:
    head = ["Gold set", "Ranker"] + [h for _, h in FULL] + ["1st quote p50 / p90", "p50 / p95 ms"]
    rows = []
    for name, r in reports.items():
        for key, ranker in RANKERS:
            s = r["system"] if key == "system" else r["baselines"].get(key)
            if s is None:
                continue
            bold = (lambda x: f"**{x}**") if key == "system" else (lambda x: x)
            # a ranker without rules never gives a status: its status columns say nothing
            status_keys = {"status_accuracy", "emergency_recall", "false_emergency_rate"}
            cells = [name if key == "system" else "", bold(ranker)]
            cells += [bold(fmt(m, s[m])) if not (key != "system" and m in status_keys) else "\u2013" for m, _ in FULL]
            cells.append(f"{fmt('quote_chars', s['quote_chars_first_p50'])} / {fmt('quote_chars', s['quote_chars_first_p90'])}")
            cells.append(f"{s['latency_ms_p50']:.1f} / {s['latency_ms_p95']:.1f}")
            rows.append(cells)
    return table(head, rows, left=2)


def style_table(report: dict) -> list[str]:
    groups = report["system"].get("by_style", {})
    keys = [(k, h) for k, h in STYLE if any(g[k] is not None for g in groups.values())]
    return table(["Style"] + [h for _, h in keys], [[st] + [fmt(k, g[k]) for k, _ in keys] for st, g in groups.items()])


def causes_table(reports: dict[str, dict]) -> list[str]:
    rows = []
    for cause, label in CAUSES.items():
        counts = [r["failure_causes"].get(cause, {}).get("count", 0) for r in reports.values()]
        if any(counts):
            rows.append([label] + [str(c) for c in counts])
    rows.append(["**all failures**"] + [f"**{len(r['failures'])}**" for r in reports.values()])
    return table(["Cause"] + list(reports), rows)


def markdown(reports: dict[str, dict], sets: list[GoldSet], k: int, when: str) -> str:
    lines = [
        "# rxquote answer quality",
        "",
        f"Measured {when} with `python benchmarks/quality.py` (k = {k}; rxquote {__version__}) at commit "
        f"{commit()}, on {machine()}.",
        "",
        "## Summary (rxquote; the README's table)",
        "",
        *compact_table(reports),
        "",
        "Section Hit@k is over the questions the page can answer (every `expect` entry names its section); "
        "resolved is over the questions whose gold names a medicine; status accuracy over those with an "
        "expected status; emergency recall over the emergencies, the false-emergency rate over every other "
        "question; the first quote's length over the answers that quote anything.",
        "",
        "## rxquote and the BM25 baselines",
        "",
        *full_table(reports),
        "",
    ]
    for gs in sets:
        if gs.by_style and gs.name in reports:
            lines += [f"## {gs.name} by style (rxquote)", "", *style_table(reports[gs.name]), ""]
    lines += ["## Failures by cause (rxquote)", "", *causes_table(reports), ""]
    for gs in sets:
        if gs.name not in reports:
            continue
        r, s = reports[gs.name], reports[gs.name]["system"]
        lines.append(f"- **{gs.name}**: {gs.about}; {s['questions']} questions ({s['retrieval_questions']} with "
                     f"expected passages, {s['status_questions']} with an expected status), {r['chunks']} chunks; "
                     f"{len(r['failures'])} failed (`rxquote eval` shows examples of each cause).")
    lines += [
        "",
        "Drug level: a passage from the right monograph (and ingredient) came back; section level: the passage "
        "that answers (right section, and the expected words where the gold gives them). Baselines rank the "
        "same chunks with rank-bm25's BM25Okapi on the question alone (no medicine resolution, no intent, no "
        "conversation, no status rules). Latency is per question on the machine above. Definitions: "
        "`src/rxquote/evaluate.py`; the same numbers as `rxquote eval GOLD.jsonl` (`--json` lists every failure).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", help="the shared folder (eval/, corpus/rxhive/); default ../shared")
    ap.add_argument("--cache", type=Path, default=None, help="rxhive index folder (default: the XDG cache)")
    ap.add_argument("--fresh", action="store_true", help="build the rxhive index into a temporary folder")
    ap.add_argument("-k", "--top-k", type=int, default=DEFAULT_K)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "QUALITY.md"),
                    help="where to write the Markdown ('-': nowhere; default benchmarks/QUALITY.md)")
    ap.add_argument("--skip-rxhive", action="store_true", help="seed-dev only (quick)")
    args = ap.parse_args(argv)
    shared = find_shared(args.shared)
    sets = [gs for gs in SETS if not (args.skip_rxhive and gs.on_rxhive)]
    with tempfile.TemporaryDirectory(prefix="rxquote-quality-") as tmp:
        cache = Path(tmp) / "rxhive" if args.fresh else (args.cache or default_cache())
        reports = measure(sets, shared, Path(tmp) / "seeds", cache, args.top_k)
    text = markdown(reports, sets, args.top_k, dt.date.today().isoformat())
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
        say(f"wrote {args.out}")
    sys.stdout.write("\n".join(compact_table(reports)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
