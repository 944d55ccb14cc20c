"""The offline chart renderer and the chart theme."""

import base64
import json
import re

import altair as alt
import pandas as pd
import pytest

from xaibook import charts, render


def _chart(title="Loans by duration", description="Bars of the number of loans per duration."):
    frame = pd.DataFrame({"duration": [6, 12, 24], "loans": [10, 30, 20]})
    chart = alt.Chart(frame).mark_bar().encode(x="duration:O", y="loans:Q")
    return charts.describe(chart, title=title, description=description)


def test_renderer_is_active_after_importing_charts():
    assert alt.renderers.active == render.RENDERER_NAME
    assert alt.theme.active == charts.THEME_NAME


def test_bundle_has_html_png_and_text():
    bundle = _chart()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert bundle["text/plain"] == "Loans by duration. Bars of the number of loans per duration."


def _embedded_spec(html):
    div_id = re.search(r'<div id="([^"]+)"', html).group(1)
    text = re.search(rf'<script type="application/json" id="{div_id}-spec">(.*?)</script>', html,
                     re.DOTALL).group(1)
    return json.loads(text)


def test_html_uses_site_bundle_first_and_embeds_the_spec():
    chart = _chart()
    html = render.spec_to_html(chart.to_dict())
    assert "window.xaibookEmbed" in html
    spec = _embedded_spec(html)
    assert spec == chart.to_dict()
    assert spec["description"] == "Bars of the number of loans per duration."
    assert 'aria-label="Loans by duration. Bars of the number of loans per duration."' in html


def test_spec_is_json_data_not_script_code():
    """The page's parser skips the spec; it is parsed only when the chart is drawn."""
    html = render.spec_to_html(_chart().to_dict())
    assert "var spec =" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    code = [body for attrs, body in scripts if "application/json" not in attrs]
    assert len(code) == 1 and "Bars of the number" not in code[0]


def test_bundle_reserves_the_drawn_height():
    bundle = render.render(_chart().to_dict())
    width, height = render.png_size(base64.b64decode(bundle["image/png"]))
    assert width > 50 and height > 50
    assert f'style="min-height: {height}px"' in bundle["text/html"]
    assert "min-height" not in render.spec_to_html(_chart().to_dict())


def test_bound_inputs_get_room_below_the_chart():
    slider = alt.param(name="cut", value=1, bind=alt.binding_range(min=0, max=3, name="cut "))
    chart = _chart().add_params(slider)
    spec = chart.to_dict()
    assert render.input_rows_height(spec) == render.INPUT_ROW_PX
    assert render.input_rows_height(_chart().to_dict()) == 0
    bundle = render.render(spec)
    _, height = render.png_size(base64.b64decode(bundle["image/png"]))
    assert f'min-height: {height + render.INPUT_ROW_PX}px' in bundle["text/html"]


def test_png_size_refuses_other_bytes():
    with pytest.raises(ValueError, match="png must be"):
        render.png_size(b"GIF89a" + bytes(30))


def test_unused_columns_are_pruned_and_used_ones_kept():
    frame = pd.DataFrame({"duration": [6, 12], "loans": [10, 30], "helper_col": [1, 2]})
    chart = charts.describe(
        alt.Chart(frame).mark_bar().encode(x="duration:O", y="loans:Q",
                                           tooltip=[alt.Tooltip("loans:Q")]),
        title="T", description="D")
    spec = chart.to_dict()
    pruned = render.prune_unused_columns(spec)
    (rows,) = pruned["datasets"].values()
    assert rows == [{"duration": 6, "loans": 10}, {"duration": 12, "loans": 30}]
    assert spec["datasets"] != pruned["datasets"], "the input spec must not be modified"
    calc = chart.transform_calculate(double="datum.helper_col * 2")
    (rows,) = render.prune_unused_columns(calc.to_dict())["datasets"].values()
    assert "helper_col" in rows[0], "a column named in an expression is kept"
    every_field = chart.encode(tooltip=alt.value(None)).mark_bar(tooltip=True).to_dict()
    assert render.prune_unused_columns(every_field) == every_field


