"""Retrieval evaluation: `rxquote eval GOLD.jsonl [MORE.jsonl ...]` (see ../shared/eval/README.md).

What is measured
- Every gold question is asked as the chat would ask it (`Engine.ask(question, history, top_k=k)`,
  k = `-k`, default 10), and the returned passages are judged against the gold's `expect`
  entries at two levels:
  * drug level: `source` equal (and `drug`, case-insensitive, where the entry gives it);
  * section level: every field the entry gives holds (`source`, `drug`, `section`/`sections`,
    one of `contains_any` in the text, case-insensitive).
  A passage is relevant when it satisfies any one entry.
- Hit@1/3/5, MRR@10 and nDCG@10 at both levels are computed by ir-measures (Success@k and
  nDCG@10 through pytrec_eval, RR@10 through its msmarco provider: ir-measures picks). The
  gold names pages and sections, not every relevant chunk, so relevance is judged on the
  returned passages: each query's qrels are its returned passages (doc ids `p1`, `p2`, ... by
  rank, run scores strictly decreasing by rank so pytrec_eval's tie-breaking never reorders
  them), judged 1/0. When no returned passage is relevant, the query gets one unreturned
  relevant doc, so it counts as 0 for every measure. nDCG@10's ideal ranking is therefore "the
  relevant passages that were returned, first" (or one relevant passage when none was).
  Questions with `expect` are averaged over all of them (a question that was not answered
  scores 0). Hit@5 with `-k 3` means "within the 3 returned".
- `status_accuracy`: share of `expect_status` questions whose status equals it.
  `answered_rate`: share of `expect` questions whose status is `answered` (they should be).
- Latency: wall time of each question (one warm-up question first, not counted), p50/p95 in ms.
- `by_qtype`: the same metrics per `qtype`, when the gold has one.
- Baselines, over the SAME indexed chunks (chunk text, disclaimer chunks never returned, as in
  the system): `plain` = BM25Okapi (rank-bm25's statistics and formula; scored through the
  project's exact inverted-index copy of it, bit-identical and much faster) on lower-case word
  tokens, stopwords kept, no stemming; `stemmed` = the same with the project's analyzer
  (stopwords removed, Snowball stems). Both take the question alone (no history, no medicine
  resolution, no intent), return the top-k chunks with a positive score (ties by chunk id), and
  their status is `answered` when anything scored, else `no_match`.
- Several gold files: the headline numbers pool every question of every file (they must all be
  about the one `--corpus`); with more than one file, each file is also reported on its own
  (`per_file` in JSON, a small table for people).
- Failures (system only): a question fails when its first passage is not relevant at the
  section level, or its status differs from `expect_status`. Worst first: status failures,
  then wrong page first, then right page but wrong passage first (by how late the right one came).
  The table shows the worst few; `--json` lists all.
- `--fail-under METRIC=VALUE` (repeatable) compares the system's pooled numbers; metric names
  are the JSON keys (`section_hit@1`, `drug_mrr@10`, `status_accuracy`, ...); exit 1 when short.

Bad gold lines are reported on stderr as `FILE:LINE: why` and skipped.

`--json` prints one object: `system` (the metrics above, `questions`, `retrieval_questions`,
`status_questions`, `latency_ms_p50/p95`, `by_qtype`), `baselines` (`plain`, `stemmed`: the same,
plus `delta` = system minus baseline per metric; empty with `--no-baselines`), `failures`
(all, worst first: id, gold FILE:LINE, question, history, qtype, expected, status, drug_rank,
section_rank, first passage abridged, why), `per_file` (only with several gold files), `meta`
(corpus, index, k, chunks, questions per gold file, skipped lines) and `gold_problems`.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from .corpus import SECTIONS

LEVELS = ("drug", "section")
MEASURE_NAMES = ("hit@1", "hit@3", "hit@5", "mrr@10", "ndcg@10")
GOLD_STATUSES = ("answered", "no_match", "unknown_drug", "emergency", "clarify")
EXPECT_FIELDS = {"source", "drug", "section", "sections", "contains_any"}
DEFAULT_K = 10
TABLE_FAILURES = 10
UNRETURNED = "unreturned-relevant"


def metric_names() -> list[str]:
    """The gateable metric names (JSON keys of `system`)."""
    return [f"{lvl}_{m}" for lvl in LEVELS for m in MEASURE_NAMES] + ["status_accuracy", "answered_rate"]


# -- gold --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """One `expect` entry: what a relevant passage looks like."""

    source: str
    drug: str | None = None
    sections: tuple[str, ...] | None = None  # `section` and/or `sections`, merged
    contains_any: tuple[str, ...] | None = None

    def matches(self, passage: Mapping, level: str = "section") -> bool:
        if str(passage.get("source", "")) != self.source:
            return False
        if self.drug is not None and str(passage.get("drug", "")).strip().casefold() != self.drug.strip().casefold():
            return False
        if level == "drug":
            return True
        if self.sections is not None and passage.get("section") not in self.sections:
            return False
        if self.contains_any is not None:
            text = str(passage.get("text", "")).lower()
            if not any(s.lower() in text for s in self.contains_any):
                return False
        return True

    def to_json(self) -> dict:
        d: dict = {"source": self.source}
        if self.drug is not None:
            d["drug"] = self.drug
        if self.sections is not None:
            d["sections"] = list(self.sections)
        if self.contains_any is not None:
            d["contains_any"] = list(self.contains_any)
        return d


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    history: tuple[str, ...] = ()
    expect: tuple[Expect, ...] = ()
    expect_status: str | None = None
    qtype: str | None = None
    file: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class GoldProblem:
    file: str
    line: int
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" + ("" if self.skipped else " (line kept)")


class GoldLineError(ValueError):
    pass


def _str_list(value, what: str, allow_empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GoldLineError(f"{what} must be a list of strings")
    if not allow_empty and not [v for v in value if v.strip()]:
        raise GoldLineError(f"{what} must not be empty")
    return tuple(value)


def parse_expect(entry, n: int, warnings: list[str]) -> Expect:
    what = f"expect[{n}]"
    if not isinstance(entry, dict):
        raise GoldLineError(f"{what} must be an object")
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise GoldLineError(f"{what}.source must be a non-empty string")
    drug = entry.get("drug")
    if drug is not None and (not isinstance(drug, str) or not drug.strip()):
        raise GoldLineError(f"{what}.drug must be a non-empty string")
    sections: list[str] = []
    if "section" in entry and entry["section"] is not None:
        if not isinstance(entry["section"], str):
            raise GoldLineError(f"{what}.section must be a string")
        sections.append(entry["section"])
    if "sections" in entry and entry["sections"] is not None:
        sections.extend(_str_list(entry["sections"], f"{what}.sections"))
    for s in sections:
        if s not in SECTIONS:
            raise GoldLineError(f"{what}: unknown section {s!r} (one of {', '.join(SECTIONS)})")
    contains = None
    if entry.get("contains_any") is not None:
        contains = tuple(s for s in _str_list(entry["contains_any"], f"{what}.contains_any") if s.strip())
    extra = sorted(set(entry) - EXPECT_FIELDS)
    if extra:
        warnings.append(f"{what}: unknown field(s) {', '.join(map(repr, extra))} ignored")
    return Expect(source.replace("\\", "/"), drug, tuple(dict.fromkeys(sections)) or None, contains)


def parse_gold_line(text: str, file: str = "<gold>", line: int = 0) -> tuple[GoldItem, list[str]]:
    """One gold line → (item, warnings). Raises GoldLineError with a one-line reason."""
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise GoldLineError(f"not valid JSON ({getattr(e, 'msg', e)})") from None
    if not isinstance(obj, dict):
        raise GoldLineError("expected a JSON object")
    qid = obj.get("id")
    if isinstance(qid, bool) or not isinstance(qid, (str, int)) or (isinstance(qid, str) and not qid.strip()):
        raise GoldLineError('"id" must be a non-empty string or an integer')
    question = obj.get("question")
    if not isinstance(question, str) or not question.strip():
        raise GoldLineError('"question" must be a non-empty string')
    history = obj.get("history")
    if history is None:
        history = []
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise GoldLineError('"history" must be a list of strings')
    warnings: list[str] = []
    expect: tuple[Expect, ...] = ()
    if obj.get("expect") is not None:
        if not isinstance(obj["expect"], list) or not obj["expect"]:
            raise GoldLineError('"expect" must be a non-empty list of objects')
        expect = tuple(parse_expect(e, n, warnings) for n, e in enumerate(obj["expect"]))
    status = obj.get("expect_status")
    if status is not None and status not in GOLD_STATUSES:
        raise GoldLineError(f'"expect_status" must be one of {", ".join(GOLD_STATUSES)}, not {status!r}')
    if not expect and status is None:
        raise GoldLineError('needs "expect" (a list) or "expect_status"')
    if expect and status not in (None, "answered", "emergency"):
        raise GoldLineError(f'"expect" passages contradict "expect_status": {status!r} (those have no passages)')
    qtype = obj.get("qtype")
    if qtype is not None and not isinstance(qtype, str):
        raise GoldLineError('"qtype" must be a string')
    item = GoldItem(str(qid), question, tuple(history), expect, status, qtype or None, file, line)
    return item, warnings


def load_gold(paths: Sequence[Path | str]) -> tuple[list[GoldItem], list[GoldProblem]]:
    """Every valid question of every file, in order; bad lines become problems (skipped).
    A missing or unreadable file raises OSError."""
    items: list[GoldItem] = []
    problems: list[GoldProblem] = []
    for path in paths:
        path = Path(path)
        name = str(path)
        seen: dict[str, int] = {}
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                try:
                    item, warnings = parse_gold_line(raw, name, n)
                except GoldLineError as e:
                    problems.append(GoldProblem(name, n, str(e)))
                    continue
                if item.id in seen:
                    problems.append(GoldProblem(name, n, f"duplicate id {item.id!r} (first on line {seen[item.id]})"))
                    continue
                seen[item.id] = n
                problems.extend(GoldProblem(name, n, w, skipped=False) for w in warnings)
                items.append(item)
    return items, problems


# -- judging and metrics -----------------------------------------------------------------------


def judge(passages: Sequence[Mapping], expect: Sequence[Expect], level: str) -> list[int]:
    """1/0 per returned passage, in rank order: relevant to any expect entry at this level."""
    return [1 if any(e.matches(p, level) for e in expect) else 0 for p in passages]


def _measures():
    from ir_measures import RR, Success, nDCG

    return {"hit@1": Success @ 1, "hit@3": Success @ 3, "hit@5": Success @ 5, "mrr@10": RR @ 10, "ndcg@10": nDCG @ 10}


def per_query_metrics(judged: Mapping[str, Sequence[int]]) -> dict[str, dict[str, float]]:
    """query id → {hit@1, hit@3, hit@5, mrr@10, ndcg@10}, computed by ir-measures from the
    1/0 relevance of each query's returned passages in rank order (see the module doc)."""
    import ir_measures
    from ir_measures import Qrel, ScoredDoc

    measures = _measures()
    qrels, run = [], []
    for qid, rels in judged.items():
        n = len(rels)
        for r, rel in enumerate(rels, 1):
            doc = f"p{r}"
            qrels.append(Qrel(qid, doc, 1 if rel else 0))
            run.append(ScoredDoc(qid, doc, float(n - r + 1)))  # strictly decreasing: rank order kept
        if not any(rels):
            qrels.append(Qrel(qid, UNRETURNED, 1))
    out = {qid: {name: 0.0 for name in measures} for qid in judged}
    by_str = {str(m): name for name, m in measures.items()}
    if run:
        for m in ir_measures.iter_calc(list(measures.values()), qrels, run):
            out[m.query_id][by_str[str(m.measure)]] = float(m.value)
    return out


