"""rxquote at N times rxhive (issue #13): one command, one table, growth from 1× to the largest N.

    /work/venvs/scale/bin/python benchmarks/scale.py [--copies 1,3,10] [--queries 300] [--markdown out.md]

For each N it builds, in a temporary folder, a corpus of N copies of ../shared/corpus/rxhive
(copy 0 as it is, copy k's page titles suffixed " Lot<k>" — each ingredient of a combination
too — so every copy's medicines are distinct names), and measures on this machine:

- full build: `rxquote index` into a fresh folder, --builds times (default 3; the corpus
  synced to disk first) — the median and the range of the wall time and of the CPU time (user
  + system, the process and its workers), the largest peak RSS of one process (os.wait4) and
  of the whole process tree (its RSS summed, sampled every 50 ms);
- index size on disk (the generation folder);
- one-file rebuild: one page changed (a line appended), `rxquote index` again;
- cold ask: a new `rxquote ask` process answering one question (the same question, about a
  medicine of copy 0, at every N): median wall time of several runs after a warm-up, peak RSS;
- per question: p50/p95 of `Engine.ask` in one process over 300 template questions (wall
  time, and the process's CPU time, which other jobs on the machine inflate less)
  (../shared/eval/rxhive-templates.jsonl, a fixed sample), question i asked about copy i mod N
  (its medicine names suffixed like that copy's titles);
- the load average before and after each N: the machine is shared, so read the wall times
  with it (CPU time is what the work itself costs).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import RXQUOTE, SHARED, machine, pct  # noqa: E402

PY = sys.executable
TITLE = re.compile(rb"^title:[ \t]*(.*?)[ \t]*$", re.M)
WARM_UP = ("what is diazepam used for?", "side effects of imipramin", "how should I store zzzqx tablets?")


def suffix(k: int) -> str:
    return f" Lot{k}"


# -- the N× corpus ------------------------------------------------------------------------------


def make_corpus(rxhive: Path, dest: Path, copies: int) -> dict[str, str]:
    """N copies under dest/copy<k>/; returns rel (in rxhive) → page title."""
    titles: dict[str, str] = {}
    for p in sorted(rxhive.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in (".md", ".txt"):
            continue
        rel = p.relative_to(rxhive).as_posix()
        data = p.read_bytes()
        m = TITLE.search(data)
        if m:
            titles[rel] = m.group(1).decode("utf-8", "replace").strip().strip("'\"")
        for k in range(copies):
            out = dest / f"copy{k}" / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            if k and m:
                parts = [x.strip() for x in titles[rel].split(" + ")]
                new = ("title: " + " + ".join(x + suffix(k) for x in parts)).encode("utf-8")
                out.write_bytes(data[: m.start()] + new + data[m.end() :])
            else:
                out.write_bytes(data)
    return titles


def adapt(question: str, title: str, k: int) -> str:
    """The question about copy k's medicine: each ingredient name it contains gets the suffix."""
    if not k:
        return question
    for name in sorted((x.strip() for x in title.split(" + ")), key=len, reverse=True):
        question = re.sub(rf"(?i)\b({re.escape(name)})\b(?! Lot\d)", lambda m: m.group(1) + suffix(k), question)
    return question


def sample_questions(n: int, copies: int, titles: dict[str, str]) -> tuple[list[str], str]:
    """(n template questions spread over the copies, the cold-ask question)."""
    path = SHARED / "eval" / "rxhive-templates.jsonl"
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    random.Random(5).shuffle(items)
    items = items[:n]
    out = []
    for i, item in enumerate(items):
        title = titles.get(item["expect"][0]["source"], "")
        out.append(adapt(item["question"], title, i % copies) if title else item["question"])
    return out, items[0]["question"]


# -- measuring processes ----------------------------------------------------------------------