def test_script_breaking_text_is_escaped():
    spec = _chart(title="</script><b>x", description='say "hi" & <go>').to_dict()
    html = render.spec_to_html(spec)
    body = html.split("<script", 1)[1]
    assert "</script><b>" not in body.split("</script>")[0]
    assert _embedded_spec(html) == spec
    assert 'aria-label="&lt;/script&gt;&lt;b&gt;x. say &quot;hi&quot; &amp; &lt;go&gt;"' in html


def test_comment_openers_in_text_are_escaped():
    spec = _chart(title="a <!-- b", description="c <script> d").to_dict()
    html = render.spec_to_html(spec)
    assert "<!--" not in html and "<script> d" not in html
    assert _embedded_spec(html) == spec


def test_missing_values_become_json_null():
    """JSON.parse refuses NaN; a spec with a missing value must still parse in the browser."""
    frame = pd.DataFrame({"x": [1.0, float("nan"), 3.0], "y": [1, 2, 3]})
    spec = charts.describe(alt.Chart(frame).mark_point().encode(x="x", y="y"),
                           title="T", description="D").to_dict()
    html = render.spec_to_html(spec)

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    div_id = re.search(r'<div id="([^"]+)"', html).group(1)
    text = re.search(rf'id="{div_id}-spec">(.*?)</script>', html, re.DOTALL).group(1)
    rows = next(iter(json.loads(text, parse_constant=refuse)["datasets"].values()))
    assert [row["x"] for row in rows] == [1.0, None, 3.0]


def test_ids_are_deterministic_per_spec_and_unique_per_display():
    spec = _chart().to_dict()
    first, second = render.spec_to_html(spec), render.spec_to_html(spec)
    id1 = re.search(r'id="(xaibook-chart-[0-9a-f]+)-\d+"', first).group(1)
    id2 = re.search(r'id="(xaibook-chart-[0-9a-f]+)-\d+"', second).group(1)
    assert id1 == id2
    assert re.search(r'id="([^"]+)"', first).group(1) != re.search(r'id="([^"]+)"', second).group(1)


def test_cdn_fallback_matches_installed_vega_lite():
    assert any(alt.VEGALITE_VERSION in url for url in render.CDN_SCRIPTS)


def test_spec_must_be_a_dict():
    with pytest.raises(TypeError, match="Vega-Lite dict"):
        render.spec_to_html("not a spec")


@pytest.mark.parametrize("kwargs, message", [
    ({"title": "", "description": "d"}, "non-empty title"),
    ({"title": "t", "description": "  "}, "description"),
])
def test_describe_requires_title_and_description(kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.describe(alt.Chart(pd.DataFrame({"a": [1]})).mark_point(), **kwargs)


def test_describe_with_subtitle():
    spec = _chart().properties().to_dict()
    assert spec["title"] == "Loans by duration"
    chart = charts.describe(alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a"),
                            title="T", description="D", subtitle="S")
    assert chart.to_dict()["title"] == {"text": "T", "subtitle": "S"}
    assert render.chart_label(chart.to_dict()) == "T. D"


def test_theme_is_transparent_and_colour_blind_safe():
    config = charts.xaibook_theme()["config"]
    assert config["background"] is None
    assert config["range"]["category"] == list(charts.PALETTE)


def test_chart_data_is_rounded_and_capped():
    frame = pd.DataFrame({"x": [0.123456789, 1 / 3], "label": ["a", "b"], "n": [1, 2]})
    spec = charts.describe(alt.Chart(frame).mark_point().encode(x="x", y="n"),
                           title="T", description="D").to_dict()
    values = next(iter(spec["datasets"].values()))
    assert values == [{"x": 0.123457, "label": "a", "n": 1}, {"x": 0.333333, "label": "b", "n": 2}]
    big = pd.DataFrame({"x": range(render.MAX_CHART_ROWS + 1)})
    with pytest.raises(ValueError, match="aggregate or sample"):
        alt.Chart(big).mark_point().encode(x="x").to_dict()


def test_non_frame_data_passes_through():
    assert render.compact_data({"values": [{"a": 1}]}) == {"values": [{"a": 1}]}
