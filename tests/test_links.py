"""No dead internal link in the built site: every page, file, PDF and anchor a page links to exists.

The checker reads every HTML file of ``_build/html`` (the search and index pages too) and every
``href``/``src`` of links, scripts, stylesheets and images that stays on the site; each must name
a file of the site, and an anchor (``page.html#section``) an ``id`` of that page. The handout's
links are checked twice: in the site as built (no handout printed yet: a page links to a PDF only
when it exists) and after ``python -m xaibook.handout`` has put the PDFs in the site.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import REPO

from xaibook import handout

#: Attributes that load or link something, per tag.
LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src",
                   "iframe": "src", "area": "href"}
#: Site folders that are not pages: copies of the sources and the search index's data.
SKIPPED_FOLDERS = ("_sources", "_static", "_images", ".doctrees")


class _Links(HTMLParser):
    """The link targets and the element ids of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("id", "name"):
            if attributes.get(name):
                self.ids.add(attributes[name])
        value = attributes.get(LINK_ATTRIBUTES.get(tag, ""))
        if value is not None:
            self.targets.append(value)


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def _is_internal(target: str) -> bool:
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc or target.startswith(("mailto:", "javascript:", "data:")))


def dead_links(site: Path) -> list[str]:
    """Every internal link of the site at ``site`` whose file, or anchor, does not exist."""
    site = site.resolve()
    pages = [p for p in sorted(site.rglob("*.html"))
             if not any(part in SKIPPED_FOLDERS for part in p.relative_to(site).parts)]
    parsed = {page: _parse(page) for page in pages}
    dead = []
    for page, links in parsed.items():
        for target in links.targets:
            if not target.strip() or not _is_internal(target):
                continue
            parts = urlsplit(target)
            path = unquote(parts.path)
            resolved = (page.parent / path).resolve() if path else page
            if resolved.is_dir():
                resolved = resolved / "index.html"
            name = f"{page.relative_to(site)}: {target}"
            if not resolved.is_relative_to(site) or not resolved.is_file():
                dead.append(f"{name} (no file {resolved})")
                continue
            anchor = unquote(parts.fragment)
            if anchor and resolved.suffix == ".html":
                ids = parsed[resolved].ids if resolved in parsed else _parse(resolved).ids
                if anchor not in ids:
                    dead.append(f"{name} (no id {anchor!r} in {resolved.name})")
    return dead


# --- The checker itself ------------------------------------------------------------------------------

def test_checker_finds_missing_files_and_anchors(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="book/a.html#here">ok</a> <a href="https://example.org/x">outside</a> <a href="#top">'
        '</a><p id="top"></p> <a href="cite.html">dead</a> <a href="book/a.html#nowhere">no anchor</a>')
    (tmp_path / "book" / "a.html").write_text(
        '<h1 id="here">A</h1><img src="../_static/missing.png"><a href="../pdf/a.pdf">pdf</a>')
    dead = dead_links(tmp_path)
    assert len(dead) == 4, dead
    assert any("cite.html" in d for d in dead) and any("nowhere" in d for d in dead)
    assert any("missing.png" in d for d in dead) and any("a.pdf" in d for d in dead)
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "a.pdf").write_bytes(b"%PDF-1.4")
    assert len(dead_links(tmp_path)) == 3


# --- Handout links: written only when the PDFs exist ----------------------------------------------

CHAPTER_PAGE = ('<html><body><nav><h1>Site</h1></nav><article class="bd-article"><section>'
                '<h1>LIME<a class="headerlink" href="#lime">#</a></h1><p>Text</p></section></article></body></html>')


def _mini_site(root: Path, *, with_pdfs: bool) -> list[handout.Page]:
    (root / "book").mkdir(parents=True)
    (root / "book" / "06_lime.html").write_text(CHAPTER_PAGE.replace('class="headerlink"', 'id="lime" class="x"'))
    (root / "book" / "cite.html").write_text('<article class="bd-article"><h1>How to cite</h1></article>')
    (root / "book" / "glossary.html").write_text('<article class="bd-article"><h1>Glossary</h1></article>')
    if with_pdfs:
        (root / "pdf").mkdir()
        for name in ("06_lime.pdf", "book.pdf"):
            (root / "pdf" / name).write_bytes(b"%PDF-1.4")
    return [handout.Page("book/06_lime", 6), handout.Page("book/cite", None), handout.Page("book/glossary", None)]


def test_a_site_without_the_handout_gets_no_pdf_links(tmp_path):
    pages = _mini_site(tmp_path, with_pdfs=False)
    assert handout.handout_link_block("book/06_lime", tmp_path) == ""
    assert handout.link_site_to_handout(tmp_path, pages) == 0
    assert "pdf" not in (tmp_path / "book" / "06_lime.html").read_text()
    assert dead_links(tmp_path) == []


