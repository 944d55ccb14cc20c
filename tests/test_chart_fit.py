"""Charts on a laptop and on a phone: every chart fits its column, no text mark covers another,
signed quantities have a diverging colour scale with a neutral zero, and every chart interaction
has a keyboard path (issue 32).

The browser tests open the built site in the same headless Chromium as ``test_site.py``, at
1280 x 800 and at 390 x 844 (a phone), and read what Vega drew: the drawn picture's width, and the
text items of the view's scenegraph with their bounding boxes. The colour test reads the specs the
pages embed, so it holds every chart of the book, whoever built it.
"""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest
from conftest import HTML_DIR, toc_files

from xaibook.charts import _base, failures

#: The reader's screens: a laptop and a phone (CSS pixels).
SCREENS = {"laptop": (1280, 800), "phone": (390, 844)}
#: Overlap (in pixels, both ways) from which two texts count as covering each other.
OVERLAP_PX = 2.0


def _chart_pages() -> list[str]:
    return [n for n in toc_files() if re.fullmatch(r"book/\d\d_\w+", n)]


def _open(browser, site_url, name: str, screen: str):
    from test_site import PageVisit, draw_every_chart

    if not (HTML_DIR / f"{name}.html").exists():
        pytest.skip(f"{name} is not in the built site")
    visit = PageVisit(browser, site_url, f"{name}.html", viewport=SCREENS[screen])
    # Vega-Lite's warnings ("Conflicting legend property", ...) go to the console as warnings; charts
    # are drawn only when scrolled to, so listening from here on hears every drawing.
    visit.vega_warnings = []
    visit.page.on("console", lambda message: visit.vega_warnings.append(message.text)
                  if message.type == "warning" and "WARN" in message.text else None)
    draw_every_chart(visit.page)
    return visit


# ------------------------------------------------------------------------------------- widths
#: Per chart: the drawn picture's box and the room the chart has (its box less vega-embed's menu).
MEASURE_WIDTHS = """() => [...document.querySelectorAll('.xaibook-chart')].map(el => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const pictures = [...el.querySelectorAll('svg.marks, canvas.marks')].map(p => p.getBoundingClientRect());
    const column = el.closest('article, main, .bd-article') || document.body;
    return { id: el.id, label: (el.getAttribute('aria-label') || '').slice(0, 60),
             left: box.left + parseFloat(style.paddingLeft),
             right: box.right - parseFloat(style.paddingRight),
             columnRight: column.getBoundingClientRect().right,
             drawnLeft: Math.min(...pictures.map(p => p.left)),
             drawnRight: Math.max(...pictures.map(p => p.right)),
             width: Math.max(...pictures.map(p => p.width)) };
})"""


def assert_charts_fit(visit, name: str, screen: str) -> None:
    """Every drawn chart lies within its column; Vega-Lite printed no warning while drawing."""
    charts = visit.page.evaluate(MEASURE_WIDTHS)
    assert charts, f"{name} has no chart"
    too_wide = [c for c in charts
                if c["drawnRight"] > c["right"] + 0.5 or c["drawnLeft"] < c["left"] - 0.5
                or c["right"] > c["columnRight"] + 0.5]
    assert not too_wide, f"{name} at {screen} width: charts wider than their column:\n" + "\n".join(
        f"  {c['label']!r}: drawn {c['width']:.0f} px from {c['drawnLeft']:.0f} to {c['drawnRight']:.0f}, "
        f"room {c['left']:.0f} to {c['right']:.0f}" for c in too_wide)
    assert visit.console_errors == []
    assert visit.vega_warnings == [], f"{name}: Vega-Lite warns: {sorted(set(visit.vega_warnings))}"


@pytest.mark.browser
@pytest.mark.parametrize("name", _chart_pages())
def test_every_chart_fits_a_phone_with_texts_apart_and_readable(browser, site_url, name):
    """At 390 px: widths, overlapping texts (a chart drawn narrower must not push its labels onto
    each other), and no text smaller than :data:`MIN_FONT_PX` on the screen (a chart scaled down as
    a picture shrinks its texts with it)."""
    visit = _open(browser, site_url, name, "phone")
    try:
        assert_charts_fit(visit, name, "phone")
        assert_no_text_covers_another(visit, name)
        assert_texts_readable(visit, name)
    finally:
        visit.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", _chart_pages())
