"""Sphinx extension that makes the book work offline and keeps its outputs fresh.

Enabled in ``_config.yml`` (``sphinx.extra_extensions: [xaibook.sphinxext]``), it

* serves Vega, Vega-Lite and vega-embed from the site's own ``_static`` folder
  (``xaibook-vega.js``, made by :func:`vl_convert.javascript_bundle` and wrapped in a function
  so that its top-level names cannot clash with the theme's scripts), plus ``xaibook-charts.js``,
  which draws the charts emitted by :mod:`xaibook.render`, ``xaibook.css``, and
  ``xaibook-page.css`` and ``xaibook-page.js`` (code and tables that fit the column). Only the small
  ``xaibook-charts.js`` is in every page's head; it fetches the Vega bundle when the first chart
  comes near the viewport, so pages without charts never load it;
* keeps MathJax off the pages that have no math (see :func:`page_has_math`), and drops the
  theme's 1.5 MB FontAwesome script, which blocks every page's parsing although the theme's
  FontAwesome stylesheet and web fonts already draw the icons (:func:`write_theme_overrides`);
* serves MathJax 3 from ``_static/mathjax`` (the single-file ``tex-svg-full`` build of the
  ``django-static-mathjax`` package: every TeX extension included, SVG output, so no font or
  extension file is fetched later);
* fills the ``{{ repository_url }}`` / ``{{ repository_name }}`` placeholders of a page with
  ``repository.url`` from ``_config.yml`` (see :mod:`xaibook.repository`);
* removes the live-notebook CDN fallback from chart scripts, so pages name no third-party host;
* removes duplicated script tags from pages (sphinx-thebe adds its configuration twice);
* gives reference-list entries the ARIA role ``listitem`` instead of docutils' deprecated
  ``doc-biblioentry``, which screen readers and axe do not accept inside a ``role="list"``;
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

from xaibook import handout, repository
from xaibook.fingerprint import package_fingerprint, static_fingerprint
from xaibook.render import CDN_SCRIPTS_JSON

__all__ = [
    "logger", "STATIC_SUBDIR", "VEGA_BUNDLE", "CHARTS_SCRIPT", "STYLESHEET", "PAGE_STYLESHEET",
    "PAGE_SCRIPT", "MATHJAX_FILE",
    "CACHE_STAMP", "USES_PACKAGE_MARKER", "vega_bundle_source", "mathjax_source_file",
    "write_static_files", "invalidate_execution_cache", "localise_citations", "setup",
    "write_theme_overrides", "page_has_math", "root_relative_links", "accessible_citation_roles",
]

logger = logging.getLogger(__name__)

STATIC_SUBDIR = ".xaibook-static"
TEMPLATES_SUBDIR = ".xaibook-templates"
VEGA_BUNDLE = "xaibook-vega.js"
CHARTS_SCRIPT = "xaibook-charts.js"
STYLESHEET = "xaibook.css"
#: Page layout: code and tables that fit the column (issue 32); the charts' rules are in STYLESHEET.
PAGE_STYLESHEET = "xaibook-page.css"
#: Fits each table to its column (compact type, or one card per row); see ``static/xaibook-page.js``.
PAGE_SCRIPT = "xaibook-page.js"
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
    if stamp.is_file() and stamp.read_text() == static_fingerprint():
        return
    (target / VEGA_BUNDLE).write_text(vega_bundle_source(), encoding="utf-8")
    for name in (CHARTS_SCRIPT, STYLESHEET, PAGE_STYLESHEET, PAGE_SCRIPT):
        shutil.copyfile(Path(__file__).parent / "static" / name, target / name)
    (target / "mathjax").mkdir(exist_ok=True)
    shutil.copyfile(mathjax_source_file(), target / "mathjax" / MATHJAX_FILE)
    stamp.write_text(static_fingerprint())


#: The theme's template of asset tags, and the FontAwesome script tag in it.
THEME_MACROS = Path("static") / "webpack-macros.html"
#: The theme's FontAwesome script tag: ``vendor/fontawesome/<version>/js/all.min.js`` in the
#: ``<head>`` up to pydata-sphinx-theme 0.15, ``scripts/fontawesome.js`` (deferred) in 0.17 (checked: 0.15.4, 0.17.1).
_FONTAWESOME_SCRIPT = re.compile(
    r'[ \t]*<script (?:defer )?src="[^"]*(?:/fontawesome/[^"]*/js/all\.min\.js|/scripts/fontawesome\.js)[^"]*">'
    r'</script>\n?')


def write_theme_overrides(target: Path) -> bool:
    """Write a copy of the theme's ``static/webpack-macros.html`` without the FontAwesome script.

    pydata-sphinx-theme loads FontAwesome twice: a stylesheet with web fonts (its own file up to
    0.15, part of the theme's stylesheet in 0.17), and a 1.5 MB script that re-draws every icon
    as an SVG and then watches every change to the page (in the ``<head>`` without ``defer`` up to
    0.15, deferred in 0.17). The stylesheet alone draws the same icons. The copy is made from the
    installed theme at build time, so it follows the pinned theme version; if the theme's file no
    longer has that script tag, nothing is overridden. Returns whether an override was written.
    """
    import pydata_sphinx_theme

    source = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / THEME_MACROS
    text = source.read_text(encoding="utf-8") if source.is_file() else ""
    trimmed, count = _FONTAWESOME_SCRIPT.subn("", text)
    override = target / THEME_MACROS
    if count != 1:
        if override.exists():
            override.unlink()
        return False
    override.parent.mkdir(parents=True, exist_ok=True)
    if not override.is_file() or override.read_text(encoding="utf-8") != trimmed:
        override.write_text(trimmed, encoding="utf-8")
    return True


def _on_config_inited(app: Sphinx, config: Any) -> None:
    templates = Path(app.outdir).parent / TEMPLATES_SUBDIR
    if write_theme_overrides(templates):
        config.templates_path = [str(templates), *config.templates_path]
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


def page_has_math(body: str) -> bool:
    """Whether a page's HTML body has anything for MathJax to typeset.

    Sphinx writes math as ``<span class="math ...">`` / ``<div class="math ...">`` holding
    ``\\(...\\)`` or ``\\[...\\]``; notebook outputs may carry ``$$`` or the same delimiters.
    """
    return 'class="math' in body or any(mark in body for mark in ("\\(", "\\[", "$$"))


#: Loads MathJax once the page has been parsed (a script added then runs after DOMContentLoaded).
MATHJAX_LOADER = (
    'document.addEventListener("DOMContentLoaded", function () {{'
    ' var s = document.createElement("script"); s.src = "{src}"; s.async = true;'
    ' document.head.appendChild(s); }});'
)


def _mathjax_only_with_math(app: Sphinx, pagename: str, templatename: str, context: dict,
                            doctree: Any) -> None:
    """MathJax only where there is math, and never in the way of the page's parsing.

    ``sphinx.ext.mathjax`` adds its 2 MB script to every page here (the math domain's per-page flag
    is set for pages without formulas too); the page body tells the truth. Where there is math, the
    ``defer`` script (which runs before DOMContentLoaded, holding it back) is replaced by a loader
    that adds it once the page has been parsed; the formulas are typeset a moment later.
    """
    from sphinx.builders.html._assets import _JavaScript

    scripts = context.get("script_files")
    if not scripts:
        return
    mathjax_path = app.config.mathjax_path

    def is_mathjax_file(script: Any) -> bool:
        return (getattr(script, "filename", "") or "").endswith(mathjax_path)

    def is_mathjax_config(script: Any) -> bool:
        body = (getattr(script, "attributes", {}) or {}).get("body", "")
        return body.startswith("window.MathJax")

    if not page_has_math(context.get("body") or ""):
        context["script_files"] = [s for s in scripts if not (is_mathjax_file(s) or is_mathjax_config(s))]
        return
    pathto = context.get("pathto")
    updated = []
    for script in scripts:
        if is_mathjax_file(script) and pathto is not None:
            src = pathto(script.filename, 1)
            script = _JavaScript("", body=MATHJAX_LOADER.format(src=src), priority=script.priority)
        updated.append(script)
    context["script_files"] = updated


# --- Links to the course handout and footer links ------------------------------------------------
#
# ``python -m xaibook.handout`` prints the built site into PDFs under ``_build/html/pdf/``. A page
# links to them only when they exist (see :func:`xaibook.handout.handout_link_block`): the handout
# adds the links itself after printing, and a later HTML build keeps them.


def _add_handout_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    body = context.get("body")
    if not body or app.builder.format != "html":
        return
    block = handout.handout_link_block(pagename, Path(app.outdir))
    if block:
        context["body"] = _FIRST_HEADING_END.sub(lambda m: m.group(0) + block, body, count=1)


_FIRST_HEADING_END = re.compile(r"</h1>")
#: A relative link to a page of the book (``book/cite.html``), not to a file, a host or an anchor.
_ROOT_PAGE_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#|\.)([^"#?]+)\.html(#[^"]*)?"')


def root_relative_links(html: str, pathto: Any) -> str:
    """``html`` (written with links relative to the site root) with each page link made relative
    to the current page by Sphinx's ``pathto`` (``book/cite.html`` → ``cite.html`` from a chapter,
    ``book/cite.html`` from the search page at the root)."""
    return _ROOT_PAGE_LINK.sub(lambda m: f'href="{pathto(m.group(1))}{m.group(2) or ""}"', html)


def _footer_links_from_the_root(app: Sphinx, pagename: str, templatename: str, context: dict,
                                doctree: Any) -> None:
    """The ``extra_footer`` of ``_config.yml`` is the same HTML on every page, wherever the page
    is; its page links are written from the site root and made relative to each page here."""
    footer = context.get("theme_extra_footer")
    pathto = context.get("pathto")
    if footer and pathto is not None:
        context["theme_extra_footer"] = root_relative_links(footer, pathto)


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


#: docutils marks each entry of a reference list with the DPUB-ARIA role ``doc-biblioentry``,
#: deprecated in DPUB-ARIA 1.1; inside the list's ``role="list"`` an entry must be a ``listitem``.
DEPRECATED_CITATION_ROLE = 'role="doc-biblioentry"'


def accessible_citation_roles(html: str) -> str:
    """``html`` with every ``role="doc-biblioentry"`` replaced by ``role="listitem"``."""
    return html.replace(DEPRECATED_CITATION_ROLE, 'role="listitem"')


def _fix_citation_roles(app: Sphinx, pagename: str, templatename: str, context: dict,
                        doctree: Any) -> None:
    body = context.get("body")
    if body and DEPRECATED_CITATION_ROLE in body:
        context["body"] = accessible_citation_roles(body)


def setup(app: Sphinx) -> dict[str, Any]:
    # "env": pages that use the placeholders are read again when the repository moves.
    app.add_config_value("xaibook_repository_url", "", "env", types=[str])
    app.connect("source-read", _on_source_read)
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("html-page-context", _dedupe_scripts)
    app.connect("html-page-context", _strip_cdn_fallback)
    app.connect("html-page-context", _fix_citation_roles)
    # After sphinx.ext.mathjax (priority 500) has added its script to the page.
    app.connect("html-page-context", _mathjax_only_with_math, priority=900)
    # The Vega bundle is not a page script: xaibook-charts.js loads it when a chart needs it.
    app.connect("html-page-context", _add_handout_links)
    app.connect("html-page-context", _footer_links_from_the_root)
    app.add_js_file(CHARTS_SCRIPT)
    app.add_js_file(PAGE_SCRIPT)
    app.add_css_file(STYLESHEET)
    app.add_css_file(PAGE_STYLESHEET)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
