"""`rxquote eval`: the command around `evaluate.py` — arguments, progress, and the report as
tables for people (readable at 80 columns and in a pipe) or as one JSON object (`--json`).
The numbers and their definitions are `evaluate.py`'s; this module only shows them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Mapping

from .errors import UsageError
from .evaluate import DEFAULT_K, LOWER_IS_BETTER, Gate, evaluate, parse_gate
from .gold import load_gold
from .progress import progress_bar
from .startup import open_engine

FAILURE_DETAILS = 2  # failures shown in full per cause (all of them are in --json)

# (JSON key, label, the count it is over) for the main table, in order; a row whose count is 0
# is left out. None ends a group.
ROWS = [
    ("resolved", "resolved", "resolved_questions"),
    ("answerable_section_hit@1", "answerable sec. hit@1", "answerable_questions"),
    ("answerable_section_hit@3", "answerable sec. hit@3", "answerable_questions"),
    ("answerable_section_hit@5", "answerable sec. hit@5", "answerable_questions"),
    None,
    *((f"drug_{m}", f"drug {m}", "retrieval_questions") for m in ("hit@1", "hit@3", "hit@5", "mrr@10", "ndcg@10")),
    None,
    *((f"section_{m}", f"section {m}", "retrieval_questions") for m in ("hit@1", "hit@3", "hit@5", "mrr@10", "ndcg@10")),
    None,
    ("status_accuracy", "status accuracy", "status_questions"),
    ("answered_rate", "answered (expect)", "retrieval_questions"),
    ("emergency_recall", "emergency recall", "emergency_questions"),
    ("false_emergency_rate", "false emergency rate", "ordinary_questions"),
    None,
    ("quote_chars_first_p50", "1st quote chars p50", "quoting_answers"),
    ("quote_chars_first_p90", "1st quote chars p90", "quoting_answers"),
    ("quote_chars_total_p50", "all quotes chars p50", "quoting_answers"),
    ("quote_chars_total_p90", "all quotes chars p90", "quoting_answers"),
    ("latency_ms_p50", "latency p50 ms", "questions"),
    ("latency_ms_p95", "latency p95 ms", "questions"),
]
# characters and milliseconds: one decimal, no delta column
UNITS = {key for key in LOWER_IS_BETTER if key.startswith(("quote_chars_", "latency_"))}

# (JSON key, header) of the per-style table; a column with no value in any group is left out
STYLE_COLUMNS = [
    ("resolved", "resolved"), ("answerable_section_hit@1", "sec@1"), ("answerable_section_hit@3", "sec@3"),
    ("status_accuracy", "status"), ("emergency_recall", "emerg."), ("false_emergency_rate", "false em"),
]


def run(args, corpus: Path, index: Path) -> int:
    """`rxquote eval`: exit 0, 1 when a gate falls short; UsageError for bad input."""
    k = getattr(args, "top_k", DEFAULT_K)
    if k < 1:
        raise UsageError("--top-k must be at least 1")
    try:
        gates = [parse_gate(s) for s in getattr(args, "fail_under", None) or []]
        gates += [parse_gate(s, at_least=False) for s in getattr(args, "fail_over", None) or []]
    except ValueError as e:
        raise UsageError(str(e)) from None
    for g in args.gold:
        if not Path(g).exists():
            raise UsageError(f"gold file not found: {g}")
        if not Path(g).is_file():
            raise UsageError(f"gold path is not a file: {g}")
    try:
        import ir_measures  # the metric maths
    except ImportError:
        raise UsageError("rxquote eval needs ir-measures: pip install 'rxquote[eval]'") from None
    try:
        items, problems = load_gold(args.gold)
    except OSError as e:
        raise UsageError(f"cannot read {e.filename}: {e.strerror}") from e
    for p in problems:
        print(f"rxquote: {p}", file=sys.stderr)  # one line each, never wrapped
    if not items:
        raise UsageError("no valid questions in " + ", ".join(map(str, args.gold)))

    engine = open_engine(args)
    with progress_bar(sys.stderr.isatty(), transient=True) as progress:
        report = evaluate(engine, items, k, baselines=not getattr(args, "no_baselines", False), progress=progress)
    report["meta"] = {
        "corpus": str(corpus), "index": str(index), "k": k, "chunks": engine.index.size,
        "gold": {str(g): sum(1 for it in items if it.file == str(g)) for g in args.gold},
        "skipped_gold_lines": sum(p.skipped for p in problems),
        "metrics_library": f"ir-measures {ir_measures.__version__}",
    }
    report["gold_problems"] = [str(p) for p in problems]
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=True) + "\n")
        sys.stdout.flush()
    else:
        from rich.console import Console

        render(report, Console(highlight=False))
    return _gate(report["system"], gates)


def _gate(metrics: Mapping, gates: list[Gate]) -> int:
    short = 0
    for gate in gates:
        msg = gate.shortfall(metrics)
        if msg is not None:
            short += 1
            print(f"rxquote: {'--fail-under' if gate.at_least else '--fail-over'}: {msg}", file=sys.stderr)
    return 1 if short else 0


# -- tables ----------------------------------------------------------------------------------


def _fmt(v, digits: int = 3) -> str:
    return "\u2013" if v is None else f"{v:.{digits}f}"


def _delta(v, lower_better: bool = False):
    from rich.text import Text

    if v is None:
        return ""
    good = -v if lower_better else v
    style = "green" if good > 0.0005 else "red" if good < -0.0005 else "dim"
    return Text(f"{v:+.3f}", style=style)


def _literal(value) -> str:
    """Corpus or gold text as printable text (no terminal controls); pass it to rich as `Text`."""
    from .render import safe_text

    return safe_text(str(value))


def _table(**kw):
    """A table without vertical rules (narrow enough for 80 columns)."""
    from rich import box
    from rich.table import Table

    return Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, **kw)


def _print_titled(console, title: str, table) -> None:
    """The title on its own line (a table's own title would wrap to the table's width)."""
    from rich.text import Text

    console.print(Text(title, style="bold"))
    console.print(table)
    console.print()


def render(report: dict, console) -> None:
    """The report as tables: metrics, per style, per qtype, per file, failures by cause."""
    meta = report.get("meta", {})
    s, baselines = report["system"], report["baselines"]
    title = (f"rxquote eval: {s['questions']} questions ({s['retrieval_questions']} with passages, "
             f"{s['status_questions']} with a status), k={meta.get('k', DEFAULT_K)}")
    t = _table()
    t.add_column("metric (n)", no_wrap=True)
    t.add_column("system", justify="right", style="bold")
    for name in baselines:
        t.add_column(name, justify="right")
        t.add_column("\u0394", justify="right")
    rows = [r for r in ROWS if r is None or s[r[2]]]
    for n, row in enumerate(rows):
        if row is None:
            continue
        key, label, count = row
        digits = 1 if key in UNITS else 3
        cells = [f"{label} ({s[count]})", _fmt(s[key], digits)]
        for b in baselines.values():
            cells += [_fmt(b[key], digits), "" if key in UNITS else _delta(b["delta"][key], key in LOWER_IS_BETTER)]
        t.add_row(*cells, end_section=n + 1 < len(rows) and rows[n + 1] is None)
    _print_titled(console, title, t)
    if "by_style" in s:
        _print_titled(console, "By style (system; sec = answerable section hit)", _style_table(s["by_style"]))
    if "by_qtype" in s:
        _print_titled(console, "By question type (system; baselines: section hit@1)", _qtype_table(s, baselines))
    if "per_file" in report:
        _print_titled(console, "Per gold file (system; baselines: section hit@1)",
                      _per_file_table(report["per_file"], baselines))
    _print_failures(report, console)


def _style_table(groups: Mapping[str, dict]):
    from rich.text import Text

    cols = [(key, head) for key, head in STYLE_COLUMNS if any(g[key] is not None for g in groups.values())]
    t = _table()
    t.add_column("style", no_wrap=True)
    t.add_column("n", justify="right")
    for _, head in cols:
        t.add_column(head, justify="right")
    for name, g in groups.items():
        t.add_row(Text(_literal(name)), str(g["questions"]), *(_fmt(g[key]) for key, _ in cols))
    return t


def _qtype_table(s: dict, baselines: Mapping[str, dict]):
    from rich.text import Text

    t = _table()
    t.add_column("qtype")
    t.add_column("n", justify="right")
    t.add_column("sec@1", justify="right", style="bold")
    t.add_column("sec mrr", justify="right")
    t.add_column("drug@1", justify="right")
    for name in baselines:
        t.add_column(f"{name} sec@1", justify="right")
    for qt, g in s["by_qtype"].items():
        row = [Text(_literal(qt)), str(g["questions"]), _fmt(g["section_hit@1"]), _fmt(g["section_mrr@10"]),
               _fmt(g["drug_hit@1"])]
        row += [_fmt(b.get("by_qtype", {}).get(qt, {}).get("section_hit@1")) for b in baselines.values()]
        t.add_row(*row)
    return t


def _per_file_table(per_file: Mapping[str, dict], baselines: Mapping[str, dict]):
    from rich.text import Text

    t = _table()
    for col in ("gold", "n", "resolved", "sec hit@1", "status"):
        t.add_column(col, justify="left" if col == "gold" else "right", no_wrap=col == "gold")
    for name in baselines:
        t.add_column(name, justify="right")
    for f, r in per_file.items():
        fs = r["system"]
        row = [Text(_literal(Path(f).name)), str(fs["questions"]), _fmt(fs["resolved"]), _fmt(fs["section_hit@1"]),
               _fmt(fs["status_accuracy"])]
        row += [_fmt(r["baselines"][n]["section_hit@1"]) for n in baselines]
        t.add_row(*row)
    return t


def _expected_text(expected: Mapping) -> str:
    parts = []
    if "expect" in expected:
        e = expected["expect"][0]
        want = f"{e['source']} \u00b7 {e.get('drug') or '*'} \u00b7 {'/'.join(e.get('sections') or ['*'])}"
        if len(expected["expect"]) > 1:
            want += f" (+{len(expected['expect']) - 1} more)"
        parts.append(want)
    if "status" in expected:
        parts.append(f"status {expected['status']}")
    if "drugs" in expected:
        parts.append("drugs " + ", ".join(expected["drugs"]))
    return "; ".join(parts)


def _print_failures(report: dict, console) -> None:
    from rich.text import Text

    fails, causes = report["failures"], report["failure_causes"]
    if not fails:
        console.print("No failures.")
        return
    id_width = max(len(f["id"]) for f in fails)
    t = _table()
    t.add_column("cause")
    t.add_column("n", justify="right")
    t.add_column("examples", min_width=min(id_width, 30))
    for c in causes.values():
        t.add_row(c["label"], str(c["count"]), Text(_literal(", ".join(c["examples"]))))
    _print_titled(console, f"Failures by cause: {len(fails)} (all in --json)", t)
    console.print(Text(f"The first {FAILURE_DETAILS} of each cause:", style="bold"))
    for key, c in causes.items():
        for f in [f for f in fails if f["cause"] == key][:FAILURE_DETAILS]:
            console.print(_failure_block(f, c["label"]))


def _failure_block(f: Mapping, label: str):
    """One failure: its id and cause, then what was asked, expected and got, values wrapped
    under their own column."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    first = f["first"]
    got = f"{first['source']} \u00b7 {first['drug']} \u00b7 {first['section']}" if first else f"({f['status']})"
    if f["drugs"]:
        got += f"; drugs {', '.join(f['drugs'])}"
    head = Text()
    head.append(_literal(f["id"]), style="bold")
    head.append(f"  {label}", style="dim")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    for name, value in (("asked", " \u2192 ".join(f["history"] + [f["question"]])),
                        ("expected", _expected_text(f["expected"])), ("got", got), ("why", f["why"])):
        if value:
            grid.add_row("", name, Text(_literal(value)))
    return Group(head, grid)
