"""expected_calibration_error refuses degenerate input instead of returning 0 (issue 11)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xaibook.evaluation import expected_calibration_error


def test_degenerate_calibration_inputs_are_errors():
    with pytest.raises(ValueError, match="empty"):
        expected_calibration_error([], [])
    with pytest.raises(ValueError, match="bins must be at least 1"):
        expected_calibration_error([0, 1], [0.2, 0.8], bins=0)
    with pytest.raises(ValueError, match="equal length"):
        expected_calibration_error([0, 1, 1], [0.2, 0.8])
    with pytest.raises(ValueError, match=r"proba must hold probabilities in \[0, 1\]"):
        expected_calibration_error([0, 1], [-3.0, 5.0])
    with pytest.raises(ValueError, match="y_true must hold 0/1"):
        expected_calibration_error([0, 2], [0.2, 0.8])
    y = pd.Series([0, 1, 1, 0], index=[3, 1, 2, 0])
    p = pd.Series([0.1, 0.9, 0.8, 0.3], index=[3, 1, 2, 0])
    assert expected_calibration_error(y.sort_index(), p) == expected_calibration_error(y, p)


@settings(max_examples=30, derandomize=True, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.floats(0, 1)), min_size=1, max_size=40), st.integers(1, 12))
def test_calibration_error_is_a_weighted_mean_gap_in_0_1(pairs, bins):
    y, p = map(np.array, zip(*pairs))
    value = expected_calibration_error(y, p, bins=bins)
    assert 0 <= value <= 1
    if bins == 1:  # one bin: |mean outcome - mean probability|
        assert value == pytest.approx(abs(y.mean() - p.mean()), abs=1e-12)


def test_labelled_y_is_never_paired_with_bare_scores_by_chance():
    """Issue 26: y.sort_values() next to a numpy array of scores is refused (pair_by_label), not
    scored with each outcome paired with another row's probability; labelled scores are aligned."""
    from xaibook.evaluation import paired_auc_difference
    y = pd.Series([0, 1, 1, 0, 1, 0], index=[13, 11, 12, 10, 15, 14])
    p = pd.Series([0.1, 0.9, 0.8, 0.3, 0.6, 0.4], index=y.index)
    with pytest.raises(ValueError, match="y_true is a pandas Series with index labels"):
        expected_calibration_error(y.sort_values(), p.to_numpy())
    with pytest.raises(ValueError, match="proba is a pandas Series with index labels"):
        expected_calibration_error(y.to_numpy(), p.sort_values())
    assert expected_calibration_error(y.sort_values(), p) == expected_calibration_error(y.to_numpy(), p.to_numpy())
    assert expected_calibration_error(y.reset_index(drop=True), p.to_numpy()) == \
        expected_calibration_error(y.to_numpy(), p.to_numpy())
    with pytest.raises(ValueError, match="pd.Series"):
        paired_auc_difference(y.sort_values(), p.to_numpy(), p.to_numpy(), n_bootstrap=20)
    sorted_y = paired_auc_difference(y.sort_values(), p, p[::-1], n_bootstrap=20)
    assert sorted_y.auc_a == paired_auc_difference(y.to_numpy(), p.to_numpy(), p[::-1].reindex(y.index).to_numpy(),
                                                   n_bootstrap=20).auc_a