def test_charts_on_a_laptop_fit_keep_texts_apart_and_work_from_the_keyboard(browser, site_url, name):
    """One visit per chapter at 1280 px (the suite stays fast): widths, overlapping texts, then
    every input driven with keys (last: it changes what the charts show)."""
    visit = _open(browser, site_url, name, "laptop")
    try:
        assert_charts_fit(visit, name, "laptop")
        assert_no_text_covers_another(visit, name)
        assert_inputs_drive_charts_from_the_keyboard(visit, name)
    finally:
        visit.close()


# ----------------------------------------------------------------------------------- overlaps
#: Every visible text item Vega drew, with its box in the chart's pixels: text marks (role "mark"),
#: axis labels, legend labels and titles. Vega hides axis labels that would collide (labelOverlap)
#: by zero opacity; those are left out.
TEXT_BOXES = """el => {
    const view = el.xaibookChart && el.xaibookChart.view;
    const out = [];
    function walk(mark, ox, oy, legend) {
        const inLegend = legend || mark.role === 'legend';
        for (const item of mark.items || []) {
            if (mark.marktype === 'group') {
                for (const child of item.items || []) {
                    walk(child, ox + (item.x || 0), oy + (item.y || 0), inLegend || child.role === 'legend');
                }
                continue;
            }
            if (mark.marktype !== 'text') { continue; }
            const text = Array.isArray(item.text) ? item.text.join(' ') : String(item.text ?? '');
            const opacity = (item.opacity ?? 1) * (item.fillOpacity ?? 1);
            if (!text.trim() || opacity === 0 || !item.bounds || item.bounds.empty()) { continue; }
            out.push({ text: text, role: mark.role, legend: inLegend, name: mark.name || '',
                       angle: item.angle || 0, ax: (item.x || 0) + ox, ay: (item.y || 0) + oy,
                       size: item.fontSize || 11,
                       x1: item.bounds.x1 + ox, x2: item.bounds.x2 + ox,
                       y1: item.bounds.y1 + oy, y2: item.bounds.y2 + oy });
        }
    }
    if (view) { walk(view.scenegraph().root, 0, 0, false); }
    return { label: (el.getAttribute('aria-label') || '').slice(0, 60), texts: out };
}"""


def _overlap(a: dict, b: dict) -> float:
    width = min(a["x2"], b["x2"]) - max(a["x1"], b["x1"])
    height = min(a["y2"], b["y2"]) - max(a["y1"], b["y1"])
    return min(width, height)


def _rotated_apart(a: dict, b: dict) -> bool:
    """Two labels of one axis turned by the same angle lie on parallel lines: they are apart when
    those lines are at least a text's height apart (their boxes, axis-aligned around turned text,
    overlap even then)."""
    angle = math.radians(a["angle"])
    across = abs(-(b["ax"] - a["ax"]) * math.sin(angle) + (b["ay"] - a["ay"]) * math.cos(angle))
    return across >= min(a["size"], b["size"])


def overlapping_texts(texts: list[dict]) -> list[tuple[str, str]]:
    """Pairs of texts that cover each other: two text marks, a text mark and an axis or legend
    label, or two labels of one axis (turned ones by the distance of their lines). (Labels of
    different axes and the parts of one legend entry are laid out by Vega and may touch.)"""
    pairs = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            marks = [t for t in (a, b) if t["role"] == "mark" and not t["legend"]]
            same_axis = a["role"] == b["role"] == "axis-label" and a["name"] == b["name"]
            if not marks and not same_axis:
                continue
            if _overlap(a, b) <= OVERLAP_PX:
                continue
            if same_axis and not marks and (a.get("angle") or b.get("angle")):
                if a.get("angle") != b.get("angle") or _rotated_apart(a, b):
                    continue
            pairs.append((a["text"], b["text"]))
    return pairs


def test_overlap_check_finds_covering_texts_only():
    word = {"role": "mark", "legend": False, "name": "words"}
    first = {**word, "text": "stereotypes", "x1": 0, "x2": 60, "y1": 0, "y2": 12}
    covering = {**word, "text": "Exploits", "x1": 40, "x2": 90, "y1": 4, "y2": 16}
    apart = {**word, "text": "film", "x1": 0, "x2": 30, "y1": 30, "y2": 42}
    other_axis = {"role": "axis-label", "legend": False, "name": "y", "text": "a",
                  "x1": 0, "x2": 60, "y1": 30, "y2": 42}
    assert overlapping_texts([first, covering, apart]) == [("stereotypes", "Exploits")]
    assert overlapping_texts([apart, other_axis]) == [("film", "a")]
    assert overlapping_texts([first, apart]) == []
    # labels of one axis turned by -30 degrees: 15 px apart along the axis is 7.5 px across their lines
    turned = {"role": "axis-label", "legend": False, "name": "x", "angle": -30, "size": 11, "ay": 0,
              "y1": -40, "y2": 0}
    close = [{**turned, "text": t, "ax": x, "x1": x - 60, "x2": x} for t, x in (("a", 100), ("b", 115))]
    far = [{**turned, "text": t, "ax": x, "x1": x - 60, "x2": x} for t, x in (("a", 100), ("b", 130))]
    assert overlapping_texts(close) == [("a", "b")] and overlapping_texts(far) == []