@dataclass
class Outcome:
    """What one system did with one gold question (judged at once; texts are not kept)."""

    item: GoldItem
    status: str
    seconds: float
    rels: dict[str, list[int]] = field(default_factory=dict)  # level → 1/0 per returned passage
    first: dict | None = None  # the first passage, abridged
    n_passages: int = 0
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # level → measure → value


def _abridge(p: Mapping, chars: int = 240) -> dict:
    text = str(p.get("text", ""))
    return {
        "source": p.get("source"),
        "drug": p.get("drug"),
        "section": p.get("section"),
        "heading": p.get("heading"),
        "lines": f"{p.get('start_line')}-{p.get('end_line')}",
        "text": text if len(text) <= chars else text[: chars - 1] + "\u2026",
    }


def make_outcome(item: GoldItem, status: str, passages: Sequence[Mapping], seconds: float) -> Outcome:
    o = Outcome(item, status, seconds, n_passages=len(passages))
    if item.expect:
        o.rels = {lvl: judge(passages, item.expect, lvl) for lvl in LEVELS}
    if passages:
        o.first = _abridge(passages[0])
    return o


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q))


def summarize(outcomes: Sequence[Outcome], with_qtype: bool = True) -> dict:
    """Pooled metrics over outcomes whose per-query scores are set (see `score_outcomes`)."""
    retrieval = [o for o in outcomes if o.item.expect]
    status_q = [o for o in outcomes if o.item.expect_status is not None]
    out: dict = {"questions": len(outcomes), "retrieval_questions": len(retrieval), "status_questions": len(status_q)}
    for lvl in LEVELS:
        for m in MEASURE_NAMES:
            vals = [o.scores[lvl][m] for o in retrieval]
            out[f"{lvl}_{m}"] = round(sum(vals) / len(vals), 4) if vals else None
    out["status_accuracy"] = (
        round(sum(o.status == o.item.expect_status for o in status_q) / len(status_q), 4) if status_q else None
    )
    out["answered_rate"] = round(sum(o.status == "answered" for o in retrieval) / len(retrieval), 4) if retrieval else None
    secs = [o.seconds * 1000 for o in outcomes]
    p50, p95 = _percentile(secs, 50), _percentile(secs, 95)
    out["latency_ms_p50"] = round(p50, 2) if p50 is not None else None
    out["latency_ms_p95"] = round(p95, 2) if p95 is not None else None
    if with_qtype and any(o.item.qtype for o in outcomes):
        groups: dict[str, list[Outcome]] = {}
        for o in outcomes:
            groups.setdefault(o.item.qtype or "-", []).append(o)
        out["by_qtype"] = {q: summarize(g, with_qtype=False) for q, g in sorted(groups.items())}
    return out


