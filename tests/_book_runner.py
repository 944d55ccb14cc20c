"""Run the whole-book build, then (optionally) print the PDF handout; record each exit code in a file.

Started in the background by ``conftest.py`` as soon as collection shows that selected tests need
the book, and then left alone: test processes (one or several pytest-xdist workers) wait for the
files it writes in RUN_DIR, so it does not matter which process started it or whether that
process is still alive.

    python tests/_book_runner.py RUN_DIR [--handout] -- BUILD COMMAND ...

RUN_DIR/returncode      the build's exit code, written as soon as the build ends
RUN_DIR/handout.txt     the handout's output
RUN_DIR/handout-returncode   its exit code (printing starts only after a successful build)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def record(path: Path, code: int) -> None:
    """Write ``code`` to ``path`` atomically, so a reader never sees an empty file."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(str(code))
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    separator = argv.index("--")
    options, command = argv[:separator], argv[separator + 1:]
    run_dir = Path(options[0])
    code = subprocess.call(command)
    record(run_dir / "returncode", code)
    if "--handout" in options and code == 0:
        with open(run_dir / "handout.txt", "w") as out:
            handout_code = subprocess.call([sys.executable, "-m", "xaibook.handout"], stdout=out,
                                           stderr=subprocess.STDOUT)
        record(run_dir / "handout-returncode", handout_code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