#: Smallest text (CSS pixels, as drawn on the screen) a chart may show.
MIN_FONT_PX = 8.95
#: Per chart, its smallest text as drawn: font size times the scale of a picture shrunk to fit.
SMALLEST_TEXT = """el => { const shrunk = parseFloat(el.dataset.shrunk || '1');
    const view = el.xaibookChart && el.xaibookChart.view;
    let smallest = { size: Infinity, text: '' };
    function walk(mark) {
        for (const item of mark.items || []) {
            if (mark.marktype === 'group') { (item.items || []).forEach(walk); continue; }
            const text = Array.isArray(item.text) ? item.text.join(' ') : String(item.text ?? '');
            if (mark.marktype !== 'text' || !text.trim() || (item.opacity ?? 1) === 0) { continue; }
            const size = (item.fontSize || 11) * shrunk;
            if (size < smallest.size) { smallest = { size: size, text: text }; }
        }
    }
    if (view) { walk(view.scenegraph().root); }
    return { label: (el.getAttribute('aria-label') || '').slice(0, 60), ...smallest };
}"""


def assert_texts_readable(visit, name: str) -> None:
    small = [c for c in (h.evaluate(SMALLEST_TEXT) for h in visit.page.query_selector_all(".xaibook-chart"))
             if c["size"] < MIN_FONT_PX]
    assert not small, f"{name}: texts smaller than {MIN_FONT_PX:.0f} px on the screen:\n" + "\n".join(
        f"  {c['label']!r}: {c['text'][:30]!r} at {c['size']:.1f} px" for c in small)


def assert_no_text_covers_another(visit, name: str) -> None:
    found = []
    for handle in visit.page.query_selector_all(".xaibook-chart"):
        chart = handle.evaluate(TEXT_BOXES)
        pairs = overlapping_texts(chart["texts"])
        if pairs:
            found.append(f"  {chart['label']!r}: " + "; ".join(f"{a!r} / {b!r}" for a, b in pairs[:5]))
    assert not found, f"{name}: texts drawn over each other:\n" + "\n".join(found)


# ----------------------------------------------------------------------------------- keyboard
def _specs(name: str) -> list[dict]:
    html = (HTML_DIR / f"{name}.html").read_text()
    return [json.loads(m) for m in re.findall(
        r'<script type="application/json" id="xaibook-chart-[^"]*-spec">(.*?)</script>', html, re.S)]


def _params(node) -> list[dict]:
    found = []
    if isinstance(node, dict):
        found += [p for p in node.get("params") or [] if isinstance(p, dict)]
        for key, value in node.items():
            if key not in ("params", "datasets", "data"):
                found += _params(value)
    elif isinstance(node, list):
        for item in node:
            found += _params(item)
    return found


def mouse_only(spec: dict) -> list[str]:
    """Names of a chart's selections that a click (or a legend) changes while no input under the
    chart gives the keyboard a way to the same result. Hover highlights are not functions (their
    content is in the tooltip and the data table), so they are not counted."""
    params = _params(spec)
    has_input = any(isinstance(p.get("bind"), dict) and "input" in p["bind"] for p in params)
    clicked = []
    for param in params:
        select = param.get("select")
        if not isinstance(select, dict):
            continue
        on = json.dumps(select.get("on", "click" if select.get("type") == "point" else "")) + json.dumps(
            param.get("bind", ""))
        if ("click" in on or "legend" in on) and "pointerover" not in on:
            clicked.append(param.get("name", "?"))
    return [] if has_input else clicked


