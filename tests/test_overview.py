"""Chapter 1's computations (xaibook.overview): outcome rates with Wilson intervals, histograms."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from xaibook import data, overview

REPO = Path(__file__).resolve().parents[1]


def test_outcome_rates_match_a_direct_count():
    credit = data.load_credit()
    rates = overview.outcome_rates(credit, "housing")
    for _, row in rates.iterrows():
        mask = credit.X["housing"] == row["group"]
        assert row["n"] == mask.sum()
        assert row["rate"] == pytest.approx(credit.y[mask].mean())
        assert row["low"] <= row["rate"] <= row["high"]
    assert rates["n"].sum() == len(credit.X)


def test_wilson_interval_known_value():
    # the interval is centred on (p + z^2/2n) / (1 + z^2/n), not on p (Wilson 1927)
    heart = data.load_heart()
    rates = overview.outcome_rates(heart, "age", bins=[0, 200])
    n, k = len(heart.y), heart.y.sum()
    z = 1.96
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    assert rates["low"].iloc[0] < p < rates["high"].iloc[0]
    assert (rates["low"].iloc[0] + rates["high"].iloc[0]) / 2 == pytest.approx(centre)


def test_wilson_interval_textbook_examples():
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 and 0/20
    low, high = overview.wilson_interval([81, 0], [263, 20])
    np.testing.assert_allclose(low, [0.2553, 0.0], atol=1e-4)
    np.testing.assert_allclose(high, [0.3662, 0.1611], atol=1e-4)


def test_numeric_feature_needs_bins_and_unknown_feature_is_named():
    credit = data.load_credit()
    with pytest.raises(ValueError, match="numeric; pass bins"):
        overview.outcome_rates(credit, "age")
    with pytest.raises(ValueError, match="unknown feature"):
        overview.outcome_rates(credit, "income")


def test_outcome_histograms_count_every_person_once_per_feature():
    heart = data.load_heart()
    counts = overview.outcome_histograms(heart, bins=20)
    per_feature = counts.groupby("feature")["count"].sum()
    assert set(per_feature.index) == set(heart.numeric_features)
    assert (per_feature == len(heart.y)).all()
    by_outcome = counts.groupby(["feature", "outcome"])["count"].sum().unstack()
    np.testing.assert_array_equal(by_outcome[heart.positive_label], int(heart.y.sum()))
    with pytest.raises(ValueError, match="bins"):
        overview.outcome_histograms(heart, bins=0)


def test_method_map():
    frame = overview.method_map()
    for method in ("Permutation importance", "Partial dependence (PDP)", "ICE curves",
                   "Accumulated local effects (ALE)", "KernelSHAP", "TreeSHAP", "LIME",
                   "Counterfactual explanations", "Logistic coefficients", "Tree rules and paths"):
        assert method in set(frame["method"])
    assert frame["method"].is_unique
    assert frame["cost_level"].between(1, 4).all()
    labels = {"ch-basics", "ch-permutation-importance", "ch-partial-dependence", "ch-shap"}
    assert labels <= set(frame["label"].dropna())
    assert not frame.loc[frame["method"] == "TreeSHAP", "agnostic"].item()
    assert frame.loc[frame["method"] == "KernelSHAP", "agnostic"].item()
    assert frame.loc[frame["method"] == "ICE curves", "local"].item()
    assert not frame.loc[frame["method"] == "ICE curves", "global"].item()


def test_method_map_links_only_chapters_that_exist():
    """Every label of the map is defined by a chapter of the book; a planned chapter has none."""
    defined = {}
    for path in (REPO / "book").glob("[0-9][0-9]_*.md"):
        for label in re.findall(r"^\(([\w-]+)\)=$", path.read_text(), flags=re.MULTILINE):
            defined[label] = int(path.name[:2])
    frame = overview.method_map()
    for chapter, label in zip(frame["chapter"], frame["label"], strict=True):
        if isinstance(label, str):
            assert defined.get(label) == chapter, f"{label} is not the label of chapter {chapter}"
        else:
            assert chapter not in defined.values(), f"chapter {chapter} exists but has no label in the map"


def test_adjust_to_base_rate_is_elkan_s_formula_and_inverts():
    p = np.array([0.0, 0.1, 1 / 6, 0.5, 0.9])
    b, b_new = 0.3, 0.05
    elkan = b_new * (p - p * b) / (b - p * b + b_new * p - b * b_new)       # Elkan (2001), theorem 2
    assert np.allclose(overview.adjust_to_base_rate(p, b, b_new), elkan)
    assert overview.adjust_to_base_rate(0.5, 0.5, 0.2) == pytest.approx(0.2)   # even odds take the new base rate
    assert overview.adjust_to_base_rate(0.4, 0.3, 0.3) == pytest.approx(0.4)
    assert np.allclose(overview.adjust_to_base_rate(overview.adjust_to_base_rate(p, b, b_new), b_new, b), p)
    with pytest.raises(ValueError, match="new_rate must be a share strictly between 0 and 1"):
        overview.adjust_to_base_rate(0.5, 0.3, 1.0)
    with pytest.raises(ValueError, match="p must hold probabilities"):
        overview.adjust_to_base_rate([0.2, 1.0], 0.3, 0.05)
