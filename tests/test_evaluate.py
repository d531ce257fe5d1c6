"""`rxquote eval` (evaluate.py, gold.py, cli_eval.py): every metric on hand-made outcomes with
known answers (ranks, resolved, answerable section hits, emergency recall and false rate,
quoted characters, per style, failure causes), the gold parser, relevance rules, baselines,
gates and --json, the layering rule (the engine and the evaluation never import the CLI), the
table at 80 columns in a pipe, and the acceptance check: the eval numbers equal an
independent scorer applied to `ask --json --batch -k 10` output."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rxquote import evaluate as ev
from rxquote import gold as gd
from rxquote.cli import main

from .conftest import SEED_FILE, SEEDS, SHARED

SEED_DEV = SHARED / "eval" / "seed-dev.jsonl" if SHARED else None
RX_TEMPLATES = SHARED / "eval" / "rxhive-templates.jsonl" if SHARED else None

needs_seed_dev = pytest.mark.skipif(
    SEED_DEV is None or not SEED_DEV.is_file(), reason="../shared/eval/seed-dev.jsonl is not beside this checkout"
)


def _approx(x):
    return pytest.approx(x, abs=1e-9)


# -- metrics (ir-measures) vs hand-computed values -----------------------------------------------


def L2(r):  # DCG discount of rank r
    return 1 / math.log2(r + 1)


@pytest.mark.parametrize(
    "rels, want",
    [
        ([1], dict(h1=1, h3=1, h5=1, mrr=1, ndcg=1)),
        ([0, 1, 0], dict(h1=0, h3=1, h5=1, mrr=1 / 2, ndcg=L2(2))),
        ([1, 0, 1], dict(h1=1, h3=1, h5=1, mrr=1, ndcg=(1 + L2(3)) / (1 + L2(2)))),
        ([0, 0, 0, 1], dict(h1=0, h3=0, h5=1, mrr=1 / 4, ndcg=L2(4))),
        ([0, 0, 0, 0, 0, 1, 1], dict(h1=0, h3=0, h5=0, mrr=1 / 6, ndcg=(L2(6) + L2(7)) / (1 + L2(2)))),
        ([0] * 10 + [1], dict(h1=0, h3=0, h5=0, mrr=0, ndcg=0)),  # relevant only at rank 11: beyond @10
        ([0, 0], dict(h1=0, h3=0, h5=0, mrr=0, ndcg=0)),  # nothing relevant returned
        ([], dict(h1=0, h3=0, h5=0, mrr=0, ndcg=0)),  # nothing returned
    ],
)
def test_metrics_match_hand_computed(rels, want):
    got = ev.per_query_metrics({"q": rels})["q"]
    assert got["hit@1"] == _approx(want["h1"])
    assert got["hit@3"] == _approx(want["h3"])
    assert got["hit@5"] == _approx(want["h5"])
    assert got["mrr@10"] == _approx(want["mrr"])
    assert got["ndcg@10"] == _approx(want["ndcg"])


def test_metrics_many_queries_keep_rank_order_and_ids():
    # many queries at once, ranks > 9 (doc ids p10 < p2 as strings: order must come from scores)
    judged = {"a": [0] * 9 + [1], "b": [1] + [0] * 11, "c": [], "d": [0, 0, 1]}
    got = ev.per_query_metrics(judged)
    assert got["a"]["mrr@10"] == _approx(0.1)
    assert got["b"]["hit@1"] == 1 and got["b"]["ndcg@10"] == _approx(1)
    assert got["c"] == {m: 0.0 for m in ev.MEASURE_NAMES}
    assert got["d"]["mrr@10"] == _approx(1 / 3) and got["d"]["hit@3"] == 1


def _p(src, drug="X", section="usage", text="t", title=None):
    return {"source": src, "title": title or drug, "drug": drug, "section": section, "text": text}


def _scored(*triples, titles=None):
    """Hand-made outcomes: (item, status, passages[, drugs]) each, judged and scored."""
    outs = []
    for n, t in enumerate(triples):
        item, status, passages = t[:3]
        drugs = t[3] if len(t) > 3 else ()
        outs.append(ev.make_outcome(item, ev.Reply(status, passages, tuple(drugs)), 0.001 * (n + 1), titles))
    return ev.score_outcomes(outs)


def test_summarize_averages_over_all_retrieval_questions():
    gold = [gd.GoldItem("1", "q1", expect=(gd.Expect("a.md"),)),
            gd.GoldItem("2", "q2", expect=(gd.Expect("b.md"),)),
            gd.GoldItem("3", "q3", expect_status="emergency")]
    outs = _scored((gold[0], "answered", [_p("b.md"), _p("a.md")]), (gold[1], "no_match", []),
                   (gold[2], "emergency", []))
    s = ev.summarize(outs)
    assert s["drug_hit@1"] == 0 and s["drug_hit@3"] == 0.5 and s["drug_mrr@10"] == 0.25
    assert s["status_accuracy"] == 1.0 and s["answered_rate"] == 0.5
    assert s["latency_ms_p50"] == pytest.approx(2.0)
    fails = ev.failures(outs)
    # by cause, most serious first: another medicine's page first, then no_match on the right one
    assert [(f["id"], f["cause"]) for f in fails] == [("1", "not_recognised"), ("2", "no_match_but_answerable")]
    assert fails[0]["drug_rank"] == 2 and fails[0]["first"]["source"] == "b.md"


# -- resolved, answerable, emergencies, quoted characters, per style --------------------------------


def test_resolved_follows_the_first_passage_or_the_drugs_of_an_answer_without_passages():
    titles = {"l/losartan.md": "Losartan", "s/seed.txt": "Diazepam + Imipramine"}
    page = gd.GoldItem("page", "q", expect=(gd.Expect("l/losartan.md", sections=("usage",)),))
    with_drug = gd.GoldItem("drug", "q", expect=(gd.Expect("s/seed.txt", drug="Diazepam"),))
    named = gd.GoldItem("named", "q", expect_status="no_match", expect_drugs=("Alprazolam", "Sertraline"))
    unnamed = gd.GoldItem("unnamed", "q", expect_status="clarify")
    cases = [
        ((page, "answered", [_p("l/losartan.md", section="faq"), _p("x.md")]), True),  # right page first
        ((page, "answered", [_p("x.md"), _p("l/losartan.md")]), False),  # right page second
        ((page, "no_match", [], ["LOSARTAN"]), True),  # no passages: the page title among the drugs
        ((page, "no_match", [], ["Valsartan"]), False),
        ((page, "unknown_drug", []), False),
        ((with_drug, "answered", [_p("s/seed.txt", drug="Imipramine")]), False),  # right page, other drug
        ((with_drug, "answered", [_p("s/seed.txt", drug="diazepam")]), True),
        ((with_drug, "no_match", [], ["Diazepam"]), True),  # the entry's drug, not the page title
        ((named, "no_match", [], ["sertraline", "Alprazolam"]), True),  # each, case-insensitive
        ((named, "no_match", [], ["Alprazolam"]), False),
        ((named, "answered", [_p("x.md")], ["Alprazolam", "Sertraline"]), True),  # status is not resolution
    ]
    for case, want in cases:
        (o,) = _scored(case, titles=titles)
        assert ev.is_resolved(o) is want, case
    (o,) = _scored((unnamed, "clarify", []), titles=titles)
    assert ev.is_resolved(o) is None
    s = ev.summarize(_scored(*(c for c, _ in cases), (unnamed, "clarify", []), titles=titles))
    assert s["resolved_questions"] == len(cases)
    assert s["resolved"] == round(sum(w for _, w in cases) / len(cases), 4)


def test_answerable_section_hits_count_only_questions_whose_entries_name_sections():
    sec = gd.GoldItem("a", "q", expect=(gd.Expect("a.md", sections=("faq",)),))
    sec2 = gd.GoldItem("b", "q", expect=(gd.Expect("b.md", sections=("usage",)), gd.Expect("c.md", sections=("usage",))))
    mixed = gd.GoldItem("c", "q", expect=(gd.Expect("a.md", sections=("faq",)), gd.Expect("d.md")))
    outs = _scored((sec, "answered", [_p("a.md", section="dosage"), _p("a.md", section="faq")]),  # hit at 2
                   (sec2, "answered", [_p("c.md", section="usage")]),  # hit at 1 (second entry)
                   (mixed, "answered", [_p("d.md")]))  # hit at 1, but not answerable
    s = ev.summarize(outs)
    assert s["answerable_questions"] == 2 and s["retrieval_questions"] == 3
    assert s["answerable_section_hit@1"] == 0.5 and s["answerable_section_hit@3"] == 1.0
    assert s["section_hit@1"] == round(2 / 3, 4)


def test_emergency_recall_and_false_emergency_rate():
    em = [gd.GoldItem(f"e{n}", "q", expect_status="emergency") for n in range(4)]
    other = [gd.GoldItem("o1", "q", expect=(gd.Expect("a.md"),)), gd.GoldItem("o2", "q", expect_status="no_match"),
             gd.GoldItem("o3", "q", expect_status="unknown_drug")]
    outs = _scored((em[0], "emergency", []), (em[1], "emergency", [_p("a.md")]), (em[2], "answered", [_p("a.md")]),
                   (em[3], "no_match", []), (other[0], "emergency", []), (other[1], "no_match", []),
                   (other[2], "unknown_drug", []))
    s = ev.summarize(outs)
    assert (s["emergency_questions"], s["ordinary_questions"]) == (4, 3)
    assert s["emergency_recall"] == 0.5 and s["false_emergency_rate"] == round(1 / 3, 4)
    causes = {f["id"]: f["cause"] for f in ev.failures(outs)}
    assert causes == {"e2": "missed_emergency", "e3": "missed_emergency", "o1": "false_emergency"}
    # none of either kind: not measured (and a gate on it falls short)
    s = ev.summarize(_scored((other[1], "no_match", [])))
    assert s["emergency_recall"] is None and s["false_emergency_rate"] == 0.0
    assert "not measured" in ev.Gate("emergency_recall", 1.0).shortfall(s)


def test_quoted_characters_per_answer():
    item = gd.GoldItem("a", "q", expect=(gd.Expect("a.md"),))
    outs = _scored((item, "answered", [_p("a.md", text="x" * 100), _p("a.md", text="y" * 50)]),
                   (item, "answered", [_p("a.md", text="z" * 300)]),
                   (item, "no_match", []))  # quotes nothing: not counted
    s = ev.summarize(outs)
    assert s["quoting_answers"] == 2
    # numpy's linear percentiles: first quotes [100, 300], totals [150, 300]
    assert s["quote_chars_first_p50"] == 200.0 and s["quote_chars_first_p90"] == 280.0
    assert s["quote_chars_total_p50"] == 225.0 and s["quote_chars_total_p90"] == 285.0
    s = ev.summarize(_scored((item, "no_match", [])))
    assert s["quote_chars_first_p50"] is None and s["quote_chars_total_p90"] is None


def test_per_style_breakdown():
    def item(n, style, **kw):
        return gd.GoldItem(f"{style}{n}", "q", style=style, **kw)

    a = (gd.Expect("a.md", sections=("faq",)),)
    outs = _scored((item(1, "typo", expect=a), "answered", [_p("a.md", section="faq")]),
                   (item(2, "typo", expect=a), "answered", [_p("b.md"), _p("a.md", section="faq")]),
                   (item(3, "typo", expect=a), "no_match", []),
                   (item(1, "status", expect_status="clarify"), "clarify", []),
                   (item(2, "status", expect_status="unknown_drug"), "no_match", []),
                   (item(1, "overdose", expect_status="emergency"), "emergency", []),
                   (gd.GoldItem("plain", "q", expect=a), "answered", [_p("a.md", section="faq")]))
    by = ev.summarize(outs)["by_style"]
    assert list(by) == ["-", "overdose", "status", "typo"]
    typo = by["typo"]
    assert typo["questions"] == 3 and typo["resolved"] == round(1 / 3, 4)
    assert typo["answerable_section_hit@1"] == round(1 / 3, 4) and typo["answerable_section_hit@3"] == round(2 / 3, 4)
    assert typo["status_accuracy"] is None and typo["emergency_recall"] is None and typo["false_emergency_rate"] == 0
    assert by["status"]["status_accuracy"] == 0.5 and by["status"]["resolved"] is None
    assert by["overdose"]["emergency_recall"] == 1.0 and by["overdose"]["false_emergency_rate"] is None
    assert by["-"]["questions"] == 1 and "by_style" not in typo


# -- failure causes -------------------------------------------------------------------------------

TITLES = {"d/diazepam.md": "Diazepam", "d/diazepam-propranolol.md": "Diazepam + Propranolol",
          "t/tretinoin-topical.md": "Tretinoin (Topical)", "t/tretinoin.md": "Tretinoin",
          "f/fluticasone-nasal.md": "Fluticasone (Nasal)", "f/fluticasone-oral.md": "Fluticasone (Oral Inhalation)",
          "h/hydrogen-peroxide.md": "Hydrogen Peroxide", "c/carbamide-peroxide.md": "Carbamide Peroxide"}


def _cause(item, status, passages, drugs=()):
    (o,) = _scored((item, status, passages, drugs), titles=TITLES)
    return ev.cause(o)


def test_failure_causes_from_outcome_and_gold():
    diaz = gd.GoldItem("q", "q", expect=(gd.Expect("d/diazepam.md", sections=("faq",), contains_any=("stop",)),))
    right = _p("d/diazepam.md", "Diazepam", "faq", "do not stop suddenly", title="Diazepam")
    combo = _p("d/diazepam-propranolol.md", "Diazepam", "faq", "stop", title="Diazepam + Propranolol")
    other = _p("c/carbamide-peroxide.md", "Carbamide Peroxide", "faq", "stop", title="Carbamide Peroxide")
    assert _cause(diaz, "answered", [right], ["Diazepam"]) is None
    assert _cause(diaz, "no_match", [], ["Diazepam"]) == "no_match_but_answerable"
    assert _cause(diaz, "answered", [_p("d/diazepam.md", "Diazepam", "usage", "stop")], ["Diazepam"]) == "wrong_section"
    assert _cause(diaz, "answered", [_p("d/diazepam.md", "Diazepam", "faq", "other words")]) == "wrong_section"
    assert _cause(diaz, "answered", [combo, right], ["Diazepam"]) == "variant_first"
    assert _cause(diaz, "answered", [other, right], ["Diazepam", "Carbamide Peroxide"]) == "other_page_first"
    assert _cause(diaz, "answered", [other], ["Carbamide Peroxide"]) == "not_recognised"
    assert _cause(diaz, "unknown_drug", []) == "not_recognised"
    assert _cause(diaz, "clarify", []) == "not_recognised"
    assert _cause(diaz, "emergency", [], ["Diazepam"]) == "false_emergency"
    # status lines
    unanswerable = gd.GoldItem("u", "q", expect_status="no_match", expect_drugs=("Diazepam",))
    assert _cause(unanswerable, "no_match", [], ["Diazepam"]) is None
    assert _cause(unanswerable, "answered", [right], ["Diazepam"]) == "answered_unanswerable"
    assert _cause(unanswerable, "no_match", [], []) == "not_recognised"  # honest no_match, medicine not named
    assert _cause(unanswerable, "unknown_drug", []) == "not_recognised"
    assert _cause(unanswerable, "emergency", []) == "false_emergency"
    no_medicine = gd.GoldItem("w", "what's the weather", expect_status="no_match")
    assert _cause(no_medicine, "clarify", []) == "wrong_unknown_or_clarify"
    assert _cause(gd.GoldItem("k", "q", expect_status="unknown_drug"), "answered", [other]) == "wrong_unknown_or_clarify"
    assert _cause(gd.GoldItem("c", "q", expect_status="clarify"), "no_match", []) == "wrong_unknown_or_clarify"
    assert _cause(gd.GoldItem("c", "q", expect_status="clarify"), "clarify", []) is None
    emergency = gd.GoldItem("e", "q", expect_status="emergency")
    assert _cause(emergency, "answered", [right]) == "missed_emergency"
    assert _cause(emergency, "emergency", []) is None


@pytest.mark.parametrize("expected, first_title, first_drug, same", [
    ("Diazepam", "Diazepam + Propranolol", "Diazepam", True),  # a combination
    ("Diazepam", "Diazepam + Propranolol", "Diazepam + Propranolol", True),  # shared text of the combination
    ("Tretinoin (Topical)", "Tretinoin", "Tretinoin", True),  # the plain page for a route variant
    ("Tretinoin", "Tretinoin (Topical)", "Tretinoin (Topical)", True),
    ("Fluticasone (Oral Inhalation)", "Fluticasone (Nasal)", "Fluticasone (Nasal)", True),  # another route
    ("Fluticasone (Oral Inhalation)", "Fluticasone Furoate", "Fluticasone Furoate", True),  # a salt
    ("Hydrogen Peroxide", "Carbamide Peroxide", "Carbamide Peroxide", False),  # a shared word only
    ("Insulin Glargine", "Insulin Lispro", "Insulin Lispro", False),
    ("Diazepam", "Lorazepam", "Lorazepam", False),
])
def test_same_medicine_page(expected, first_title, first_drug, same):
    assert ev.same_medicine_page(first_title, first_drug, [expected]) is same


def test_failure_causes_table_counts_and_examples():
    item = lambda n: gd.GoldItem(f"q{n}", "q", expect=(gd.Expect("d/diazepam.md", sections=("faq",)),))  # noqa: E731
    outs = _scored(*[(item(n), "no_match", [], ["Diazepam"]) for n in range(7)],
                   (item(7), "answered", [_p("d/diazepam.md", "Diazepam", "usage")]),
                   (gd.GoldItem("e", "q", expect_status="emergency"), "answered", [_p("x.md")]),
                   titles=TITLES)
    fails = ev.failures(outs)
    assert [f["id"] for f in fails][:2] == ["e", "q0"]  # most serious cause first, then gold order
    table = ev.failure_causes(fails)
    assert list(table) == ["missed_emergency", "no_match_but_answerable", "wrong_section"]
    assert table["no_match_but_answerable"] == {"label": ev.CAUSES["no_match_but_answerable"], "count": 7,
                                                "examples": ["q0", "q1", "q2", "q3", "q4"]}
    assert table["wrong_section"]["count"] == 1 and table["missed_emergency"]["examples"] == ["e"]


# -- relevance rules ------------------------------------------------------------------------------


def test_relevance_levels():
    e = gd.Expect("x/a.md", drug="Diazepam", sections=("faq", "precautions"), contains_any=("Room Temperature",))
    p = {"source": "x/a.md", "drug": "diazepam", "section": "faq", "text": "Store at room temperature."}
    assert e.matches(p, "section") and e.matches(p, "drug")
    assert e.matches({**p, "section": "precautions"}, "section")
    assert not e.matches({**p, "section": "usage"}, "section") and e.matches({**p, "section": "usage"}, "drug")
    assert not e.matches({**p, "text": "keep it cold"}, "section") and e.matches({**p, "text": "cold"}, "drug")
    assert not e.matches({**p, "drug": "Imipramine"}, "drug")
    assert not e.matches({**p, "source": "a.md"}, "drug")
    # no drug in the entry: any drug of the page
    assert gd.Expect("x/a.md").matches({**p, "drug": "Other"}, "section")
    # any entry suffices
    two = (gd.Expect("x/b.md"), e)
    assert ev.judge([{**p, "source": "x/c.md"}, p], two, "section") == (0, 1)


def test_section_and_sections_merge():
    item, _ = gd.parse_gold_line(json.dumps({"id": 1, "question": "q", "expect": [
        {"source": "s.txt", "section": "faq", "sections": ["faq", "precautions"]}]}))
    assert item.expect[0].sections == ("faq", "precautions")
    assert item.id == "1"


# -- gold parser ------------------------------------------------------------------------------


def _write(path: Path, lines: list) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines), encoding="utf-8")
    return path


GOOD = {"id": "g1", "question": "what is diazepam used for",
        "expect": [{"source": SEED_FILE, "section": "usage", "drug": "Diazepam", "contains_any": ["anxiety disorders"]}]}


def test_gold_parser_reports_bad_lines_with_file_and_line(tmp_path):
    gold = _write(tmp_path / "g.jsonl", [
        GOOD,                                                       # 1 ok
        "{not json",                                                # 2
        "",                                                         # 3 blank: ignored
        [1, 2],                                                     # 4
        {"id": "x", "expect": [{"source": "a"}]},                   # 5 no question
        {"id": "x2", "question": "q"},                              # 6 no expect / expect_status
        {"id": "x3", "question": "q", "expect": [{"section": "faq"}]},                  # 7 no source
        {"id": "x4", "question": "q", "expect": [{"source": "a", "section": "dose"}]},  # 8 unknown section
        {"id": "x5", "question": "q", "expect_status": "maybe"},                        # 9 bad status
        {"id": "x6", "question": "q", "history": "hi", "expect_status": "clarify"},     # 10 bad history
        {**GOOD},                                                   # 11 duplicate id
        {"id": "s1", "question": "ibuprofen side effects", "expect_status": "unknown_drug"},  # 12 ok
        {"id": "w1", "question": "q", "expect": [{"source": "a", "contain_any": ["typo"]}]},  # 13 kept, warned
    ])
    items, problems = gd.load_gold([gold])
    assert [i.id for i in items] == ["g1", "s1", "w1"]
    assert [i.line for i in items] == [1, 12, 13]
    where = [(p.line, p.skipped) for p in problems]
    assert where == [(2, True), (4, True), (5, True), (6, True), (7, True), (8, True), (9, True), (10, True),
                     (11, True), (13, False)]
    assert all(str(p).startswith(f"{gold}:{p.line}: ") for p in problems)
    assert "not valid JSON" in str(problems[0]) and "duplicate id" in str(problems[8])
    assert "contain_any" in str(problems[9])


def test_cli_skips_bad_gold_lines_without_traceback(tmp_path, seed_index, capsys):
    gold = _write(tmp_path / "g.jsonl", [GOOD, "{oops", {"id": "z", "question": 3, "expect_status": "no_match"}])
    rc = main(["eval", str(gold), "--index", str(seed_index), "--json", "--no-baselines"])
    out, err = capsys.readouterr()
    assert rc == 0
    assert f"{gold}:2: not valid JSON" in err and f"{gold}:3: " in err and "Traceback" not in err
    report = json.loads(out)
    assert report["system"]["questions"] == 1 and report["meta"]["skipped_gold_lines"] == 2


def test_cli_usage_errors(tmp_path, seed_index, capsys):
    assert main(["eval", str(tmp_path / "missing.jsonl"), "--index", str(seed_index)]) == 2
    assert "gold file not found" in capsys.readouterr().err
    empty = _write(tmp_path / "bad.jsonl", ["{"])
    assert main(["eval", str(empty), "--index", str(seed_index)]) == 2
    assert "no valid questions" in capsys.readouterr().err
    good = _write(tmp_path / "g.jsonl", [GOOD])
    for bad in ("nonsense=1", "section_hit@1", "section_hit@1=high"):
        assert main(["eval", str(good), "--index", str(seed_index), "--fail-under", bad]) == 2
        err = capsys.readouterr().err
        assert err.startswith("rxquote: --fail-under") and err.count("\n") == 1


# -- --fail-under and --json -----------------------------------------------------------------


def test_fail_under_exit_codes(tmp_path, seed_index, capsys):
    miss = {"id": "m", "question": "what is diazepam used for",
            "expect": [{"source": SEED_FILE, "section": "usage", "drug": "Imipramine"}]}
    gold = _write(tmp_path / "g.jsonl", [GOOD, miss])  # section hit@1 = 0.5 by construction
    base = ["eval", str(gold), "--index", str(seed_index), "--no-baselines", "--json"]
    assert main(base + ["--fail-under", "section_hit@1=0.5"]) == 0
    capsys.readouterr()
    assert main(base + ["--fail-under", "section_hit@1=0.5", "--fail-under", "drug_mrr@10=0.9"]) == 1
    err = capsys.readouterr().err
    assert "drug_mrr@10" in err and "section_hit@1" not in err
    assert main(base + ["--fail-under", "status_accuracy=0.1"]) == 1  # no status questions: not measured
    assert "not measured" in capsys.readouterr().err
    # the new metrics by name, and --fail-over for those where less is better
    assert main(base + ["--fail-under", "resolved=0.5", "--fail-under", "answerable_section_hit@1=0.5",
                        "--fail-over", "false_emergency_rate=0"]) == 0
    capsys.readouterr()
    assert main(base + ["--fail-under", "resolved=0.97"]) == 1
    assert "rxquote: --fail-under: resolved = 0.5000 < 0.97" in capsys.readouterr().err
    assert main(base + ["--fail-over", "quote_chars_first_p50=1"]) == 1
    assert "rxquote: --fail-over: quote_chars_first_p50 = " in capsys.readouterr().err


def test_gates():
    assert ev.check_gates({"a": 0.9}, [ev.Gate("a", 0.9)]) == []
    assert ev.check_gates({"a": 0.8999}, [ev.Gate("a", 0.9)]) == ["a = 0.8999 < 0.9"]
    assert ev.check_gates({"f": 0.0}, [ev.Gate("f", 0.0, at_least=False)]) == []
    assert ev.check_gates({"f": 0.025}, [ev.Gate("f", 0.0, at_least=False)]) == ["f = 0.0250 > 0"]
    assert ev.parse_gate(" Emergency_Recall=1") == ev.Gate("emergency_recall", 1.0)
    assert ev.parse_gate("false_emergency_rate=0", at_least=False) == ev.Gate("false_emergency_rate", 0.0, False)
    with pytest.raises(ValueError, match="less is better: use --fail-over"):
        ev.parse_gate("false_emergency_rate=0")
    with pytest.raises(ValueError, match="--fail-over: unknown metric 'resolved'"):
        ev.parse_gate("resolved=1", at_least=False)
    for bad in ("resolved", "resolved=nan", "resolved=x", "nonsense=1"):
        with pytest.raises(ValueError):
            ev.parse_gate(bad)
    assert set(ev.HIGHER_IS_BETTER).isdisjoint(ev.LOWER_IS_BETTER)


def test_json_shape_and_failures(tmp_path, seed_index, capsys):
    miss = {"id": "m", "question": "what is diazepam used for", "qtype": "indication",
            "expect": [{"source": SEED_FILE, "section": "usage", "drug": "Imipramine"}]}
    status = {"id": "s", "question": "I just took 30 diazepam tablets at once", "expect_status": "emergency"}
    gold = _write(tmp_path / "g.jsonl", [{**GOOD, "qtype": "indication"}, miss, status])
    assert main(["eval", str(gold), "--index", str(seed_index), "--json", "-k", "5"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"system", "baselines", "failures"} <= set(report)
    assert set(report["baselines"]) == {"plain", "stemmed"}
    for m in ev.metric_names() + ["latency_ms_p50", "latency_ms_p95", "questions"]:
        assert m in report["system"] and m in report["baselines"]["plain"]
    assert report["baselines"]["stemmed"]["delta"]["section_hit@1"] == pytest.approx(
        report["system"]["section_hit@1"] - report["baselines"]["stemmed"]["section_hit@1"], abs=1e-3)
    assert report["system"]["status_accuracy"] == 1.0
    assert set(report["system"]["by_qtype"]) == {"indication", "-"}
    assert report["meta"]["k"] == 5
    (f,) = report["failures"]
    assert f["id"] == "m" and f["gold"] == f"{gold}:2" and f["drug_rank"] is None and f["section_rank"] is None
    assert f["why"].startswith("right page not in the top")
    assert f["first"]["drug"] == "Diazepam" and f["expected"]["expect"][0]["drug"] == "Imipramine"
    # without baselines; and the table for people
    assert main(["eval", str(gold), "--index", str(seed_index), "--json", "--no-baselines"]) == 0
    assert json.loads(capsys.readouterr().out)["baselines"] == {}
    assert main(["eval", str(gold), "--index", str(seed_index)]) == 0
    out = capsys.readouterr().out
    assert "section hit@1" in out and "plain" in out and "Failures by cause: 1" in out
    assert f["cause"] == "not_recognised" and report["failure_causes"]["not_recognised"]["examples"] == ["m"]


def test_several_gold_files_are_pooled_and_reported_each(tmp_path, seed_index, capsys):
    a = _write(tmp_path / "a.jsonl", [GOOD])
    b = _write(tmp_path / "b.jsonl", [{**GOOD, "expect": [{"source": "nope.txt"}]}])  # same id, other file: fine
    assert main(["eval", str(a), str(b), "--index", str(seed_index), "--json", "--no-baselines"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["system"]["questions"] == 2 and r["system"]["section_hit@1"] == 0.5
    assert r["per_file"][str(a)]["system"]["section_hit@1"] == 1.0
    assert r["per_file"][str(b)]["system"]["section_hit@1"] == 0.0


# -- baselines ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plain", "stemmed"])
def test_baselines_are_rank_bm25_over_the_same_chunks(seed_engine, name):
    import numpy as np
    from rank_bm25 import BM25Okapi

    from rxquote.text import words

    base = ev.make_baselines(seed_engine.index)[name]
    chunks = list(seed_engine.index.iter_chunks())
    assert [c.id for c in base.chunks] == [c.id for c in chunks]
    tok = words if name == "plain" else seed_engine.index.analyzer.tokens
    ref = BM25Okapi([tok(c.text) for c in chunks])
    for q in ["what is diazepam used for", "side effects of imipramine", "can I stop taking it suddenly", "xyzzy"]:
        scores = ref.get_scores(tok(q))
        want = [i for i in sorted(range(len(chunks)), key=lambda i: (-scores[i], i))
                if scores[i] > 0 and chunks[i].section != "disclaimer"][:5]
        got = base.search(q, 5)
        assert [i for i, _ in got] == want
        assert np.allclose([s for _, s in got], [scores[i] for i in want])
    # plain keeps stopwords and does not stem; stemmed drops/stems them
    assert base.tokenize("The Effects") == (["the", "effects"] if name == "plain" else ["effect"])
    reply = base.ask(gd.GoldItem("1", "xyzzy", expect_status="no_match"), 5)
    assert reply.status == "no_match" and reply.passages == [] and reply.drugs == ()


# -- acceptance: eval == an independent scorer over `ask --json --batch -k 10` ---------------------


def _page_title(corpus: Path, source: str) -> str | None:
    for line in (corpus / source).read_text(encoding="utf-8").splitlines()[:10]:
        if line.lower().startswith("title:"):
            return line.split(":", 1)[1].strip()
    return None


def _independent_scores(gold_lines: list[dict], answers: list[dict], corpus: Path) -> dict:
    """Hand-written Hit@k / MRR@10 / nDCG@10, resolved, answerable section Hit@k, status
    accuracy, emergency recall / false rate and the median first quote, straight from
    eval/README.md."""
    import statistics

    by_id = {a["id"]: a for a in answers}

    def rel(p, e, level):
        if p["source"] != e["source"]:
            return False
        if "drug" in e and p["drug"].lower() != e["drug"].lower():
            return False
        if level == "drug":
            return True
        allowed = ([e["section"]] if "section" in e else []) + e.get("sections", [])
        if allowed and p["section"] not in allowed:
            return False
        if "contains_any" in e and not any(s.lower() in p["text"].lower() for s in e["contains_any"]):
            return False
        return True

    sums: dict[str, float] = {}
    n = n_answerable = 0
    st_ok = st_n = 0
    resolved, emergency, ordinary, first_quotes = [], [], [], []
    for g in gold_lines:
        a = by_id[g["id"]]
        drugs = {d.lower() for d in a["drugs"]}
        if a["passages"]:
            first_quotes.append(len(a["passages"][0]["text"]))
        (emergency if g.get("expect_status") == "emergency" else ordinary).append(a["status"] == "emergency")
        if "expect_status" in g:
            st_n += 1
            st_ok += a["status"] == g["expect_status"]
        if "expect" in g or "expect_drugs" in g:
            ok = all(d.lower() in drugs for d in g.get("expect_drugs", []))
            if "expect" in g and a["passages"]:
                ok = ok and any(rel(a["passages"][0], e, "drug") for e in g["expect"])
            elif "expect" in g:
                names = [e.get("drug") or _page_title(corpus, e["source"]) for e in g["expect"]]
                ok = ok and any(x and x.lower() in drugs for x in names)
            resolved.append(ok)
        if "expect" not in g:
            continue
        n += 1
        answerable = all("section" in e or "sections" in e for e in g["expect"])
        n_answerable += answerable
        for level in ("drug", "section"):
            flags = [any(rel(p, e, level) for e in g["expect"]) for p in a["passages"][:10]]
            first = next((r for r, f in enumerate(flags, 1) if f), None)
            for k in (1, 3, 5):
                hit = first is not None and first <= k
                sums[f"{level}_hit@{k}"] = sums.get(f"{level}_hit@{k}", 0) + hit
                if level == "section" and answerable:
                    sums[f"answerable_section_hit@{k}"] = sums.get(f"answerable_section_hit@{k}", 0) + hit
            sums[f"{level}_mrr@10"] = sums.get(f"{level}_mrr@10", 0) + (1 / first if first else 0)
            dcg = sum(1 / math.log2(r + 1) for r, f in enumerate(flags, 1) if f)
            ideal = sum(1 / math.log2(r + 1) for r in range(1, max(1, sum(flags)) + 1))
            sums[f"{level}_ndcg@10"] = sums.get(f"{level}_ndcg@10", 0) + dcg / ideal
    out = {m: v / (n_answerable if m.startswith("answerable") else n) for m, v in sums.items()}
    out["status_accuracy"] = st_ok / st_n if st_n else None
    out["resolved"] = sum(resolved) / len(resolved) if resolved else None
    out["emergency_recall"] = sum(emergency) / len(emergency) if emergency else None
    out["false_emergency_rate"] = sum(ordinary) / len(ordinary) if ordinary else None
    out["quote_chars_first_p50"] = statistics.median(first_quotes) if first_quotes else None
    return out


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rxquote", *args], capture_output=True, text=True, timeout=600)


def _compare(gold: Path, corpus: Path, index: Path) -> dict:
    batch = _cli("ask", "--json", "--batch", str(gold), "-k", "10", "--corpus", str(corpus), "--index", str(index))
    assert batch.returncode == 0, batch.stderr
    answers = [json.loads(x) for x in batch.stdout.splitlines()]
    evaluation = _cli("eval", str(gold), "--json", "--no-baselines", "--corpus", str(corpus), "--index", str(index))
    assert evaluation.returncode == 0, evaluation.stderr
    system = json.loads(evaluation.stdout)["system"]
    lines = [json.loads(x) for x in gold.read_text(encoding="utf-8").splitlines() if x.strip()]
    indep = _independent_scores(lines, answers, corpus)
    assert {"resolved", "answerable_section_hit@1", "emergency_recall", "quote_chars_first_p50"} <= set(indep)
    for m, v in indep.items():
        if v is None:
            assert system[m] is None
        else:
            assert system[m] == pytest.approx(v, abs=0.01), m
    return system


@needs_seed_dev
def test_eval_equals_independent_scorer_on_seed_dev(seed_index):
    system = _compare(SEED_DEV, SEEDS, seed_index)
    assert system["questions"] == 31 and system["status_questions"] == 3
    assert system["resolved_questions"] == 28 and system["emergency_questions"] == 1


@pytest.mark.rxhive
def test_eval_equals_independent_scorer_on_consumer_and_safety_samples(rxhive_engine, rxhive, tmp_path):
    """Lines with expect_drugs, styles, unanswerable questions and emergencies, on rxhive."""
    lines = []
    for name, step in (("consumer-dev.jsonl", 5), ("safety-dev.jsonl", 4)):
        path = SHARED / "eval" / name if SHARED else None
        if path is None or not path.is_file():
            pytest.skip(f"../shared/eval/{name} is not beside this checkout")
        lines += [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()][::step]
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    system = _compare(sample, rxhive, rxhive_engine.index.folder.parent)
    assert system["questions"] == len(lines) and system["emergency_questions"] > 0
    assert system["resolved_questions"] > system["retrieval_questions"]  # expect_drugs lines count too


@pytest.mark.rxhive
def test_eval_equals_independent_scorer_on_rxhive_sample(rxhive_engine, rxhive, tmp_path):
    if RX_TEMPLATES is None or not RX_TEMPLATES.is_file():
        pytest.skip("../shared/eval/rxhive-templates.jsonl is not beside this checkout")
    lines = [x for x in RX_TEMPLATES.read_text(encoding="utf-8").splitlines() if x.strip()]
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(lines[::97]) + "\n", encoding="utf-8")  # ~45 questions, every qtype
    index_dir = rxhive_engine.index.folder.parent  # the session's rxhive index: no second build
    system = _compare(sample, rxhive, index_dir)
    assert system["questions"] == len(lines[::97])


# -- gold: expect_drugs and style ---------------------------------------------------------------------


def test_gold_expect_drugs_and_style():
    item, _ = gd.parse_gold_line(json.dumps({"id": "u", "question": "what colour is xanax", "expect_status": "no_match",
                                             "expect_drugs": ["Alprazolam", " alprazolam ", "Alprazolam"],
                                             "style": "unanswerable"}))
    assert item.expect_drugs == ("Alprazolam", "alprazolam") and item.style == "unanswerable"
    assert item.names_medicine and not item.answerable
    assert item.expected() == {"status": "no_match", "drugs": ["Alprazolam", "alprazolam"]}
    item, _ = gd.parse_gold_line(json.dumps({**GOOD, "style": "clean", "qtype": "indication"}))
    assert (item.style, item.qtype, item.expect_drugs) == ("clean", "indication", ())
    assert item.answerable and item.names_medicine


@pytest.mark.parametrize("extra, why", [
    ({"expect_drugs": "Alprazolam"}, '"expect_drugs" must be a non-empty list'),
    ({"expect_drugs": []}, '"expect_drugs" must be a non-empty list'),
    ({"expect_drugs": ["Alprazolam", 3]}, '"expect_drugs" must be a non-empty list'),
    ({"expect_drugs": [" "]}, '"expect_drugs" must be a non-empty list'),
    ({"style": 3}, '"style" must be a non-empty string'),
    ({"style": ""}, '"style" must be a non-empty string'),
    ({"style": ["typo"]}, '"style" must be a non-empty string'),
    ({"qtype": 1}, '"qtype" must be a non-empty string'),
])
def test_gold_bad_expect_drugs_or_style_is_a_line_problem(tmp_path, extra, why):
    line = {"id": "u", "question": "q", "expect_status": "no_match", **extra}
    gold = _write(tmp_path / "g.jsonl", [GOOD, line])
    items, problems = gd.load_gold([gold])
    assert [i.id for i in items] == ["g1"]
    (p,) = problems
    assert str(p).startswith(f"{gold}:2: {why}") and p.skipped


# -- layers: the engine and the evaluation never import the command line ---------------------------

PACKAGE = Path(ev.__file__).resolve().parent
PRESENTATION = {"cli", "cli_eval", "startup", "progress", "__main__"}  # and tui/


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at module level or inside functions, as rxquote.x names."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            out.add(mod)
            out |= {f"{mod}.{a.name}" for a in node.names}  # `from . import cli`
    return out


def test_library_modules_never_import_the_cli_or_rich():
    library = [p for p in PACKAGE.glob("*.py") if p.stem not in PRESENTATION]
    assert {"answer", "evaluate", "gold", "index", "errors"} <= {p.stem for p in library}
    problems = []
    for path in library:
        for mod in _imports(path):
            parts = mod.split(".")
            if parts[0] == "rich" or (parts[0] == "rxquote" and len(parts) > 1 and (parts[1] in PRESENTATION or parts[1] == "tui")):
                problems.append(f"{path.name} imports {mod}")
    assert not problems, problems


def test_importing_and_running_the_evaluation_loads_no_cli_module(seed_index):
    code = """