def test_a_click_on_a_mark_compiles_and_refuses_bracketed_names():
    """The click filter of :func:`click_on_mark` must parse in Vega's event-selector grammar (which
    has no nested brackets): vl-convert compiles and draws a chart that uses it."""
    import altair as alt
    import vl_convert as vlc

    pick = alt.selection_point(fields=["row"], on=_base.click_on_mark("row"), value=[{"row": 1}], clear=False,
                               bind=alt.binding_select(options=[1, 2]))
    chart = alt.Chart(pd.DataFrame({"row": [1, 2]})).mark_point().encode(x="row:Q").add_params(pick)
    assert vlc.vegalite_to_png(chart.to_dict())[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="plain name"):
        _base.click_on_mark("a b")


def test_mouse_only_check_sees_a_click_without_a_list():
    click = {"params": [{"name": "pick", "select": {"type": "point", "on": "click"}}]}
    listed = {"params": [{"name": "pick", "select": {"type": "point"}, "bind": {"input": "select"}}]}
    legend = {"layer": [{"params": [{"name": "p", "select": {"type": "point"}, "bind": "legend"}]}]}
    hover = {"params": [{"name": "h", "select": {"type": "point", "on": "pointerover"}}]}
    assert mouse_only(click) == ["pick"] and mouse_only(legend) == ["p"]
    assert mouse_only(listed) == [] and mouse_only(hover) == []


@pytest.mark.parametrize("name", _chart_pages())
def test_every_clicked_selection_has_a_keyboard_input(built_site, name):
    if not (HTML_DIR / f"{name}.html").exists():
        pytest.skip(f"{name} is not in the built site")
    offenders = {}
    for spec in _specs(name):
        names = mouse_only(spec)
        if names:
            offenders[str(spec.get("title"))[:60]] = names
    assert not offenders, f"{name}: selections with no keyboard path: {offenders}"


def assert_inputs_drive_charts_from_the_keyboard(visit, name: str) -> None:
    """Every input under every chart, moved with keys only, changes the drawing."""
    page = visit.page
    inputs = page.locator(".xaibook-chart .vega-bindings select, .xaibook-chart .vega-bindings input[type=range]")
    for k in range(inputs.count()):
        control = inputs.nth(k)
        chart = control.locator("xpath=ancestor::div[contains(@class, 'xaibook-chart')][1]")
        before = chart.locator("svg.marks").inner_html()
        value = control.input_value()
        control.focus()
        is_select = control.evaluate("el => el.tagName === 'SELECT'")
        page.keyboard.press("ArrowDown" if is_select else "ArrowRight")
        if control.input_value() == value:  # at the end of its range: the other way
            page.keyboard.press("ArrowUp" if is_select else "ArrowLeft")
        assert control.input_value() != value, f"{name}: the keyboard does not move input {k}"
        page.wait_for_function("([el, before]) => el.querySelector('svg.marks').innerHTML !== before",
                               arg=[chart.element_handle(), before], timeout=15_000)
    assert visit.console_errors == []


@pytest.mark.browser
def test_beeswarm_keeps_one_person_when_the_click_misses(browser, site_url):
    """Chapter 5's linked view: a click (or double-click) off the dots keeps the person shown, so the
    waterfall never draws every person at once, and the list keeps naming the person drawn."""
    visit = _open(browser, site_url, "book/05_shap", "laptop")
    page = visit.page
    try:
        picker = page.locator(".xaibook-chart select[name='person_row']")
        chart = page.locator(".xaibook-chart", has=page.locator("select[name='person_row']"))
        state = """el => { const v = el.xaibookChart.view;
            return [String(v.signal('person_row')), v.data('person_store').length]; }"""
        first = chart.evaluate(state)
        assert first[1] == 1 and first[0] == picker.input_value()
        title = chart.locator("svg.marks .role-title-text").first.bounding_box()
        picture = chart.locator("svg.marks").bounding_box()
        spots = [(title["x"] + 5, title["y"] + title["height"] / 2),  # the title: no dot there
                 (picture["x"] + picture["width"] - 3, picture["y"] + 3)]  # the top right corner
        for x, y in spots:
            page.mouse.click(x, y)
            page.mouse.dblclick(x, y)
            page.wait_for_timeout(200)
            assert chart.evaluate(state) == first, "a click off the dots changed or emptied the selection"
        assert picker.input_value() == first[0]
        assert visit.console_errors == []
    finally:
        visit.close()


