"""Chapters 8 and 9's studies: the analysis steps between the labs' runs and the chapters' numbers.

Chapter 8 (*Where explanations fail*) runs each failure as an experiment, and chapter 9 (*Wrap-up*)
compares the methods. The costly runs are the cached labs of :mod:`xaibook.labs`; the steps that
turn the models and those runs into the numbers the chapters glue are here, uncached, tested, and
kept out of the labs' module so that editing one never re-runs the labs (their cache key hashes
``labs.py``):

:func:`four_method_explanations`   SHAP, LIME, permutation and counterfactual importance on the
                                   people for whom counterfactuals were found (the disagreement lab)
:func:`break_ties_by_column`       attributions whose ties are broken by column order, the rule the
                                   agreement metrics refuse (to show what it would have said)
:func:`kernel_width_regimes`       per kernel width of LIME: fidelity, effective samples, shrinkage,
                                   top feature, and whether fewer samples count than coefficients
:func:`refit_explanations`         each refit's TreeSHAP values, prediction and top feature for one
                                   person (the Rashomon lab)
:func:`duplicated_feature_study`   permutation importance, grouped importance, SHAP and off-data rows
                                   for a model refitted with an exact copy of a feature
:func:`lime_top_features`          the feature LIME ranks first, for each of some rows (the scaffold)
:func:`quantile_grid`              a grid over a feature's quantiles (an ICE curve's x axis)
:func:`ice_curves`                 one person's ICE curve under several models, in long format
:func:`curve_landmarks`            a curve's value at a point, its minimum and its end
:func:`outcome_rate_by_quantile`   the share of positives in each quantile bin of a feature
:func:`recourse_validity`          for each counterfactual, the share of refits for which it still works
:func:`report_card_tops`           chapter 9: each method's top features on a report card
:func:`sign_conflicts`             chapter 9: features two methods rank high with opposite signs
:func:`interval_apart`             chapter 9: is one method's interval below (above) all the others'?
:func:`intervals_overlap`          chapter 9: do the intervals of some methods all overlap pairwise?

:mod:`xaibook.failures` re-exports them, as the chapter calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xaibook import refits as _refits
from xaibook._validation import check_features, check_frame, check_int_seed, check_positive_int, check_positive_number
from xaibook.agreement import ranking
from xaibook.data import load_case
from xaibook.dependence import off_data_share, partial_dependence
from xaibook.importance import PermutationImportance, grouped_permutation_importance, permutation_importance
from xaibook.predict import prediction_function
from xaibook.shapley import tree_shap
from xaibook.surrogate import lime_tabular

__all__ = [
    "DuplicatedFeature",
    "break_ties_by_column",
    "curve_landmarks",
    "duplicated_feature_study",
    "four_method_explanations",
    "ice_curves",
    "interval_apart",
    "intervals_overlap",
    "kernel_width_regimes",
    "lime_top_features",
    "outcome_rate_by_quantile",
    "quantile_grid",
    "recourse_validity",
    "refit_explanations",
    "report_card_tops",
    "sign_conflicts",
]


# --------------------------------------------------------------------------------------------
# Disagreement: four methods on the same people
# --------------------------------------------------------------------------------------------
def four_method_explanations(shap: pd.DataFrame, lime: pd.DataFrame, permutation: pd.Series,
                             counterfactual: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The disagreement lab's four explanations, on the people for whom counterfactuals were found.

    ``shap``, ``lime`` and ``counterfactual`` hold one row per person (the same people in the same
    order) and one column per feature; ``counterfactual`` is NaN for a person with no counterfactual
    (:func:`xaibook.labs.counterfactual_importance_table`), and those people are dropped from all
    four. ``permutation`` (one global value per feature) is repeated for every kept person, as a
    reader who quotes a global answer for one person does. Returns ``{"SHAP", "LIME",
    "permutation importance", "counterfactuals"}`` -> frame, ready for
    :func:`xaibook.agreement.agreement_table`.
    """
    frames = {"shap": shap, "lime": lime, "counterfactual": counterfactual}
    for name, frame in frames.items():
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{name} must be a DataFrame (one row per person), got {type(frame).__name__}")
        if not frame.index.equals(shap.index) or list(frame.columns) != list(shap.columns):
            raise ValueError(f"{name} must have the people (index, in order) and the features (columns) of shap")
    if not isinstance(permutation, pd.Series):
        raise TypeError(f"permutation must be a Series indexed by feature, got {type(permutation).__name__}")
    if sorted(permutation.index) != sorted(shap.columns):
        raise ValueError(f"permutation's features {list(permutation.index)} differ from shap's {list(shap.columns)}")
    found = counterfactual.notna().all(axis=1).to_numpy()
    if not found.any():
        raise ValueError("no person has counterfactual importance (every row of counterfactual has a NaN)")
    return {"SHAP": shap[found], "LIME": lime[found],
            "permutation importance": pd.DataFrame([permutation] * int(found.sum()), index=shap.index[found]),
            "counterfactuals": counterfactual[found]}