def score_outcomes(outcomes: Sequence[Outcome]) -> None:
    """Fill each retrieval outcome's per-level scores with ir-measures."""
    for lvl in LEVELS:
        judged = {f"q{n}": o.rels[lvl] for n, o in enumerate(outcomes) if o.item.expect}
        per_q = per_query_metrics(judged)
        for n, o in enumerate(outcomes):
            if o.item.expect:
                o.scores[lvl] = per_q[f"q{n}"]


# -- systems -----------------------------------------------------------------------------------


class Baseline:
    """BM25Okapi (rank-bm25's statistics and scores) over the index's chunk texts."""

    def __init__(self, name: str, tokenize: Callable[[str], list[str]], chunks: Sequence):
        from .bm25 import BM25Index

        self.name = name
        self.tokenize = tokenize
        self.chunks = chunks
        self.bm25 = BM25Index.build([tokenize(c.text) for c in chunks])
        import numpy as np

        self._never = np.asarray([c.section == "disclaimer" for c in chunks], dtype=bool)

    def search(self, question: str, k: int) -> list[tuple[int, float]]:
        """(chunk position, score) of the k best chunks with a positive score, ties by position."""
        import numpy as np

        tokens = self.tokenize(question)
        scores = self.bm25.get_scores(tokens)
        scores[self._never] = 0.0
        docs = np.flatnonzero(scores > 0)  # only positive scores are returned
        scores = scores[docs]
        if docs.size > k:  # keep everything tied with the k-th best, then sort that little set
            kth = np.partition(scores, docs.size - k)[docs.size - k]
            keep = scores >= kth
            docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))[:k]
        return [(int(docs[i]), float(scores[i])) for i in order if scores[i] > 0]

    def ask(self, item: GoldItem, k: int) -> tuple[str, list[dict]]:
        hits = self.search(item.question, k)
        passages = []
        for rank, (pos, score) in enumerate(hits, 1):
            c = self.chunks[pos]
            passages.append({"rank": rank, "score": score, "source": c.source, "drug": c.drug, "section": c.section,
                             "heading": c.heading, "start_line": c.start_line, "end_line": c.end_line, "text": c.text})
        return ("answered" if passages else "no_match"), passages


