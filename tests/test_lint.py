"""The code passes the project's lint rules (ruff.toml): `ruff check code tests benchmarks`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _ruff() -> str:
    found = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("ruff is not installed: pip install -r tests/requirements.txt")
    return found


def test_ruff_finds_nothing_in_code_tests_and_benchmarks():
    result = subprocess.run([_ruff(), "check", "--no-cache", "code", "tests", "benchmarks"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_catches_an_unused_import(tmp_path):
    """The configuration is live: a file with an unused import fails the same check."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n")
    result = subprocess.run([_ruff(), "check", "--no-cache", "--config", str(REPO / "ruff.toml"), str(bad)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "F401" in result.stdout
