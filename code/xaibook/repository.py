"""One place for the repository's home: ``repository.url`` in ``_config.yml``.

Jupyter Book builds the Binder links and the repository button from that key. The book's own pages
(the how-to-cite page, "Running the book") write ``{{ repository_url }}`` and
``{{ repository_name }}``, which the Sphinx extension replaces with the configured values when it
reads a page (:func:`fill_placeholders`), so they follow the key too. Two files are read straight
from the repository by GitHub and reference managers and cannot be templated: ``CITATION.cff`` and
``README.md``. :func:`set_repository_url` rewrites the URL in all three files at once, so a fork
sets its home with one command::

    python -m xaibook.repository https://github.com/<owner>/<name>

and ``tests/test_repository.py`` checks that every place agrees with ``_config.yml``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

#: Files that carry the repository URL literally (everything else is generated from the config).
LITERAL_FILES = ("_config.yml", "CITATION.cff", "README.md")

#: Placeholders a page may use; replaced when the page is read (see :func:`fill_placeholders`).
URL_PLACEHOLDER = "{{ repository_url }}"
NAME_PLACEHOLDER = "{{ repository_name }}"

_GITHUB_REPO = re.compile(r"^https://github\.com/(?P<owner>[A-Za-z0-9_.-]+)/(?P<name>[A-Za-z0-9_.-]+)$")
#: A GitHub repository URL anywhere in a text (owner/name, no further path).
GITHUB_URL_IN_TEXT = re.compile(r"https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?![A-Za-z0-9_./-])")


def check_url(url: str) -> str:
    """Return ``url`` if it is a GitHub repository URL (``https://github.com/<owner>/<name>``).

    Binder's ``gh`` provider, the repository button and the clone command all need that form.
    """
    if not isinstance(url, str) or not _GITHUB_REPO.match(url.strip()):
        raise ValueError(
            f"url must look like https://github.com/<owner>/<name> (no trailing slash or .git), "
            f"got {url!r}"
        )
    return url.strip()


def repository_url(root: Path | str) -> str:
    """The ``repository.url`` of the book whose ``_config.yml`` is in ``root``."""
    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8"))
    try:
        url = config["repository"]["url"]
    except (KeyError, TypeError):
        raise ValueError(f"{Path(root) / '_config.yml'} has no repository.url") from None
    return check_url(url)


def repository_name(url: str) -> str:
    """The last part of the URL: the folder ``git clone`` makes."""
    return _GITHUB_REPO.match(check_url(url))["name"]


def fill_placeholders(text: str, url: str) -> str:
    """Replace the ``{{ repository_url }}`` and ``{{ repository_name }}`` placeholders in a page."""
    return text.replace(URL_PLACEHOLDER, url).replace(NAME_PLACEHOLDER, repository_name(url))


def set_repository_url(root: Path | str, url: str) -> list[str]:
    """Point the book at a new home: rewrite the old URL in :data:`LITERAL_FILES`.

    Returns the files that changed. The old URL is the current ``repository.url``; every
    occurrence of it in those files is replaced, so ``CITATION.cff`` and the README's citation
    follow the configuration.
    """
    root = Path(root)
    new = check_url(url)
    old = repository_url(root)
    changed = []
    for name in LITERAL_FILES:
        path = root / name
        text = path.read_text(encoding="utf-8")
        if old in text and old != new:
            path.write_text(text.replace(old, new), encoding="utf-8")
            changed.append(name)
    return changed


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m xaibook.repository https://github.com/<owner>/<name>", file=sys.stderr)
        return 2
    root = Path.cwd()
    changed = set_repository_url(root, argv[0])
    print(f"repository.url is {repository_url(root)}; updated: {', '.join(changed) or 'nothing'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