def make_baselines(index) -> dict[str, Baseline]:
    from .text import words

    chunks = list(index.iter_chunks())
    return {
        "plain": Baseline("plain", words, chunks),
        "stemmed": Baseline("stemmed", index.analyzer.tokens, chunks),
    }


def run_system(ask: Callable[[GoldItem], tuple[str, list]], items: Sequence[GoldItem],
               tick: Callable[[], None] | None = None) -> list[Outcome]:
    outcomes = []
    for item in items:
        t0 = time.perf_counter()
        status, passages = ask(item)
        dt = time.perf_counter() - t0
        outcomes.append(make_outcome(item, status, passages, dt))
        if tick:
            tick()
    score_outcomes(outcomes)
    return outcomes


def engine_asker(engine, k: int) -> Callable[[GoldItem], tuple[str, list]]:
    def ask(item: GoldItem):
        a = engine.ask(item.question, history=list(item.history), top_k=k, id=item.id)
        return a.status, a.to_json()["passages"]

    return ask


# -- failures ----------------------------------------------------------------------------------


def _first_rank(rels: Sequence[int]) -> int | None:
    return next((r for r, v in enumerate(rels, 1) if v), None)


def failures(outcomes: Sequence[Outcome]) -> list[dict]:
    """Failed questions, worst first (see the module doc)."""
    out = []
    for o in outcomes:
        it = o.item
        reasons = []
        severity = 0.0
        if it.expect_status is not None and o.status != it.expect_status:
            reasons.append(f"status {o.status}, expected {it.expect_status}")
            severity = 3.0
        drug_rank = section_rank = None
        if it.expect:
            drug_rank, section_rank = _first_rank(o.rels["drug"]), _first_rank(o.rels["section"])
            if section_rank != 1:
                if o.status != "answered" and not o.n_passages:
                    reasons.append(f"status {o.status}, expected answered")
                    severity = max(severity, 2.5)
                elif drug_rank is None:
                    reasons.append(f"right page not in the top {o.n_passages}")
                    severity = max(severity, 2.2)
                elif drug_rank != 1:
                    reasons.append(f"wrong page first, right page at rank {drug_rank}")
                    severity = max(severity, 2.0 - 1.0 / drug_rank)
                if drug_rank is not None:
                    if section_rank is None:
                        reasons.append(f"right passage not in the top {o.n_passages}")
                        severity = max(severity, 1.5)
                    else:
                        reasons.append(f"right passage at rank {section_rank}")
                        severity = max(severity, 1.0 - 1.0 / section_rank)
        if not reasons:
            continue
        out.append({
            "id": it.id,
            "gold": it.where,
            "question": it.question,
            "history": list(it.history),
            "qtype": it.qtype,
            "expected": {"status": it.expect_status} if not it.expect else
                        {"expect": [e.to_json() for e in it.expect], **({"status": it.expect_status} if it.expect_status else {})},
            "status": o.status,
            "drug_rank": drug_rank,
            "section_rank": section_rank,
            "first": o.first,
            "why": "; ".join(reasons),
            "_severity": severity,
        })
    out.sort(key=lambda f: -f["_severity"])  # stable: gold order within equal severity
    for f in out:
        del f["_severity"]
    return out


