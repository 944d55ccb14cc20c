"""Disagreement metrics (Krishna et al. 2022) on hand-computed cases, ties, the table and bad input."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from xaibook import agreement as ag

NAMES = ["a", "b", "c", "d", "e"]
# |A| ranks a, b, c, d, e;  |B| ranks a, c, d, b, e
A = pd.Series([0.5, -0.4, 0.3, 0.1, 0.0], index=NAMES)
B = pd.Series([0.45, 0.1, -0.35, 0.3, 0.05], index=NAMES)


@pytest.mark.parametrize("k, feature, rank, sign, signed_rank", [
    # k=2: top {a,b} vs {a,c}: a in both, same rank 1, same sign
    (2, 1 / 2, 1 / 2, 1 / 2, 1 / 2),
    # k=3: {a,b,c} vs {a,c,d}: a and c shared; c is 3rd vs 2nd and + vs -
    (3, 2 / 3, 1 / 3, 1 / 3, 1 / 3),
    # k=4: all four shared; only a keeps its rank; a and d keep their sign
    (4, 1.0, 1 / 4, 2 / 4, 1 / 4),
])
def test_top_k_metrics_by_hand(k, feature, rank, sign, signed_rank):
    assert ag.feature_agreement(A, B, k=k) == pytest.approx(feature)
    assert ag.rank_agreement(A, B, k=k) == pytest.approx(rank)
    assert ag.sign_agreement(A, B, k=k) == pytest.approx(sign)
    assert ag.signed_rank_agreement(A, B, k=k) == pytest.approx(signed_rank)


def test_rank_correlation_and_pairwise_by_hand():
    # ranks A: 1 2 3 4 5, B: 1 4 2 3 5 -> d = 0 -2 1 1 0, sum d^2 = 6, 1 - 36 / 120 = 0.7
    assert ag.rank_correlation(A, B) == pytest.approx(0.7)
    assert ag.rank_correlation(A, B) == pytest.approx(spearmanr(A.abs(), B.abs()).statistic)
    # of the 10 pairs only (b, c) and (b, d) are ordered differently
    assert ag.pairwise_rank_agreement(A, B) == pytest.approx(8 / 10)
    # over the subset {a, b, c}: A orders a > b > c, B a > c > b
    assert ag.rank_correlation(A, B, features=["a", "b", "c"]) == pytest.approx(1 - 6 * 2 / 24)
    assert ag.pairwise_rank_agreement(A, B, features=["a", "b", "c"]) == pytest.approx(2 / 3)


def test_identical_and_reversed():
    for k in range(1, 6):
        assert ag.signed_rank_agreement(A, A, k=k) == 1.0
    assert ag.rank_correlation(A, A) == 1.0 and ag.pairwise_rank_agreement(A, A) == 1.0
    reverse = pd.Series([1.0, 2, 3, 4, 5], index=NAMES)
    forward = pd.Series([5.0, 4, 3, 2, 1], index=NAMES)
    assert ag.rank_correlation(forward, reverse) == pytest.approx(-1.0)
    assert ag.pairwise_rank_agreement(forward, reverse) == 0.0
    assert ag.feature_agreement(forward, reverse, k=2) == 0.0


def test_ties_are_averaged_over_their_orders_and_signs_count():
    a = pd.Series([1.0, -1.0, 0.5], index=["x", "y", "z"])
    b = pd.Series([-1.0, 1.0, 0.5], index=["x", "y", "z"])
    assert ag.ranking(a) == ["x", "y", "z"] and ag.ranking(b) == ["x", "y", "z"]   # display order
    # x and y tie in both: each is first with probability 1/2, independently in a and b
    assert ag.rank_agreement(a, b, k=1) == pytest.approx(0.5)
    assert ag.feature_agreement(a, b, k=1) == pytest.approx(0.5)
    assert ag.sign_agreement(a, b, k=1) == 0.0            # x is + in a and - in b, y the reverse
    assert ag.sign_agreement(a, b, k=3) == pytest.approx(1 / 3)
    assert ag.pairwise_rank_agreement(a, b) == pytest.approx((0.5 + 1 + 1) / 3)
    # zero attributions: sign 0 agrees only with 0; an explanation agrees fully with itself
    zeros = pd.Series([0.0, 0.0, 1.0], index=["x", "y", "z"])
    assert ag.sign_agreement(zeros, zeros, k=3) == 1.0 and ag.rank_agreement(zeros, zeros, k=2) == 1.0
    assert ag.sign_agreement(zeros, zeros.replace(0.0, 1e-9), k=3) == pytest.approx(1 / 3)


def _by_enumeration(a, b, metric, k=None):
    """The metric averaged over every order of the tied features, by brute force: each pair of
    complete orders (one for a, one for b) scored with Krishna et al.'s definitions."""
    from itertools import permutations, product

    def orders(values):
        size = values.abs()
        levels = sorted(set(size), reverse=True)
        groups = [list(size.index[size == level]) for level in levels]
        return [[name for group in choice for name in group]
                for choice in product(*(list(permutations(g)) for g in groups))]

    def score(order_a, order_b):
        rank_a = {f: i for i, f in enumerate(order_a)}
        rank_b = {f: i for i, f in enumerate(order_b)}
        if metric == "rank correlation":
            d2 = sum((rank_a[f] - rank_b[f]) ** 2 for f in a.index)
            n = len(a)
            return 1 - 6 * d2 / (n * (n * n - 1))
        if metric == "pairwise rank agreement":
            pairs = [(i, j) for i in a.index for j in a.index if i < j]
            return np.mean([(rank_a[i] < rank_a[j]) == (rank_b[i] < rank_b[j]) for i, j in pairs])
        shared = set(order_a[:k]) & set(order_b[:k])
        if "rank" in metric:
            shared = {f for f in shared if rank_a[f] == rank_b[f]}
        if "sign" in metric:
            shared = {f for f in shared if np.sign(a[f]) == np.sign(b[f])}
        return len(shared) / k

    return float(np.mean([score(x, y) for x in orders(a) for y in orders(b)]))


