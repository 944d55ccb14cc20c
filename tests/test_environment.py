"""The Python the book runs on: README, runtime.txt, CI and the pins agree; the "latest" check.

``runtime.txt`` names the one Python version Binder and ``.ci/run`` use; README's "two commands"
section says which versions are supported and starts both commands from ``python3 -m venv``;
``.ci/run`` finds the ``runtime.txt`` interpreter with ``.ci/find-python`` and runs README's
command 2 verbatim in a venv made with it.
"""

import os
import re
import subprocess
import sys
from importlib import metadata

import pytest
from conftest import REPO
from packaging.specifiers import SpecifierSet
from packaging.version import Version

README = (REPO / "README.md").read_text()
CI_RUN = (REPO / ".ci" / "run").read_text()
FIND_PYTHON = REPO / ".ci" / "find-python"
VENV_STEP = "python3 -m venv .venv && . .venv/bin/activate && "
REFERENCE_IMPORT = re.compile(r"^\s*(import|from) (shap|lime|dice_ml|sklearn\.inspection)\b"
                              r"|importorskip\(\"(shap|lime|dice_ml)|shap_module\(", re.MULTILINE)


def runtime_version() -> str:
    text = (REPO / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", text)
    assert match, f"runtime.txt says {text!r}; Binder and .ci/run expect python-3.N"
    return match.group(1)


def supported_versions() -> list[str]:
    """The versions README's "two commands" section names: 'Supported: Python 3.12 and 3.13.'"""
    section = README.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"Supported: Python (3\.\d+(?:(?:, | and | or )3\.\d+)*)\.", section)
    assert match, "README's two commands section must say 'Supported: Python 3.N and 3.M.'"
    return re.findall(r"3\.\d+", match.group(1))


def readme_commands(text: str = README) -> dict[str, str]:
    """The numbered commands of README (or a page): '1' -> the command line under '# 1. ...'."""
    return dict(re.findall(r"^# (\d)\. .*\n(.+)$", text, re.MULTILINE))


def test_runtime_python_is_one_readme_supports():
    supported = supported_versions()
    assert runtime_version() in supported, f"runtime.txt's {runtime_version()} is not in README's {supported}"
    assert f"`runtime.txt` names python-{runtime_version()}" in README
    requires = SpecifierSet(re.search(r'requires-python = "([^"]+)"',
                                      (REPO / "code" / "pyproject.toml").read_text()).group(1))
    assert all(Version(version) in requires for version in supported), f"code/pyproject.toml: {requires}"


def test_readme_commands_start_from_python3_venv():
    commands = readme_commands()
    for number in ("1", "2"):
        assert commands[number].startswith(VENV_STEP), f"command {number}: {commands[number]}"


def test_running_page_shows_readmes_commands_and_versions():
    page = (REPO / "book" / "running.md").read_text()
    shown = readme_commands(page)
    assert {number: shown.get(number) for number in ("1", "2")} == \
        {number: readme_commands()[number] for number in ("1", "2")}
    words = " ".join(page.split())
    assert f"You need Python {' or '.join(supported_versions())} and `git`" in words
    assert f"on Python {runtime_version()} as `runtime.txt` asks" in words


def test_ci_runs_command_2_in_a_venv_of_runtime_python():
    command = readme_commands()["2"].removeprefix(VENV_STEP)
    assert f"\n{command}\n" in CI_RUN, "`.ci/run` must run README's command 2 verbatim after its venv step"
    assert '"$python" -m venv .venv' in CI_RUN and "python=$(bash .ci/find-python)" in CI_RUN
    assert "python3 -m venv" not in CI_RUN, "CI's venv must use runtime.txt's Python, not whatever python3 is"
    assert "runtime.txt" in FIND_PYTHON.read_text()


def test_this_suite_runs_on_a_supported_python_and_ci_on_runtimes():
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert running in supported_versions(), \
        f"Python {running} runs the suite; README supports {supported_versions()}"
    if os.environ.get("CI"):
        assert running == runtime_version(), f"CI runs Python {running}; runtime.txt names {runtime_version()}"


def _find_python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(FIND_PYTHON), "--no-install", *args], capture_output=True,
                          text=True, timeout=60)


def test_find_python_prints_an_interpreter_of_runtime_version_or_says_what_to_install():
    result = _find_python()
    version = runtime_version()
    if result.returncode != 0:
        assert f"Install Python {version}" in result.stderr, result.stderr
        pytest.skip(f"no Python {version} on this machine: {result.stderr.strip()}")
    interpreter = result.stdout.strip()
    printed = subprocess.run([interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert printed == version, f"{interpreter} is Python {printed}, runtime.txt names {version}"


def test_find_python_fails_clearly_without_an_interpreter():
    result = _find_python("3.99")
    assert result.returncode == 1 and result.stdout == ""
    assert "No Python 3.99 interpreter" in result.stderr and "Install Python 3.99" in result.stderr


def _pinned() -> dict[str, str]:
    pins = {}
    for name in ("requirements.txt", "tests/requirements.txt", "tests/requirements-nodeps.txt"):
        for line in (REPO / name).read_text().splitlines():
            match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)$", line.strip())
            if match:
                pins[match.group(1)] = match.group(2)
    return pins


def test_every_pin_admits_every_supported_python():
    """Each pinned distribution's Requires-Python (installed metadata) admits README's versions."""
    refused = []
    pins = _pinned()
    for name, version in sorted(pins.items()):
        distribution = metadata.distribution(name)
        assert distribution.version == version, \
            f"{name}: installed {distribution.version}, pinned {version}; reinstall the requirements"
        requires = distribution.metadata.get("Requires-Python")
        refused += [f"{name}=={version} requires Python {requires}" for supported in supported_versions()
                    if requires and Version(supported) not in SpecifierSet(requires)]
    assert len(pins) > 80
    assert refused == [], f"README supports {supported_versions()}, but: " + "; ".join(refused)


def test_latest_check_runs_every_module_that_compares_with_a_reference_library():
    sys.path.insert(0, str(REPO / "tests"))
    try:
        from latest_check import METHOD_TESTS
    finally:
        sys.path.remove(str(REPO / "tests"))
    assert all((REPO / "tests" / name).is_file() for name in METHOD_TESTS), METHOD_TESTS
    comparing = {path.name for path in (REPO / "tests").glob("test_*.py")
                 if REFERENCE_IMPORT.search(path.read_text())}
    assert len(comparing) >= 5
    assert comparing <= set(METHOD_TESTS), f"add to latest_check.METHOD_TESTS: {sorted(comparing - set(METHOD_TESTS))}"
