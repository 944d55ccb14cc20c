"""The package as users install it: a built wheel holds the Sphinx extension's static files, the
datasets, the type marker and every subpackage (an editable install hides missing package data)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

CODE = Path(__file__).resolve().parents[1] / "code"


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    source = tmp_path_factory.mktemp("source") / "code"
    shutil.copytree(CODE, source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("xaibook-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_has_the_sphinx_extension_static_files(wheel_names):
    for static in sorted(p.name for p in (CODE / "xaibook" / "static").iterdir()):
        assert f"xaibook/static/{static}" in wheel_names


def test_wheel_has_the_datasets_and_their_provenance(wheel_names):
    for data_file in sorted(p.name for p in (CODE / "xaibook" / "datasets").iterdir()):
        assert f"xaibook/datasets/{data_file}" in wheel_names


def test_wheel_has_every_module_and_the_type_marker(wheel_names):
    assert "xaibook/py.typed" in wheel_names
    modules = {str(p.relative_to(CODE)) for p in (CODE / "xaibook").rglob("*.py")}
    assert modules and modules <= wheel_names