# ------------------------------------------------------------------------------------- words
def _texts(node) -> list[str]:
    """Every title, axis or legend title and tooltip title of a spec (not its data)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("datasets", "data", "values"):
                continue
            if key in ("title", "subtitle", "text") and isinstance(value, (str, list)):
                found += [value] if isinstance(value, str) else [str(v) for v in value]
            else:
                found += _texts(value)
    elif isinstance(node, list):
        for item in node:
            found += _texts(item)
    return found


@pytest.mark.parametrize("name", _chart_pages())
def test_charts_name_outcomes_in_the_readers_words(built_site, name):
    """Axes, legends and tooltips say what an outcome is ("probability of repaying"), never the
    model's class code ("class 0")."""
    if not (HTML_DIR / f"{name}.html").exists():
        pytest.skip(f"{name} is not in the built site")
    coded = sorted({text for spec in _specs(name) for text in _texts(spec)
                    if re.search(r"\bclass [0-9]\b|P\(class", text)})
    assert not coded, f"{name}: chart texts name a class by its code: {coded}"


# ------------------------------------------------------------------------------------ colours
def _views(node):
    if isinstance(node, dict):
        yield node
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for child in node.get(key) or []:
                yield from _views(child)
        if isinstance(node.get("spec"), dict):
            yield from _views(node["spec"])


def signed_colour_problems(spec: dict) -> list[str]:
    """Quantitative colour encodings of a field that holds values of both signs, whose scale is not
    centred on zero with the neutral :data:`SIGNED_ZERO` there (a diverging scale)."""
    datasets = spec.get("datasets") or {}
    problems = []

    def check(view, rows):
        colour = (view.get("encoding") or {}).get("color")
        for definition in [colour, (colour or {}).get("condition")] if isinstance(colour, dict) else []:
            if not isinstance(definition, dict) or definition.get("type") != "quantitative":
                continue
            values = [r.get(definition.get("field")) for r in rows]
            values = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
            scale = definition.get("scale") or {}
            domain, colours = scale.get("domain"), scale.get("range")
            # (a scale whose domain starts at 0 or above draws no negative value on it: a negative
            # value is then a flag drawn otherwise, like the beeswarm's "a category" -1)
            shown_low = domain[0] if isinstance(domain, list) and domain and \
                isinstance(domain[0], (int, float)) else min(values, default=0)
            if not (values and min(values) < 0 < max(values) and shown_low < 0):
                continue
            centred = (isinstance(domain, list) and len(domain) == 3 and domain[1] == 0
                       and domain[0] == -domain[2] and isinstance(colours, list) and len(colours) == 3
                       and colours[1] == _base.SIGNED_ZERO)
            if not centred:
                problems.append(f"{definition.get('field')}: scale {scale}")

    def walk(view, rows):
        data = view.get("data")
        if isinstance(data, dict) and data.get("name") in datasets:
            rows = datasets[data["name"]]
        elif isinstance(data, dict) and isinstance(data.get("values"), list):
            rows = data["values"]
        check(view, rows)
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for child in view.get(key) or []:
                walk(child, rows)
        if isinstance(view.get("spec"), dict):
            walk(view["spec"], rows)

    walk(spec, [])
    return problems


def test_signed_scale_is_symmetric_with_a_neutral_zero():
    scale = _base.signed_scale(0.3).to_dict()
    assert scale["domain"] == [-0.3, 0.0, 0.3]
    assert scale["range"] == [_base.DIVERGING_RANGE[0], _base.SIGNED_ZERO, _base.DIVERGING_RANGE[1]]
    assert _base.signed_scale(0.0).to_dict()["domain"] == [-1.0, 0.0, 1.0]  # an all-zero panel


def test_report_card_colours_signed_values_around_a_neutral_zero():
    frame = pd.DataFrame({"method": ["SHAP", "SHAP", "LIME", "LIME"], "feature": ["a", "b", "a", "b"],
                          "value": [0.4, -0.2, 0.0, 0.0]})
    spec = failures.report_card_chart(frame).to_dict()
    assert signed_colour_problems(spec) == []
    lopsided = {"datasets": {"d": [{"v": -1.0}, {"v": 2.0}]}, "data": {"name": "d"}, "mark": "rect",
                "encoding": {"color": {"field": "v", "type": "quantitative", "scale": {"domain": [-1, 2]}}}}
    assert signed_colour_problems(lopsided) == ["v: scale {'domain': [-1, 2]}"]


