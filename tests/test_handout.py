"""The course handout: the built site printed to PDF (``python -m xaibook.handout``).

Checks what an instructor relies on: a PDF for the book and one per chapter, each with its title
page and citation (the same BibTeX as the site's), page numbers, every page's heading, figures that
are drawn (not blank boxes) with rounded numbers in their captions, numbers equal to the HTML build,
solutions at the end, nothing past the right margin, no word split inside a table cell, no page
holding a scrap, and a site whose links (to the PDFs too) all resolve.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import BUILD_DIR, HTML_DIR, REPO, background_output, wait_for
from test_chart_fit import _texts as chart_texts
from test_links import dead_links

from xaibook import handout

pytestmark = [pytest.mark.browser, pytest.mark.handout]

PDF_DIR = BUILD_DIR / "pdf"
A4_WIDTH_PT = 595.28
RIGHT_MARGIN_PT = 16 / 25.4 * 72  # PAPER's 16 mm


def _needs_poppler() -> None:
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils; .ci/run does this)")


@pytest.fixture(scope="session")
def handout_files(built_site, browser) -> dict[str, Path]:
    """The handout, printed by `python -m xaibook.handout` (README command 3) in the background
    right after the book build (``conftest.py``), while the other browser tests run."""
    pytest.importorskip("pypdf", reason="pip install -r requirements.txt for pypdf")
    code = wait_for("handout-returncode")
    assert code == 0, "python -m xaibook.handout failed:\n" + background_output("handout.txt")[-4000:]
    files = {path.name: path for path in sorted(PDF_DIR.glob("*.pdf"))}
    assert files, f"the handout wrote no PDF into {PDF_DIR}"
    return files


def pdf_text(path: Path, *, first: int | None = None, last: int | None = None) -> str:
    _needs_poppler()
    command = ["pdftotext", "-layout"]
    if first:
        command += ["-f", str(first)]
    if last:
        command += ["-l", str(last)]
    return subprocess.run([*command, str(path), "-"], capture_output=True, text=True, check=True).stdout


def chapter_pages() -> list[handout.Page]:
    return [page for page in handout.handout_pages(REPO) if page.number is not None]


def test_pages_follow_the_table_of_contents():
    pages = handout.handout_pages(REPO)
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    assert pages[0].docname == toc["root"]
    numbered = [page.number for page in pages if page.number is not None]
    assert numbered == sorted(numbered) and len(numbered) >= 5


def test_citation_metadata_comes_from_the_repository_files():
    info = handout.book_info(REPO)
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert info.url == config["repository"]["url"]
    assert info.version == str(citation["version"])
    entry = handout.bibtex_entry(info, handout.Page("book/05_shap", 5), "SHAP values")
    assert entry.startswith("@incollection{xaibook2026-ch05,") and "chapter   = {5}" in entry


def test_the_handout_cites_the_book_as_the_how_to_cite_page_does():
    """One BibTeX entry for the book: the site's (book/cite.md) is the handout's, field for field."""
    info = handout.book_info(REPO)
    source = (REPO / "book" / "cite.md").read_text(encoding="utf-8")
    site_entry = re.search(r"```bibtex\n(.*?)\n```", source, re.S).group(1)
    site_entry = site_entry.replace("{{ repository_url }}", info.url)
    assert site_entry == handout.bibtex_entry(info, handout.Page("book", None), info.title)


def test_one_pdf_per_chapter_and_the_book(handout_files):
    expected = {page.pdf_name for page in chapter_pages()} | {"book.pdf"}
    assert set(handout_files) == expected
    for path in handout_files.values():
        assert path.stat().st_size > 50_000


def test_page_counts_add_up(handout_files):
    from pypdf import PdfReader

    book = len(PdfReader(str(handout_files["book.pdf"])).pages)
    chapters = {page.pdf_name: len(PdfReader(str(handout_files[page.pdf_name])).pages) for page in chapter_pages()}
    for name, count in chapters.items():
        assert 4 <= count <= 80, f"{name} has {count} pages"
    assert sum(chapters.values()) + 2 <= book <= sum(chapters.values()) + 60


def test_book_has_every_chapter_title_bookmarks_and_contents(handout_files):
    from pypdf import PdfReader

    text = pdf_text(handout_files["book.pdf"])
    reader = PdfReader(str(handout_files["book.pdf"]))
    outline = [item.title for item in reader.outline]
    assert "Contents" in pdf_text(handout_files["book.pdf"], first=1, last=3)
    for page in chapter_pages():
        title = _html_title(page)
        assert f"{page.number}. {title}" in outline
        assert title in text, f"chapter title {title!r} missing from book.pdf"


def test_every_chapter_opens_with_its_citation_and_has_page_numbers(handout_files):
    info = handout.book_info(REPO)
    for page in chapter_pages():
        path = handout_files[page.pdf_name]
        first = pdf_text(path, first=1, last=2)
        flat = " ".join(first.split())
        assert page.bibtex_key in flat
        assert "CC BY 4.0" in flat and info.version in flat
        assert info.url in flat.replace(" ", "") or info.url in flat
        assert re.search(r"page 1 of \d+", flat), f"{page.pdf_name}: no page number on page 1"


def _page_ranges(path: Path) -> dict[str, tuple[int, int]]:
    """Each bookmark of ``path`` with its first and last page (1-based)."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    starts = [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline]
    ends = [start - 1 for _, start in starts[1:]] + [len(reader.pages)]
    return {title: (start, end) for (title, start), end in zip(starts, ends, strict=True)}


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_page_prints_its_heading(handout_files):
    """The page's own <h1> is in its pages of book.pdf (not only in the contents), and a chapter's
    title is on its title page and again at the top of its text."""
    ranges = _page_ranges(handout_files["book.pdf"])
    for page in handout.handout_pages(REPO):
        title = _html_title(page)
        bookmark = title if page.number is None else f"{page.number}. {title}"
        first, last = ranges[bookmark]
        text = _flat(pdf_text(handout_files["book.pdf"], first=first, last=min(last, first + 2)))
        assert title in text, f"{page.html_path}: heading {title!r} not printed on its first pages"
        if page.number is not None:
            chapter = _flat(pdf_text(handout_files[page.pdf_name], first=1, last=3))
            # the title page's heading, the BibTeX entry's title and the heading of the text
            assert chapter.count(title) >= 3, f"{page.pdf_name}: title page or heading without {title!r}"


