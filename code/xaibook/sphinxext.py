"""Sphinx extension that makes the book work offline and keeps its outputs fresh.

Enabled in ``_config.yml`` (``sphinx.extra_extensions: [xaibook.sphinxext]``), it

* serves Vega, Vega-Lite and vega-embed from the site's own ``_static`` folder
  (``xaibook-vega.js``, made by :func:`vl_convert.javascript_bundle` and wrapped in a function
  so that its top-level names cannot clash with the theme's scripts), plus ``xaibook-charts.js``,
  which draws the charts emitted by :mod:`xaibook.render`, and ``xaibook.css``;
* serves MathJax 3 from ``_static/mathjax`` (the single-file ``tex-svg-full`` build of the
  ``django-static-mathjax`` package: every TeX extension included, SVG output, so no font or
  extension file is fetched later);
* fills the ``{{ repository_url }}`` / ``{{ repository_name }}`` placeholders of a page with
  ``repository.url`` from ``_config.yml`` (see :mod:`xaibook.repository`);
* removes the live-notebook CDN fallback from chart scripts, so pages name no third-party host;
* removes duplicated script tags from pages (sphinx-thebe adds its configuration twice);
* re-executes the chapters that import :mod:`xaibook` when the package, its data or a tracked
  library changed (see :mod:`xaibook.fingerprint`), because the execution cache only hashes the
  text of code cells.
"""

from __future__ import annotations

import re

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from xaibook import repository
from xaibook.fingerprint import package_fingerprint
from xaibook.render import CDN_SCRIPTS_JSON

logger = logging.getLogger(__name__)

STATIC_SUBDIR = ".xaibook-static"
VEGA_BUNDLE = "xaibook-vega.js"
CHARTS_SCRIPT = "xaibook-charts.js"
STYLESHEET = "xaibook.css"
MATHJAX_FILE = "tex-svg-full.js"
CACHE_STAMP = "xaibook-fingerprint.txt"
USES_PACKAGE_MARKER = "xaibook"


def vega_bundle_source() -> str:
    """The Vega/Vega-Lite/vega-embed bundle, wrapped so its top-level names stay private."""
    import vl_convert as vlc

    bundle = vlc.javascript_bundle()
    return "/* Vega, Vega-Lite and vega-embed, bundled by vl-convert. */\n(function () {\n" + bundle + "\n})();\n"


def mathjax_source_file() -> Path:
    """Location of MathJax's single-file SVG build inside the installed package."""
    import mathjax  # the django-static-mathjax distribution

    path = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / MATHJAX_FILE
    if not path.is_file():
        raise FileNotFoundError(f"MathJax file not found at {path}; reinstall django-static-mathjax")
    return path


def write_static_files(target: Path) -> None:
    """Write the files the site serves from ``_static`` into ``target`` (idempotent)."""
    target.mkdir(parents=True, exist_ok=True)
    stamp = target / "stamp.txt"
    if stamp.is_file() and stamp.read_text() == package_fingerprint():
        return
    (target / VEGA_BUNDLE).write_text(vega_bundle_source(), encoding="utf-8")
    for name in (CHARTS_SCRIPT, STYLESHEET):
        shutil.copyfile(Path(__file__).parent / "static" / name, target / name)
    (target / "mathjax").mkdir(exist_ok=True)
    shutil.copyfile(mathjax_source_file(), target / "mathjax" / MATHJAX_FILE)
    stamp.write_text(package_fingerprint())


def _on_config_inited(app: Sphinx, config: Any) -> None:
    if not config.xaibook_repository_url:
        # Jupyter Book copies ``repository.url`` of _config.yml into the theme options.
        config.xaibook_repository_url = (config.html_theme_options or {}).get("repository_url", "")
    target = Path(app.outdir).parent / STATIC_SUBDIR
    write_static_files(target)
    config.html_static_path = [*config.html_static_path, str(target)]
    config.mathjax_path = f"mathjax/{MATHJAX_FILE}"


def _source_uses_package(path: Path) -> bool:
    try:
        return USES_PACKAGE_MARKER in path.read_text(encoding="utf-8")
    except OSError:
        return True  # unknown: safer to treat it as stale


def _execution_cache_path(app: Sphinx) -> Path:
    configured = getattr(app.config, "nb_execution_cache_path", "") or ""
    return Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"


def invalidate_execution_cache(cache_path: Path, fingerprint: str) -> list[str]:
    """Drop cached executions of notebooks that use the package, if the fingerprint moved.

    Returns the URIs of the dropped records. The fingerprint is stored beside the cache.
    """
    stamp = cache_path / CACHE_STAMP
    if not cache_path.is_dir():
        return []
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return []
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    dropped = []
    for record in cache.list_cache_records():
        if _source_uses_package(Path(record.uri)):
            cache.remove_cache(record.pk)
            dropped.append(record.uri)
    stamp.write_text(fingerprint)
    return dropped