import sys
from pathlib import Path
from rxquote import evaluate, gold
from rxquote.answer import Engine
items, _ = gold.load_gold([sys.argv[3]])
report = evaluate.evaluate(Engine.open(Path(sys.argv[1]), Path(sys.argv[2])), items, baselines=True)
assert report["system"]["questions"] == 1
bad = sorted(m for m in sys.modules if m.split(".")[0] == "rich" or m.startswith(("rxquote.cli", "rxquote.startup", "rxquote.progress", "rxquote.tui")))
print(bad)
"""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        gold = _write(Path(tmp) / "g.jsonl", [GOOD])
        r = subprocess.run([sys.executable, "-c", code, str(SEEDS), str(seed_index), str(gold)],
                           capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


# -- the table for people: 80 columns, piped ------------------------------------------------------------


def test_table_fits_80_columns_when_piped(tmp_path, seed_index):
    long_id = "a-rather-long-question-id-0001"
    lines = [GOOD,
             {"id": long_id, "question": "what is diazepam used for " + "and also " * 12, "style": "long",
              "expect": [{"source": SEED_FILE, "section": "usage", "drug": "Imipramine"}]},
             {"id": "s1", "question": "ibuprofen side effects", "expect_status": "unknown_drug", "style": "status"},
             {"id": "e1", "question": "I just took 30 diazepam tablets at once", "expect_status": "emergency",
              "style": "overdose"}]
    gold = _write(tmp_path / "g.jsonl", lines)
    r = subprocess.run([sys.executable, "-m", "rxquote", "eval", str(gold), "--corpus", str(SEEDS), "--index",
                        str(seed_index)], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "COLUMNS": "80", "TERM": "dumb"})
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "\x1b[" not in out  # no colour codes in a pipe
    for text in ("resolved (2)", "emergency recall (1)", "By style", "Failures by cause: 1", long_id):
        assert text in out, text
    assert out.count(long_id) == 2  # whole, in the causes table and in its details
