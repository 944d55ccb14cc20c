"""The course handout: the built site printed to PDF, the whole book and one file per chapter.

Run after the HTML build, from the repository root::

    python -m xaibook.handout            # reads _build/html, writes _build/pdf and _build/html/pdf

Why print the site instead of using Jupyter Book's LaTeX builder: the charts are Vega drawings made
in the browser, so printing the built pages through headless Chromium keeps them as vector
graphics that look exactly as on the site, with MathJax's typeset math; it needs only the Chromium
the browser tests already use (no 200 MB TeX installation) and takes about a minute.

Each page is opened in headless Chromium with every non-local request blocked, every chart is
drawn (as SVG) and MathJax finishes; then :data:`PREPARE_FOR_PRINT` adds a title page with the
chapter's citation, numbers the figures and gives them captions (title and description of the
chart), moves the exercise solutions, opened, to the end of the chapter, and hides the site's
buttons. ``xaibook/static/xaibook-print.css`` makes code and tables fit the page. The PDFs are
then assembled with pypdf: a cover and a table of contents for the book, page numbers stamped on
every page, bookmarks per chapter.
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import json
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["BookInfo", "Page", "bibtex_entry", "build_handout", "book_info", "find_chromium", "handout_link_block",
           "handout_links", "handout_pages", "insert_handout_links", "link_site_to_handout", "main",
           "toc_documents"]

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PAPER = {"format": "A4", "margin": {"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}}
#: The width of the printed column in CSS pixels (96 per inch): A4's 210 mm less both margins.
PAPER_WIDTH_PX = int((210 - 16 - 16) / 25.4 * 96)  # 672.76, rounded down
#: Where the site links to the PDFs, relative to the site root.
SITE_PDF_DIR = "pdf"
CHAPTER_PATTERN = re.compile(r"^book/(\d\d)_[a-z0-9_]+$")
#: The class of the paragraph of handout links under a page's heading.
HANDOUT_LINK_CLASS = "xaibook-handout-link"


@dataclass(frozen=True)
class BookInfo:
    """What a citation needs: read from ``CITATION.cff`` and ``_config.yml``."""

    title: str
    authors: str
    version: str
    date: str
    url: str
    licence: str = "CC BY 4.0"


@dataclass(frozen=True)
class Page:
    """One page of the site in reading order; ``number`` is the chapter number or ``None``."""

    docname: str
    number: int | None

    @property
    def html_path(self) -> str:
        return f"{self.docname}.html"

    @property
    def pdf_name(self) -> str:
        return Path(self.docname).name + ".pdf"

    @property
    def bibtex_key(self) -> str:
        return f"xaibook2026-ch{self.number:02d}" if self.number is not None else "xaibook2026"


def book_info(repo: Path) -> BookInfo:
    """Title, authors, version, date and URL from the repository's own metadata files."""
    citation = yaml.safe_load((repo / "CITATION.cff").read_text(encoding="utf-8"))
    config = yaml.safe_load((repo / "_config.yml").read_text(encoding="utf-8"))
    authors = " and ".join(a.get("name") or f"{a.get('given-names', '')} {a.get('family-names', '')}".strip()
                           for a in citation.get("authors", []))
    url = (config.get("repository") or {}).get("url") or citation.get("repository-code", "")
    return BookInfo(title=str(citation["title"]), authors=authors, version=str(citation["version"]),
                    date=str(citation.get("date-released", "")), url=url)