@pytest.mark.parametrize("name", _chart_pages())
def test_signed_quantities_get_a_diverging_scale_centred_on_zero(built_site, name):
    if not (HTML_DIR / f"{name}.html").exists():
        pytest.skip(f"{name} is not in the built site")
    offenders = {}
    for spec in _specs(name):
        problems = signed_colour_problems(spec)
        if problems:
            offenders[str(spec.get("title"))[:60]] = problems
    assert not offenders, f"{name}: signed values on a one-sided colour scale: {offenders}"


def test_signed_zero_reads_on_both_pages():
    for background in (_base.LIGHT_BACKGROUND, _base.DARK_BACKGROUND):
        assert _base.contrast_ratio(_base.SIGNED_ZERO, background) >= _base.MIN_CONTRAST


# ---------------------------------------------------------------------------------- dark mode
#: Chapters whose dots, lines and highlighted words a reader found hard to see on the dark page
#: (chapter 3: translucent scatter dots, rank numbers on coloured cells).
DARK_PAGES = ["book/03_permutation_importance", "book/05_shap", "book/06_lime", "book/09_wrap_up"]

#: The page's background and, per mark of every chart, the colours of its dots, lines and rules as
#: drawn (opacity included). A mark whose items differ in opacity encodes a quantity (or a
#: selection) in it, faded on purpose: it is left out. Colours are normalised by a canvas.
MARK_COLOURS = """() => {
    const ctx = document.createElement('canvas').getContext('2d');
    const norm = c => { ctx.fillStyle = '#000000'; ctx.fillStyle = c; return ctx.fillStyle; };
    const page = [document.body, document.documentElement].map(e => getComputedStyle(e).backgroundColor)
        .find(c => c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') || 'rgb(255, 255, 255)';
    const out = [];
    function walk(mark, chart) {
        if (mark.marktype === 'group') {
            for (const item of mark.items || []) { for (const child of item.items || []) walk(child, chart); }
            return;
        }
        // (grid lines are decoration, which WCAG 1.4.11 leaves out)
        if (!['symbol', 'line', 'rule'].includes(mark.marktype) || mark.role === 'axis-grid') { return; }
        const seen = new Map();
        const opacities = new Set();
        for (const item of mark.items || []) {
            const filled = typeof item.fill === 'string' && !['none', 'transparent'].includes(item.fill);
            const colour = filled ? item.fill : item.stroke;
            if (typeof colour !== 'string' || ['none', 'transparent'].includes(colour)) { continue; }
            const alpha = (item.opacity ?? 1) * ((filled ? item.fillOpacity : item.strokeOpacity) ?? 1);
            if (alpha === 0) { continue; }
            opacities.add(alpha.toFixed(3));
            seen.set(norm(colour) + '@' + alpha.toFixed(3), { colour: norm(colour), alpha: alpha });
        }
        if (opacities.size > 1) { return; }
        for (const c of seen.values()) {
            out.push({ chart: chart, mark: mark.name || mark.role || mark.marktype, ...c });
        }
    }
    for (const el of document.querySelectorAll('.xaibook-chart')) {
        const view = el.xaibookChart && el.xaibookChart.view;
        if (view) { walk(view.scenegraph().root, (el.getAttribute('aria-label') || '').slice(0, 50)); }
    }
    return { page: norm(page), marks: out };
}"""

#: Every text a chart draws on a filled cell (a rect under the text's centre): its colour and the
#: cell's as drawn on the page (opacity included), for WCAG 2.1 1.4.3 (4.5:1 for text).
TEXTS_ON_CELLS = """() => {
    const ctx = document.createElement('canvas').getContext('2d');
    const norm = c => { ctx.fillStyle = '#000000'; ctx.fillStyle = c; return ctx.fillStyle; };
    const out = [];
    function walk(mark, ox, oy, cells, texts) {
        for (const item of mark.items || []) {
            if (mark.marktype === 'group') {
                for (const child of item.items || []) walk(child, ox + (item.x || 0), oy + (item.y || 0), cells, texts);
                continue;
            }
            const alpha = (item.opacity ?? 1) * (item.fillOpacity ?? 1);
            if (alpha === 0 || typeof item.fill !== 'string' || !item.bounds || item.bounds.empty()) { continue; }
            const box = { x1: item.bounds.x1 + ox, x2: item.bounds.x2 + ox, y1: item.bounds.y1 + oy,
                          y2: item.bounds.y2 + oy, colour: norm(item.fill), alpha: alpha };
            if (mark.marktype === 'rect' && mark.role === 'mark' && !['none', 'transparent'].includes(item.fill)) {
                cells.push(box);
            } else if (mark.marktype === 'text' && mark.role === 'mark') {
                const text = Array.isArray(item.text) ? item.text.join(' ') : String(item.text ?? '');
                if (text.trim()) { texts.push({ ...box, text: text }); }
            }
        }
    }
    for (const el of document.querySelectorAll('.xaibook-chart')) {
        const view = el.xaibookChart && el.xaibookChart.view;
        if (!view) { continue; }
        const cells = [], texts = [];
        walk(view.scenegraph().root, 0, 0, cells, texts);
        for (const t of texts) {
            const cx = (t.x1 + t.x2) / 2, cy = (t.y1 + t.y2) / 2;
            const under = cells.filter(c => c.x1 <= cx && cx <= c.x2 && c.y1 <= cy && cy <= c.y2).pop();
            if (under) {
                out.push({ chart: (el.getAttribute('aria-label') || '').slice(0, 50), text: t.text,
                           colour: t.colour, alpha: t.alpha, cell: under.colour, cellAlpha: under.alpha });
            }
        }
    }
    return out;
}"""