# -- the whole evaluation ----------------------------------------------------------------------


def evaluate(engine, items: Sequence[GoldItem], k: int = DEFAULT_K, baselines: bool = True,
             progress: Callable[[str, int, int], None] | None = None) -> dict:
    """The report (the `--json` object, without `meta`/`gold_problems`)."""
    if items:  # warm-up (imports, caches), not timed
        engine.ask(items[0].question, history=list(items[0].history), top_k=k)
    systems: dict[str, list[Outcome]] = {}

    def ticker(name):
        done = [0]

        def tick():
            done[0] += 1
            if progress:
                progress(name, done[0], len(items))

        return tick

    systems["system"] = run_system(engine_asker(engine, k), items, ticker("system"))
    if baselines:
        if progress:
            progress("building baselines", 0, 1)
        base = make_baselines(engine.index)
        if progress:
            progress("building baselines", 1, 1)
        for name, b in base.items():
            systems[name] = run_system(lambda it, b=b: b.ask(it, k), items, ticker(name))
    return build_report(systems, items)


def build_report(systems: Mapping[str, list[Outcome]], items: Sequence[GoldItem]) -> dict:
    sys_out = systems["system"]
    report = {"system": summarize(sys_out), "baselines": {}, "failures": failures(sys_out)}
    for name, outs in systems.items():
        if name == "system":
            continue
        s = summarize(outs)
        s["delta"] = {m: (round(report["system"][m] - s[m], 4) if report["system"][m] is not None and s[m] is not None else None)
                      for m in metric_names()}
        report["baselines"][name] = s
    files = list(dict.fromkeys(it.file for it in items))
    if len(files) > 1:
        per_file = {}
        for f in files:
            sub = {name: [o for o in outs if o.item.file == f] for name, outs in systems.items()}
            per_file[f] = {"system": summarize(sub["system"], with_qtype=False),
                           "baselines": {n: summarize(v, with_qtype=False) for n, v in sub.items() if n != "system"}}
        report["per_file"] = per_file
    return report