def toc_documents(repo: Path) -> list[str]:
    """Every document of ``_toc.yml`` in reading order, as paths without suffix (``book/intro``)."""
    toc = yaml.safe_load((repo / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def handout_pages(repo: Path) -> list[Page]:
    """Every document of ``_toc.yml`` in reading order, chapters (``book/NN_name``) numbered."""
    pages = []
    for docname in toc_documents(repo):
        match = CHAPTER_PATTERN.match(docname)
        pages.append(Page(docname, int(match.group(1)) if match else None))
    return pages


# --- Links from the site to the handout ---------------------------------------------------------------
#
# A chapter links to its own PDF and to the book's, the how-to-cite page to the book's; a link is
# written only when the PDFs it names exist in the site, so a site built without the handout has no
# dead link. The HTML build adds the links when earlier PDFs are in the site
# (``xaibook.sphinxext``), and :func:`build_handout` adds them once it has copied fresh PDFs there.


def handout_links(pagename: str) -> list[tuple[str, str]]:
    """The handout links of a page as (label, path from the site root); none on most pages."""
    book = ("Download the whole book (PDF)", f"{SITE_PDF_DIR}/book.pdf")
    if CHAPTER_PATTERN.match(pagename):
        chapter = ("Download the handout (PDF)", f"{SITE_PDF_DIR}/{Path(pagename).name}.pdf")
        return [chapter, book]
    if pagename.endswith("cite"):
        return [book]
    return []


def handout_link_block(pagename: str, site_dir: Path) -> str:
    """The paragraph of handout links for a page, or "" if a PDF it names is not in ``site_dir``."""
    links = handout_links(pagename)
    if not links or not all((Path(site_dir) / target).is_file() for _, target in links):
        return ""
    up = "../" * pagename.count("/")
    anchors = " &middot; ".join(f'<a href="{up}{target}" download>{label}</a>' for label, target in links)
    return f'<p class="{HANDOUT_LINK_CLASS}">{anchors}</p>'


def insert_handout_links(page_html: str, block: str) -> str:
    """``page_html`` with ``block`` after its first ``<h1>`` heading (unchanged if it has links)."""
    if not block or f'class="{HANDOUT_LINK_CLASS}"' in page_html:
        return page_html
    start = page_html.find('<article class="bd-article"')
    end = page_html.find("</h1>", max(start, 0))
    if end < 0:
        return page_html
    end += len("</h1>")
    return page_html[:end] + block + page_html[end:]


def link_site_to_handout(html_dir: Path, pages: list[Page]) -> int:
    """Add the handout links to the built pages whose PDFs are now in the site; returns how many."""
    linked = 0
    for page in pages:
        path = Path(html_dir) / page.html_path
        block = handout_link_block(page.docname, html_dir)
        if not block or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        updated = insert_handout_links(text, block)
        if updated != text:
            tmp = path.with_suffix(".html.tmp")
            tmp.write_text(updated, encoding="utf-8")
            tmp.replace(path)  # atomic: a reader never sees half a page
            linked += 1
    return linked


def find_chromium() -> str | None:
    """The path of a Chromium executable (Debian's ``chromium`` package), or ``None``."""
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found


#: The ``note`` of every BibTeX entry, on the site's how-to-cite page and in the handout alike.
BIBTEX_NOTE = "Executable online textbook"


def _bibtex(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    width = len("booktitle")  # one alignment for every entry, as on the how-to-cite page
    lines = [f"  {name.ljust(width)} = {{{value}}}" for name, value in fields]
    return f"@{kind}{{{key},\n" + ",\n".join(lines) + "\n}"


def bibtex_entry(info: BookInfo, page: Page, chapter_title: str) -> str:
    """The BibTeX entry of a chapter (``@incollection``) or of the whole book (``@book``).

    The book's entry is the one the how-to-cite page shows (``book/cite.md``; a test compares them).
    """
    year = info.date[:4] or "2026"
    author = f"{{{info.authors}}}"  # braced: a corporate author, not "first last"
    tail = [("author", author), ("year", year), ("version", info.version), ("url", info.url),
            ("note", BIBTEX_NOTE)]
    if page.number is None:
        return _bibtex("book", page.bibtex_key, [("title", info.title), *tail])
    return _bibtex("incollection", page.bibtex_key,
                   [("title", chapter_title), ("booktitle", info.title), ("chapter", str(page.number)), *tail])


# The JavaScript run in each page before it is printed (see the module docstring).
PREPARE_FOR_PRINT = r"""
(args) => {
  const doc = document;
  const article = doc.querySelector("article.bd-article") || doc.querySelector("main");
  const h1 = article.querySelector("h1");
  const title = h1 ? h1.textContent.replace(/[#¶]\s*$/, "").trim() : doc.title;
  doc.documentElement.classList.add("xaibook-print");
  // 1. Figures: number every chart and give it a caption from its title and description.
  let n = 0;
  article.querySelectorAll(".xaibook-chart").forEach((el) => {
    n += 1;
    // (the caption as it reads on paper: without "hover a point for ...", see xaibook-charts.js)
    const label = window.xaibookForPaper(el.getAttribute("aria-label") || "");
    const cap = doc.createElement("p");
    cap.className = "xaibook-print-caption";
    const prefix = args.number !== null ? `Figure ${args.number}.${n}. ` : `Figure ${n}. `;
    cap.textContent = prefix + label;
    el.insertAdjacentElement("afterend", cap);
  });
  // 2. Solutions: opened, and moved to the end of the chapter under their own heading.
  const solutions = Array.from(article.querySelectorAll("div.solution"));
  if (solutions.length) {
    const section = doc.createElement("section");
    section.className = "xaibook-print-solutions";
    const heading = doc.createElement("h2");
    heading.textContent = "Solutions to the exercises";
    section.appendChild(heading);
    solutions.forEach((s) => {
      s.classList.remove("dropdown", "toggle-hidden");
      s.querySelectorAll(".toggle-hidden").forEach((e) => e.classList.remove("toggle-hidden"));
      s.querySelectorAll("details").forEach((d) => d.setAttribute("open", ""));
      section.appendChild(s);
    });
    const refs = Array.from(article.querySelectorAll("section")).find((s) => {
      const h = s.querySelector(":scope > h2");
      return h && /^References/.test(h.textContent.trim());
    });
    if (refs) { refs.insertAdjacentElement("beforebegin", section); } else { article.appendChild(section); }
  }
  // 3. Closed disclosures print open, except the code the site hides (hide-input): the handout,
  //    like the page, shows that code's output only.
  article.querySelectorAll("details").forEach((d) => {
    if (d.closest(".vega-embed")) { return; }  // the chart's own menu stays closed (and hidden)
    if (d.classList.contains("xaibook-chart-data")) { return; }  // the figure itself is the data
    if (d.classList.contains("hide") && d.classList.contains("above-input")) { d.remove(); }
    else { d.setAttribute("open", ""); }
  });
  // 4. The title page with the citation.
  if (args.titlePage) {
    const tp = doc.createElement("section");
    tp.className = "xaibook-print-titlepage";
    const escaped = title.replace(/[&<>]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;"}[c]));
    tp.innerHTML = args.titlePage.replace("{{TITLE}}", escaped);
    tp.querySelector("pre").textContent = args.bibtex.replace("{{TITLE}}", title);
    article.insertAdjacentElement("afterbegin", tp);
  }
  return {title: title, figures: n, solutions: solutions.length};
}
"""

TITLE_PAGE = """
<p class="xaibook-print-book">{book} &middot; {chapter_label}</p>
<h1 class="xaibook-print-title">{{{{TITLE}}}}</h1>
<p>{authors}. Version {version}, {date}.</p>
<p>Licensed under Creative Commons Attribution 4.0 International (CC BY 4.0); code under the MIT
licence. Online, with interactive charts and runnable notebooks: {url}</p>
<p><strong>Cite this {what} as</strong></p>
<pre class="xaibook-print-bibtex"></pre>
"""


@contextmanager
def _serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free local port for the duration of the block."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # noqa: D401 - keep the console clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def _block_remote(route) -> None:
    if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
        route.continue_()
    else:
        route.abort()


INIT_SCRIPT = """
try { localStorage.setItem("theme", "light"); localStorage.setItem("mode", "light"); } catch (e) {}
window.xaibookRenderer = "svg";
window.xaibookDrawAll = true;
window.xaibookPaper = true;
"""


def _print_page(context, url: str, page: Page, info: BookInfo, out: Path, *, timeout_ms: int = 90_000) -> dict:
    """Open one page, draw everything, prepare it for paper and print it to ``out``."""
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(f"{url}/{page.html_path}", wait_until="load", timeout=timeout_ms)
    tab.emulate_media(media="screen")
    # Charts are drawn only when they come near the viewport (an IntersectionObserver): bring each
    # into view and wait until it is drawn, then check that all of them are.
    tab.evaluate("""async (timeoutMs) => {
        for (const el of document.querySelectorAll('.xaibook-chart')) {
            el.scrollIntoView({ block: "center" });
            const start = performance.now();
            while (!["true", "error"].includes(el.dataset.drawn) && performance.now() - start < timeoutMs) {
                await new Promise(r => setTimeout(r, 25));
            }
        }
        window.scrollTo(0, 0);
    }""", timeout_ms)
    tab.wait_for_function(
        "Array.from(document.querySelectorAll('.xaibook-chart')).every(e => e.dataset.drawn === 'true')",
        timeout=timeout_ms)
    # MathJax is loaded after parsing, and only on pages with math: wait for it, then for typesetting.
    tab.wait_for_function("() => !document.querySelector('.math') || "
                          "(window.MathJax && MathJax.startup && MathJax.startup.promise)", timeout=timeout_ms)
    tab.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise)"
                 " ? MathJax.startup.promise.then(() => true) : true")
    chapter_label = f"Chapter {page.number}" if page.number is not None else "Handout"
    title_page = TITLE_PAGE.format(book=html.escape(info.title), chapter_label=chapter_label,
                                   authors=html.escape(info.authors), version=html.escape(info.version),
                                   date=html.escape(info.date), url=html.escape(info.url),
                                   what="chapter" if page.number is not None else "page")
    result = tab.evaluate(PREPARE_FOR_PRINT, {
        "number": page.number,
        "titlePage": title_page if page.number is not None else "",
        "bibtex": bibtex_entry(info, page, "{{TITLE}}"),
    })
    tab.emulate_media(media="print")
    # Lay the page out at the paper's width, then let the site fit its tables to that column
    # (xaibook-page.js: smaller type, or one card per row), as it does on a phone.
    tab.set_viewport_size({"width": PAPER_WIDTH_PX, "height": 900})
    tab.evaluate("() => new Promise(r => setTimeout(() => requestAnimationFrame(() => r()), 250))")
    tab.evaluate("() => window.xaibookFitTables ? window.xaibookFitTables() : null")
    tab.pdf(path=str(out), print_background=True, prefer_css_page_size=False, **PAPER)
    tab.close()
    if errors:
        raise RuntimeError(f"{page.html_path}: JavaScript errors while printing: {errors}")
    return result


def _html_to_pdf(context, body: str, out: Path, css: str) -> None:
    tab = context.new_page()
    tab.set_content(f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head>"
                    f"<body>{body}</body></html>")
    tab.pdf(path=str(out), print_background=True, **PAPER)
    tab.close()


FRONT_CSS = """
body { font-family: system-ui, 'DejaVu Sans', sans-serif; color: #111; }
.cover { page-break-after: always; padding-top: 30mm; }
.cover h1 { font-size: 30pt; margin-bottom: 4mm; }
.cover .subtitle { font-size: 16pt; color: #333; }
pre { white-space: pre-wrap; font-size: 9pt; background: #f4f4f4; padding: 3mm; }
table.toc { width: 100%; border-collapse: collapse; font-size: 12pt; }
table.toc td { padding: 1.5mm 0; border-bottom: 1px dotted #999; }
table.toc td.page { text-align: right; width: 20mm; }
"""

# A sheet 1 mm shorter than the A4 page: one exactly as tall can round up past the page in the
# printer's units and spill onto a second, blank page (seen as 31 stamp pages for 17).
NUMBER_CSS = """
@page { size: A4; margin: 0; }
body { margin: 0; font-family: system-ui, 'DejaVu Sans', sans-serif; }
.sheet { height: 296mm; position: relative; overflow: hidden; page-break-after: always; }
.sheet span { position: absolute; bottom: 7mm; left: 16mm; right: 16mm; text-align: center; font-size: 8.5pt;
  color: #444; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
"""


def _front_matter(info: BookInfo, toc: list[tuple[str, int]]) -> str:
    title, _, subtitle = info.title.partition(":")
    rows = "".join(f"<tr><td>{html.escape(t)}</td><td class='page'>{p}</td></tr>" for t, p in toc)
    bib = html.escape(bibtex_entry(info, Page("book", None), info.title))
    return (f"<section class='cover'><h1>{html.escape(title.strip())}</h1>"
            f"<p class='subtitle'>{html.escape(subtitle.strip())}</p>"
            f"<p>{html.escape(info.authors)}<br>Version {html.escape(info.version)}, {html.escape(info.date)}</p>"
            f"<p>Course handout. Text and figures licensed under CC BY 4.0, code under MIT.<br>"
            f"Online edition with interactive charts: {html.escape(info.url)}</p>"
            f"<p><strong>Cite the book as</strong></p><pre>{bib}</pre></section>"
            f"<section><h1>Contents</h1><table class='toc'>{rows}</table></section>")


def _page_numbers(context, labels: list[str], out: Path) -> None:
    sheets = "".join(f"<div class='sheet'><span>{html.escape(label)}</span></div>" for label in labels)
    tab = context.new_page()
    tab.set_content(f"<!doctype html><html><head><meta charset='utf-8'><style>{NUMBER_CSS}</style></head>"
                    f"<body>{sheets}</body></html>")
    tab.pdf(path=str(out), format="A4", margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})
    tab.close()