def break_ties_by_column(frame: pd.DataFrame, *, step: float = 1e-9) -> pd.DataFrame:
    """``frame`` with column ``j`` of ``m`` raised by ``step * (m - j)``: ties go to the earlier column.

    The agreement metrics average over the orders of tied features (:mod:`xaibook.agreement`); this
    gives the answer of the rule they refuse, ties broken by the order of the columns, to show what
    it would have said. ``step`` must be small against the gaps between distinct values, so that
    only ties change order.
    """
    check_frame(frame, name="frame")
    step = check_positive_number(step, name="step")
    return frame + step * np.arange(frame.shape[1], 0, -1)


def kernel_width_regimes(study: pd.DataFrame, *, n_coefficients: int | None = None) -> pd.DataFrame:
    """One row per kernel width of :func:`xaibook.labs.kernel_width_study` (its order), indexed by
    ``kernel_width``: ``fidelity``, ``effective_samples``, ``shrinkage``, ``top_feature`` and
    ``few_samples``, true when fewer samples count (Kish's effective sample size) than the
    surrogate has coefficients: ``n_coefficients``, by default one per feature plus the intercept.
    There the fit is underdetermined and the ridge penalty, not the data, decides the ranking."""
    columns = ["kernel_width", "feature", "fidelity", "effective_samples", "shrinkage", "top_feature"]
    missing = [c for c in columns if c not in getattr(study, "columns", ())]
    if missing:
        raise ValueError(f"study must be kernel_width_study's frame; it lacks the columns {missing}")
    if n_coefficients is None:
        n_coefficients = study["feature"].nunique() + 1
    n_coefficients = check_positive_int(n_coefficients, name="n_coefficients")
    regimes = study.drop_duplicates("kernel_width").set_index("kernel_width")[columns[2:]]
    return regimes.assign(few_samples=regimes["effective_samples"] < n_coefficients)


# --------------------------------------------------------------------------------------------
# The Rashomon set: one person under each refit
# --------------------------------------------------------------------------------------------
def refit_explanations(refits: _refits.Refits, x: pd.DataFrame, background: pd.DataFrame, *,
                       keep: Sequence[int] | None = None) -> pd.DataFrame:
    """One person under each refit: TreeSHAP values (log-odds), probability of class 1, top feature.

    ``refits`` from :func:`xaibook.refits.bootstrap_refits`; ``x`` one row; ``keep`` the positions of
    the refits to explain (default all; for the Rashomon set, :meth:`Refits.rashomon`). Long
    format, one row per (refit, feature) in the order of ``keep``: ``refit``, ``feature``, ``shap``,
    ``test_auc`` (the refit's), ``probability`` (its prediction for ``x``) and ``top_feature`` (the
    largest ``|shap|``, as :meth:`ShapleyResult.explain_row` orders them).
    """
    if not isinstance(refits, _refits.Refits):
        raise TypeError(f"refits must be a Refits (from bootstrap_refits), got {type(refits).__name__}")
    check_frame(x, name="x")
    if len(x) != 1:
        raise ValueError(f"x must be one row (a one-row DataFrame, e.g. X.loc[[label]]), got {len(x)} rows")
    keep = list(range(len(refits))) if keep is None else list(keep)
    bad = [i for i in keep if not isinstance(i, (int, np.integer)) or not 0 <= i < len(refits)]
    if bad:
        raise ValueError(f"keep must hold positions of the {len(refits)} refits, got {bad}")
    frames = []
    for i in keep:
        model = refits.models[i]
        explained = tree_shap(model, x, background, scale="log-odds")
        frames.append(pd.DataFrame({
            "refit": i, "feature": list(explained.feature_names), "shap": explained.values[0],
            "test_auc": float(refits.auc[i]), "probability": float(prediction_function(model)(x)[0]),
            "top_feature": explained.explain_row(0)["feature"][0]}))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Correlated features: a model refitted with an exact copy of one
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DuplicatedFeature:
    """What a copy of ``feature`` does to the explanations (:func:`duplicated_feature_study`).

    ``permutation``: permutation importance of the model with the copy (ROC AUC, test split);
    ``grouped``: the importance of the feature and its copy shuffled together; ``mean_abs_shap``:
    mean ``|TreeSHAP|`` (log-odds) of the model with the copy, by feature; ``off_data``: the share of
    test rows with only ``feature`` shuffled that lie off the data of the pair
    (:func:`xaibook.dependence.off_data_share`); ``test_auc``: the model's test ROC AUC.
    """
    feature: str
    permutation: PermutationImportance
    grouped: float
    mean_abs_shap: pd.Series
    off_data: float
    test_auc: float

    @property
    def copy(self) -> str:
        """The copy's column name."""
        return f"{self.feature}_copy"


