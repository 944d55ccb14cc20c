"""Render Altair charts so that they draw everywhere the book is read.

A chart that is the last expression of a cell is turned into a MIME bundle by the renderer
registered here (``alt.renderers.enable("xaibook")``, done when :mod:`xaibook.charts` is imported):

``text/html``
    A ``<div>`` and a tiny script. On the book's site the script calls ``window.xaibookEmbed``,
    which ``_static/xaibook-charts.js`` defines on top of the Vega, Vega-Lite and vega-embed
    bundle that the site serves from its own ``_static`` folder (see :mod:`xaibook.sphinxext`), so
    a chart never needs the network. In a live notebook (Jupyter, Binder) that function does not
    exist, and the script loads the same libraries from a CDN instead, as Altair itself does.
``image/png``
    A static picture made by ``vl-convert`` for builders that cannot run JavaScript (PDF/LaTeX),
    so they show the chart rather than the text ``alt.Chart(...)``.
``text/plain``
    The chart's title.

Every chart is accessible without the picture: its ``<div role="figure">`` is named by the
chart's title and description (:func:`chart_label`), and a "data" disclosure under it
(:func:`data_table_html`) gives the numbers drawn as a table. The disclosure carries only the
plan of the table (:func:`table_plan`: which dataset, which columns, with which headings);
``xaibook-charts.js`` fills the rows from the chart's own spec when a reader opens it, so a page
does not carry its data twice.

Altair 6's ``mimetype`` renderer is deliberately not used: its output does not validate as an
nbformat MIME bundle, which breaks the notebook cache.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
from typing import Any

import altair as alt
import pandas as pd
from altair.vegalite.data import default_data_transformer

__all__ = [
    "RENDERER_NAME", "CDN_SCRIPTS", "CDN_SCRIPTS_JSON", "chart_label", "spec_to_html",
    "spec_to_png", "render", "MAX_CHART_ROWS", "SIGNIFICANT_DIGITS", "compact_data", "enable",
    "table_plan", "data_table_html", "input_rows_height", "png_size", "prune_unused_columns", "hoist_narrow_data",
]
from xaibook._validation import check_number

RENDERER_NAME = "xaibook"

#: Libraries a live notebook loads when the book's own bundle is not on the page. The versions
#: follow the Vega-Lite version of the installed Altair.
CDN_SCRIPTS = (
    "https://cdn.jsdelivr.net/npm/vega@6",
    f"https://cdn.jsdelivr.net/npm/vega-lite@{alt.VEGALITE_VERSION}",
    "https://cdn.jsdelivr.net/npm/vega-embed@7",
)

#: How the fallback list appears in each chart's script; the Sphinx extension empties it in the
#: built site, so the published pages name no third-party host at all.
CDN_SCRIPTS_JSON = json.dumps(list(CDN_SCRIPTS))

_counter = itertools.count()

#: The chart's markup. The spec sits in a JSON script element, which the browser does not parse as
#: JavaScript while it reads the page; ``xaibookEmbed`` (the site's ``xaibook-charts.js``) gets a
#: function that parses it when the chart is about to be drawn. ``min-height`` is the height of the
#: drawn chart (from the PNG that vl-convert draws of the same spec), so the page does not jump.
_HTML_TEMPLATE = """\
<div id="{div_id}" class="xaibook-chart" role="figure" aria-label="{label}"{style}></div>
<script type="application/json" id="{div_id}-spec">{spec_json}</script>
<script type="text/javascript">
(function () {{
  var el = document.getElementById("{div_id}");
  function spec() {{ return JSON.parse(document.getElementById("{div_id}-spec").textContent); }}
  if (window.xaibookEmbed) {{ window.xaibookEmbed(el, spec); return; }}
  var urls = {cdn_json};
  function next(i) {{
    if (i === urls.length) {{ window.vegaEmbed(el, spec(), {{actions: false}}); return; }}
    var s = document.createElement("script");
    s.src = urls[i];
    s.onload = function () {{ next(i + 1); }};
    s.onerror = function () {{ el.textContent = "Could not load Vega from " + urls[i]; }};
    document.head.appendChild(s);
  }}
  if (window.vegaEmbed) {{ window.vegaEmbed(el, spec(), {{actions: false}}); }} else {{ next(0); }}
}})();
</script>
"""


def _escape_attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def chart_label(spec: dict[str, Any]) -> str:
    """The accessible label of a chart: its title, then its description (either may be absent)."""
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(title)
    parts = [str(title).strip(), str(spec.get("description", "")).strip()]
    return ". ".join(p for p in parts if p) or "Chart"


def spec_to_html(spec: dict[str, Any], *, size: tuple[int, int] | None = None) -> str:
    """The ``text/html`` part of the bundle: a div, the spec as JSON, and the embedding script.

    ``size`` is the drawn chart's ``(width, height)`` in CSS pixels; when given, the div reserves
    that height before the chart is drawn. The element id is derived from the spec's content (and
    a per-process counter so that the same chart shown twice on one page gets two ids), so
    rebuilding gives identical HTML.
    """
    if not isinstance(spec, dict):
        raise TypeError(f"spec must be a Vega-Lite dict, got {type(spec).__name__}")
    spec_json = json.dumps(_finite(spec), sort_keys=True, separators=(",", ":"), allow_nan=False)
    digest = hashlib.sha1(spec_json.encode()).hexdigest()[:10]
    div_id = f"xaibook-chart-{digest}-{next(_counter)}"
    # "<" can only occur inside JSON strings, where "\u003c" means the same; escaping every one
    # means no "</script>" or "<!--" can end or confuse the script element early.
    safe_json = spec_json.replace("<", "\\u003c")
    style = f' style="min-height: {int(size[1])}px"' if size else ""
    return _HTML_TEMPLATE.format(
        div_id=div_id,
        label=_escape_attr(chart_label(spec)),
        style=style,
        spec_json=safe_json,
        cdn_json=CDN_SCRIPTS_JSON,
    ) + data_table_html(spec, div_id)


#: Encoding channels whose fields are worth a column in the data table, in column order. Offsets
#: (jitter) are left out; tooltips come first because a chart builder lists there what a reader
#: should read.
TABLE_CHANNELS = ("tooltip", "row", "column", "facet", "y", "x", "y2", "x2", "text", "theta",
                  "color", "size", "shape", "detail")


def _channel_defs(channel: str, definition: Any) -> list[dict[str, Any]]:
    """The field definitions of one encoding channel (a tooltip list, a condition, a plain def)."""
    defs = definition if isinstance(definition, list) else [definition]
    out = []
    for item in defs:
        if not isinstance(item, dict):
            continue
        if "field" in item:
            out.append(item)
        condition = item.get("condition")
        for cond in condition if isinstance(condition, list) else [condition]:
            if isinstance(cond, dict) and "field" in cond:
                out.append(cond)
    return out


def _column_title(definition: dict[str, Any]) -> str:
    title = definition.get("title")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    if not title:
        axis = definition.get("axis") or definition.get("legend") or {}
        title = axis.get("title") if isinstance(axis, dict) else None
    return str(title) if title else str(definition["field"])


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _title_text(title: Any) -> str:
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title or "").strip()


def table_plan(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """What the data table of a chart shows: one entry per dataset the chart draws.

    Each entry has ``path`` (the keys leading from the spec to the dataset's rows),
    ``caption`` (the title of the view drawing it, else the chart's title), ``n_rows`` and
    ``columns``: ``{"field", "title", "numeric"}`` for every data field an encoding uses, tooltip
    fields first, headed by the title the chart gives it. A view with a tooltip contributes only
    its tooltip's fields: the rest are layout helpers (offsets, node coordinates, colour ranks). A
    dataset with one row and one column (a reference line such as the zero rule) is not a table and
    is left out.
    """
    if not isinstance(spec, dict):
        raise TypeError(f"spec must be a Vega-Lite dict, got {type(spec).__name__}")
    datasets = spec.get("datasets") or {}
    chart_title = _title_text(spec.get("title")) or "Chart"
    plans: dict[tuple, dict[str, Any]] = {}

    def rows_at(path: tuple) -> list | None:
        node: Any = spec
        for key in path:
            node = node[key]
        return node if isinstance(node, list) else None

    def data_path(node: dict[str, Any], path: tuple) -> tuple | None:
        data = node.get("data")
        if not isinstance(data, dict):
            return None
        if isinstance(data.get("name"), str) and data["name"] in datasets:
            return ("datasets", data["name"])
        if isinstance(data.get("values"), list):
            return (*path, "data", "values")
        return None

    def walk(node: Any, path: tuple, inherited: tuple | None, caption: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, (*path, i), inherited, caption)
            return
        if not isinstance(node, dict):
            return
        here = data_path(node, path) or inherited
        caption = _title_text(node.get("title")) or caption
        encoding = node.get("encoding")
        if here is not None and isinstance(encoding, dict):
            rows = rows_at(here) or []
            present = set().union(*(row.keys() for row in rows if isinstance(row, dict))) if rows else set()
            plan = plans.setdefault(here, {"path": list(here), "caption": caption,
                                           "n_rows": len(rows), "columns": []})
            known = {c["field"] for c in plan["columns"]}
            # A tooltip is the builder's list of what to read; without one, every encoded field.
            has_tooltip = bool(_channel_defs("tooltip", encoding.get("tooltip")))
            for channel in ("tooltip",) if has_tooltip else TABLE_CHANNELS:
                for definition in _channel_defs(channel, encoding.get(channel)):
                    field = definition["field"]
                    if not isinstance(field, str) or field in known or field not in present:
                        continue
                    values = [row.get(field) for row in rows if row.get(field) is not None]
                    plan["columns"].append({
                        "field": field, "title": _column_title(definition),
                        "numeric": bool(values) and all(_is_number(v) for v in values)})
                    known.add(field)
        for key in ("layer", "hconcat", "vconcat", "concat", "spec"):
            if key in node:
                walk(node[key], (*path, key), here, caption)

    walk(spec, (), None, chart_title)
    return [plan for plan in plans.values()
            if plan["columns"] and not (plan["n_rows"] <= 1 and len(plan["columns"]) <= 1)]


_DATA_TEMPLATE = """<details class="xaibook-chart-data" data-chart="{div_id}" data-tables="{plan}" hidden>
<summary>Data table: the numbers behind &ldquo;{title}&rdquo;</summary>
<div class="xaibook-chart-data-body"><p>{summary}</p></div>
</details>
"""


def data_table_html(spec: dict[str, Any], div_id: str) -> str:
    """The "data" disclosure under a chart (empty when the chart draws no dataset).

    The table rows are filled in by ``xaibook-charts.js`` from the spec when the disclosure
    opens; the plan (:func:`table_plan`) travels in the ``data-tables`` attribute. The disclosure
    starts ``hidden`` and that script shows it, so a live notebook (which draws charts with
    Vega from a CDN, without the book's script) shows no disclosure that could not open.
    """
    plans = table_plan(spec)
    if not plans:
        return ""
    title = _title_text(spec.get("title")) or "this chart"
    counts = ", ".join(f"{p['n_rows']} rows" for p in plans)
    summary = (f"{len(plans)} table{'s' if len(plans) > 1 else ''} ({counts}), "
               "built from the chart's data when this section is opened.")
    return _DATA_TEMPLATE.format(
        div_id=div_id,
        plan=_escape_attr(json.dumps(plans, separators=(",", ":"))),
        title=_escape_attr(title),
        summary=_escape_attr(summary),
    )


#: Height of one input (slider, drop-down) that vega-embed draws under a chart for a bound
#: parameter, in CSS pixels, with the site's fonts; the PNG does not show these inputs.
INPUT_ROW_PX = 27


def input_rows_height(spec: Any) -> int:
    """Room the chart's bound inputs take below the drawing (``params`` with ``bind.input``)."""
    count = 0
    stack = [spec]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for param in item.get("params") or []:
                if isinstance(param, dict) and isinstance(param.get("bind"), dict) \
                        and "input" in param["bind"]:
                    count += 1
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count * INPUT_ROW_PX


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by ``None``.

    JSON has no NaN; Vega-Lite treats ``null`` like NaN (an invalid value, filtered out of
    continuous scales), so the chart draws the same.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def png_size(png: bytes) -> tuple[int, int]:
    """``(width, height)`` of a PNG image, read from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("png must be the bytes of a PNG image")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def spec_to_png(spec: dict[str, Any], *, scale: float = 1.0) -> bytes:
    """A static PNG of the chart, drawn offline by vl-convert. ``scale`` (> 0, at most 10) multiplies
    the chart's pixel size."""
    import vl_convert as vlc

    if not isinstance(spec, dict):
        raise TypeError(f"spec must be a Vega-Lite spec (a dict, e.g. chart.to_dict()), got {type(spec).__name__}")
    check_number(scale, name="scale", low=0, high=10, low_open=True)

    return vlc.vegalite_to_png(spec, scale=scale)


def render(spec: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Altair renderer: the MIME bundle described in the module docstring."""
    spec = prune_unused_columns(hoist_narrow_data(spec))
    png = spec_to_png(spec)
    width, height = png_size(png)
    return {
        "text/html": spec_to_html(spec, size=(width, height + input_rows_height(spec))),
        "image/png": base64.b64encode(png).decode("ascii"),
        "text/plain": chart_label(spec),
    }


def hoist_narrow_data(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with the datasets of its phone layout (``usermeta.xaibook.narrow``, see
    :func:`xaibook.charts._base.with_narrow_layout`) moved to its own ``datasets``, so rows both
    layouts draw are embedded once; ``xaibook-charts.js`` gives the phone layout those datasets."""
    narrow = ((spec.get("usermeta") or {}).get("xaibook") or {}).get("narrow")
    if not isinstance(narrow, dict) or not narrow.get("datasets"):
        return spec
    meta = spec["usermeta"]
    narrow = {key: value for key, value in narrow.items() if key != "datasets"}
    datasets = {**spec["usermeta"]["xaibook"]["narrow"]["datasets"], **(spec.get("datasets") or {})}
    return {**spec, "datasets": datasets,
            "usermeta": {**meta, "xaibook": {**meta["xaibook"], "narrow": narrow}}}


def prune_unused_columns(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec without the data columns that nothing in it refers to.

    Altair embeds every column of a DataFrame, including helper columns the chart never draws.
    A column is kept when its name appears anywhere in the rest of the spec (an encoding, a
    transform, an expression, a tooltip), so this is conservative; a spec with a tooltip that shows
    every field (``tooltip: true`` or ``{"content": "data"}``) is returned unchanged.
    """
    datasets = spec.get("datasets")
    if not isinstance(datasets, dict) or not datasets:
        return spec
    rest = json.dumps({key: value for key, value in spec.items() if key != "datasets"})
    if '"tooltip": true' in rest or '"content": "data"' in rest:
        return spec
    pruned = {}
    for name, rows in datasets.items():
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            pruned[name] = rows
            continue
        used = {column for row in rows for column in row
                if json.dumps(column)[1:-1] in rest}
        pruned[name] = [{k: v for k, v in row.items() if k in used} for row in rows]
    return {**spec, "datasets": pruned}


#: Most rows a chart may embed. Above it, aggregate or sample in the chart builder.
MAX_CHART_ROWS = 5000
#: Significant digits kept for floats embedded in a chart (smaller pages, same picture).
SIGNIFICANT_DIGITS = 6


def _round_significant(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return value


def compact_data(data: Any) -> Any:
    """Altair data transformer: embed a DataFrame's rows inline with floats rounded.

    Refuses more than :data:`MAX_CHART_ROWS` rows with a message saying what to do, so that a page
    never silently swells with raw data. Anything that is not a DataFrame (a URL, a dict of
    values) goes to Altair's default transformer unchanged.
    """
    if isinstance(data, pd.DataFrame):
        if len(data) > MAX_CHART_ROWS:
            raise ValueError(
                f"a chart would embed {len(data)} rows (limit {MAX_CHART_ROWS}); aggregate or "
                "sample the data in the chart builder to keep pages light"
            )
        values = alt.utils.data.to_values(data)
        values["values"] = [
            {key: _round_significant(val) for key, val in row.items()} for row in values["values"]
        ]
        return values
    return default_data_transformer(data)


def enable() -> None:
    """Register the renderer and the data transformer with Altair and make them active."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, render)
    alt.renderers.enable(RENDERER_NAME)
    if RENDERER_NAME not in alt.data_transformers.names():
        alt.data_transformers.register(RENDERER_NAME, compact_data)
    alt.data_transformers.enable(RENDERER_NAME)
