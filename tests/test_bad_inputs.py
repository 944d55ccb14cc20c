"""The bad-input contract in CI: every case of ``benchmarks/audit_bad_inputs.py`` is one test.

The audit file is the table (CONTRIBUTING.md, "Bad input"): a new method's author adds cases there,
each a small function decorated with ``@case(kind, *names, check=...)`` that calls the package
with one bad input. Here each case runs under the audit's own classifier, with its time limit
(``TIME_LIMIT`` seconds, by SIGALRM) and memory limit, and must come out ``clear``: an error
naming the argument at fault, or a result its ``check`` confirms. ``raw`` (a library's internal
error), ``silent`` (a wrong result) and ``hang`` fail with the classifier's detail. Running the
file as a script still prints the table of outcomes by class.

The case names are read from the file without importing it (collection stays instant); the module
itself, which loads the case studies and cached zoo models, is imported once per worker.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

AUDIT = Path(__file__).resolve().parents[1] / "benchmarks" / "audit_bad_inputs.py"


def _case_names() -> list[str]:
    """Names of the functions decorated with ``@case(...)`` in the audit, in file order."""
    tree = ast.parse(AUDIT.read_text(encoding="utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and any(
        isinstance(d, ast.Call) and getattr(d.func, "id", None) == "case" for d in node.decorator_list)]


@pytest.fixture(scope="session")
def audit():
    spec = importlib.util.spec_from_file_location("audit_bad_inputs", AUDIT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_case_is_collected(audit):
    assert [c.name for c in audit.CASES] == _case_names()


@pytest.mark.parametrize("name", _case_names())
def test_bad_input_gets_a_clear_answer(audit, name):
    case = next(c for c in audit.CASES if c.name == name)
    case.outcome = case.detail = ""
    audit.classify(case)
    assert case.outcome == "clear", f"{case.kind}: {case.outcome}: {case.detail}"
