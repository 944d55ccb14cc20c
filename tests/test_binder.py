"""What Binder builds from requirements.txt can open and run every chapter as a notebook."""

import re

import jupytext
import pytest
from conftest import REPO, toc_files

CHAPTERS = [name for name in toc_files() if "```{code-cell}" in (REPO / f"{name}.md").read_text()]


def _requirement_names():
    names = set()
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(re.split(r"[=<>!~ ]", line, maxsplit=1)[0].lower())
    return names


def test_binder_environment_has_jupytext_the_package_and_a_kernel():
    lines = (REPO / "requirements.txt").read_text().splitlines()
    assert "-e ./code" in lines, "Binder must install the book's package"
    names = _requirement_names()
    assert {"jupytext", "ipykernel", "jupyter-book"} <= names
    assert all("==" in line for line in lines if line and not line.startswith(("#", "-e"))), "pin every package"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_opens_as_a_notebook_with_the_python_kernel(name):
    notebook = jupytext.read(REPO / f"{name}.md")
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert notebook.metadata["kernelspec"]["language"] == "python"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, f"{name} has no code cells after conversion"
    assert any("xaibook" in cell.source for cell in code), f"{name} does not use the package"


def test_binder_opens_markdown_as_notebooks():
    post_build = REPO / "postBuild"
    assert post_build.is_file() and post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert "jupytext-config set-default-viewer markdown myst" in post_build.read_text()