# -- --fail-under ------------------------------------------------------------------------------


def parse_fail_under(specs: Iterable[str]) -> list[tuple[str, float]]:
    from .cli import UsageError

    out = []
    known = metric_names()
    for spec in specs:
        name, sep, value = spec.partition("=")
        name = name.strip().lower()
        if not sep:
            raise UsageError(f"--fail-under wants METRIC=VALUE, got {spec!r}")
        if name not in known:
            raise UsageError(f"--fail-under: unknown metric {name!r} (one of {', '.join(known)})")
        try:
            v = float(value)
        except ValueError:
            raise UsageError(f"--fail-under: {value!r} is not a number") from None
        if not math.isfinite(v):
            raise UsageError(f"--fail-under: {value!r} is not a finite number")
        out.append((name, v))
    return out


def check_fail_under(metrics: Mapping, gates: Sequence[tuple[str, float]]) -> list[str]:
    """One message per gate that falls short (an unmeasured metric falls short)."""
    short = []
    for name, want in gates:
        got = metrics.get(name)
        if got is None:
            short.append(f"{name} was not measured (no questions for it), wanted >= {want:g}")
        elif got + 1e-12 < want:
            short.append(f"{name} = {got:.4f} < {want:g}")
    return short


# -- output ------------------------------------------------------------------------------------

_TABLE_ROWS = [("drug", m) for m in MEASURE_NAMES] + [("section", m) for m in MEASURE_NAMES]


def _fmt(v, digits: int = 3) -> str:
    return "\u2013" if v is None else f"{v:.{digits}f}"


def _delta(v) -> str:
    if v is None:
        return ""
    color = "green" if v > 0.0005 else "red" if v < -0.0005 else "dim"
    return f"[{color}]{v:+.3f}[/{color}]"


