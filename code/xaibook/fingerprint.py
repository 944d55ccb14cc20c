"""A fingerprint of everything that can change what the book's code cells compute.

Jupyter Book's execution cache hashes only the text of code cells. A chapter whose cells are
unchanged but whose numbers come from :mod:`xaibook` would keep stale outputs after a change to the
package or its data. The fingerprint (package sources and data files, plus the versions of the
libraries whose results the book shows) lets the Sphinx extension notice. (The model cache
has its own, narrower key: :func:`xaibook.models.cache_key`.)
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

__all__ = [
    "PACKAGE_DIR", "TRACKED_DISTRIBUTIONS", "NOT_EXECUTED", "compute_fingerprint", "package_fingerprint",
    "static_fingerprint",
]

PACKAGE_DIR = Path(__file__).resolve().parent

#: Libraries whose upgrades can change a number or a chart in the book.
TRACKED_DISTRIBUTIONS = (
    "numpy", "pandas", "scipy", "scikit-learn", "shap", "lime", "altair", "vl-convert-python",
)

_SKIPPED_PARTS = {"__pycache__"}

#: Files that change how the site is built or printed, never what a code cell computes: the browser's
#: JavaScript and CSS (``static/``), the Sphinx extension, the page placeholders and the PDF handout.
#: Editing them must not re-execute every chapter (the Sphinx extension copies ``static/`` by its own
#: stamp, :func:`static_fingerprint`).
NOT_EXECUTED = {"static", "sphinxext.py", "repository.py", "handout.py"}


def _package_files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not _SKIPPED_PARTS.intersection(p.relative_to(root).parts)
        and p.relative_to(root).parts[0] not in NOT_EXECUTED
        and p.suffix not in {".pyc", ".pyo"}
    )


def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def compute_fingerprint(root: Path = PACKAGE_DIR) -> str:
    """SHA-256 over the package's files (path and bytes) and the tracked library versions."""
    digest = hashlib.sha256()
    for path in _package_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    for name in TRACKED_DISTRIBUTIONS:
        digest.update(f"{name}=={_distribution_version(name)}\n".encode())
    return digest.hexdigest()


def static_fingerprint(root: Path = PACKAGE_DIR) -> str:
    """SHA-256 of the files the site serves from the package (``static/``) and of the package
    fingerprint (the Vega bundle's version is a tracked library)."""
    digest = hashlib.sha256(compute_fingerprint(root).encode())
    for path in sorted((root / "static").rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """The fingerprint of the installed package, computed once per process."""
    return compute_fingerprint()
