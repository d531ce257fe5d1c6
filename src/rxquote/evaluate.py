"""Retrieval evaluation, the library behind `rxquote eval GOLD.jsonl [MORE.jsonl ...]`
(gold format: ../shared/eval/README.md and `gold.py`; the command's output: `cli_eval.py`).

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
- `answerable_section_hit@1/3/5`: section level over the questions whose every `expect` entry
  names `section`/`sections` (the page can answer them).
- `resolved`: the right medicine was found, over the questions whose gold names one (`expect`
  or `expect_drugs`). With `expect`: the first passage is relevant at the drug level (from an
  expected page, and of the entry's `drug` where it gives one), or, for an answer without
  passages, an expected medicine (the entry's `drug`, else the page's title) is among the
  answer's `drugs`. With `expect_drugs`: the answer's `drugs` name each (case-insensitive).
- `status_accuracy`: share of `expect_status` questions whose status equals it (the status
  alone; `expect_drugs` counts in `resolved`). `answered_rate`: share of `expect` questions
  whose status is `answered` (they should be).
- `emergency_recall`: share of `expect_status: emergency` questions answered `emergency`;
  `false_emergency_rate`: share of all other questions answered `emergency`.
- Quoted characters per answer that quotes anything: the first passage's text
  (`quote_chars_first_p50/p90`) and all returned passages together (`quote_chars_total_p50/p90`).
- Latency: wall time of each question (one warm-up question first, not counted), p50/p95 in ms.
- `by_qtype` / `by_style`: the same metrics per `qtype` / `style` tag, when the gold has them.
- Baselines, over the SAME indexed chunks (chunk text, disclaimer chunks never returned, as in
  the system): `plain` = BM25Okapi (rank-bm25's statistics and formula; scored through the
  project's exact inverted-index copy of it, bit-identical and much faster) on lower-case word
  tokens, stopwords kept, no stemming; `stemmed` = the same with the project's analyzer
  (stopwords removed, Snowball stems). Both take the question alone (no history, no medicine
  resolution, no intent), return the top-k chunks with a positive score (ties by chunk id), and
  their status is `answered` when anything scored, else `no_match`; they name no `drugs`.
- Several gold files: the headline numbers pool every question of every file (they must all be
  about the one `--corpus`); with more than one file, each file is also reported on its own.
- Failures (system only): a question fails when its first passage is not relevant at the
  section level, its status differs from `expect_status`, or its `drugs` miss an
  `expect_drugs` name. Each failure has one cause (`CAUSES`, derived by `cause()` from what the
  answer did and what the gold says); failures are listed by cause, then gold order.
- Gates: `--fail-under METRIC=VALUE` for metrics where more is better (`HIGHER_IS_BETTER`),
  `--fail-over METRIC=VALUE` for those where less is better (`LOWER_IS_BETTER`).

The report (`evaluate()`, the `--json` object without `meta`/`gold_problems`): `system` (the
metrics above with their question counts), `baselines` (`plain`, `stemmed`: the same, plus
`delta` = system minus baseline per metric; empty without baselines), `failures` (all: id, gold
FILE:LINE, question, history, qtype, style, expected, status, drugs, drug_rank, section_rank,
first passage abridged, cause, why), `failure_causes` (cause → label, count, example ids) and
`per_file` (only with several gold files).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping, Sequence

from .corpus import split_ingredients
from .gold import Expect, GoldItem, fold
from .gold import load_gold  # noqa: F401  (its old home: scripts import it from here)

LEVELS = ("drug", "section")
MEASURE_NAMES = ("hit@1", "hit@3", "hit@5", "mrr@10", "ndcg@10")
ANSWERABLE_HITS = ("answerable_section_hit@1", "answerable_section_hit@3", "answerable_section_hit@5")
DEFAULT_K = 10
UNRETURNED = "unreturned-relevant"
EXAMPLES_PER_CAUSE = 5

# Metrics a gate can name, by direction.
HIGHER_IS_BETTER = ([f"{lvl}_{m}" for lvl in LEVELS for m in MEASURE_NAMES] + list(ANSWERABLE_HITS)
                    + ["resolved", "status_accuracy", "answered_rate", "emergency_recall"])
LOWER_IS_BETTER = ["false_emergency_rate", "quote_chars_first_p50", "quote_chars_first_p90",
                   "quote_chars_total_p50", "quote_chars_total_p90", "latency_ms_p50", "latency_ms_p95"]

# Why a question failed, most serious first (issue #10's causes, then the status causes).
CAUSES = {
    "missed_emergency": "missed emergency",
    "false_emergency": "false emergency",
    "wrong_unknown_or_clarify": "wrong unknown_drug / clarify",
    "answered_unanswerable": "unanswerable question answered with passages",
    "not_recognised": "the medicine not recognised (no or wrong medicine)",
    "no_match_but_answerable": "the page answers, but the answer is no_match",
    "variant_first": "a combination or variant page outranks the medicine's own",
    "other_page_first": "another medicine's page first (the right one recognised too)",
    "wrong_section": "right page, wrong section or passage",
}


def metric_names() -> list[str]:
    """Every gateable metric name (JSON keys of `system`)."""
    return HIGHER_IS_BETTER + LOWER_IS_BETTER


# -- what a system returned, judged --------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """What a system answered to one question: the SPEC's status, passages and drugs."""

    status: str
    passages: Sequence[Mapping]
    drugs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What one system did with one gold question, judged at once (texts are not kept)."""

    item: GoldItem
    status: str
    seconds: float
    drugs: tuple[str, ...] = ()
    rels: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # level → 1/0 per returned passage
    first: Mapping | None = None  # the first passage, abridged
    quote_chars: tuple[int, ...] = ()  # characters of each returned passage, in rank order
    page_medicines: tuple[str, ...] = ()  # per expect entry: its `drug`, else its page's title
    scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # level → measure → value

    @property
    def n_passages(self) -> int:
        return len(self.quote_chars)


def judge(passages: Sequence[Mapping], expect: Sequence[Expect], level: str) -> tuple[int, ...]:
    """1/0 per returned passage, in rank order: relevant to any expect entry at this level."""
    return tuple(1 if any(e.matches(p, level) for e in expect) else 0 for p in passages)


def _abridge(p: Mapping, chars: int = 240) -> dict:
    text = str(p.get("text", ""))
    return {
        "source": p.get("source"),
        "title": p.get("title"),
        "drug": p.get("drug"),
        "section": p.get("section"),
        "heading": p.get("heading"),
        "lines": f"{p.get('start_line')}-{p.get('end_line')}",
        "text": text if len(text) <= chars else text[: chars - 1] + "\u2026",
    }


def make_outcome(item: GoldItem, reply: Reply, seconds: float, titles: Mapping[str, str] | None = None) -> Outcome:
    """Judge one reply. `titles` maps a corpus source to its page title (for `resolved` when the
    answer has no passages, and for telling a variant page from another medicine's)."""
    titles = titles or {}
    passages = reply.passages
    names = tuple(dict.fromkeys(n for e in item.expect if (n := e.drug or titles.get(e.source))))
    return Outcome(
        item, reply.status, seconds, tuple(reply.drugs),
        rels={lvl: judge(passages, item.expect, lvl) for lvl in LEVELS} if item.expect else {},
        first=_abridge(passages[0]) if passages else None,
        quote_chars=tuple(len(str(p.get("text", ""))) for p in passages),
        page_medicines=names,
    )


def names_all(drugs: Iterable[str], wanted: Iterable[str]) -> bool:
    """Every wanted medicine is among `drugs` (case-insensitive)."""
    have = {fold(d) for d in drugs}
    return all(fold(w) in have for w in wanted)


def names_any(drugs: Iterable[str], wanted: Iterable[str]) -> bool:
    """Some wanted medicine is among `drugs` (case-insensitive)."""
    have = {fold(d) for d in drugs}
    return any(fold(w) in have for w in wanted)


def is_resolved(o: Outcome) -> bool | None:
    """The right medicine was found (see the module doc); None when the gold names none."""
    it = o.item
    if not it.names_medicine:
        return None
    ok = True
    if it.expect:
        if o.n_passages:
            ok = bool(o.rels["drug"][0])
        else:
            ok = names_any(o.drugs, o.page_medicines)
    return ok and names_all(o.drugs, it.expect_drugs)


def first_rank(rels: Sequence[int]) -> int | None:
    return next((r for r, v in enumerate(rels, 1) if v), None)


# -- causes of failure ----------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^\w]+")
_PARENTHESES = re.compile(r"\([^)]*\)")


def _medicine_words(name: str) -> list[str]:
    """A title's ingredients without what parentheses add (route, form), as space-joined
    lower-case words: "Ibuprofen (systemic)" → ["ibuprofen"], "Diazepam + Propranolol" →
    ["diazepam", "propranolol"]."""
    out = []
    for part in split_ingredients(name):
        base = _PARENTHESES.sub(" ", part) if _PARENTHESES.sub("", part).strip() else part
        if w := _NON_WORD.sub(" ", base.casefold()).strip():
            out.append(w)
    return out


def same_medicine_page(title: str | None, drug: str | None, medicines: Iterable[str]) -> bool:
    """A page about one of `medicines` under another page's name: its passage's drug is one of
    them, or an ingredient of its title contains one of theirs as whole words or lies within
    one, routes and forms in parentheses aside (a combination "Diazepam + Propranolol", a
    variant "Tretinoin (Topical)" of "Tretinoin" or "Fluticasone (Nasal)" of "Fluticasone (Oral
    Inhalation)", a salt "Fluticasone Furoate", and the other way round)."""
    ours = [w for m in medicines for w in _medicine_words(m)]
    if drug and any(fold(drug) == fold(m) for m in medicines):
        return True
    for theirs in _medicine_words(title or ""):
        for w in ours:
            if f" {w} " in f" {theirs} " or f" {theirs} " in f" {w} ":
                return True
    return False


def cause(o: Outcome) -> str | None:
    """Why the question failed (a key of CAUSES), or None when it did not."""
    it, status, want = o.item, o.status, o.item.expect_status
    if want == "emergency" and status != "emergency":
        return "missed_emergency"
    if status == "emergency" and want != "emergency":
        return "false_emergency"
    if status in ("unknown_drug", "clarify") and status != want:
        # no medicine, or one the corpus does not have, where the gold names a medicine
        return "not_recognised" if it.names_medicine else "wrong_unknown_or_clarify"
    if want in ("unknown_drug", "clarify") and status != want:
        return "wrong_unknown_or_clarify"
    if want == "no_match" and o.n_passages:
        return "answered_unanswerable"
    if not names_all(o.drugs, it.expect_drugs):
        return "not_recognised"
    if want == "answered" and not it.expect and status != "answered":
        return "no_match_but_answerable"
    if not it.expect:
        return None
    if not o.n_passages:
        return "no_match_but_answerable"
    if o.rels["section"][0]:
        return None
    if o.rels["drug"][0]:
        return "wrong_section"
    first = o.first or {}
    other_page = first.get("source") not in {e.source for e in it.expect}
    if other_page and same_medicine_page(first.get("title"), first.get("drug"), o.page_medicines):
        return "variant_first"
    if names_any(o.drugs, o.page_medicines):
        return "other_page_first"
    return "not_recognised"


def _why(o: Outcome) -> str:
    """The detail behind the cause, for people (ranks, statuses)."""
    it = o.item
    parts = []
    if it.expect_status is not None and o.status != it.expect_status:
        parts.append(f"status {o.status}, expected {it.expect_status}")
    if it.expect_drugs and not names_all(o.drugs, it.expect_drugs):
        parts.append(f"drugs {list(o.drugs)}, expected {list(it.expect_drugs)}")
    if it.expect:
        if not o.n_passages:
            if it.expect_status is None:
                parts.append(f"status {o.status}, expected answered")
        else:
            drug_rank, section_rank = first_rank(o.rels["drug"]), first_rank(o.rels["section"])
            if drug_rank is None:
                parts.append(f"right page not in the top {o.n_passages}")
            elif drug_rank != 1:
                parts.append(f"right page at rank {drug_rank}")
            if drug_rank is not None and section_rank != 1:
                parts.append(f"right passage not in the top {o.n_passages}" if section_rank is None
                             else f"right passage at rank {section_rank}")
    return "; ".join(parts)


def failures(outcomes: Sequence[Outcome]) -> list[dict]:
    """Every failed question with its cause, by cause (CAUSES order), then gold order."""
    order = {c: n for n, c in enumerate(CAUSES)}
    out = []
    for o in outcomes:
        c = cause(o)
        if c is None:
            continue
        it = o.item
        out.append({
            "id": it.id,
            "gold": it.where,
            "question": it.question,
            "history": list(it.history),
            "qtype": it.qtype,
            "style": it.style,
            "expected": it.expected(),
            "status": o.status,
            "drugs": list(o.drugs),
            "drug_rank": first_rank(o.rels["drug"]) if it.expect else None,
            "section_rank": first_rank(o.rels["section"]) if it.expect else None,
            "first": o.first,
            "cause": c,
            "why": _why(o),
        })
    out.sort(key=lambda f: order[f["cause"]])  # stable: gold order within a cause
    return out


def failure_causes(fails: Sequence[Mapping], examples: int = EXAMPLES_PER_CAUSE) -> dict[str, dict]:
    """cause → {label, count, examples (the first ids)}, for the causes that occurred, in
    CAUSES order."""
    out: dict[str, dict] = {}
    for c, label in CAUSES.items():
        ids = [f["id"] for f in fails if f["cause"] == c]
        if ids:
            out[c] = {"label": label, "count": len(ids), "examples": ids[:examples]}
    return out


# -- metrics ------------------------------------------------------------------------------------


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


def score_outcomes(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """The outcomes with their per-level scores (ir-measures, all queries at once)."""
    scores: dict[int, dict[str, Mapping[str, float]]] = {n: {} for n, o in enumerate(outcomes) if o.item.expect}
    for lvl in LEVELS:
        per_q = per_query_metrics({f"q{n}": outcomes[n].rels[lvl] for n in scores})
        for n in scores:
            scores[n][lvl] = per_q[f"q{n}"]
    return [replace(o, scores=scores[n]) if n in scores else o for n, o in enumerate(outcomes)]


def _rate(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _percentile(values: Sequence[float], q: float, digits: int = 1) -> float | None:
    if not values:
        return None
    import numpy as np

    return round(float(np.percentile(np.asarray(values, dtype=float), q)), digits)


def summarize(outcomes: Sequence[Outcome], groups: bool = True) -> dict:
    """Pooled metrics over scored outcomes (see `score_outcomes`); with `groups`, also per
    `qtype` and per `style` when the gold has them."""
    retrieval = [o for o in outcomes if o.item.expect]
    answerable = [o for o in retrieval if o.item.answerable]
    status_q = [o for o in outcomes if o.item.expect_status is not None]
    named = [o for o in outcomes if o.item.names_medicine]
    emergencies = [o for o in outcomes if o.item.expect_status == "emergency"]
    ordinary = [o for o in outcomes if o.item.expect_status != "emergency"]
    quoting = [o for o in outcomes if o.quote_chars]
    out: dict = {
        "questions": len(outcomes), "retrieval_questions": len(retrieval), "status_questions": len(status_q),
        "resolved_questions": len(named), "answerable_questions": len(answerable),
        "emergency_questions": len(emergencies), "ordinary_questions": len(ordinary), "quoting_answers": len(quoting),
    }
    for lvl in LEVELS:
        for m in MEASURE_NAMES:
            out[f"{lvl}_{m}"] = _mean([o.scores[lvl][m] for o in retrieval])
    for key in ANSWERABLE_HITS:
        m = key.removeprefix("answerable_section_")
        out[key] = _mean([o.scores["section"][m] for o in answerable])
    out["resolved"] = _rate([bool(is_resolved(o)) for o in named])
    out["status_accuracy"] = _rate([o.status == o.item.expect_status for o in status_q])
    out["answered_rate"] = _rate([o.status == "answered" for o in retrieval])
    out["emergency_recall"] = _rate([o.status == "emergency" for o in emergencies])
    out["false_emergency_rate"] = _rate([o.status == "emergency" for o in ordinary])
    for q in (50, 90):
        out[f"quote_chars_first_p{q}"] = _percentile([o.quote_chars[0] for o in quoting], q)
        out[f"quote_chars_total_p{q}"] = _percentile([sum(o.quote_chars) for o in quoting], q)
    secs = [o.seconds * 1000 for o in outcomes]
    out["latency_ms_p50"] = _percentile(secs, 50, 2)
    out["latency_ms_p95"] = _percentile(secs, 95, 2)
    if groups:
        for tag in ("qtype", "style"):
            if any(getattr(o.item, tag) for o in outcomes):
                by: dict[str, list[Outcome]] = {}
                for o in outcomes:
                    by.setdefault(getattr(o.item, tag) or "-", []).append(o)
                out[f"by_{tag}"] = {name: summarize(g, groups=False) for name, g in sorted(by.items())}
    return out


# -- systems -------------------------------------------------------------------------------------


class Baseline:
    """BM25Okapi (rank-bm25's statistics and scores) over the index's chunk texts."""

    def __init__(self, name: str, tokenize: Callable[[str], list[str]], chunks: Sequence):
        import numpy as np

        from .bm25 import BM25Index

        self.name = name
        self.tokenize = tokenize
        self.chunks = chunks
        self.bm25 = BM25Index.build([tokenize(c.text) for c in chunks])
        self._never = np.asarray([c.section == "disclaimer" for c in chunks], dtype=bool)

    def search(self, question: str, k: int) -> list[tuple[int, float]]:
        """(chunk position, score) of the k best chunks with a positive score, ties by position."""
        return self.bm25.top_k(self.tokenize(question), k, exclude=self._never)

    def ask(self, item: GoldItem, k: int) -> Reply:
        passages = []
        for rank, (pos, score) in enumerate(self.search(item.question, k), 1):
            c = self.chunks[pos]
            passages.append({"rank": rank, "score": score, "source": c.source, "title": c.title, "drug": c.drug,
                             "section": c.section, "heading": c.heading, "start_line": c.start_line,
                             "end_line": c.end_line, "text": c.text})
        return Reply("answered" if passages else "no_match", passages)


def make_baselines(index) -> dict[str, Baseline]:
    from .text import words

    chunks = list(index.iter_chunks())
    return {
        "plain": Baseline("plain", words, chunks),
        "stemmed": Baseline("stemmed", index.analyzer.tokens, chunks),
    }


def page_titles(index) -> dict[str, str]:
    """Corpus source → its page title, from the index's chunk columns."""
    import numpy as np

    cols = index.columns
    source, title = np.asarray(cols.source), np.asarray(cols.title)
    _, first = np.unique(source, return_index=True)  # the first chunk of each page
    return {cols.source_names[int(source[i])]: cols.title_names[int(title[i])] for i in first.tolist()}


Asker = Callable[[GoldItem], Reply]
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def run_system(ask: Asker, items: Sequence[GoldItem], titles: Mapping[str, str] | None = None,
               tick: Callable[[], None] | None = None) -> list[Outcome]:
    outcomes = []
    for item in items:
        t0 = time.perf_counter()
        reply = ask(item)
        dt = time.perf_counter() - t0
        outcomes.append(make_outcome(item, reply, dt, titles))
        if tick:
            tick()
    return score_outcomes(outcomes)


def engine_asker(engine, k: int) -> Asker:
    def ask(item: GoldItem) -> Reply:
        a = engine.ask(item.question, history=list(item.history), top_k=k, id=item.id)
        return Reply(a.status, a.to_json()["passages"], tuple(a.drugs))

    return ask


# -- the whole evaluation -------------------------------------------------------------------------


def evaluate(engine, items: Sequence[GoldItem], k: int = DEFAULT_K, baselines: bool = True,
             progress: Progress | None = None, built: Mapping[str, Baseline] | None = None) -> dict:
    """The report (the `--json` object, without `meta`/`gold_problems`). With `baselines`,
    the baselines `built` by `make_baselines(engine.index)` are used, or built here."""
    if items:  # warm-up (imports, caches), not timed
        engine.ask(items[0].question, history=list(items[0].history), top_k=k)
    titles = page_titles(engine.index)

    def ticker(name: str) -> Callable[[], None]:
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if progress:
                progress(name, done, len(items))

        return tick

    systems = {"system": run_system(engine_asker(engine, k), items, titles, ticker("system"))}
    if baselines:
        if built is None:
            if progress:
                progress("building baselines", 0, 1)
            built = make_baselines(engine.index)
            if progress:
                progress("building baselines", 1, 1)
        for name, b in built.items():
            systems[name] = run_system(lambda it, b=b: b.ask(it, k), items, titles, ticker(name))
    return build_report(systems, items)


def _delta(system: Mapping, baseline: Mapping) -> dict:
    return {m: (round(system[m] - baseline[m], 4) if system[m] is not None and baseline[m] is not None else None)
            for m in metric_names()}


def build_report(systems: Mapping[str, list[Outcome]], items: Sequence[GoldItem]) -> dict:
    sys_out = systems["system"]
    fails = failures(sys_out)
    report = {"system": summarize(sys_out), "baselines": {}, "failures": fails, "failure_causes": failure_causes(fails)}
    for name, outs in systems.items():
        if name != "system":
            s = summarize(outs)
            s["delta"] = _delta(report["system"], s)
            report["baselines"][name] = s
    files = list(dict.fromkeys(it.file for it in items))
    if len(files) > 1:
        per_file = {}
        for f in files:
            sub = {name: [o for o in outs if o.item.file == f] for name, outs in systems.items()}
            per_file[f] = {"system": summarize(sub["system"], groups=False),
                           "baselines": {n: summarize(v, groups=False) for n, v in sub.items() if n != "system"}}
        report["per_file"] = per_file
    return report


# -- gates ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """`metric` must be at least (`at_least`) or at most `value`."""

    metric: str
    value: float
    at_least: bool = True

    def shortfall(self, metrics: Mapping) -> str | None:
        """Why the metrics fail this gate (an unmeasured metric fails), or None."""
        got = metrics.get(self.metric)
        op = ">=" if self.at_least else "<="
        if got is None:
            return f"{self.metric} was not measured (no questions for it), wanted {op} {self.value:g}"
        if self.at_least and got + 1e-12 < self.value:
            return f"{self.metric} = {got:.4f} < {self.value:g}"
        if not self.at_least and got - 1e-12 > self.value:
            return f"{self.metric} = {got:.4f} > {self.value:g}"
        return None


def parse_gate(spec: str, at_least: bool = True) -> Gate:
    """`METRIC=VALUE` → Gate; ValueError with a one-line reason."""
    import math

    flag = "--fail-under" if at_least else "--fail-over"
    known = HIGHER_IS_BETTER if at_least else LOWER_IS_BETTER
    name, sep, value = spec.partition("=")
    name = name.strip().lower()
    if not sep:
        raise ValueError(f"{flag} wants METRIC=VALUE, got {spec!r}")
    if name not in known:
        other = "--fail-over" if at_least else "--fail-under"
        hint = f" (less is better: use {other})" if name in metric_names() else ""
        raise ValueError(f"{flag}: unknown metric {name!r}{hint} (one of {', '.join(known)})")
    try:
        v = float(value)
    except ValueError:
        raise ValueError(f"{flag}: {value!r} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"{flag}: {value!r} is not a finite number")
    return Gate(name, v, at_least)


def check_gates(metrics: Mapping, gates: Sequence[Gate]) -> list[str]:
    """One message per gate that falls short."""
    return [msg for g in gates if (msg := g.shortfall(metrics)) is not None]