def assert_texts_on_cells_read(visit, name: str, page: str) -> list[dict]:
    """Every text drawn on a coloured cell has 4.5:1 against the cell as drawn on ``page``."""
    found = visit.page.evaluate(TEXTS_ON_CELLS)
    faint = []
    for t in found:
        cell = over(t["cell"], page, t["cellAlpha"])
        ratio = _base.contrast_ratio(over(t["colour"], cell, t["alpha"]), cell)
        if ratio < 4.5:
            faint.append(f"{t['chart']!r} {t['text']!r}: {t['colour']} on {cell} ({ratio:.2f}:1)")
    assert not faint, f"{name}: texts under 4.5:1 on their cells (page {page}):\n" + "\n".join(sorted(set(faint)))
    return found


def test_text_colour_on_fill_reads_on_any_cell():
    """White or black, whichever contrasts more: at least sqrt(21) = 4.58:1 on any fill, among them
    both pages' versions of the signed scale's ends; the expression reads the cell's own scale."""
    fills = ["#0072B2", "#4A97E0", "#D55E00", "#E8743B", _base.SIGNED_ZERO, "#767676", "#21918c"]
    for fill in fills:
        assert max(_base.contrast_ratio(fill, ink) for ink in ("#ffffff", "#000000")) >= 4.5, fill
    expression = _base.text_colour_on_fill("scaled")["value"]["expr"]
    assert "scale('color', datum.scaled)" in expression
    with pytest.raises(ValueError, match="plain name"):
        _base.text_colour_on_fill("a b")


#: Chapters with numbers printed on coloured cells (the tree's boxes, rank and agreement heat maps,
#: the report cards), with the modes not already checked by the dark-page test above.
CELL_TEXT_PAGES = ["book/02_basics", "book/03_permutation_importance", "book/08_failures", "book/09_wrap_up",
                   "book/10_reason_codes"]
CELL_TEXT_VISITS = [(name, mode) for name in CELL_TEXT_PAGES for mode in ("light", "dark")
                    if mode == "light" or name not in DARK_PAGES]


#: Each highlighted word of a LIME text explanation: its text colour, its tint and its underline.
WORD_COLOURS = """() => [...document.querySelectorAll(
        '.xaibook-lime-text .xaibook-raises, .xaibook-lime-text .xaibook-lowers')].map(el => {
        const s = getComputedStyle(el);
        return { word: el.textContent, text: s.color, tint: s.backgroundColor,
                 underline: (s.boxShadow.match(/rgba?\\([^)]*\\)/) || [''])[0] }; })"""


def _rgba(colour: str) -> tuple[float, float, float, float]:
    """``#rrggbb``, ``rgb(r, g, b)`` or ``rgba(r, g, b, a)`` as channels 0-255 and alpha 0-1."""
    if colour.startswith("#"):
        return (*(int(colour[i:i + 2], 16) for i in (1, 3, 5)), 1.0)
    numbers = [float(v) for v in re.findall(r"[\d.]+", colour)]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)


def over(colour: str, background: str, alpha: float = 1.0) -> str:
    """``colour`` drawn with ``alpha`` (times its own) over the opaque ``background``, as ``#rrggbb``."""
    *top, own = _rgba(colour)
    *bottom, _ = _rgba(background)
    a = own * alpha
    return "#" + "".join(f"{round(a * t + (1 - a) * b):02x}" for t, b in zip(top, bottom))


