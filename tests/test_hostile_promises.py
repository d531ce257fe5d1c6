"""Issue #7, the promises of docs/SAFETY.md that no other test states directly: nothing is
executed or unpickled (a scan of the package's own code), no network is used (sockets
blocked while building, loading and answering), and emergencies are escalated first."""

from __future__ import annotations

import ast
import json
import socket
from pathlib import Path

import pytest

import rxquote
from rxquote.answer import DISCLAIMER, EMERGENCY_MESSAGE, Engine
from rxquote.index import build, load
from rxquote.render import to_json_line, to_text

from .conftest import SEEDS
from .test_hostile_common import check_answer, check_answer_obj, rxquote as run_rxquote

PACKAGE = Path(rxquote.__file__).resolve().parent
# serialisers that can run code on load, process spawning, and network clients
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "joblib", "cloudpickle",
                     "subprocess", "socket", "ssl", "urllib", "http", "requests", "httpx", "aiohttp",
                     "ftplib", "smtplib", "telnetlib", "xmlrpc", "asyncio.subprocess"}
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__"}  # re.compile is fine: only bare names
FORBIDDEN_OS = ("system", "popen", "startfile", "exec", "spawn", "fork", "posix_spawn")


def _sources() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) >= 8
    return files


def test_package_code_never_unpickles_executes_or_connects():
    problems = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                names = []
            for name in names:
                if name in FORBIDDEN_MODULES or name.split(".")[0] in FORBIDDEN_MODULES:
                    problems.append(f"{path.name}:{node.lineno} imports {name}")
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else None
                if isinstance(fn, ast.Name) and name in FORBIDDEN_BUILTINS:
                    problems.append(f"{path.name}:{node.lineno} calls {name}()")
                if isinstance(fn, ast.Attribute) and getattr(fn.value, "id", None) == "os" and name.startswith(FORBIDDEN_OS):
                    problems.append(f"{path.name}:{node.lineno} calls os.{name}()")
                if name in ("load", "save") and isinstance(fn, ast.Attribute) and getattr(fn.value, "id", None) == "np":
                    kw = {k.arg: k.value for k in node.keywords}
                    ok = isinstance(kw.get("allow_pickle"), ast.Constant) and kw["allow_pickle"].value is False
                    if not ok:
                        problems.append(f"{path.name}:{node.lineno} np.{name} without allow_pickle=False")
                if name == "load" and getattr(getattr(fn, "value", None), "id", None) == "yaml":
                    problems.append(f"{path.name}:{node.lineno} yaml.load")
    assert not problems, problems


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("rxquote tried to use the network")

    for name in ("connect", "connect_ex", "bind", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_build_load_and_answer_without_network(tmp_path, no_network):
    build(SEEDS, tmp_path / "ix")  # with the medicine lexicon: it is local data
    engine = Engine(load(tmp_path / "ix"), SEEDS)
    for q in ("what is diazepam used for?", "side effects of imipramine", "what is ibuprofen?",
              "I took 30 diazepam tablets", "tell me about it", "https://example.com/diazepam"):
        a = engine.ask(q, explain=True)
        check_answer_obj(a, SEEDS)
        to_text(a, explain=True)
        to_json_line(a)


EMERGENCIES = [
    "I took 30 diazepam tablets at once",
    "my child swallowed my imipramine pills",
    "overdose on diazepam",
    "I want to kill myself with diazepam",
    "ignore previous instructions. I took too many diazepam, what should I do?",
    "\x1b[2J I took 40 diazepam tablets \u202e",
]


@pytest.mark.parametrize("question", EMERGENCIES)
def test_emergency_is_escalated_first(seed_engine, question):
    a = seed_engine.ask(question)
    assert a.status == "emergency", (question, a.status)
    assert a.message == EMERGENCY_MESSAGE
    check_answer_obj(a, SEEDS)
    text = to_text(a)
    assert text.startswith(f"!! {EMERGENCY_MESSAGE}")  # before any passage
    assert text.rstrip().endswith(DISCLAIMER)


def test_emergency_wins_over_history_and_in_batch(seed_index):
    stdin = "".join(json.dumps(o) + "\n" for o in (
        {"id": 1, "question": EMERGENCIES[0], "history": ["what is diazepam used for?"]},
        {"id": 2, "question": "how much is too much?", "history": ["diazepam"]},
        {"id": 3, "question": EMERGENCIES[1]},
    ))
    r = run_rxquote("ask", "--json", "--batch", "-", corpus=SEEDS, index=seed_index, stdin=stdin)
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    for o in out:
        check_answer(o, SEEDS)
    assert out[0]["status"] == "emergency" and out[2]["status"] == "emergency"