def _stamp(reader_pages, numbers_pdf: Path, writer) -> None:
    from pypdf import PdfReader

    numbers = PdfReader(str(numbers_pdf))
    if len(numbers.pages) != len(reader_pages):
        raise RuntimeError(f"page-number sheet has {len(numbers.pages)} pages for {len(reader_pages)}")
    for page, number in zip(reader_pages, numbers.pages, strict=True):
        writer.add_page(page).merge_page(number)


def _print_and_assemble(browser, url: str, pages: list[Page], info: BookInfo, raw_dir: Path, out_dir: Path,
                        css: str, log) -> dict[str, Path]:
    from pypdf import PdfReader, PdfWriter

    written: dict[str, Path] = {}
    titles: dict[str, str] = {}
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.route("**/*", _block_remote)
    context.add_init_script(INIT_SCRIPT)
    context.add_init_script(f"document.addEventListener('DOMContentLoaded', () => {{"
                            f" const s = document.createElement('style'); s.textContent = {json.dumps(css)};"
                            f" document.head.appendChild(s); }});")
    for page in pages:
        started = time.perf_counter()
        result = _print_page(context, url, page, info, raw_dir / page.pdf_name)
        titles[page.docname] = result["title"]
        log(f"printed {page.html_path}: {result['figures']} figures, {result['solutions']} solutions "
            f"({time.perf_counter() - started:.1f} s)")

    counts = {p.docname: len(PdfReader(str(raw_dir / p.pdf_name)).pages) for p in pages}
    # Chapters: their own page numbers.
    for page in pages:
        if page.number is None:
            continue
        n = counts[page.docname]
        label = f"{info.title.split(':')[0]} · Chapter {page.number}"
        _page_numbers(context, [f"{label} · page {i} of {n}" for i in range(1, n + 1)], raw_dir / "numbers.pdf")
        writer = PdfWriter()
        _stamp(PdfReader(str(raw_dir / page.pdf_name)).pages, raw_dir / "numbers.pdf", writer)
        writer.add_metadata({"/Title": f"{titles[page.docname]} — {info.title}", "/Author": info.authors})
        path = out_dir / page.pdf_name
        with path.open("wb") as handle:
            writer.write(handle)
        written[page.pdf_name] = path
    # The whole book: cover and contents (two passes: their length fixes the page numbers).
    front_pages = 0
    for _ in range(3):
        start, toc = front_pages + 1, []
        for page in pages:
            toc.append((titles[page.docname] if page.number is None
                        else f"{page.number}. {titles[page.docname]}", start))
            start += counts[page.docname]
        _html_to_pdf(context, _front_matter(info, toc), raw_dir / "front.pdf", FRONT_CSS)
        measured = len(PdfReader(str(raw_dir / "front.pdf")).pages)
        if measured == front_pages:
            break
        front_pages = measured
    all_pages = list(PdfReader(str(raw_dir / "front.pdf")).pages)
    starts = {}
    for page in pages:
        starts[page.docname] = len(all_pages)
        all_pages.extend(PdfReader(str(raw_dir / page.pdf_name)).pages)
    total = len(all_pages)
    short = info.title.split(":")[0]
    _page_numbers(context, [f"{short} · page {i} of {total}" for i in range(1, total + 1)],
                  raw_dir / "numbers.pdf")
    writer = PdfWriter()
    _stamp(all_pages, raw_dir / "numbers.pdf", writer)
    for page in pages:
        label = titles[page.docname] if page.number is None else f"{page.number}. {titles[page.docname]}"
        writer.add_outline_item(title=label, page_number=starts[page.docname])
    writer.add_metadata({"/Title": info.title, "/Author": info.authors})
    path = out_dir / "book.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    written["book.pdf"] = path
    context.close()
    return written