def duplicated_feature_study(case: str, feature: str, background: pd.DataFrame, *, n_repeats: int = 5,
                             random_state: int = 0) -> DuplicatedFeature:
    """Refit the case's boosting model with an exact copy of ``feature`` and explain it again.

    The model is :func:`xaibook.refits.correlated_copy_model` with ``noise=0``; permutation and
    grouped importance use ROC AUC on the test split with ``n_repeats`` shuffles and
    ``random_state``; TreeSHAP explains the test split against ``background`` (rows of the case,
    given the copy too); the off-data share shuffles ``feature`` alone with ``random_state``.
    """
    n_repeats = check_positive_int(n_repeats, name="n_repeats")
    random_state = check_int_seed(random_state, why="the shuffles must repeat")
    dataset = load_case(case)
    feature = check_features(feature, dataset.X)[0]
    check_frame(background, name="background")

    def with_copy(X: pd.DataFrame) -> pd.DataFrame:
        return _refits.add_copy(X, case, feature, noise=0.0)

    model = _refits.correlated_copy_model(case, feature, noise=0.0)
    X_test = with_copy(dataset.X_test)
    pair = [feature, f"{feature}_copy"]
    permutation = permutation_importance(model, X_test, dataset.y_test, scoring="roc_auc", n_repeats=n_repeats,
                                         random_state=random_state)
    grouped = grouped_permutation_importance(model, X_test, dataset.y_test, {"both": pair}, scoring="roc_auc",
                                             n_repeats=n_repeats, random_state=random_state)
    shuffled = X_test.assign(**{feature: np.random.default_rng(random_state).permutation(X_test[feature])})
    return DuplicatedFeature(
        feature=feature, permutation=permutation, grouped=float(grouped.importances_mean[0]),
        mean_abs_shap=tree_shap(model, X_test, with_copy(background), scale="log-odds").mean_abs(),
        off_data=off_data_share(X_test[pair], shuffled[pair]),
        test_auc=_refits.test_auc(model, case, transform=with_copy))


# --------------------------------------------------------------------------------------------
# The scaffold: LIME's top feature for each audited row
# --------------------------------------------------------------------------------------------
def lime_top_features(model: Any, X_reference: pd.DataFrame, rows: pd.DataFrame, *, n_samples: int = 1000,
                      random_state: int = 0) -> pd.Series:
    """The feature LIME ranks first (largest ``|weight|``) for each of ``rows``, indexed like ``rows``.

    Each row is explained by :func:`xaibook.surrogate.lime_tabular` on ``model``'s probability of
    class 1 with ``X_reference``, ``n_samples`` samples and the same ``random_state``; ties go to
    the earlier feature (:func:`xaibook.agreement.ranking`).
    """
    check_frame(rows, name="rows")
    f: Callable[[pd.DataFrame], np.ndarray] = prediction_function(model)
    tops = [ranking(pd.Series(lime_tabular(f, X_reference, rows.iloc[[i]], n_samples=n_samples,
                                           random_state=random_state).weights, index=rows.columns))[0]
            for i in range(len(rows))]
    return pd.Series(tops, index=rows.index, name="top_feature")