def test_over_blends_like_a_browser():
    assert over("#ffffff", "#000000", 0.5) == "#808080"
    assert over("rgba(255, 0, 0, 0.5)", "rgb(0, 0, 0)") == "#800000"
    assert _base.contrast_ratio(over("#0072B2", "#14181e", 0.5), "#14181e") < 3  # why faded marks fail


@pytest.mark.browser
@pytest.mark.parametrize("name", DARK_PAGES)
def test_dots_lines_and_highlights_stand_out_on_the_dark_page(browser, site_url, name):
    """WCAG 2.1 1.4.11 (non-text contrast): on the dark page every dot, line and rule a chart draws
    at one opacity keeps 3:1 against the page as drawn (opacity included), and every word of a LIME
    text explanation has an underline of 3:1 and text of 4.5:1 on its tint."""
    from test_site import PageVisit, draw_every_chart

    if not (HTML_DIR / f"{name}.html").exists():
        pytest.skip(f"{name} is not in the built site")
    visit = PageVisit(browser, site_url, f"{name}.html", color_scheme="dark", viewport=SCREENS["laptop"])
    try:
        draw_every_chart(visit.page)
        found = visit.page.evaluate(MARK_COLOURS)
        page = over(found["page"], "#ffffff")
        assert _base.contrast_ratio(page, "#ffffff") > 10, f"not the dark page: {page}"
        faint = sorted({f"{m['chart']!r} {m['mark']}: {m['colour']} at {m['alpha']:.2f} "
                        f"({_base.contrast_ratio(over(m['colour'], page, m['alpha']), page):.2f}:1)"
                        for m in found["marks"]
                        if _base.contrast_ratio(over(m["colour"], page, m["alpha"]), page) < _base.MIN_CONTRAST})
        assert found["marks"] and not faint, f"{name}: marks under 3:1 on the dark page {page}:\n" + "\n".join(faint)
        assert_texts_on_cells_read(visit, name, page)
        for word in visit.page.evaluate(WORD_COLOURS):
            tint = over(word["tint"], page)
            assert word["underline"], f"{name}: {word['word']!r} has no underline"
            assert _base.contrast_ratio(over(word["underline"], page), page) >= _base.MIN_CONTRAST, word
            assert _base.contrast_ratio(over(word["text"], tint), tint) >= 4.5, word
    finally:
        visit.close()


@pytest.mark.browser
@pytest.mark.parametrize("name, mode", CELL_TEXT_VISITS)
def test_numbers_on_coloured_cells_read_in_both_modes(browser, site_url, name, mode):
    """WCAG 2.1 1.4.3: a number on a coloured cell has 4.5:1 against the cell as drawn."""
    from test_site import PageVisit, draw_every_chart

    if not (HTML_DIR / f"{name}.html").exists():
        pytest.skip(f"{name} is not in the built site")
    visit = PageVisit(browser, site_url, f"{name}.html", color_scheme=mode, viewport=SCREENS["laptop"])
    try:
        draw_every_chart(visit.page)
        page = over(visit.page.evaluate(MARK_COLOURS)["page"], "#ffffff")
        assert assert_texts_on_cells_read(visit, name, page), f"{name}: no text on a cell found"
    finally:
        visit.close()


# ----------------------------------------------------------------------------- phone layouts
def test_phone_layout_travels_with_the_chart_and_shares_its_data():
    """``with_narrow_layout`` keeps the chart's own usermeta; the renderer moves the phone layout's
    data to the chart's datasets, so rows both layouts draw are embedded once."""
    from xaibook import render

    frame = pd.DataFrame({"a": [1, 2]})
    wide = alt_chart(frame).properties(width=400, usermeta={"xaibook": {"announce": {"signal": "s"}}})
    spec = _base.with_narrow_layout(wide, alt_chart(frame).properties(width=200)).to_dict()
    narrow = spec["usermeta"]["xaibook"]["narrow"]
    assert spec["usermeta"]["xaibook"]["announce"] == {"signal": "s"} and narrow["width"] == 200
    hoisted = render.hoist_narrow_data(spec)
    assert "datasets" not in hoisted["usermeta"]["xaibook"]["narrow"]
    assert hoisted["datasets"] == spec["datasets"] == narrow["datasets"]  # one dataset, named alike
    assert render.hoist_narrow_data(alt_chart(frame).to_dict()) == alt_chart(frame).to_dict()


def alt_chart(frame):
    import altair as alt

    return alt.Chart(frame).mark_point().encode(x="a:Q")
