"""benchmarks/glued_values.py reads every glued value of a build, in both forms glue stores."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from glued_values import glued_values  # noqa: E402


def _output(name: str, prefix: str, text: str) -> dict:
    """An output as MyST-NB's glue writes it: the value under ``<mime_prefix>text/plain``."""
    return {"output_type": "display_data", "metadata": {"scrapbook": {"name": name, "mime_prefix": prefix}},
            "data": {prefix + "text/plain": text}}


def test_both_glue_forms_are_read(tmp_path):
    """``glue(name, value)`` stores ``text/plain``; ``glue(..., display=False)`` a papermill record."""
    notebook = tmp_path / ".jupyter_cache" / "executed" / "abc" / "base.ipynb"
    notebook.parent.mkdir(parents=True)
    cells = [{"cell_type": "code", "outputs": [
        _output("shown", "", "0.25"),
        _output("hidden", "application/papermill.record/", "105"),
    ]}]
    notebook.write_text(json.dumps({"cells": cells}))
    assert glued_values(tmp_path) == {"hidden": ["105"], "shown": ["0.25"]}