# --------------------------------------------------------------------------------------------
# An explanation that reveals a bad model: ICE curves and the data's own pattern
# --------------------------------------------------------------------------------------------
def quantile_grid(values: Any, *, n_points: int = 41, decimals: int = 0) -> np.ndarray:
    """The distinct ``values`` quantiles at ``n_points`` equally spaced levels from 0 to 1, rounded
    to ``decimals``: a grid that spans the data (its minimum and maximum included) and is densest
    where the data are."""
    n_points = check_positive_int(n_points, name="n_points", minimum=2)
    numbers = np.asarray(values, dtype=float)
    if numbers.ndim != 1 or not len(numbers) or not np.isfinite(numbers).all():
        raise ValueError("values must be a non-empty 1-d sequence of finite numbers")
    return np.unique(np.quantile(numbers, np.linspace(0, 1, n_points)).round(decimals))


def ice_curves(models: Mapping[str, Any], x: pd.DataFrame, feature: str, grid: Sequence[float]) -> pd.DataFrame:
    """One person's ICE curve for ``feature`` under each of ``models`` (label -> fitted model).

    Each curve is :func:`xaibook.dependence.partial_dependence` of one model on the one row ``x``
    over ``grid``, extrapolation allowed (a person's curve may run beyond the values near their
    own). Long format: ``feature`` (the grid value, in a column named after the feature),
    ``model`` (the label) and ``prediction``, the models in the order given.
    """
    if not isinstance(models, Mapping) or not models:
        raise ValueError("models must be a non-empty mapping {label: fitted model}")
    check_frame(x, name="x")
    if len(x) != 1:
        raise ValueError(f"x must be one row (a one-row DataFrame, e.g. X.loc[[label]]), got {len(x)} rows")
    grid = np.asarray(grid)
    return pd.concat([pd.DataFrame({feature: grid, "model": label,
                                    "prediction": partial_dependence(model, x, feature, grid=grid,
                                                                     allow_extrapolation=True).individual[0]})
                      for label, model in models.items()], ignore_index=True)


def curve_landmarks(curve: pd.Series, at: float) -> dict[str, float]:
    """Landmarks of a curve (a Series of values indexed by increasing grid points): ``at_value``,
    its value at the last grid point not above ``at``; ``minimum`` and ``argmin`` (the first grid
    point where it is reached); ``end`` and ``last``, its value at and the last grid point."""
    if not isinstance(curve, pd.Series) or not len(curve):
        raise TypeError("curve must be a non-empty Series indexed by grid point")
    if not curve.index.is_monotonic_increasing:
        raise ValueError("curve's index (the grid) must increase")
    below = curve.loc[curve.index <= at]
    if not len(below):
        raise ValueError(f"at={at} lies below the curve's first grid point {curve.index[0]}")
    return {"at_value": float(below.iloc[-1]), "minimum": float(curve.min()), "argmin": curve.idxmin(),
            "end": float(curve.iloc[-1]), "last": curve.index[-1]}


def outcome_rate_by_quantile(y: pd.Series, values: pd.Series, *, q: int = 4) -> pd.Series:
    """The share of ``y == 1`` in each of the ``q`` quantile bins of ``values`` (``pd.qcut``), from
    the smallest values to the largest; indexed by the bins."""
    q = check_positive_int(q, name="q", minimum=2)
    if not isinstance(y, pd.Series) or not isinstance(values, pd.Series) or not y.index.equals(values.index):
        raise ValueError("y and values must be Series with the same index (one entry per person)")
    return y.groupby(pd.qcut(values, q), observed=True).mean()


# --------------------------------------------------------------------------------------------
# Recourse under refits
# --------------------------------------------------------------------------------------------
def recourse_validity(recourse: pd.DataFrame) -> pd.DataFrame:
    """For each counterfactual of :func:`xaibook.labs.recourse_under_refits`, how many refits it survives.

    ``recourse``: its long format (one row per person, counterfactual and refit; filter the refits
    first to judge only some, e.g. the Rashomon set). One row per (``person``, ``counterfactual``,
    ``changes``) in their first order: ``share_valid``, the share of the refits for which the
    counterfactual still gives the desired class, and ``valid_everywhere``, whether it does for all.
    """
    keys = ["person", "counterfactual", "changes"]
    missing = [c for c in [*keys, "refit", "valid"] if c not in getattr(recourse, "columns", ())]
    if missing:
        raise ValueError(f"recourse must be recourse_under_refits's frame; it lacks the columns {missing}")
    if not len(recourse):
        raise ValueError("recourse is empty: no counterfactual (or no refit) to judge")
    grouped = recourse.groupby(keys, sort=False)["valid"]
    return pd.concat([grouped.mean().rename("share_valid"), grouped.all().rename("valid_everywhere")],
                     axis=1).reset_index()