def build_handout(repo: Path, html_dir: Path, out_dir: Path, *, copy_to_site: bool = True,
                  log=print, browser=None) -> dict[str, Path]:
    """Print every page of the built site and assemble ``book.pdf`` and one PDF per chapter.

    Returns the written files by name. The PDFs are also copied into ``<html_dir>/pdf/`` so the
    site's "Download the handout (PDF)" links resolve. ``browser``: a Playwright Chromium browser
    already running (the test suite's); by default one is started for the job.
    """
    from playwright.sync_api import sync_playwright

    if not (html_dir / "index.html").exists():
        raise FileNotFoundError(f"no built site in {html_dir}; run `jupyter-book build .` first")
    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("Chromium was not found; install Debian's package: apt-get install chromium")
    info = book_info(repo)
    pages = handout_pages(repo)
    raw_dir = out_dir / "pages"
    raw_dir.mkdir(parents=True, exist_ok=True)
    css = (Path(__file__).parent / "static" / "xaibook-print.css").read_text(encoding="utf-8")
    with _serve(html_dir) as url:
        if browser is not None:
            written = _print_and_assemble(browser, url, pages, info, raw_dir, out_dir, css, log)
        else:
            with sync_playwright() as playwright:
                own = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                try:
                    written = _print_and_assemble(own, url, pages, info, raw_dir, out_dir, css, log)
                finally:
                    own.close()
    shutil.rmtree(raw_dir)
    if copy_to_site:
        site = html_dir / SITE_PDF_DIR
        site.mkdir(exist_ok=True)
        for name, file in written.items():
            shutil.copy2(file, site / name)
        link_site_to_handout(html_dir, pages)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xaibook.handout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="repository root (default: .)")
    parser.add_argument("--html", type=Path, default=None, help="built site (default: REPO/_build/html)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: REPO/_build/pdf)")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    html_dir = args.html or repo / "_build" / "html"
    out_dir = args.out or repo / "_build" / "pdf"
    started = time.perf_counter()
    try:
        written = build_handout(repo, html_dir, out_dir)
    except (FileNotFoundError, RuntimeError) as err:
        print(f"handout: {err}", file=sys.stderr)
        return 1
    for path in written.values():
        print(f"{path} ({path.stat().st_size / 1024:.0f} KiB)")
    print(f"handout built in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
