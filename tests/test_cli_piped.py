"""Output piped to another program stays whole: `rxquote index | …` never breaks a file name
(or any line) at an imagined terminal width (issue #14)."""

from __future__ import annotations

import os
import subprocess
import sys

LONG = "a-very-long-file-name-for-a-monograph-with-many-ingredients-number-{}-and-more-words.md"


def test_index_piped_keeps_file_names_whole(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):  # no known sections: each is named in the summary
        (corpus / LONG.format(i)).write_text(f"---\ntitle: Thing{i}\n---\n# Thing{i}\nsome words here\n", encoding="utf-8")
    (corpus / "diazepam.md").write_text("---\ntitle: Diazepam\n---\n# Diazepam\n### Uses\nAnxiety.\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "40"}
    env.pop("RXQUOTE_INDEX", None)
    out = subprocess.run([sys.executable, "-m", "rxquote", "index", "--corpus", str(corpus), "--index", str(tmp_path / "ix")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    for i in range(3):
        [line] = [ln for ln in lines if LONG.format(i) in ln]
        assert line.strip().startswith(LONG.format(i)) and line.rstrip().endswith("(indexed as overview)")
    assert any(str(tmp_path / "ix") in ln for ln in lines)  # the index path, whole
    assert "\x1b[" not in out.stdout  # no colour codes into a pipe