# --------------------------------------------------------------------------------------------
# Chapter 9: the report cards and the decision guide's intervals
# --------------------------------------------------------------------------------------------
def _card_values(card: pd.DataFrame, method: str) -> pd.Series:
    """One method's values on a report card, indexed by feature."""
    if method not in set(card["method"]):
        raise ValueError(f"{method!r} is not a method of the report card; it has {list(dict.fromkeys(card['method']))}")
    return card[card["method"] == method].set_index("feature")["value"]


def _check_card(card: Any) -> pd.DataFrame:
    missing = [c for c in ("method", "feature", "value") if c not in getattr(card, "columns", ())]
    if missing:
        raise ValueError(f"card must be report_card's long frame (method, feature, value); it lacks {missing}")
    return card


def _ordinal(i: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st."""
    suffix = "th" if 10 <= i % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(i % 10, "th")
    return f"{i}{suffix}"


def report_card_tops(card: pd.DataFrame, *, k: int = 3) -> pd.DataFrame:
    """Each method's ``k`` largest ``|value|`` features on a :func:`xaibook.labs.report_card`.

    One row per method (the card's order), columns ``1st``, ``2nd``, ...; ties go to the earlier
    feature (:func:`xaibook.agreement.ranking`).
    """
    card = _check_card(card)
    k = check_positive_int(k, name="k")
    ordinals = [_ordinal(i) for i in range(1, k + 1)]
    rows = {}
    for method, part in card.groupby("method", sort=False):
        top = ranking(part.set_index("feature")["value"])
        if len(top) < k:
            raise ValueError(f"k={k}, but {method!r} explains only {len(top)} features")
        rows[method] = dict(zip(ordinals, top[:k]))
    return pd.DataFrame.from_dict(rows, orient="index")


def sign_conflicts(card: pd.DataFrame, a: str, b: str, *, k: int = 5) -> list[str]:
    """Features among the top ``k`` (by ``|value|``) of method ``a`` or of method ``b`` on a report
    card to which the two give opposite signs, sorted: where they agree a feature matters but
    disagree in which direction it pushes."""
    card = _check_card(card)
    k = check_positive_int(k, name="k")
    va, vb = _card_values(card, a), _card_values(card, b)
    top = set(ranking(va)[:k]) | set(ranking(vb)[:k])
    return sorted(f for f in top if np.sign(va[f]) * np.sign(vb[f]) < 0)


def _intervals(measured: Any, methods: Sequence[str], measure: str) -> pd.DataFrame:
    columns = [f"{measure}_low", f"{measure}_high"]
    missing = [c for c in ["method", *columns] if c not in getattr(measured, "columns", ())]
    if missing:
        raise ValueError(f"measured must be method_measurements's frame; it lacks the columns {missing}")
    by_method = measured.set_index("method")
    unknown = [m for m in methods if m not in by_method.index]
    if unknown:
        raise ValueError(f"methods {unknown} were not measured; measured: {list(by_method.index)}")
    return by_method[columns]


def interval_apart(measured: pd.DataFrame, method: str, others: Sequence[str], *, measure: str = "refit",
                   below: bool = True) -> bool:
    """Does ``method``'s 95% interval of ``measure`` agreement (:func:`xaibook.labs.method_measurements`)
    lie entirely below (``below=True``) or above every one of ``others``'? A NaN bound (one person,
    no interval) is never apart."""
    bounds = _intervals(measured, [method, *others], measure)
    low, high = bounds.loc[method]
    if below:
        return all(high < bounds.loc[o, f"{measure}_low"] for o in others)
    return all(low > bounds.loc[o, f"{measure}_high"] for o in others)


def intervals_overlap(measured: pd.DataFrame, methods: Sequence[str], *, measure: str = "refit") -> bool:
    """Do the 95% intervals of ``measure`` agreement of ``methods`` overlap pairwise (so the
    measurements do not rank them)?"""
    bounds = _intervals(measured, methods, measure)
    lows, highs = bounds[f"{measure}_low"], bounds[f"{measure}_high"]
    return all(lows[a] <= highs[b] and lows[b] <= highs[a] for a in methods for b in methods)
