"""The guide checks itself: every path, module and ``:pyobject:`` target that CONTRIBUTING.md, the
package docstring or a chapter names still resolves, without building the book.

A renamed function shown by a chapter's ``literalinclude``, a moved file, a module left out of the
maps: each fails here in a second, instead of in the whole-book build (or never, for the guide).
"""

from __future__ import annotations

import ast
import importlib
import itertools
import pkgutil
import re
from pathlib import Path

import pytest

import xaibook

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "code" / "xaibook"
BOOK = REPO / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.md")) + sorted(BOOK.glob("appendix_*.md"))
GUIDE = REPO / "CONTRIBUTING.md"
TEMPLATE = REPO / "docs" / "CHAPTER_TEMPLATE.md"

#: The package's top-level modules and subpackages (``charts``, ``glassbox``, ``_validation``, ...).
TOP_MODULES = sorted(info.name for info in pkgutil.iter_modules(xaibook.__path__))
#: Where a bare file name of the guide lives, by its pattern.
FOLDERS = [(re.compile(r"^test_.*\.py$"), REPO / "tests"), (re.compile(r"^bench_.*\.py$"), REPO / "benchmarks"),
           (re.compile(r"^\d\d_.*\.md$"), BOOK), (re.compile(r".*\.py$"), PACKAGE), (re.compile(r".*"), REPO),
           (re.compile(r".*\.(js|css)$"), PACKAGE / "static")]
#: Sections of CONTRIBUTING.md whose tables list *old* names in their first column (history).
HISTORY_SECTIONS = ("Where each piece of the old layout went",)


# ------------------------------------------------------------------------------------------ helpers
def _pyobject_exists(path: Path, target: str) -> bool:
    """Does ``path`` define ``target`` (``name`` or ``Class.method``), as Sphinx's ``:pyobject:`` reads it?"""
    body = ast.parse(path.read_text()).body
    for part in target.split("."):
        found = [node for node in body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                 and node.name == part]
        if not found:
            return False
        body = found[0].body
    return True


def _resolves(dotted: str) -> bool:
    """Is ``dotted`` (``xaibook.a.b``, or ``a.b`` relative to the package) a module or an attribute of one?"""
    parts = dotted.split(".")
    if parts[0] == "xaibook":
        parts = parts[1:]
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module("xaibook." + ".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        try:
            for name in parts[cut:]:
                obj = getattr(obj, name)
        except AttributeError:
            return False
        return True
    return not parts


def _expand(token: str) -> list[str]:
    """``test_{a,b}.py`` -> ``test_a.py``, ``test_b.py`` (shell brace expansion, one level)."""
    match = re.search(r"\{([^{}]*,[^{}]*)\}", token)
    if not match:
        return [token]
    return [token[:match.start()] + choice + token[match.end():] for choice in match.group(1).split(",")]


def _file_exists(token: str) -> bool:
    if "/" in token:
        candidates = [REPO / token, REPO / "code" / token, PACKAGE / token, REPO / "tests" / token]
    else:
        candidates = [folder / token for pattern, folder in FOLDERS if pattern.match(token)]
    return any(list(c.parent.glob(c.name)) if "*" in c.name else c.exists() for c in candidates)


PATH = re.compile(r"^[\w./*{},-]+\.(py|md|yml|txt|js|css|bib|cff)$|^[\w./-]+/$")
DOTTED = re.compile(r"^(xaibook\.)?(" + "|".join(map(re.escape, TOP_MODULES)) + r")(\.[A-Za-z_]\w*)+$")


def _guide_tokens(text: str) -> list[str]:
    """Code spans of a Markdown page, leaving out the old names in the history tables' first column."""
    tokens, section = [], ""
    for line in text.splitlines():
        if line.startswith("#"):
            section = line.lstrip("# ").strip()
        if line.startswith("|") and section in HISTORY_SECTIONS:
            line = "|".join(line.split("|")[2:])
        tokens += re.findall(r"`([^`\n]+)`", line)
    return tokens


def _references(tokens: list[str]) -> tuple[list[str], list[str]]:
    """The paths and the dotted package names among ``tokens`` (templates like ``<key>`` skipped)."""
    paths, names = [], []
    for token in tokens:
        token = token.strip().removesuffix("()")
        if "<" in token or "…" in token or " " in token:
            continue
        if PATH.match(token):
            paths += _expand(token)
        elif DOTTED.match(token):
            names.append(token)
    return paths, names


# ------------------------------------------------------------------------------------------ chapters
LITERALINCLUDE = re.compile(r"```\{literalinclude\}\s+(\S+)\s*\n((?::[\w-]+:.*\n)*)")
INCLUDES = [(chapter, match.group(1), dict(re.findall(r":([\w-]+):\s*(.*)", match.group(2))))
            for chapter in CHAPTERS for match in LITERALINCLUDE.finditer(chapter.read_text())]


def test_the_chapters_show_code():
    assert len(INCLUDES) >= 20, "the literalinclude pattern no longer matches the chapters"


@pytest.mark.parametrize("chapter, path, options", INCLUDES,
                         ids=[f"{c.stem}:{o.get('pyobject', p)}" for c, p, o in INCLUDES])
def test_every_literalinclude_resolves_to_a_public_object(chapter, path, options):
    source = (chapter.parent / path).resolve()
    assert source.is_file(), f"{chapter.name} includes {path}, which does not exist"
    target = options.get("pyobject")
    if target is not None:
        assert _pyobject_exists(source, target), f"{chapter.name}: {path} defines no {target}"
        assert not any(part.startswith("_") for part in target.split(".")), \
            f"{chapter.name} shows {target}, a private name: show public reference code"


CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)