@pytest.mark.parametrize("metric", ag.METRICS)
def test_tie_average_equals_enumerating_every_order(metric):
    rng = np.random.default_rng(7)
    names = list("pqrstu")
    a = pd.Series([0.5, 0.5, -0.5, 0.2, 0.0, 0.0], index=names)       # a tie of three, a tie of two zeros
    b = pd.Series(np.round(rng.normal(size=6), 3), index=names)
    b[["r", "t"]] = 0.25
    for k in (range(1, 7) if metric in ag.TOP_K_METRICS else [None]):
        assert _compute(metric, a, b, k) == pytest.approx(_by_enumeration(a, b, metric, k), abs=1e-12)


def _compute(metric, a, b, k):
    fn = {**ag.TOP_K_METRICS, **ag.RANK_METRICS}[metric]
    return fn(a, b, k=k) if k else fn(a, b)


def test_column_order_does_not_decide_agreement():
    """Issue 26.7: ties broken by column order made agreement depend on the order of the columns."""
    counts = pd.Series([1.0, 1.0, 0.0, 0.0, 0.0, 0.0], index=list("abcdef"))     # two features tied on top
    other = pd.Series([0.9, 0.1, 0.8, 0.7, 0.05, 0.02], index=list("abcdef"))
    reordered = list("fedcba")
    for metric, fn in ag.TOP_K_METRICS.items():
        for k in range(1, 7):
            assert fn(counts, other, k=k) == pytest.approx(fn(counts[reordered], other[reordered], k=k)), metric
    table = ag.agreement_table({"x": counts, "y": other}, ks=[1, 2])
    table_reordered = ag.agreement_table({"x": counts[reordered], "y": other[reordered]}, ks=[1, 2])
    assert np.allclose(table["value"], table_reordered["value"])
    # top-1: "a" or "b" first, each with probability 1/2; other's top is "a"
    assert ag.feature_agreement(counts, other, k=1) == pytest.approx(0.5)
    probabilities = ag.position_probabilities(counts)
    assert np.allclose(probabilities.sum(axis=0), 1) and np.allclose(probabilities.sum(axis=1), 1)
    assert probabilities.loc["c", 3] == pytest.approx(0.25) and probabilities.loc["a", 1] == pytest.approx(0.5)


def test_series_are_aligned_by_name_and_arrays_need_names():
    shuffled = B[["e", "d", "c", "b", "a"]]
    assert ag.rank_agreement(A, shuffled, k=3) == ag.rank_agreement(A, B, k=3)
    assert ag.feature_agreement(A.to_numpy(), B.to_numpy(), k=3, feature_names=NAMES) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="feature_names"):
        ag.feature_agreement(A.to_numpy(), B.to_numpy(), k=3)


