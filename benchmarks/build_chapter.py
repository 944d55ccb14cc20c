"""Build one chapter on its own, fast, for authors: ``python benchmarks/build_chapter.py book/03_x.md``.

The whole book is built by ``jupyter-book build .``; while writing one chapter it is quicker to
build just that page, with the book's own configuration and warnings as errors, in a scratch
directory (default ``_build/one/<chapter>``) that never disturbs the main build or its cache.
Prints the path of the HTML page and exits non-zero on any warning or cell error.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", help="path of the chapter, e.g. book/03_permutation_importance.md")
    parser.add_argument("--out", help="scratch directory (default _build/one/<chapter name>)")
    args = parser.parse_args()

    chapter = Path(args.chapter).resolve()
    if not chapter.is_file():
        parser.error(f"{args.chapter} does not exist")
    name = chapter.stem
    scratch = Path(args.out) if args.out else REPO / "_build" / "one" / name
    scratch.mkdir(parents=True, exist_ok=True)

    # A mirror of the repository in which only this chapter is in the table of contents.
    for item in ("book", "code"):
        link = scratch / item
        if link.is_symlink() or link.exists():
            link.unlink() if link.is_symlink() else shutil.rmtree(link)
        link.symlink_to(REPO / item)
    shutil.copy(REPO / "_config.yml", scratch / "_config.yml")
    toc = {"format": "jb-book", "root": f"book/{name}",
           "parts": [{"caption": "Back matter", "chapters": [{"file": "book/glossary"}]}]}
    (scratch / "_toc.yml").write_text(yaml.safe_dump(toc))

    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jupyter_book), "build", str(scratch), "-W", "-n", "--keep-going"],
                            text=True, capture_output=True)
    print(result.stdout[-6000:])
    print(result.stderr[-6000:], file=sys.stderr)
    page = scratch / "_build" / "html" / "book" / f"{name}.html"
    print(f"page: {page}" if page.exists() else "no page was written")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
