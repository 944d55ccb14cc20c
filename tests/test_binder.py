"""What Binder builds from requirements.txt can open and run every chapter as a notebook.

Binder turns the repository into an image with repo2docker. ``jupyter-repo2docker --no-build
--debug --no-run`` prints the Dockerfile it would build without Docker or network; the tests below
read that recipe and check it against the pinned environment.
"""

import json
import re
import subprocess
import sys
import time
import tomllib
from importlib import metadata
from pathlib import Path

import jupytext
import pytest
from conftest import REPO, toc_files
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

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


# --- The image recipe, generated offline by repo2docker ------------------------------------------

REPO2DOCKER = Path(sys.executable).parent / "jupyter-repo2docker"
#: conda-forge names of base-environment packages whose PyPI name differs.
CONDA_TO_PYPI = {"jupyterhub-base": "jupyterhub", "nbconvert-core": "nbconvert",
                 "brotli-python": "brotli", "python-fastjsonschema": "fastjsonschema"}
#: conda packages of the base environment that pip does not manage (cpython: the interpreter's
#: metapackage in the locks of Python 3.13 and later).
NOT_PIP = {"python", "cpython", "python_abi", "pip"}


def _pins() -> dict[str, str]:
    """Canonical name -> pinned version, for every ``name==version`` line of requirements.txt."""
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


