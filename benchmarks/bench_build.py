"""Time a cold and a warm build of the whole book (run by hand; figures go in the README).

    python benchmarks/bench_build.py

Copies the working tree (without _build) to a temporary folder, builds it there twice with the
README's command and reports wall-clock times, plus the size of each chapter's HTML page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def timed_build(root: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(JUPYTER_BOOK), "build", ".", "-q"], cwd=root, check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "book"
        shutil.copytree(REPO, root, ignore=shutil.ignore_patterns("_build", ".git", ".venv", "__pycache__"))
        # an empty model cache too, so "cold" includes fitting the model zoo as on a new machine
        env = {**os.environ, "XAIBOOK_CACHE_DIR": str(Path(tmp) / "cache")}
        cold = timed_build(root, env)
        warm = timed_build(root, env)
        print(f"cold build (executes every chapter): {cold:6.1f} s")
        print(f"warm build (nothing changed):        {warm:6.1f} s")
        print("\npage sizes:")
        for page in sorted((root / "_build" / "html" / "book").glob("*.html")):
            print(f"  {page.name:40s} {page.stat().st_size / 1024:8.0f} KiB")


if __name__ == "__main__":
    main()
