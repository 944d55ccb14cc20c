"""Every glued value of a build, to prove a refactoring changed no number the book prints.

``python benchmarks/glued_values.py _build > before.json`` reads the executed notebooks in the
build's Jupyter cache (``<build>/.jupyter_cache/executed/*/base.ipynb``) and prints each glue
name with the plain-text form of its value (the form the page shows). After the change, build again
and compare: ``python benchmarks/glued_values.py _build --compare before.json`` lists every name
whose value moved, appeared or vanished, and exits non-zero if any did.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _plain_text(output: dict, scrapbook: dict) -> str:
    """The text of one glue output, stored under the scrapbook's MIME prefix.

    MyST-NB's ``glue`` records ``<mime_prefix>text/plain`` (``application/papermill.record/``), and
    for a ``Markdown`` value also ``<mime_prefix>text/markdown``, whose text is what the page shows
    (its plain form is only ``<IPython.core.display.Markdown object>``): the Markdown is read
    first. An output with neither is an error, never an empty string that would compare equal to
    any other.
    """
    prefix, data = scrapbook.get("mime_prefix", ""), output.get("data", {})
    for key in (prefix + "text/markdown", prefix + "text/plain"):
        if key in data:
            text = data[key]
            return "".join(text) if isinstance(text, list) else text
    raise SystemExit(f"glue {scrapbook['name']!r} has no {prefix}text/plain output (found {sorted(data)})")


def glued_values(build: Path) -> dict[str, list[str]]:
    """Glue name -> the plain-text values stored under that name (one per chapter that glues it)."""
    notebooks = sorted((build / ".jupyter_cache" / "executed").glob("*/base.ipynb"))
    if not notebooks:
        raise SystemExit(f"no executed notebooks under {build / '.jupyter_cache'}: build the book first")
    values: dict[str, list[str]] = {}
    for path in notebooks:
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                scrapbook = output.get("metadata", {}).get("scrapbook", {})
                if "name" in scrapbook:
                    values.setdefault(scrapbook["name"], []).append(_plain_text(output, scrapbook))
    return {name: sorted(found) for name, found in sorted(values.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="the build directory holding .jupyter_cache (e.g. _build)")
    parser.add_argument("--compare", type=Path, help="a JSON file written by an earlier run")
    args = parser.parse_args()
    now = glued_values(args.build)
    if args.compare is None:
        json.dump(now, sys.stdout, indent=1)
        return 0
    before = json.loads(args.compare.read_text())
    moved = sorted(name for name in before.keys() & now.keys() if before[name] != now[name])
    for name in moved:
        print(f"moved   {name}: {before[name]} -> {now[name]}")
    for name in sorted(before.keys() - now.keys()):
        print(f"gone    {name}")
    for name in sorted(now.keys() - before.keys()):
        print(f"new     {name}")
    print(f"{len(now)} glued names, {len(moved)} moved")
    return 1 if moved or before.keys() - now.keys() else 0


if __name__ == "__main__":
    sys.exit(main())