def test_a_site_with_the_handout_links_each_chapter_to_its_pdf_once(tmp_path):
    pages = _mini_site(tmp_path, with_pdfs=True)
    assert handout.link_site_to_handout(tmp_path, pages) == 2  # the chapter and the cite page
    assert handout.link_site_to_handout(tmp_path, pages) == 0  # already linked
    chapter = (tmp_path / "book" / "06_lime.html").read_text()
    assert chapter.count(handout.HANDOUT_LINK_CLASS) == 1
    # under the chapter's heading, not the first <h1> of the page (the site's name)
    assert chapter.index(handout.HANDOUT_LINK_CLASS) > chapter.index("LIME")
    assert 'href="../pdf/06_lime.pdf"' in chapter and 'href="../pdf/book.pdf"' in chapter
    assert 'href="../pdf/book.pdf"' in (tmp_path / "book" / "cite.html").read_text()
    assert "pdf" not in (tmp_path / "book" / "glossary.html").read_text()
    assert dead_links(tmp_path) == []
    # one PDF missing: that page gets no links at all
    (tmp_path / "pdf" / "06_lime.pdf").unlink()
    assert handout.handout_link_block("book/06_lime", tmp_path) == ""


def test_footer_links_are_written_from_the_site_root_and_made_relative_per_page():
    from xaibook.sphinxext import root_relative_links

    footer = ('<p><a href="https://creativecommons.org/licenses/by/4.0/">CC BY</a> '
              '<a href="book/cite.html">cite</a> <a href="#x">top</a></p>')

    def pathto_from(page: str):
        def pathto(docname: str) -> str:
            depth = page.count("/")
            return "../" * depth + docname + ".html"
        return pathto

    assert 'href="book/cite.html"' in root_relative_links(footer, pathto_from("search"))
    assert 'href="../book/cite.html"' in root_relative_links(footer, pathto_from("book/05_shap"))
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in root_relative_links(footer, pathto_from("x"))
    assert 'href="#x"' in root_relative_links(footer, pathto_from("x"))
    config = (REPO / "_config.yml").read_text()
    footer_links = re.findall(r'href="([^"]+)"', config)
    assert "book/cite.html" in footer_links and "cite.html" not in footer_links


# --- The built site ---------------------------------------------------------------------------------

def test_built_site_has_no_dead_internal_link(built_site):
    """As built by the README's command (the handout may be printing meanwhile: it copies the PDFs
    into the site before it links to them, so the site has no dead link at any moment)."""
    dead = dead_links(built_site)
    assert not dead, f"{len(dead)} dead links, e.g.:\n" + "\n".join(dead[:20])


# --- Cross-references that name a chapter ------------------------------------------------------------
#: "Chapter" (or "chapters") right before a link, or at the start of a link's text, and the link's text.
_CHAPTER_LINK = re.compile(r"\b[Cc]hapters?\s*<a\b[^>]*>(.*?)</a>"
                           r"|<a\b[^>]*>((?:<[^>]+>)*\s*[Cc]hapters?\b.*?)</a>", re.S)


def chapter_reference_problems(html: str) -> list[str]:
    """Links that read "Chapter <a section title>": a ``{ref}`` to a chapter's label shows the
    chapter's title, so "Chapter {ref}`ch-shap`" reads "Chapter SHAP values split…". The word
    "chapter" must be followed by the chapter's number ("{ref}`Chapter 5 <ch-shap>`")."""
    problems = []
    for match in _CHAPTER_LINK.finditer(html):
        text = re.sub(r"<[^>]+>", "", match.group(1) if match.group(1) is not None else match.group(2))
        text = re.sub(r"\s+", " ", text).strip()
        after = re.sub(r"^[Cc]hapters?\s*", "", text) if match.group(2) is not None else text
        if not re.match(r"\d", after):
            problems.append(text[:60])
    return problems


def test_chapter_reference_check_reads_the_link_text():
    assert chapter_reference_problems('Chapter <a href="05_shap.html#ch-shap"><span>SHAP values</span></a> split') \
        == ["SHAP values"]
    assert chapter_reference_problems('<a href="x.html#ch"><span>Chapter SHAP values</span></a>') \
        == ["Chapter SHAP values"]
    assert chapter_reference_problems('<a href="05_shap.html#ch-shap"><span>Chapter 5</span></a> split') == []
    assert chapter_reference_problems('as in chapter <a href="a.html"><span>4</span></a>') == []
    assert chapter_reference_problems('<a href="a.html">the glossary</a>') == []


def test_cross_references_name_chapters_by_number(built_site):
    found = {}
    for page in sorted(built_site.rglob("*.html")):
        if any(part in SKIPPED_FOLDERS for part in page.relative_to(built_site).parts):
            continue
        problems = chapter_reference_problems(page.read_text(errors="replace"))
        if problems:
            found[str(page.relative_to(built_site))] = problems
    assert not found, f"links that read 'Chapter <title>' (write {{ref}}`Chapter 5 <ch-shap>`): {found}"