def tree_rss(root: int) -> int:
    """Bytes resident in `root` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            pass
        stack.extend(children.get(pid, ()))
    return total


def run(cmd: list[str], sample_tree: bool = False) -> dict:
    """Wall and CPU seconds, peak RSS (MB) of the largest process and, sampled, of the tree."""
    peak = [0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        done = threading.Event()

        def sampler():
            while not done.wait(0.05):
                peak[0] = max(peak[0], tree_rss(p.pid))

        if sample_tree:
            threading.Thread(target=sampler, daemon=True).start()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if p.returncode != 0:
            raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}\n{err.read().decode(errors='replace')[-2000:]}")
        return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024,
                "tree_rss": peak[0] / 2**20, "stdout": out.read().decode("utf-8", "replace")}


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def load_avg() -> str:
    return "{:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


# -- one N ---------------------------------------------------------------------------------------


def measure(copies: int, rxhive: Path, work: Path, n_questions: int, repeat: int, builds_per_n: int, log) -> dict:
    r: dict = {"copies": copies, "load_before": load_avg()}
    corpus, index = work / f"x{copies}-corpus", work / f"x{copies}-index"
    log(f"[{copies}×] making the corpus")
    titles = make_corpus(rxhive, corpus, copies)
    questions, cold_q = sample_questions(n_questions, copies, titles)
    qfile = work / f"x{copies}-questions.json"
    qfile.write_text(json.dumps(questions), encoding="utf-8")

    os.sync()  # the corpus just written goes to disk now, not while the build is timed

    builds = []
    for k in range(builds_per_n):
        log(f"[{copies}×] full build {k + 1} of {builds_per_n}")
        folder = index if k == 0 else work / f"x{copies}-index-{k}"  # the first is kept for what follows
        builds.append(run([RXQUOTE, "index", "--corpus", str(corpus), "--index", str(folder)], sample_tree=True))
        if k:
            shutil.rmtree(folder, ignore_errors=True)
    # the median of the builds (the machine is shared: one build's wall time moves by ±10 %), its
    # spread beside it; memory is the largest seen
    r["build_walls"] = [b["wall"] for b in builds]
    r["build_cpus"] = [b["cpu"] for b in builds]
    r.update(build=statistics.median(r["build_walls"]), build_cpu=statistics.median(r["build_cpus"]),
             build_rss=max(b["rss"] for b in builds), build_tree_rss=max(b["tree_rss"] for b in builds))
    man = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    r["files"], r["chunks"] = man["counts"]["files"], man["counts"]["chunks"]
    r["disk"] = du(index / man["generation"]) / 2**20

    log(f"[{copies}×] per-question times")
    out = run([PY, __file__, "--worker", "--corpus", str(corpus), "--index", str(index), "--qfile", str(qfile)])["stdout"]
    w = json.loads(out)
    r["open"], r["p50"], r["p95"] = w["open"], pct(w["ask"], 0.5), pct(w["ask"], 0.95)
    r["p50_cpu"], r["p95_cpu"] = pct(w["ask_cpu"], 0.5), pct(w["ask_cpu"], 0.95)
    r["answered"] = w["answered"]

    log(f"[{copies}×] cold ask")
    ask = [RXQUOTE, "ask", "--corpus", str(corpus), "--index", str(index), cold_q]
    run(ask)  # warm the page cache: start-up is measured, not the disk
    cold = [run(ask) for _ in range(repeat)]
    r["cold"] = statistics.median(c["wall"] for c in cold)
    r["cold_rss"] = max(c["rss"] for c in cold)

    log(f"[{copies}×] one-file rebuild")
    victim = sorted(p for p in corpus.rglob("*.md"))[len(titles) // 2]
    with open(victim, "a", encoding="utf-8") as f:
        f.write("\nAn extra line added by the benchmark.\n")
    rb = run([RXQUOTE, "index", "--corpus", str(corpus), "--index", str(index)])
    r["rebuild"], r["rebuild_cpu"] = rb["wall"], rb["cpu"]
    r["load_after"] = load_avg()
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(index, ignore_errors=True)
    return r


def worker(args) -> None:
    from rxquote.answer import Engine

    questions = json.loads(Path(args.qfile).read_text(encoding="utf-8"))
    t = time.perf_counter()
    engine = Engine.open(Path(args.corpus), Path(args.index))
    opened = time.perf_counter() - t
    for q in WARM_UP:
        engine.ask(q, top_k=10)
    times, cpu, answered = [], [], 0
    for q in questions:
        t, c = time.perf_counter(), time.process_time()
        a = engine.ask(q, top_k=10)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        answered += a.status == "answered"
    print(json.dumps({"open": opened, "ask": times, "ask_cpu": cpu, "answered": answered}))


# -- the report ---------------------------------------------------------------------------------


def fmt_s(x: float) -> str:
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.1f} s"


def _spread(xs: list[float]) -> str:
    return f"{len(xs)} builds: {fmt_s(min(xs))}–{fmt_s(max(xs))}" if len(xs) > 1 else "1 build"


def table(results: list[dict]) -> list[str]:
    first, last = results[0], results[-1]
    cols = [f"{r['copies']}×" for r in results]
    rows = [
        ("pages / chunks", lambda r: f"{r['files']:,} / {r['chunks']:,}", "files"),
        ("full build (wall; median of the builds, and their range)", lambda r: f"{fmt_s(r['build'])} ({_spread(r['build_walls'])})", "build"),
        ("full build (CPU, all processes)", lambda r: f"{fmt_s(r['build_cpu'])} ({_spread(r['build_cpus'])})", "build_cpu"),
        ("build peak RSS, largest process", lambda r: f"{r['build_rss']:.0f} MB", "build_rss"),
        ("build peak RSS, all processes", lambda r: f"{r['build_tree_rss']:.0f} MB", "build_tree_rss"),
        ("index on disk", lambda r: f"{r['disk']:.0f} MB", "disk"),
        ("one-file rebuild (wall)", lambda r: f"{fmt_s(r['rebuild'])} ({100 * r['rebuild'] / r['build']:.0f} % of full)", "rebuild"),
        ("cold `ask` (new process, one question)", lambda r: fmt_s(r["cold"]), "cold"),
        ("cold `ask` peak RSS", lambda r: f"{r['cold_rss']:.0f} MB", "cold_rss"),
        ("`Engine.open` (staleness check + load)", lambda r: fmt_s(r["open"]), "open"),
        (f"per question p50 ({first.get('n_questions', 300)} questions)", lambda r: fmt_s(r["p50"]), "p50"),
        ("per question p95", lambda r: fmt_s(r["p95"]), "p95"),
        ("per question p50 / p95, CPU time", lambda r: f"{fmt_s(r['p50_cpu'])} / {fmt_s(r['p95_cpu'])}", "p50_cpu"),
        ("answered", lambda r: f"{r['answered']}", "answered"),
        ("load average before / after", lambda r: f"{r['load_before']} / {r['load_after']}", None),
    ]
    head = "| | " + " | ".join(cols) + f" | {last['copies']}× ÷ 1× |"
    out = [head, "| --- |" + " ---: |" * (len(cols) + 1)]
    for label, show, key in rows:
        growth = ""
        if key and isinstance(first.get(key), (int, float)) and first[key]:
            growth = f"{last[key] / first[key]:.2f}×"
        out.append(f"| {label} | " + " | ".join(show(r) for r in results) + f" | {growth} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rxhive", type=Path, default=SHARED / "corpus" / "rxhive")
    ap.add_argument("--copies", default="1,3,10", help="comma-separated N (default 1,3,10)")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5, help="cold-ask runs per N (median)")
    ap.add_argument("--builds", type=int, default=3, help="full builds per N (median, with the spread)")
    ap.add_argument("--markdown", type=Path, help="also write the table to this file")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--index", help=argparse.SUPPRESS)
    ap.add_argument("--qfile", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return

    def log(msg: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} load {load_avg()}  {msg}", file=sys.stderr, flush=True)

    results = []
    with tempfile.TemporaryDirectory(prefix="rxquote-scale-") as tmp:
        for n in [int(x) for x in args.copies.split(",")]:
            r = measure(n, args.rxhive, Path(tmp), args.queries, args.repeat, args.builds, log)
            r["n_questions"] = args.queries
            results.append(r)
            log(json.dumps(r))
    lines = table(results) + [""] + machine()
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    (Path(tempfile.gettempdir()) / "rxquote-scale-last.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
