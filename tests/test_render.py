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


def test_html_uses_site_bundle_first_and_embeds_the_spec():
    chart = _chart()
    html = render.spec_to_html(chart.to_dict())
    assert "window.xaibookEmbed" in html
    spec_json = re.search(r"var spec = (\{.*?\});\n", html).group(1)
    spec = json.loads(spec_json)
    assert spec["description"] == "Bars of the number of loans per duration."
    assert 'aria-label="Loans by duration. Bars of the number of loans per duration."' in html


def test_script_breaking_text_is_escaped():
    html = render.spec_to_html(_chart(title="</script><b>x", description='say "hi" & <go>').to_dict())
    body = html.split("<script", 1)[1]
    assert "</script><b>" not in body.split("</script>")[0]
    assert 'aria-label="&lt;/script&gt;&lt;b&gt;x. say &quot;hi&quot; &amp; &lt;go&gt;"' in html


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