@pytest.fixture(scope="module")
def recipe() -> str:
    """The Dockerfile repo2docker would build for this repository (stdout of --no-build)."""
    if not REPO2DOCKER.exists():
        pytest.fail("jupyter-repo2docker is missing: pip install -r tests/requirements.txt")
    result = subprocess.run([str(REPO2DOCKER), "--no-build", "--debug", "--no-run", str(REPO)],
                            capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Python version unspecified" not in result.stderr, result.stderr[-3000:]
    return result.stdout


def _build_context_name(path: Path) -> str:
    """The name repo2docker gives a host file in its Docker build context.

    ``BuildPack.generate_build_context_filename``: the absolute path escaped (every character but
    ASCII letters and digits as ``-XX``), truncated, a dash and the first 6 hex digits of the
    path's SHA-256, all lower-cased. The lower-casing loses information (a home folder such as
    ``/home/Alice``), so the tests compare names in this direction and never unescape one.
    """
    import hashlib
    import string

    import escapism

    text = str(path)
    slug = escapism.escape(text, safe=set(string.ascii_letters + string.digits), escape_char="-")
    return f"{slug[:255 - 6 - 20]}-{hashlib.sha256(text.encode()).hexdigest()[:6]}".lower()


# repo2docker 2026.4 imports python-json-logger's old module name, which warns on import.
@pytest.mark.filterwarnings("ignore:pythonjsonlogger.jsonlogger has been moved:DeprecationWarning")
def test_build_context_name_is_repo2dockers_for_any_home_folder():
    """Capitals and spaces (``/home/Alice Smith``) are where unescaping the lower-cased name failed."""
    from repo2docker.buildpacks.base import BuildPack

    for path in (Path("/home/Alice Smith/.venv/lib/env.lock"), Path("/Users/BOB/venv/é-x_1.lock"),
                 Path("/srv/" + "Deep/" * 80 + "e.lock")):
        name, _ = BuildPack.generate_build_context_filename(str(path))
        assert name == f"build_script_files/{_build_context_name(path)}"


@pytest.fixture(scope="module")
def base_lock(recipe) -> Path:
    """The conda lock file of repo2docker's base environment that the recipe installs."""
    import importlib.util

    match = re.search(r"^COPY \S+ build_script_files/(\S+) /tmp/env/environment\.lock$", recipe,
                      re.MULTILINE)
    assert match, "the recipe installs no conda base environment"
    package = Path(importlib.util.find_spec("repo2docker").origin).parent  # without importing it
    candidates = sorted(package.rglob("*.lock"))
    found = [path for path in candidates if _build_context_name(path) == match.group(1)]
    assert len(found) == 1, f"{match.group(1)} names none of repo2docker's {len(candidates)} lock files"
    return found[0]


def _lock_packages(lock: Path) -> dict[str, tuple[str, str]]:
    """conda name -> (version, build string) of every package in an explicit conda lock file."""
    packages = {}
    for url in re.findall(r"^https://\S+", lock.read_text(), re.MULTILINE):
        filename = re.sub(r"\.(conda|tar\.bz2)$", "", url.split("#", 1)[0].rsplit("/", 1)[1])
        name, version, build = filename.rsplit("-", 2)
        packages[name] = (version, build)
    return packages


def _python_version(lock: Path) -> Version:
    return Version(_lock_packages(lock)["python"][0])


def test_binder_python_is_pinned_by_runtime_txt(base_lock):
    """The image's Python is the version runtime.txt names (tests/test_environment.py: README, CI)."""
    runtime = (REPO / "runtime.txt").read_text().strip()
    python = _python_version(base_lock)
    assert runtime == f"python-{python.major}.{python.minor}", f"runtime.txt {runtime}, image {python}"
    assert not (REPO / "binder").exists() and not (REPO / ".binder").exists(), \
        "a binder/ folder would make repo2docker ignore the files at the root"


def test_recipe_python_satisfies_every_pinned_package(base_lock):
    """The image's Python is inside every pinned distribution's Requires-Python (installed metadata)."""
    python = _python_version(base_lock)
    pins = _pins()
    checked, refused = 0, []
    for name, version in sorted(pins.items()):
        distribution = metadata.distribution(name)
        assert distribution.version == version, \
            f"{name}: installed {distribution.version}, pinned {version}; reinstall requirements.txt"
        requires = distribution.metadata.get("Requires-Python")
        if requires and python not in SpecifierSet(requires):
            refused.append(f"{name}=={version} requires Python {requires}")
        checked += 1
    own = tomllib.loads((REPO / "code" / "pyproject.toml").read_text())["project"]["requires-python"]
    if python not in SpecifierSet(own):
        refused.append(f"xaibook requires Python {own}")
    assert checked == len(pins) > 50
    assert refused == [], f"the image's Python {python} is refused by: " + "; ".join(refused)


def test_recipe_copies_the_repository_before_installing_requirements(recipe):
    install = re.search(r"^RUN .*pip install .*-r \"?requirements\.txt\"?", recipe, re.MULTILINE)
    copy_all = re.search(r"^COPY (--chown=\S+ )?src/ \$\{REPO_DIR\}/$", recipe, re.MULTILINE)
    assert install, "the recipe does not install requirements.txt"
    assert copy_all and copy_all.start() < install.start(), \
        "the whole repository must be in the image before pip reads `-e ./code`"


def test_recipe_runs_postbuild_after_installing_requirements(recipe):
    install = re.search(r"^RUN .*pip install .*-r \"?requirements\.txt\"?", recipe, re.MULTILINE)
    post_build = re.search(r"^RUN \./postBuild$", recipe, re.MULTILINE)
    assert post_build, "the recipe does not run postBuild"
    assert post_build.start() > install.start(), "postBuild needs jupytext from requirements.txt"


def _image_environment(lock: Path) -> list[str]:
    """The Python packages of the image after ``pip install -r requirements.txt``.

    Our pins replace the base environment's versions of the same packages; every other Python
    package of the base environment (conda build strings starting with ``py``) stays at its locked
    version. ``-e ./code`` stands for the package's declared dependencies.
    """
    pins = _pins()
    lines = [f"{name}=={version}" for name, version in sorted(pins.items())]
    lines += tomllib.loads((REPO / "code" / "pyproject.toml").read_text())["project"]["dependencies"]
    for conda_name, (version, build) in sorted(_lock_packages(lock).items()):
        name = canonicalize_name(CONDA_TO_PYPI.get(conda_name, conda_name))
        if build.startswith("py") and conda_name not in NOT_PIP and name not in pins:
            lines.append(f"{name}=={version}")
    return lines


def test_image_environment_lists_the_jupyter_server(base_lock):
    lines = _image_environment(base_lock)
    for server in ("jupyterlab", "notebook", "jupyter-server", "jupyterhub"):
        assert any(line.startswith(f"{server}==") for line in lines), server
    assert "numpy==" + _pins()["numpy"] in lines


@pytest.mark.registry
def test_pins_resolve_with_repo2dockers_jupyter_server(base_lock, tmp_path):
    """pip resolves our pins together with the base environment, JupyterLab included, for its Python.

    This asks the package index for metadata (no install, ``--dry-run``): about 10-25 s.
    """
    python = _python_version(base_lock)
    if sys.version_info[:2] != python.release[:2]:
        pytest.skip(f"resolving for the image's Python {python} needs a Python "
                    f"{python.major}.{python.minor} interpreter (lime ships only a source archive)")
    requirements = tmp_path / "image.txt"
    requirements.write_text("\n".join(_image_environment(base_lock)) + "\n")
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
               "--prefer-binary", "--quiet", "--timeout", "30", "--retries", "2", "--report", str(report),
               "-r", str(requirements)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - started
    output = result.stdout + result.stderr
    offline = ("NewConnectionError", "Temporary failure in name resolution", "Network is unreachable")
    if result.returncode != 0 and any(text in output for text in offline):
        pytest.skip(f"the package index cannot be reached ({elapsed:.0f} s): {output[-500:]}")
    assert result.returncode == 0, f"pip cannot resolve the image's environment:\n{output[-4000:]}"
    installed = {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
                 for item in json.loads(report.read_text())["install"]}
    assert installed["jupyterlab"] == _lock_packages(base_lock)["jupyterlab"][0]
    assert installed["numpy"] == _pins()["numpy"]