class _TableWords(HTMLParser):
    """The words of every table cell of a page."""

    def __init__(self):
        super().__init__()
        self.words: set[str] = set()
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        self._depth += tag in ("td", "th")

    def handle_endtag(self, tag):
        self._depth -= tag in ("td", "th") and self._depth > 0

    def handle_data(self, data):
        if self._depth:
            self.words.update(w.strip(".,;:()[]") for w in data.split())


def split_words(pdf_words: list[str], cell_words: set[str]) -> list[str]:
    """Cell words that the PDF prints in pieces: runs of 2-3 consecutive words (in the order they are
    drawn) that join into a word of a table cell, e.g. "Fals", "e" for "False". A break after "_"
    (which the tables allow, ``xaibook.tables``), "-" or "/" does not count, nor punctuation."""
    found = []
    for i in range(len(pdf_words)):
        for k in (2, 3):
            parts = pdf_words[i:i + k]
            if (len(parts) < k or any(part.endswith(("_", "-", "/")) for part in parts[:-1])
                    or not all(re.search(r"[A-Za-z0-9]", part) for part in parts)):
                continue
            joined = "".join(parts).strip(".,;:()[]")
            # (a word, not a number: numbers of a chart and the next one's are often drawn in a row)
            if len(joined) >= 3 and re.search(r"[A-Za-z]", joined) and joined in cell_words:
                found.append(" / ".join(parts))
    return found


def test_split_word_detector():
    words = "risk False True Fals e prot ecte d checking_ account 1- 4 ( A11 , end".split()
    cells = {"False", "True", "protected", "checking_account", "risk", "1-4", "A11"}
    assert split_words(words, cells) == ["Fals / e", "prot / ecte / d"]


def test_no_word_is_split_inside_a_table_cell(handout_files):
    for page in chapter_pages():
        parser = _TableWords()
        parser.feed((HTML_DIR / page.html_path).read_text(encoding="utf-8"))
        cells = {w for w in parser.words if len(w) >= 3}
        if not cells:
            continue
        raw = subprocess.run(["pdftotext", "-raw", str(handout_files[page.pdf_name]), "-"],
                             capture_output=True, text=True, check=True).stdout
        broken = split_words(raw.split(), cells)
        assert not broken, f"{page.pdf_name}: words split inside table cells: {broken[:10]}"


class _PastedText(HTMLParser):
    """Collects the glued numbers (MyST-NB's ``pasted-text`` spans) of an HTML page."""

    def __init__(self):
        super().__init__()
        self.values: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "span" and ("class", "pasted-text") in attrs

    def handle_data(self, data):
        if self._inside and data.strip():
            self.values.append(data.strip())
            self._inside = False