@pytest.mark.parametrize("call, match", [
    (lambda: ag.feature_agreement(A, B.drop("e"), k=2), "same features"),
    (lambda: ag.feature_agreement(A, B, k=0), "between 1"),
    (lambda: ag.feature_agreement(A, B, k=6), "between 1"),
    (lambda: ag.rank_agreement(A, B.replace(0.1, np.nan), k=2), "NaN"),
    (lambda: ag.sign_agreement(np.ones((2, 2)), np.ones((2, 2)), k=1, feature_names=["p", "q"]),
     "one-dimensional"),
    (lambda: ag.feature_agreement(np.ones(3), np.ones(3), k=1, feature_names=["p", "q"]), "3 values"),
    (lambda: ag.rank_correlation(A, B, features=["a", "zzz"]), "unknown feature"),
    (lambda: ag.rank_correlation(A, B, features="a"), "at least two"),
    (lambda: ag.agreement_table({"only": A}), "at least two"),
    (lambda: ag.agreement_table({"x": A, "y": B}, metrics=["nonsense"]), "unknown metric"),
    (lambda: ag.agreement_table({"x": A.to_frame().T, "y": pd.concat([B, B], axis=1).T}), "same rows"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_k_must_be_an_integer():
    with pytest.raises(TypeError, match="k must be an integer"):
        ag.feature_agreement(A, B, k=2.0)
    with pytest.raises(TypeError, match="Series"):
        ag.agreement_table({"x": A, "y": [1, 2]})


def test_table_equals_the_pair_functions():
    rng = np.random.default_rng(3)
    features = [f"f{j}" for j in range(6)]
    methods = {name: pd.DataFrame(rng.normal(size=(7, 6)), columns=features) for name in ("p", "q", "r")}
    methods["r"].iloc[0, :3] = 0.0                               # ties and zero signs too
    table = ag.agreement_table(methods, ks=[1, 3, 6]).set_index(["method_a", "method_b", "metric", "k"])
    for name_a, name_b in [("p", "q"), ("q", "r"), ("r", "p"), ("q", "q")]:
        for metric, fn in ag.TOP_K_METRICS.items():
            for k in (1, 3, 6):
                expected = np.mean([fn(ra, rb, k=k) for (_, ra), (_, rb) in
                                    zip(methods[name_a].iterrows(), methods[name_b].iterrows())])
                assert table.loc[(name_a, name_b, metric, k), "value"] == pytest.approx(expected)
        for metric, fn in ag.RANK_METRICS.items():
            expected = np.mean([fn(ra, rb) for (_, ra), (_, rb) in
                                zip(methods[name_a].iterrows(), methods[name_b].iterrows())])
            assert table.loc[(name_a, name_b, metric, 3), "value"] == pytest.approx(expected)
    diagonal = table.xs("p", level="method_a").xs("p", level="method_b")
    assert np.allclose(diagonal["value"], 1.0)
    assert set(table.index.get_level_values("metric")) == set(ag.METRICS)


def test_top_feature_agreement():
    one = pd.DataFrame([[3.0, 1.0], [0.1, -2.0], [1.0, 1.0]], columns=["u", "v"])
    two = pd.DataFrame([[-5.0, 1.0], [3.0, 1.0], [0.0, 1.0]], columns=["u", "v"])
    out = ag.top_feature_agreement({"one": one, "two": two})
    assert out["one"].tolist() == ["u", "v", "u"]      # the tie in row 3 goes to the first column
    assert out["two"].tolist() == ["u", "u", "v"]
    assert out["all_agree"].tolist() == [True, False, False]
    # row 3: "one" ties u and v, "two" names v: they agree with probability 1/2
    assert out["p_all_agree"].tolist() == pytest.approx([1.0, 0.0, 0.5])


def test_non_numbers_and_scalar_ks_found_by_the_audit():
    with pytest.raises(TypeError, match="a must hold numbers"):
        ag.feature_agreement(A.astype(str).replace("0.5", "high"), B, k=2)
    with pytest.raises(TypeError, match=r"a is a dict; pass pd.Series\(a\)"):
        ag.rank_correlation(A.to_dict(), B.to_dict())
    with pytest.raises(TypeError, match="explanation 'x' must hold numbers"):
        ag.agreement_table({"x": A.astype(str).replace("0.5", "high"), "y": B})
    with pytest.raises(TypeError, match=r"ks must be a list.*ks=\[2\]"):
        ag.agreement_table({"x": A, "y": B}, ks=2)
