"""Charts for :mod:`xaibook.importance`: the spread of permutation importances over repeats, model
comparisons, train vs test, and any two importance measures side by side.

Every chart shows the repeats (or the ranks), not only a mean bar, so the reader sees how much the
answer moves with the shuffles. Features are sorted by mean importance; tooltips give the feature,
the value and, where it helps, the rank. Each builder gives its chart a title and a description.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from xaibook._validation import as_legacy_random_state
from xaibook.charts._base import (
    DIGITS,
    PALETTE,
    check_long_frame,
    check_result,
    check_top,
    describe,
    text_colour_on_fill,
    zero_rule,
)
from xaibook.importance import BootstrapImportance, ImportanceComparison, PermutationImportance

__all__ = [
    "MEAN_COLOR", "REPEAT_COLOR", "HIGHLIGHT_COLOR", "importance_spread_chart",
    "importance_comparison_chart", "rank_heatmap_chart", "train_test_chart", "measures_chart",
    "shuffled_pairs_chart", "bootstrap_interval_chart",
]

MEAN_COLOR = PALETTE[4]      # sky blue: the mean bar
REPEAT_COLOR = PALETTE[0]    # blue: one tick per repeat
HIGHLIGHT_COLOR = PALETTE[5]  # vermillion: a feature the text points at


def _score_title(scoring: str) -> str:
    return f"drop in {scoring} when the feature is shuffled"


def importance_spread_chart(result: PermutationImportance, *, top: int | None = None,
                            title: str | None = None, description: str | None = None,
                            highlight: Sequence[str] = ()) -> alt.Chart:
    """Mean importance as a bar and every repeat as a tick, features sorted by mean.

    The ticks show how much the importance moves from one shuffle to the next: a feature whose
    ticks straddle zero is indistinguishable from noise. ``highlight`` colours chosen features' bars.
    """
    check_result(result, PermutationImportance)
    n_show = check_top(top, len(result.feature_names))
    summary = result.summary().iloc[:n_show].reset_index()
    order = summary["feature"].tolist()
    summary["highlight"] = summary["feature"].isin(list(highlight))
    repeats = result.to_frame()
    repeats = repeats[repeats["feature"].isin(order)].assign(repeat=lambda d: d["repeat"] + 1)
    for frame, cols in ((summary, ["mean", "std", "min", "max"]), (repeats, ["importance"])):
        frame[cols] = frame[cols].round(DIGITS)

    y = alt.Y("feature:N", sort=order, title=None)
    x_title = _score_title(result.scoring)
    bars = alt.Chart(summary).mark_bar(opacity=0.55, height={"band": 0.7}).encode(
        x=alt.X("mean:Q", title=x_title),
        y=y,
        color=alt.condition("datum.highlight", alt.value(HIGHLIGHT_COLOR), alt.value(MEAN_COLOR)),
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("rank:Q"),
                 alt.Tooltip("mean:Q", title=f"mean drop in {result.scoring}", format=".4f"),
                 alt.Tooltip("std:Q", title="std over repeats", format=".4f"),
                 alt.Tooltip("min:Q", format=".4f"), alt.Tooltip("max:Q", format=".4f")],
    )
    ticks = alt.Chart(repeats).mark_tick(color=REPEAT_COLOR, thickness=2, size=14).encode(
        x=alt.X("importance:Q", title=x_title),
        y=y,
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("repeat:Q", title="repeat"),
                 alt.Tooltip("importance:Q", title=f"drop in {result.scoring}", format=".4f")],
    )
    zero = zero_rule("x")
    chart = (bars + ticks + zero).properties(height=alt.Step(22), width=420)
    top_text = f"top {n_show} of {len(result.feature_names)} features" if n_show < len(result.feature_names) \
        else f"{n_show} features"
    return describe(
        chart,
        title=title or "Permutation importance, every repeat",
        subtitle=f"bar = mean over {result.n_repeats} shuffles, tick = one shuffle; baseline "
                 f"{result.scoring} = {result.baseline_score:.3f}",
        description=description or (
            f"Horizontal bars of the mean permutation importance of the {top_text}, sorted from most "
            f"to least important, measured as the drop in {result.scoring}; a tick per shuffle shows "
            f"the spread. The most important feature is {order[0]}."),
    )


def importance_comparison_chart(comparison: ImportanceComparison, *, top: int | None = None,
                                title: str | None = None, description: str | None = None,
                                label_title: str = "model") -> alt.Chart:
    """Mean importance ± one standard deviation of every feature under every label (model),
    dodged side by side; features sorted by their average rank. Click a legend entry to
    highlight one model."""
    check_result(comparison, ImportanceComparison)
    ranks = comparison.ranks()
    order = ranks.mean(axis=1).sort_values(kind="stable").index.tolist()
    n_show = check_top(top, len(order))
    order = order[:n_show]
    rows = []
    for label, result in comparison.results.items():
        summary = result.summary()
        for feature in order:
            if feature in summary.index:
                s = summary.loc[feature]
                rows.append({label_title: label, "feature": feature, "mean": s["mean"], "std": s["std"],
                             "low": s["mean"] - s["std"], "high": s["mean"] + s["std"],
                             "rank": int(s["rank"])})
    frame = pd.DataFrame(rows).round(DIGITS)
    scoring = next(iter(comparison.results.values())).scoring
    # Two ways to pick a model: click its legend entry (the mouse) or choose it in the list under
    # the chart (the keyboard); a row stands out when both let it.
    pick = alt.selection_point(fields=[label_title], bind="legend", name="legend_pick")
    every = f"every {label_title}"
    choice = alt.param(name="model_choice", value=every,
                       bind=alt.binding_select(options=[every, *comparison.labels], name=f"Show {label_title}: "))
    key = json.dumps(label_title)
    shown = (f'(!length(data("legend_pick_store")) || vlSelectionTest("legend_pick_store", datum)) && '
             f"(model_choice == {json.dumps(every)} || datum[{key}] == model_choice)")
    base = alt.Chart(frame).encode(
        y=alt.Y("feature:N", sort=order, title=None),
        yOffset=alt.YOffset(f"{label_title}:N", sort=comparison.labels),
        color=alt.Color(f"{label_title}:N", sort=comparison.labels, title=label_title),
        opacity=alt.condition(shown, alt.value(1.0), alt.value(0.15)),
    )
    tooltip = [alt.Tooltip(f"{label_title}:N"), alt.Tooltip("feature:N"), alt.Tooltip("rank:Q"),
               alt.Tooltip("mean:Q", title=f"mean drop in {scoring}", format=".4f"),
               alt.Tooltip("std:Q", format=".4f")]
    interval = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", title=_score_title(scoring)), x2="high:Q")
    points = base.mark_point(filled=True, size=45).encode(x="mean:Q", tooltip=tooltip)
    zero = zero_rule("x")
    chart = (interval + points + zero).add_params(pick, choice).properties(
        height=alt.Step(8), width=420)  # the step of one model's row; a feature gets one per model
    return describe(
        chart,
        title=title or "Do the models rely on the same features?",
        subtitle="dot = mean importance, line = ± one standard deviation over the shuffles; "
                 "click the legend, or choose in the list below, to pick a model",
        description=description or (
            f"For each of {len(order)} features, sorted by average rank, one dot per {label_title} "
            f"({', '.join(comparison.labels)}) at its mean permutation importance (drop in {scoring}) "
            "with a line of plus or minus one standard deviation."),
    )


def rank_heatmap_chart(comparison: ImportanceComparison, *, top: int | None = None,
                       title: str | None = None, description: str | None = None,
                       label_title: str = "model") -> alt.Chart:
    """Rank of each feature (1 = most important) under each label, as a table of coloured cells:
    rows that keep one colour across the columns are features the models agree on."""
    check_result(comparison, ImportanceComparison)
    ranks = comparison.ranks()
    order = ranks.mean(axis=1).sort_values(kind="stable").index.tolist()
    n_show = check_top(top, len(order))
    order = order[:n_show]
    frame = ranks.loc[order].reset_index(names="feature").melt(
        id_vars="feature", var_name=label_title, value_name="rank")
    means = comparison.means().loc[order].reset_index(names="feature").melt(
        id_vars="feature", var_name=label_title, value_name="mean")
    frame = frame.merge(means, on=["feature", label_title]).round(DIGITS)
    n_features = len(ranks)
    base = alt.Chart(frame).encode(
        x=alt.X(f"{label_title}:N", sort=comparison.labels, title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("feature:N", sort=order, title=None),
    )
    rank_tooltip = [alt.Tooltip("feature:N"), alt.Tooltip(f"{label_title}:N"), alt.Tooltip("rank:Q"),
                    alt.Tooltip("mean:Q", title="mean importance", format=".4f")]
    cells = base.mark_rect().encode(
        color=alt.Color("rank:Q", scale=alt.Scale(range=[PALETTE[0], PALETTE[7]], domain=[1, n_features]),
                        title="rank"),
        tooltip=rank_tooltip,
    )
    text = base.mark_text(fontSize=11).encode(  # (the same tooltip: the pointer meets the number first)
        text="rank:Q", tooltip=rank_tooltip,
        color=text_colour_on_fill("rank"),
    )
    chart = (cells + text).properties(height=alt.Step(20), width=alt.Step(80))
    return describe(
        chart,
        title=title or "Importance ranks across models",
        subtitle="1 = most important; features sorted by their average rank",
        description=description or (
            f"A grid with one row per feature ({len(order)} shown) and one column per {label_title} "
            f"({', '.join(comparison.labels)}); each cell holds the feature's permutation-importance "
            "rank under that model, darker for more important."),
    )


def train_test_chart(comparison: ImportanceComparison, *, labels: tuple[str, str] = ("train", "test"),
                     top: int | None = None, title: str | None = None,
                     description: str | None = None) -> alt.Chart:
    """Dumbbell chart: each feature's mean importance on two data sets (train, test) joined by a
    line, with every repeat as a faint dot. A long line means the model relies on the feature much
    more on the data it was fitted on: overfitting to that feature."""
    check_result(comparison, ImportanceComparison)
    missing = [label for label in labels if label not in comparison.results]
    if missing:
        raise ValueError(f"comparison has no result labelled {missing}; it has {comparison.labels}")
    first, second = labels
    means = comparison.means()[list(labels)]
    order = means[second].sort_values(ascending=False, kind="stable").index.tolist()
    n_show = check_top(top, len(order))
    order = order[:n_show]
    wide = means.loc[order].reset_index(names="feature")
    wide["gap"] = wide[first] - wide[second]
    wide = wide.round(DIGITS)
    long = comparison.to_frame()
    long = long[long["label"].isin(labels) & long["feature"].isin(order)].round(DIGITS)
    summary = wide.melt(id_vars=["feature", "gap"], value_vars=list(labels), var_name="label", value_name="mean")
    scoring = comparison.results[second].scoring
    x_title = _score_title(scoring)
    y = alt.Y("feature:N", sort=order, title=None)
    colors = alt.Color("label:N", sort=list(labels),
                       scale=alt.Scale(domain=list(labels), range=[PALETTE[1], PALETTE[0]]),
                       legend=alt.Legend(title="data", symbolOpacity=1, symbolType="circle"))
    line = alt.Chart(wide).mark_rule(color=PALETTE[7], strokeWidth=3).encode(
        x=alt.X(f"{first}:Q", title=x_title), x2=f"{second}:Q", y=y,
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip(f"{first}:Q", format=".4f"),
                 alt.Tooltip(f"{second}:Q", format=".4f"),
                 alt.Tooltip("gap:Q", title=f"{first} − {second}", format=".4f")])
    # (small and translucent beside the means, yet 3:1 on the dark page: opacity 0.7, as CONTRIBUTING asks)
    repeats = alt.Chart(long).mark_circle(size=22, opacity=0.7).encode(
        x="importance:Q", y=y, color=colors,
        tooltip=[alt.Tooltip("label:N", title="data"), alt.Tooltip("feature:N"),
                 alt.Tooltip("repeat:Q"), alt.Tooltip("importance:Q", format=".4f")])
    dots = alt.Chart(summary).mark_circle(size=100, opacity=1).encode(
        x="mean:Q", y=y, color=colors,
        tooltip=[alt.Tooltip("label:N", title="data"), alt.Tooltip("feature:N"),
                 alt.Tooltip("mean:Q", title=f"mean drop in {scoring}", format=".4f"),
                 alt.Tooltip("gap:Q", title=f"{first} − {second}", format=".4f")])
    zero = zero_rule("x")
    chart = (line + repeats + dots + zero).properties(height=alt.Step(22), width=420)
    return describe(
        chart,
        title=title or f"Importance on {first} vs {second} data",
        subtitle=f"big dot = mean over the shuffles, small dots = single shuffles; sorted by {second}",
        description=description or (
            f"For each of {len(order)} features, two dots give the mean permutation importance (drop in "
            f"{scoring}) on the {first} and on the {second} data, joined by a line; faint dots show "
            "the single shuffles. Long lines mark features the model relies on more where it was fitted."),
    )


def measures_chart(table: pd.DataFrame, *, title: str, description: str,
                   highlight: Sequence[str] = (), normalize: bool = True,
                   subtitle: str | None = None) -> alt.HConcatChart:
    """One bar panel per column of ``table`` (rows = features, columns = importance measures such
    as MDI, permutation, drop-column), each panel sorted by its own values so the ranks can be
    compared; ``highlight`` colours chosen features (e.g. a random feature) in vermillion.

    With ``normalize`` each column is divided by its largest absolute value, so measures on
    different scales share one axis (1 = that measure's most important feature).
    """
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise TypeError("table must be a non-empty DataFrame: rows = features, columns = measures")
    if not table.index.is_unique:  # one bar per feature and panel; a repeated feature would be drawn twice
        repeated = sorted(map(str, set(table.index[table.index.duplicated()])))
        raise ValueError(f"table has several rows for the feature(s) {repeated}; keep one row per feature")
    check_long_frame(table, list(table.columns), "table", numbers=list(table.columns))
    values = table.astype(float)
    if normalize:
        scale = values.abs().max().replace(0.0, 1.0)
        values = values / scale
    panels = []
    for measure in values.columns:
        column = values[measure].sort_values(ascending=False, kind="stable")
        frame = pd.DataFrame({"feature": column.index.astype(str), "value": column.to_numpy().round(DIGITS),
                              "raw": table.loc[column.index, measure].to_numpy(dtype=float).round(DIGITS),
                              "rank": np.arange(1, len(column) + 1)})
        frame["highlight"] = frame["feature"].isin(list(highlight))
        panels.append(alt.Chart(frame).mark_bar().encode(
            x=alt.X("value:Q", title="relative importance" if normalize else "importance"),
            y=alt.Y("feature:N", sort=frame["feature"].tolist(), title=None),
            color=alt.condition("datum.highlight", alt.value(HIGHLIGHT_COLOR), alt.value(REPEAT_COLOR)),
            tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("rank:Q"),
                     alt.Tooltip("raw:Q", title=str(measure), format=".4f")],
        ).properties(title=str(measure), width=200, height=alt.Step(16)))
    chart = alt.hconcat(*panels).resolve_scale(y="independent")
    return describe(chart, title=title, description=description, subtitle=subtitle)


def shuffled_pairs_chart(X: pd.DataFrame, feature: str, partner: str, *, random_state: int = 0,
                         max_rows: int = 300, title: str | None = None,
                         description: str | None = None) -> alt.Chart:
    """Scatter of two features before and after shuffling ``feature`` (its first shuffle, drawn
    with the same protocol as :func:`xaibook.importance.permutation_importance`).

    With correlated features the shuffled points leave the data's cloud: permutation importance
    then scores the model on combinations it never saw (Hooker, Mentch & Zhou 2021).
    """
    from xaibook._validation import check_features, check_frame
    from xaibook.importance import shuffle_orders

    check_frame(X)
    check_features([feature, partner], X)
    order = shuffle_orders(len(X), 1, random_state)[0]
    keep = np.arange(len(X))
    if len(X) > max_rows:
        keep = np.sort(as_legacy_random_state(random_state).choice(len(X), max_rows, replace=False))
    original = pd.DataFrame({"x": X[feature].to_numpy()[keep], "y": X[partner].to_numpy()[keep],
                             "data": "original rows"})
    shuffled = pd.DataFrame({"x": X[feature].to_numpy()[order][keep], "y": X[partner].to_numpy()[keep],
                             "data": f"{feature} shuffled"})
    frame = pd.concat([original, shuffled], ignore_index=True).round(DIGITS)
    kinds = ["original rows", f"{feature} shuffled"]
    # (0.7: translucent enough to show where rows pile up, opaque enough for 3:1 on the dark page)
    chart = alt.Chart(frame).mark_circle(size=28, opacity=0.7).encode(
        x=alt.X("x:Q", title=feature),
        y=alt.Y("y:Q", title=partner),
        color=alt.Color("data:N", sort=kinds, title=None,
                        scale=alt.Scale(domain=kinds, range=[PALETTE[0], HIGHLIGHT_COLOR]),
                        legend=alt.Legend(symbolOpacity=1)),
        tooltip=[alt.Tooltip("data:N"), alt.Tooltip("x:Q", title=feature), alt.Tooltip("y:Q", title=partner)],
    ).properties(width=360, height=280)
    return describe(
        chart,
        title=title or f"Shuffling {feature} creates rows nobody has",
        subtitle=f"{len(keep)} rows before (blue) and after (vermillion) shuffling {feature}",
        description=description or (
            f"Scatter plot of {partner} against {feature}: the original rows lie in a narrow band, "
            f"while the rows with {feature} shuffled spread over combinations absent from the data."),
    )


def bootstrap_interval_chart(bootstrap: BootstrapImportance, shuffles: PermutationImportance, *,
                             top: int | None = None, level: float = 0.95, title: str | None = None,
                             description: str | None = None) -> alt.Chart:
    """Two intervals per feature: the bootstrap percentile interval over resampled test sets
    (:func:`xaibook.importance.bootstrap_permutation_importance`) and the interval that the
    shuffles alone support, mean ± z·std/√R over the ``R`` shuffles (std with ``ddof=1``) of one test set (normal
    approximation, ``z`` for ``level``). Features sorted by the shuffles' mean.

    The second interval is almost always the narrower: it ignores that the test set itself is a
    sample. A bootstrap interval that reaches zero marks a feature the model may not rely on at all.
    """
    from scipy.stats import norm

    check_result(bootstrap, BootstrapImportance)
    check_result(shuffles, PermutationImportance)
    if tuple(bootstrap.feature_names) != tuple(shuffles.feature_names):
        raise ValueError("bootstrap and shuffles must hold the same features in the same order; "
                         f"got {list(bootstrap.feature_names)} and {list(shuffles.feature_names)}")
    if bootstrap.scoring != shuffles.scoring:
        raise ValueError(f"bootstrap uses scoring {bootstrap.scoring!r}, shuffles {shuffles.scoring!r}: "
                         "compare importances measured with the same score")
    if shuffles.n_repeats < 2:  # one shuffle has no spread: a zero-width interval that looks certain
        raise ValueError(f"shuffles has {shuffles.n_repeats} repeat; the shuffles' interval needs at least two "
                         "(n_repeats=2 or more in permutation_importance)")
    boot = bootstrap.summary(level)
    order = shuffles.ranking()[:check_top(top, len(shuffles.feature_names))]
    z = float(norm.ppf(0.5 + level / 2))
    ddof = 1 if shuffles.n_repeats > 1 else 0     # a standard error: the sample std, n - 1
    se = pd.Series(np.std(shuffles.importances, axis=1, ddof=ddof) / np.sqrt(shuffles.n_repeats),
                   index=list(shuffles.feature_names))
    mean = pd.Series(shuffles.importances_mean, index=list(shuffles.feature_names))
    kinds = [f"another test set (bootstrap, {bootstrap.n_bootstrap} resamples)",
             f"another shuffle ({shuffles.n_repeats} shuffles of one test set)"]
    rows = []
    for feature in order:
        rows.append({"feature": feature, "interval": kinds[0], "mean": boot.loc[feature, "mean"],
                     "low": boot.loc[feature, "low"], "high": boot.loc[feature, "high"]})
        rows.append({"feature": feature, "interval": kinds[1], "mean": mean[feature],
                     "low": mean[feature] - z * se[feature], "high": mean[feature] + z * se[feature]})
    frame = pd.DataFrame(rows)
    frame["reaches zero"] = np.where(frame["low"] <= 0, "yes", "no")
    frame = frame.round(DIGITS)
    base = alt.Chart(frame).encode(
        y=alt.Y("feature:N", sort=order, title=None),
        yOffset=alt.YOffset("interval:N", sort=kinds),
        color=alt.Color("interval:N", sort=kinds, title=f"{level:.0%} interval over",
                        scale=alt.Scale(domain=kinds, range=[PALETTE[5], PALETTE[0]]),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)),
    )
    tooltip = [alt.Tooltip("feature:N"), alt.Tooltip("interval:N", title="interval over"),
               alt.Tooltip("mean:Q", title=f"mean drop in {shuffles.scoring}", format=".4f"),
               alt.Tooltip("low:Q", format=".4f"), alt.Tooltip("high:Q", format=".4f"),
               alt.Tooltip("reaches zero:N")]
    x_title = _score_title(shuffles.scoring)
    rules = base.mark_rule(strokeWidth=3).encode(x=alt.X("low:Q", title=x_title), x2="high:Q",
                                                tooltip=tooltip)
    points = base.mark_point(filled=True, size=40).encode(x="mean:Q", tooltip=tooltip)
    chart = (rules + points + zero_rule("x")).properties(height=alt.Step(9), width=420)
    n_zero = int((boot.loc[order, "low"] <= 0).sum())
    return describe(
        chart,
        title=title or "How sure is each importance?",
        subtitle="upper line: test sets resampled with replacement; lower line: shuffles of one test set",
        description=description or (
            f"For each of {len(order)} features, two horizontal {level:.0%} intervals of the permutation "
            f"importance (drop in {shuffles.scoring}): over bootstrap resamples of the test set, and over "
            f"the shuffles of the one test set. The bootstrap intervals are wider; {n_zero} of them "
            "reach zero."),
    )