def _html_title(page: handout.Page) -> str:
    text = (HTML_DIR / page.html_path).read_text(encoding="utf-8")
    headings = [h for h in re.findall(r"<h1>(.*?)</h1>", text, re.S) if 'class="headerlink"' in h]
    assert headings, f"no chapter heading in {page.html_path}"
    heading = re.sub(r'<a class="headerlink".*', "", headings[0], flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", heading).split())


def test_glued_numbers_match_the_html_build(handout_files):
    for page in chapter_pages():
        parser = _PastedText()
        parser.feed((HTML_DIR / page.html_path).read_text(encoding="utf-8"))
        numbers = [v for v in parser.values if re.fullmatch(r"-?\d+(\.\d+)?%?", v) and len(v) >= 3]
        if not numbers:
            continue
        text = " ".join(pdf_text(handout_files[page.pdf_name]).split())
        missing = [v for v in numbers if v not in text]
        assert not missing, f"{page.pdf_name}: glued numbers not in the PDF: {missing[:10]}"


def test_figure_captions_round_their_numbers(handout_files):
    """A caption is the chart's title and description (its aria-label): no "-0.8821291146175931"."""
    for page in chapter_pages():
        text = " ".join(pdf_text(handout_files[page.pdf_name]).split())
        captions = re.findall(r"Figure \d+\.\d+\. (.*?)(?= Figure \d+\.\d+\. |$)", text)
        html = (HTML_DIR / page.html_path).read_text(encoding="utf-8")
        labels = re.findall(r'class="xaibook-chart"[^>]*aria-label="([^"]*)"', html)
        long_numbers = [n for label in labels for n in re.findall(r"\d+\.\d{5,}", label)]
        assert not long_numbers, f"{page.html_path}: unrounded numbers in chart descriptions: {long_numbers[:5]}"
        assert len(captions) == len(labels), f"{page.pdf_name}: {len(captions)} captions for {len(labels)} charts"


def test_no_page_holds_only_a_scrap(handout_files):
    """Every page of a chapter but its last carries a real share of text (a full page has several
    hundred words, a title page or a page of figures about a hundred): none holds a lone list item
    or line pushed over by a break."""
    for page in chapter_pages():
        pages = pdf_text(handout_files[page.pdf_name]).split("\f")
        pages = [text for text in pages if text.strip()]
        for number, text in enumerate(pages[:-1], start=1):
            words = sum(len(line.split()) for line in text.splitlines() if " · page " not in line)
            scrap = " ".join(text.split())[:200]
            assert words >= 40, f"{page.pdf_name} page {number} holds only {words} words: {scrap}"


def test_solutions_come_at_the_end_of_the_chapter(handout_files):
    for page in chapter_pages():
        html = (HTML_DIR / page.html_path).read_text(encoding="utf-8")
        if 'class="solution' not in html:
            continue
        text = " ".join(pdf_text(handout_files[page.pdf_name]).split())
        position = text.rfind("Solutions to the exercises")
        assert position > 0, f"{page.pdf_name}: no solutions section"
        assert position > text.rfind("Key takeaways"), f"{page.pdf_name}: solutions not at the end"


def _figure_pages(path: Path) -> list[int]:
    pages = pdf_text(path).split("\f")
    return [i + 1 for i, text in enumerate(pages) if re.search(r"Figure \d+\.\d+\.", text)]


def _caption_tops(path: Path, number: int) -> list[float]:
    """The top (in points) of every figure caption ("Figure N.k.") on page ``number``."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(number), "-l", str(number), str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    words = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', out)
    return [float(y) for (y, word), (_, following) in zip(words, words[1:])
            if word == "Figure" and re.fullmatch(r"\d+\.\d+\.", following)]


def test_figures_are_drawn_not_blank(handout_files):
    """Above each checked caption, where the chart is printed, the page is not white."""
    _needs_poppler()
    from PIL import Image

    dpi, checked = 40, 0
    for page in chapter_pages():
        path = handout_files[page.pdf_name]
        html = (HTML_DIR / page.html_path).read_text(encoding="utf-8")
        n_charts = html.count('class="xaibook-chart')
        figure_pages = _figure_pages(path)
        assert bool(figure_pages) == bool(n_charts), f"{page.pdf_name}: figures {figure_pages}, charts {n_charts}"
        for number in figure_pages[:2]:
            png = PDF_DIR / f"check-{page.pdf_name}-{number}.png"
            subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(number), "-l", str(number),
                            str(path), str(png.with_suffix(""))], check=True)
            pixels = np.asarray(Image.open(png).convert("L")).astype(int)
            png.unlink()
            for top in _caption_tops(path, number):
                low = int((top - 5) * dpi / 72)
                high = max(0, int((top - 125) * dpi / 72))   # the 120 points just above the caption
                band = pixels[high:low]
                if band.size == 0:
                    continue  # the caption sits at the top of its page: its chart ended the page before
                inked = (band < 200).mean()
                assert inked > 0.02, f"{page.pdf_name} page {number}: the figure above a caption looks blank"
                checked += 1
    assert checked >= 5


def test_no_text_runs_past_the_right_margin(handout_files):
    _needs_poppler()
    limit = A4_WIDTH_PT - RIGHT_MARGIN_PT + 2
    for name, path in handout_files.items():
        out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                             check=True).stdout
        over = [(float(m.group(1)), m.group(2)) for m in
                re.finditer(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', out)
                if float(m.group(1)) > limit]
        assert not over, f"{name}: {len(over)} words past the right margin, e.g. {over[:5]}"


def test_site_with_the_handout_has_no_dead_link_and_links_every_pdf(handout_files):
    """After the handout (README command 3): every chapter links to its PDF and the book's, the
    how-to-cite page to the book's, and no internal link of the site is dead (``test_links``)."""
    dead = dead_links(HTML_DIR)
    assert not dead, f"{len(dead)} dead links, e.g.:\n" + "\n".join(dead[:20])
    for page in handout.handout_pages(REPO):
        html = (HTML_DIR / page.html_path).read_text(encoding="utf-8")
        blocks = re.findall(rf'<p class="{handout.HANDOUT_LINK_CLASS}">(.*?)</p>', html, re.S)
        expected = [Path(target).name for _, target in handout.handout_links(page.docname)]
        linked = [Path(href).name for block in blocks for href in re.findall(r'href="([^"]+\.pdf)"', block)]
        assert linked == expected, f"{page.html_path}: handout links {linked}, expected {expected}"
        assert set(expected) <= set(handout_files)


# --- Paper is not interactive ------------------------------------------------------------------------
#: Words telling a reader with a mouse what to do (as ``forPaper`` in ``_static/xaibook-charts.js``).
POINTER_WORDS = re.compile(r"\b(click|clicks|clicking|double-click|hover|hovering|drag|dragging|select|choose|"
                           r"pick|move|slider|scroll|zoom|tap)\b", re.I)


def pointer_clauses(text: str) -> list[str]:
    """The clauses of a chart's title, subtitle or caption that tell the reader to use the mouse:
    sentences, their parts between semicolons, and parentheses."""
    parts = re.split(r"(?<=[.!?])\s+|;\s*|\s*\(|\)", " ".join(text.split()))
    return [part.strip(" .") for part in parts if POINTER_WORDS.search(part)]


def test_pointer_clauses_are_the_mouse_instructions():
    assert pointer_clauses("grey: 60 people (hover one); blue: their average") == ["hover one"]
    assert pointer_clauses("120 rows; the waterfall shows row 170 until you click another dot") == [
        "the waterfall shows row 170 until you click another dot"]
    assert pointer_clauses("4 picks cover 88% of the total importance; the selected row") == []


def test_printed_charts_give_no_mouse_instructions(handout_files):
    """A chart's subtitle says "hover one" or "click a dot" on the screen; on paper (its drawn
    titles, its caption, the text explanation's legend) those clauses are left out."""
    import json
    from html import unescape

    for page in chapter_pages():
        html = (HTML_DIR / page.html_path).read_text(encoding="utf-8")
        texts = [title for spec in re.findall(
            r'<script type="application/json" id="xaibook-chart-[^"]*-spec">(.*?)</script>', html, re.S)
            for title in chart_texts(json.loads(spec))]
        texts += [unescape(label) for label in re.findall(r'class="xaibook-chart"[^>]*aria-label="([^"]*)"', html)]
        texts += re.findall(r'<span class="xaibook-on-screen">(.*?)</span>', html)
        clauses = {clause for text in texts for clause in pointer_clauses(text) if len(clause) > 6}
        printed = " ".join(pdf_text(handout_files[page.pdf_name]).split())
        found = sorted(clause for clause in clauses if clause in printed)
        assert not found, f"{page.pdf_name} prints mouse instructions: {found[:6]}"
