"""``benchmarks/glued_values.py``, the proof that a refactoring moved no glued number, is itself
checked: it reads glue where MyST-NB stores it (under the scrapbook's MIME prefix, Markdown by its
text), and its comparison fails when a value moves or vanishes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import glued_values  # noqa: E402

PREFIX = "application/papermill.record/"


def _glue(name, plain, markdown=None):
    data = {PREFIX + "text/plain": plain}
    if markdown is not None:
        data[PREFIX + "text/markdown"] = markdown
    return {"output_type": "display_data", "data": data,
            "metadata": {"scrapbook": {"name": name, "mime_prefix": PREFIX}}}


def _build(root, outputs):
    notebook = root / ".jupyter_cache" / "executed" / "abc" / "base.ipynb"
    notebook.parent.mkdir(parents=True, exist_ok=True)
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": outputs},
                                              {"cell_type": "markdown"}]}))
    return root


def test_glued_values_reads_plain_and_markdown_glue(tmp_path):
    build = _build(tmp_path, [_glue("auc", "0.786"), _glue("account", "<IPython.core.display.Markdown object>",
                                                            "at width **0.6**"),
                              {"output_type": "stream", "text": "not glue"}])
    assert glued_values.glued_values(build) == {"account": ["at width **0.6**"], "auc": ["0.786"]}


def test_glue_without_text_is_an_error_not_an_empty_value(tmp_path):
    output = _glue("auc", "0.786")
    output["data"] = {PREFIX + "image/png": "..."}
    with pytest.raises(SystemExit, match="glue 'auc' has no"):
        glued_values.glued_values(_build(tmp_path, [output]))


def test_compare_fails_when_a_value_moves_or_vanishes(tmp_path):
    before = tmp_path / "before.json"
    before.write_text(json.dumps({"auc": ["0.786"], "gone": ["1"]}))

    def compare(outputs):
        build = _build(tmp_path / str(len(outputs)) / "_build", outputs)
        return subprocess.run([sys.executable, str(BENCHMARKS / "glued_values.py"), str(build), "--compare",
                               str(before)], capture_output=True, text=True)

    same = compare([_glue("auc", "0.786"), _glue("gone", "1")])
    assert same.returncode == 0 and "0 moved" in same.stdout
    moved = compare([_glue("auc", "0.787")])
    assert moved.returncode == 1 and "moved   auc" in moved.stdout and "gone    gone" in moved.stdout