def render(report: dict, console) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    meta = report.get("meta", {})
    s, bl = report["system"], report["baselines"]
    title = (f"rxquote eval \u2014 {s['questions']} questions ({s['retrieval_questions']} retrieval, "
             f"{s['status_questions']} status), k={meta.get('k', DEFAULT_K)}")
    t = Table(title=title, title_justify="left")
    t.add_column("metric")
    t.add_column("system", justify="right", style="bold")
    for name in bl:
        t.add_column(name, justify="right")
        t.add_column(f"\u0394 sys\u2212{name}", justify="right")
    for lvl, m in _TABLE_ROWS:
        key = f"{lvl}_{m}"
        row = [f"{lvl} {m}", _fmt(s[key])]
        for name, b in bl.items():
            row += [_fmt(b[key]), _delta(b["delta"][key])]
        t.add_row(*row, end_section=(key == "drug_ndcg@10"))
    for key, label in (("status_accuracy", "status accuracy"), ("answered_rate", "answered (expect)")):
        row = [label, _fmt(s[key])]
        for name, b in bl.items():
            row += [_fmt(b[key]), _delta(b["delta"][key])]
        t.add_row(*row)
    for key, label in (("latency_ms_p50", "latency p50 ms"), ("latency_ms_p95", "latency p95 ms")):
        row = [label, _fmt(s[key], 1)]
        for name, b in bl.items():
            row += [_fmt(b[key], 1), ""]
        t.add_row(*row)
    console.print(t)

    if "by_qtype" in s:
        q = Table(title="By question type (section level; drug hit@1 in brackets)", title_justify="left")
        q.add_column("qtype")
        q.add_column("n", justify="right")
        q.add_column("system hit@1", justify="right", style="bold")
        q.add_column("system mrr@10", justify="right")
        for name in bl:
            q.add_column(f"{name} hit@1", justify="right")
        for qt, g in s["by_qtype"].items():
            row = [escape(qt), str(g["retrieval_questions"] or g["questions"]),
                   f"{_fmt(g['section_hit@1'])} ({_fmt(g['drug_hit@1'])})", _fmt(g["section_mrr@10"])]
            for name, b in bl.items():
                bg = b.get("by_qtype", {}).get(qt, {})
                row.append(f"{_fmt(bg.get('section_hit@1'))} ({_fmt(bg.get('drug_hit@1'))})")
            q.add_row(*row)
        console.print(q)

    if "per_file" in report:
        p = Table(title="Per gold file (system; baselines section hit@1)", title_justify="left")
        for col in ("gold", "n", "drug hit@1", "section hit@1", "section mrr@10", "status acc"):
            p.add_column(col, justify="left" if col == "gold" else "right")
        for name in bl:
            p.add_column(f"{name} sec hit@1", justify="right")
        for f, r in report["per_file"].items():
            fs = r["system"]
            row = [escape(Path(f).name), str(fs["questions"]), _fmt(fs["drug_hit@1"]), _fmt(fs["section_hit@1"]),
                   _fmt(fs["section_mrr@10"]), _fmt(fs["status_accuracy"])]
            row += [_fmt(r["baselines"][n]["section_hit@1"]) for n in bl]
            p.add_row(*row)
        console.print(p)

    fails = report["failures"]
    if fails:
        f = Table(title=f"Failures: {len(fails)} (worst {min(len(fails), TABLE_FAILURES)} shown; all in --json)",
                  title_justify="left", show_lines=True)
        f.add_column("id")
        f.add_column("question")
        f.add_column("expected")
        f.add_column("came first")
        f.add_column("why")
        for x in fails[:TABLE_FAILURES]:
            exp = x["expected"]
            if "expect" in exp:
                e = exp["expect"][0]
                want = f"{e['source']} \u00b7 {e.get('drug') or '*'} \u00b7 {'/'.join(e.get('sections') or ['*'])}"
                if len(exp["expect"]) > 1:
                    want += f" (+{len(exp['expect']) - 1})"
            else:
                want = f"status {exp['status']}"
            first = x["first"]
            got = (f"{first['source']} \u00b7 {first['drug']} \u00b7 {first['section']}" if first else f"({x['status']})")
            q = x["question"] if not x["history"] else " \u2192 ".join(x["history"] + [x["question"]])
            f.add_row(Text(x["id"], no_wrap=True, overflow="fold"), escape(q), escape(want), escape(got), escape(x["why"]))
        console.print(f)
    else:
        console.print("No failures.")


def run_cli(args, corpus: Path, index: Path) -> int:
    from rich.console import Console

    from .cli import UsageError, open_engine

    k = getattr(args, "top_k", DEFAULT_K)
    if k < 1:
        raise UsageError("--top-k must be at least 1")
    gates = parse_fail_under(getattr(args, "fail_under", []) or [])
    for g in args.gold:
        if not Path(g).exists():
            raise UsageError(f"gold file not found: {g}")
        if not Path(g).is_file():
            raise UsageError(f"gold path is not a file: {g}")
    try:
        import ir_measures  # noqa: F401  (the metric maths)
    except ImportError:
        raise UsageError("rxquote eval needs ir-measures: pip install 'rxquote[eval]'") from None
    try:
        items, problems = load_gold(args.gold)
    except OSError as e:
        raise UsageError(f"cannot read {e.filename}: {e.strerror}") from e
    err = Console(stderr=True, highlight=False)
    for p in problems:
        print(f"rxquote: {p}", file=sys.stderr)  # one line each, never wrapped
    if not items:
        raise UsageError("no valid questions in " + ", ".join(map(str, args.gold)))

    engine = open_engine(args)
    progress, prog = _progress(err)
    try:
        report = evaluate(engine, items, k, baselines=not getattr(args, "no_baselines", False), progress=progress)
    finally:
        if prog is not None and prog.live.is_started:
            prog.stop()
    import ir_measures

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
        out = Console()
        if not out.is_terminal:
            out = Console(width=120)
        render(report, out)
    short = check_fail_under(report["system"], gates)
    for msg in short:
        print(f"rxquote: --fail-under: {msg}", file=sys.stderr)
    return 1 if short else 0


def _progress(console):
    if not console.is_terminal:
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)
    tasks: dict[str, int] = {}

    def cb(stage: str, done: int, total: int) -> None:
        if not prog.live.is_started:
            prog.start()
        if stage not in tasks:
            tasks[stage] = prog.add_task(stage, total=total)
        prog.update(tasks[stage], completed=done, total=total)

    return cb, prog
