"""The book's methods against the newest releases of their libraries, not the pins.

    python tests/latest_check.py [--keep] [PYTEST OPTIONS ...]

Makes a throwaway virtual environment (with the Python running this script; use the one
``runtime.txt`` names), installs there the newest release of every direct dependency of the
``xaibook`` package and of its cross-checks (``code/pyproject.toml``'s dependencies, lime, DiCE,
the test tools), runs the method and agreement tests (``METHOD_TESTS``) against them, and prints

1. which libraries moved: every installed distribution whose version differs from its pin in
   ``requirements.txt`` / ``tests/requirements*.txt``, the direct dependencies first;
2. what broke: each failing or erroring test with the last line of its error.

The exit code is pytest's (0: the newest releases pass). The environment is deleted afterwards
unless ``--keep`` is given; fitted models go to the suite's cache (``_build/test-cache``), whose keys
hash the library versions, so the newest releases never reuse a model fitted with the pins.
Nothing in the repository changes: to adopt the new releases, regenerate the pins as
``requirements.txt``'s header says.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Test modules of the methods and of their agreement with scikit-learn, shap, lime and DiCE.
#: They need only the package's own dependencies and the cross-check libraries, not the book's
#: build tools. tests/test_environment.py checks that every test module importing a reference
#: library is listed.
METHOD_TESTS = (
    "test_agreement.py", "test_importance.py", "test_importance_bootstrap.py", "test_dependence.py",
    "test_shapley.py", "test_shapley_trees.py", "test_surrogate.py", "test_counterfactual.py",
    "test_glassbox.py", "test_evaluation.py", "test_overview.py", "test_failures.py",
    "test_unstructured.py", "test_properties.py", "test_models.py", "test_pipeline.py",
    "test_predict.py", "test_adversarial.py", "test_validation_classes.py",
    "test_exercises_importance.py", "test_chapter_claims.py", "test_counterfactual_properties.py",
    "test_reasons.py", "test_faithfulness.py", "test_scale.py",
)
#: Direct dependencies outside code/pyproject.toml: the cross-check libraries, PyYAML (the package's
#: handout and repository modules read YAML) and the test tools. dice-ml installs without its
#: declared dependencies, as tests/requirements-nodeps.txt explains; raiutils is its one import.
EXTRA = ("pyyaml", "lime", "raiutils", "pytest", "pytest-xdist", "hypothesis")
NO_DEPS = ("dice-ml",)
PIN_FILES = ("requirements.txt", "tests/requirements.txt", "tests/requirements-nodeps.txt")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_dependencies() -> list[str]:
    """Names (without version bounds' upper limits) of the direct dependencies to upgrade."""
    declared = tomllib.loads((REPO / "code" / "pyproject.toml").read_text())["project"]["dependencies"]
    return [*declared, *EXTRA]


def pins() -> dict[str, str]:
    """Canonical name -> pinned version, from every requirements file."""
    found = {}
    for name in PIN_FILES:
        for line in (REPO / name).read_text().splitlines():
            match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line.split("#", 1)[0].strip())
            if match:
                found[canonical(match.group(1))] = match.group(2)
    return found


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, check=True, **kwargs)


def moved(python: Path, direct: set[str]) -> list[str]:
    """One line per installed distribution whose version is not its pin, direct dependencies first."""
    listing = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"], check=True,
                             capture_output=True, text=True).stdout
    installed = {canonical(item["name"]): item["version"] for item in json.loads(listing)}
    pinned = pins()
    lines = []
    for name in sorted(installed, key=lambda name: (name not in direct, name)):
        if name in ("pip", "setuptools", "wheel"):
            continue
        old, new = pinned.get(name), installed[name]
        if old != new:
            kind = "direct" if name in direct else "indirect"
            lines.append(f"  {name}: {old or 'not pinned'} -> {new} ({kind})")
    return lines


def broken(report: Path) -> list[str]:
    """One line per failed or erroring test of a JUnit XML report: its id and its error's last line."""
    if not report.is_file():
        return ["  (no report: pytest did not run the tests)"]
    lines = []
    for case in ET.parse(report).getroot().iter("testcase"):
        for outcome in ("failure", "error"):
            problem = case.find(outcome)
            if problem is not None:
                text = (problem.get("message") or problem.text or "").strip().splitlines()
                where = f"{case.get('classname', '')}::{case.get('name', '')}"
                lines.append(f"  {outcome}: {where}: {text[-1][:300] if text else ''}")
    return lines


def main(argv: list[str]) -> int:
    keep = "--keep" in argv
    pytest_options = [arg for arg in argv if arg != "--keep"] or ["-n", "2"]
    missing = [name for name in METHOD_TESTS if not (REPO / "tests" / name).is_file()]
    if missing:
        raise SystemExit(f"METHOD_TESTS names missing files: {missing}")
    workdir = Path(tempfile.mkdtemp(prefix="xaibook-latest-"))
    venv = workdir / "venv"
    python = venv / "bin" / "python"
    try:
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        requirements = direct_dependencies()
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", *requirements])
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "--no-deps", *NO_DEPS])
        direct = {canonical(re.split(r"[<>=!~;\[ ]", item, maxsplit=1)[0]) for item in requirements}
        direct |= {canonical(name) for name in NO_DEPS}
        report = workdir / "report.xml"
        environment = dict(os.environ, PYTHONPATH=str(REPO / "code"))
        environment.pop("XAIBOOK_CACHE_DIR", None)  # the suite's own cache (tests/conftest.py)
        tests = [str(REPO / "tests" / name) for name in METHOD_TESTS]
        command = [str(python), "-m", "pytest", "-q", "-m", "not book",
                   f"--junitxml={report}", *pytest_options, *tests]
        print("$", " ".join(command), flush=True)
        status = subprocess.run(command, cwd=REPO, env=environment).returncode
        print(f"\nPython {sys.version.split()[0]}. Libraries that moved from their pins:")
        print("\n".join(moved(python, direct)) or "  none: the pins are the newest releases")
        failures = broken(report)
        print(f"\nWhat broke ({len(failures)}):\n" + "\n".join(failures) if failures else "\nWhat broke: nothing")
        print(f"\nlatest check: pytest exit code {status}"
              + (f"; environment kept in {venv}" if keep else ""))
        return status
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