def _chapter_imports(chapter: Path) -> dict[str, str]:
    """Every package name a chapter's code cells import: local name -> ``xaibook.<module>[.<attribute>]``."""
    names = {}
    for cell in CODE_CELL.findall(chapter.read_text()):
        cell = re.sub(r"\A---\n.*?^---\n", "", cell, flags=re.M | re.S)      # the cell's YAML options
        code = "\n".join(line for line in cell.splitlines() if not line.startswith((":", "%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "xaibook":
                names.update({alias.asname or alias.name: f"{node.module}.{alias.name}" for alias in node.names})
            elif isinstance(node, ast.Import):
                names.update({alias.asname or alias.name: alias.name for alias in node.names
                              if alias.name.split(".")[0] == "xaibook"})
    return names


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_every_package_name_a_chapter_uses_resolves(chapter):
    """Its imports, and the names its prose gives in code spans (``exercises.check_x`` through the
    chapter's own ``from xaibook.exercises import <key> as exercises``)."""
    imported = _chapter_imports(chapter)
    missing = [target for target in imported.values() if not _resolves(target)]
    for token in re.findall(r"`([^`\n]+)`", chapter.read_text()):
        token = token.strip().removesuffix("()")
        head, _, rest = token.partition(".")
        if rest and head in imported and re.fullmatch(r"[\w.]+", token):
            name = f"{imported[head]}.{rest}"
        elif DOTTED.match(token):
            name = token
        else:
            continue
        if not _resolves(name):
            missing.append(token)
    assert imported, f"{chapter.name} imports nothing from xaibook"
    assert not missing, f"{chapter.name} names what the package no longer has: {missing}"


# ------------------------------------------------------------------------------------------ the guide
@pytest.mark.parametrize("page", [GUIDE, TEMPLATE], ids=["CONTRIBUTING", "CHAPTER_TEMPLATE"])
def test_every_path_and_name_the_guide_gives_resolves(page):
    paths, names = _references(_guide_tokens(page.read_text()))
    assert len(paths) + len(names) >= (50 if page == GUIDE else 1)
    missing = [p for p in paths if not _file_exists(p)] + [n for n in names if not _resolves(n)]
    assert not missing, f"{page.name} names what no longer exists: {missing}"


def test_the_guide_names_every_module_and_points_at_the_template():
    text = GUIDE.read_text()
    unnamed = [m for m in TOP_MODULES if not re.search(rf"`{m}(\.py|/)?`|`{m}[/.(` ]", text)]
    assert not unnamed, f"CONTRIBUTING.md's module map leaves out {unnamed}"
    assert "docs/CHAPTER_TEMPLATE.md" in text and TEMPLATE.is_file()


# ------------------------------------------------------------------------------------------ the package docstring
def test_the_package_docstring_maps_every_module():
    mapped = re.findall(r"^``(\w+)``\s+\S", xaibook.__doc__, re.M)
    unknown = [m for m in mapped if m not in TOP_MODULES]
    assert not unknown, f"the package docstring maps modules that do not exist: {unknown}"
    assert len(mapped) == len(set(mapped)), "the package docstring maps a module twice"
    unmapped = [m for m in TOP_MODULES if m not in mapped]
    assert not unmapped, f"the package docstring's module map leaves out {unmapped}"


def test_the_checks_can_fail(tmp_path):
    """The helpers reject what does not exist (so the tests above are not vacuous)."""
    source = tmp_path / "m.py"
    source.write_text("class A:\n    def f(self):\n        pass\n\ndef g():\n    pass\n")
    assert _pyobject_exists(source, "A.f") and _pyobject_exists(source, "g")
    assert not _pyobject_exists(source, "A.g") and not _pyobject_exists(source, "f")
    assert _resolves("shapley.kernel_shap") and _resolves("xaibook.charts.shapley.linked_chart")
    assert not _resolves("shapley.no_such_function") and not _resolves("charts.shap.no_such_chart")
    assert not _file_exists("charts/no_such_module.py") and not _file_exists("test_no_such_thing.py")
    assert _references(["charts/{a,b}.py", "shapley.kernel_shap", "<key>.py", "not a path"]) == (
        ["charts/a.py", "charts/b.py"], ["shapley.kernel_shap"])
    assert list(itertools.chain(_expand("x"))) == ["x"]
