"""`rxquote eval` (src/rxquote/evaluate.py): metrics against hand-computed values, the gold
parser, relevance rules, baselines, --fail-under and --json, and the acceptance check: the
eval numbers equal an independent scorer applied to `ask --json --batch -k 10` output."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from rxquote import evaluate as ev
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


def test_summarize_averages_over_all_retrieval_questions():
    gold = [ev.GoldItem("1", "q1", expect=(ev.Expect("a.md"),)),
            ev.GoldItem("2", "q2", expect=(ev.Expect("b.md"),)),
            ev.GoldItem("3", "q3", expect_status="emergency")]
    p = lambda src: {"source": src, "drug": "X", "section": "usage", "text": "t"}  # noqa: E731
    outs = [ev.make_outcome(gold[0], "answered", [p("b.md"), p("a.md")], 0.001),
            ev.make_outcome(gold[1], "no_match", [], 0.003),
            ev.make_outcome(gold[2], "emergency", [], 0.002)]
    ev.score_outcomes(outs)
    s = ev.summarize(outs)
    assert s["drug_hit@1"] == 0 and s["drug_hit@3"] == 0.5 and s["drug_mrr@10"] == 0.25
    assert s["status_accuracy"] == 1.0 and s["answered_rate"] == 0.5
    assert s["latency_ms_p50"] == pytest.approx(2.0)
    fails = ev.failures(outs)
    assert [f["id"] for f in fails] == ["2", "1"]  # not answered is worse than right page at rank 2
    assert fails[1]["drug_rank"] == 2 and fails[1]["first"]["source"] == "b.md"


# -- relevance rules ------------------------------------------------------------------------------


def test_relevance_levels():
    e = ev.Expect("x/a.md", drug="Diazepam", sections=("faq", "precautions"), contains_any=("Room Temperature",))
    p = {"source": "x/a.md", "drug": "diazepam", "section": "faq", "text": "Store at room temperature."}
    assert e.matches(p, "section") and e.matches(p, "drug")
    assert e.matches({**p, "section": "precautions"}, "section")
    assert not e.matches({**p, "section": "usage"}, "section") and e.matches({**p, "section": "usage"}, "drug")
    assert not e.matches({**p, "text": "keep it cold"}, "section") and e.matches({**p, "text": "cold"}, "drug")
    assert not e.matches({**p, "drug": "Imipramine"}, "drug")
    assert not e.matches({**p, "source": "a.md"}, "drug")
    # no drug in the entry: any drug of the page
    assert ev.Expect("x/a.md").matches({**p, "drug": "Other"}, "section")
    # any entry suffices
    two = (ev.Expect("x/b.md"), e)
    assert ev.judge([{**p, "source": "x/c.md"}, p], two, "section") == [0, 1]


def test_section_and_sections_merge():
    item, _ = ev.parse_gold_line(json.dumps({"id": 1, "question": "q", "expect": [
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
    items, problems = ev.load_gold([gold])
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
    assert ev.check_fail_under({"a": 0.9}, [("a", 0.9)]) == []
    assert ev.check_fail_under({"a": 0.8999}, [("a", 0.9)]) == ["a = 0.8999 < 0.9"]


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
    assert "section hit@1" in out and "plain" in out and "Failures: 1" in out


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
    status, passages = base.ask(ev.GoldItem("1", "xyzzy", expect_status="no_match"), 5)
    assert status == "no_match" and passages == []


# -- acceptance: eval == an independent scorer over `ask --json --batch -k 10` ---------------------


def _independent_scores(gold_lines: list[dict], answers: list[dict]) -> dict:
    """Hand-written Hit@k / MRR@10 / nDCG@10 / status accuracy, straight from eval/README.md."""
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
    n = 0
    st_ok = st_n = 0
    for g in gold_lines:
        a = by_id[g["id"]]
        if "expect_status" in g:
            st_n += 1
            st_ok += a["status"] == g["expect_status"]
        if "expect" not in g:
            continue
        n += 1
        for level in ("drug", "section"):
            flags = [any(rel(p, e, level) for e in g["expect"]) for p in a["passages"][:10]]
            first = next((r for r, f in enumerate(flags, 1) if f), None)
            for k in (1, 3, 5):
                sums[f"{level}_hit@{k}"] = sums.get(f"{level}_hit@{k}", 0) + (first is not None and first <= k)
            sums[f"{level}_mrr@10"] = sums.get(f"{level}_mrr@10", 0) + (1 / first if first else 0)
            dcg = sum(1 / math.log2(r + 1) for r, f in enumerate(flags, 1) if f)
            ideal = sum(1 / math.log2(r + 1) for r in range(1, max(1, sum(flags)) + 1))
            sums[f"{level}_ndcg@10"] = sums.get(f"{level}_ndcg@10", 0) + dcg / ideal
    out = {m: v / n for m, v in sums.items()}
    out["status_accuracy"] = st_ok / st_n if st_n else None
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
    indep = _independent_scores(lines, answers)
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