def _on_builder_inited(app: Sphinx) -> None:
    dropped = invalidate_execution_cache(_execution_cache_path(app), package_fingerprint())
    if dropped:
        logger.info("xaibook changed: re-executing %d cached notebook(s)", len(dropped))


def _on_env_get_outdated(app: Sphinx, env: Any, added: set, changed: set, removed: set) -> list[str]:
    fingerprint = package_fingerprint()
    if getattr(env, "xaibook_fingerprint", None) == fingerprint:
        return []
    env.xaibook_fingerprint = fingerprint
    stale = [
        docname for docname in env.found_docs
        if _source_uses_package(Path(env.doc2path(docname)))
    ]
    return sorted(set(stale) - added - changed)


def _dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Drop repeated script tags from a page.

    sphinx-thebe registers its inline configuration script (``const THEBE_JS_URL = ...``) once per
    ``env-before-read-docs`` event, which fires more than once in a Jupyter Book build; the second
    copy throws "Identifier 'THEBE_JS_URL' has already been declared" in the browser console.
    """
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        key = (getattr(script, "filename", None) or "", tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _strip_cdn_fallback(app: Sphinx, pagename: str, templatename: str, context: dict,
                        doctree: Any) -> None:
    """Empty the live-notebook CDN fallback in every chart script of the built site.

    On the site, ``xaibookEmbed`` always exists, so the fallback would never run; removing it
    means the published pages do not even name a third-party host.
    """
    body = context.get("body")
    if body and CDN_SCRIPTS_JSON in body:
        context["body"] = body.replace(CDN_SCRIPTS_JSON, "[]")


# --- Per-chapter reference lists ------------------------------------------------------------------
#
# Each chapter ends with the works it cites, and the back matter lists them all. sphinxcontrib-bibtex
# resolves citations globally, so one key in two bibliographies is a "duplicate citation" warning
# (a build error with -W). Its documented cure is a key prefix per bibliography, with every citation
# in that document written with the prefix. Authors should not have to do that by hand, so the
# extension does it when it reads a chapter: in a document with a ``{bibliography}`` directive,
# ``{cite:p}`a,b``` becomes ``{cite:p}`<doc>:a,<doc>:b``` and the directive gets
# ``:keyprefix: <doc>:`` and a label prefix (so its [1], [2] labels are unique too).

_CITATION_ROLE = re.compile(r"\{cite(?P<kind>:[a-z]+)?\}`(?P<keys>[^`]+)`")
_BIBLIOGRAPHY = re.compile(r"^(?P<fence>[`:]{3,})\{bibliography\}[^\n]*\n", re.MULTILINE)


def localise_citations(docname: str, text: str) -> str:
    """Prefix the citation keys and the bibliography of one chapter (see the comment above)."""
    if not _BIBLIOGRAPHY.search(text) or ":keyprefix:" in text:
        return text
    stem = docname.rsplit("/", 1)[-1]
    prefix = f"{stem}:"
    label = str(int(stem[:2])) if stem[:2].isdigit() else stem[:3]

    def prefixed(match: re.Match) -> str:
        keys = ",".join(prefix + key.strip() for key in match["keys"].split(","))
        return f"{{cite{match['kind'] or ''}}}`{keys}`"

    text = _CITATION_ROLE.sub(prefixed, text)
    return _BIBLIOGRAPHY.sub(
        lambda m: f"{m.group(0)}:keyprefix: {prefix}\n:labelprefix: {label}.\n", text)


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    source[0] = localise_citations(docname, source[0])
    if repository.URL_PLACEHOLDER in source[0] or repository.NAME_PLACEHOLDER in source[0]:
        url = app.config.xaibook_repository_url
        if not url:
            logger.warning("%s uses {{ repository_url }} but _config.yml sets no repository.url",
                           docname, location=docname)
            return
        source[0] = repository.fill_placeholders(source[0], repository.check_url(url))


def setup(app: Sphinx) -> dict[str, Any]:
    # "env": pages that use the placeholders are read again when the repository moves.
    app.add_config_value("xaibook_repository_url", "", "env", types=[str])
    app.connect("source-read", _on_source_read)
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("html-page-context", _dedupe_scripts)
    app.connect("html-page-context", _strip_cdn_fallback)
    app.add_js_file(VEGA_BUNDLE)
    app.add_js_file(CHARTS_SCRIPT)
    app.add_css_file(STYLESHEET)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
