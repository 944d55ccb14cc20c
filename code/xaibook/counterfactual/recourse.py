"""The cost of recourse: the cheapest counterfactual the search finds for each row
(:func:`recourse_cost`), and the exact minimum for a model additive in log-odds
(:func:`linear_recourse_cost`, :func:`linear_recourse_costs`): a closed-form fractional knapsack,
or with whole steps the mixed-integer programme of Ustun, Spangher & Liu (2019)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_frame, check_row_like
from xaibook.counterfactual._space import _Reference, _Space
from xaibook.counterfactual._target import _Target
from xaibook.counterfactual.constraints import _check_constraints
from xaibook.counterfactual.distance import band_scales
from xaibook.counterfactual.results import AlreadyDesiredError
from xaibook.counterfactual.search import counterfactuals

__all__ = ["linear_recourse_cost", "linear_recourse_costs", "recourse_cost"]

#: Reference rows on which linear_recourse_cost checks that the model is additive in log-odds.
N_LINEAR_CHECKS = 16


def recourse_cost(model, X, X_reference, **options) -> pd.Series:
    """The cost of the cheapest counterfactual for every row of ``X`` (NaN where none is found).

    One search per row with ``n_counterfactuals=1``; ``options`` go to :func:`counterfactuals`.
    A row already in ``desired_class`` costs 0.
    """
    X = check_frame(X, name="X")
    costs = {}
    for label in X.index:
        try:
            result = counterfactuals(model, X.loc[[label]], X_reference, n_counterfactuals=1, **options)
        except AlreadyDesiredError:
            costs[label] = 0.0          # already in the desired class
            continue
        costs[label] = result.cost[0] if len(result) else np.nan
    return pd.Series(costs, name="recourse cost", dtype=float).rename_axis(X.index.name)


def _probe_rows(space: _Space) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """Rows that read a model's slopes (x_j + 1, x_j - 1, x_j + 2) and category gains around ``x``."""
    rows, owners = [], []
    for j in np.flatnonzero(space.vary):
        if space.numeric[j]:
            for step in (1.0, -1.0, 2.0):
                z = space.x.copy()
                z[j] += step
                rows.append(z)
                owners.append(("slope", j))
        else:
            for code in space.grid[j]:
                z = space.x.copy()
                z[j] = code
                rows.append(z)
                owners.append(("cat", j))
    return np.array(rows).reshape(len(rows), len(space.x)), owners


def _probe_frame(space: _Space, Z: np.ndarray) -> pd.DataFrame:
    frame = space.decode(Z)
    for j in np.flatnonzero(space.numeric):            # decode would round integers: keep floats
        frame[space.columns[j]] = Z[:, j]
    return frame


def _linear_terms(space: _Space, Z: np.ndarray, owners: list, delta: np.ndarray):
    """Slopes (log-odds per unit) of the numeric features and the gain of each allowed category.

    ``delta`` is the change of the desired class's log-odds at each probe row. Exact for a model
    additive in log-odds; raises if a numeric feature's effect is not linear around ``x``.
    """
    slopes: dict[int, float] = {}
    gains: dict[int, list[float]] = {}
    k = 0
    while k < len(owners):
        kind, j = owners[k]
        if kind == "slope":
            up, down, twice = delta[k:k + 3]
            if abs(up + down) > 1e-6 * max(1.0, abs(up)) or abs(twice - 2 * up) > 1e-6 * max(1.0, abs(up)):
                raise ValueError(f"the model's log-odds are not linear in {space.columns[j]!r}; "
                                 "linear_recourse_cost needs a model additive in log-odds")
            slopes[j] = float(up)
            k += 3
        else:
            gains.setdefault(j, []).append(float(delta[k]))
            k += 1
    return slopes, gains


def _log_odds(model: Any, target: _Target, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, bool]:
    """Log-odds of class 1 for the rows of ``frame``, the class probabilities, and whether the
    log-odds are exact: a ``decision_function`` whose logistic equals ``predict_proba`` (a
    logistic regression) is used as it is; otherwise ``log(p1 / p0)``, undefined where a
    probability is exactly 0 or 1 (a tree's pure leaf), which is refused."""
    P = target._proba(frame)
    decision = getattr(model, "decision_function", None)
    if decision is not None:
        d = np.asarray(decision(frame), dtype=float)
        if d.shape == (len(frame),) and np.allclose(1 / (1 + np.exp(-d)), P[:, 1], rtol=0, atol=1e-9):
            return d, P, True
    if ((P[:, 1] == 0) | (P[:, 1] == 1)).any():
        raise ValueError("the model gives probabilities of exactly 0 or 1 at some probe rows, where log-odds are "
                         "infinite, so its slopes cannot be read: a tree's pure leaves do this, and so does a logistic "
                         "model saturated far from x when it exposes no decision_function matching predict_proba "
                         "(a wrapper); linear_recourse_cost needs log-odds it can read (a logistic regression or "
                         "a pipeline ending in one); use counterfactuals() for any other model")
    return np.log(P[:, 1]) - np.log(P[:, 0]), P, False


def _check_additive(space: _Space, Z: np.ndarray, delta: np.ndarray, slopes: dict, gains: dict,
                    logit: np.ndarray, exact: bool) -> None:
    """The slopes and gains read around ``x`` must predict the model on real rows ``Z`` (reference
    rows within the constraints): a tree is flat near ``x`` (slope 0, "no recourse") and steps
    elsewhere, which only such rows reveal. Where the log-odds come from saturated probabilities
    (``exact`` false, ``|log-odds| >= 20``) they are too imprecise to compare."""
    predicted = np.zeros(len(Z))
    for j, slope in slopes.items():
        predicted += slope * (Z[:, j] - space.x[j])
    for j, options in gains.items():
        codes = list(space.grid[j])
        predicted += [options[codes.index(c)] if c in codes else 0.0 for c in Z[:, j]]
    usable = np.ones(len(Z), dtype=bool) if exact else np.abs(logit) < 20
    error = np.abs(predicted - delta)[usable]
    if len(error) and error.max() > 1e-6 * max(1.0, float(np.abs(delta[usable]).max())):
        raise ValueError("the model's log-odds are not linear (additive) in the features: the slopes read around x "
                         f"miss the model's log-odds on reference rows by up to {error.max():.3g}, as a tree or a "
                         "boosted model does; linear_recourse_cost needs a model additive in log-odds "
                         "(a logistic regression); use counterfactuals() for any other model")


def _knapsack_cost(space: _Space, slopes: dict, gains: dict, need: float) -> float:
    """The closed form: top-k categorical gains, then a fractional knapsack of numeric features."""
    rates, capacities = [], []
    for j, slope in slopes.items():
        room = space.upper[j] - space.x[j] if slope > 0 else space.x[j] - space.lower[j]
        if slope != 0 and room > 0:
            rates.append(abs(slope) * space.scale[j])
            capacities.append(abs(slope) * room)
    cat_gains = sorted((max(g) for g in gains.values() if max(g) > 0), reverse=True)
    order = np.argsort(rates)[::-1]
    best = np.inf
    for n_cat in range(len(cat_gains) + 1):
        remaining = need - sum(cat_gains[:n_cat])
        cost = float(n_cat)
        for i in order:
            if remaining <= 0:
                break
            take = min(remaining, capacities[i])
            cost += take / rates[i]
            remaining -= take
        if remaining <= 1e-12:
            best = min(best, cost)
    return float(best)


def linear_recourse_costs(model, X, X_reference, *, desired_class=None, features_to_vary=None,
                          permitted_range=None, monotone=None, integer: bool = False,
                          ordered=None) -> pd.Series:
    """:func:`linear_recourse_cost` for every row of ``X``, with two model calls in all.

    Rows already in the desired class cost 0; ``inf`` means no recourse within the constraints.
    ``desired_class`` defaults, row by row, to the class the model does not predict.
    """
    X_reference = check_frame(X_reference, name="X_reference")
    X = check_row_like(check_frame(X, name="X"), X_reference, name="X", one_row=False)
    rows = [X.iloc[[i]] for i in range(len(X))]
    target = _Target(model, rows[0], desired_class if desired_class is not None else None)
    if len(target.classes) != 2:
        raise ValueError("linear_recourse_cost handles binary classifiers only")
    if desired_class is not None and desired_class not in target.classes:
        raise ValueError(f"desired_class {desired_class!r} is not one of the model's classes {target.classes}")
    logit, P, exact = _log_odds(model, target, pd.concat(rows)[list(X_reference.columns)])
    desired = (np.full(len(X), target.classes.index(desired_class)) if desired_class is not None
               else 1 - np.argmax(P, axis=1))
    margins = np.where(desired == 1, logit, -logit)
    spaces, probes, checks = [], [], []
    reference = _Reference(X_reference)
    bands = band_scales(X_reference, ordered)
    if bands and not integer:
        raise ValueError("the closed form (integer=False) assumes that every changed category costs 1; with "
                         "ordered bands pass integer=True (the mixed-integer programme)")
    sample = X_reference.iloc[np.unique(np.linspace(0, len(X_reference) - 1, N_LINEAR_CHECKS).astype(int))]
    for x in rows:
        vary, ranges, directions = _check_constraints(x, X_reference, features_to_vary, permitted_range, monotone)
        space = _Space(x, reference, vary, ranges, directions, bands)
        spaces.append(space)
        Z, owners = _probe_rows(space)
        check = space.project(space.encode(sample))     # real rows within the constraints
        checks.append(check)
        probes.append((np.vstack([Z, check]) if len(Z) else Z, owners))
    frames = [_probe_frame(space, Z) for space, (Z, _) in zip(spaces, probes) if len(Z)]
    if frames:
        probe_logit, _, exact = _log_odds(model, target, pd.concat(frames, ignore_index=True))
    costs, start = [], 0
    for i, (space, (Z, owners)) in enumerate(zip(spaces, probes)):
        need = -margins[i]
        block = probe_logit[start:start + len(Z)] if len(Z) else np.empty(0)
        start += len(Z)
        if need <= 0:
            costs.append(0.0)
            continue
        delta = (block if desired[i] == 1 else -block) - margins[i]
        n_probes = len(owners)
        slopes, gains = _linear_terms(space, Z[:n_probes], owners, delta[:n_probes])
        if exact or abs(margins[i]) < 20:               # x's log-odds are exact (not saturated)
            _check_additive(space, checks[i], delta[n_probes:], slopes, gains, block[n_probes:], exact)
        costs.append(_milp_cost(space, slopes, gains, need) if integer else _knapsack_cost(space, slopes, gains, need))
    return pd.Series(costs, index=X.index, name="recourse cost", dtype=float)


def linear_recourse_cost(model, x, X_reference, *, desired_class=None, features_to_vary=None,
                         permitted_range=None, monotone=None, integer: bool = False, ordered=None) -> float:
    """The exact minimum cost of a counterfactual for a model that is additive in log-odds.

    For a logistic regression on standardised and one-hot features, the log-odds are
    ``b + sum_j g_j(x_j)`` with ``g_j`` linear in a numeric ``x_j``. Reaching the boundary means
    raising the desired class's log-odds by ``m = -margin(x)``. A numeric feature buys log-odds at
    ``|slope_j| * MAD_j`` per unit of cost, up to its range; a categorical feature buys the gain of
    its best allowed category for a cost of 1.

    ``integer=False`` (the closed form): numeric features move continuously. For ``k`` categorical
    changes the best are the ``k`` largest gains; the rest is a fractional knapsack filled by the
    numeric features in order of efficiency; the answer is the cheapest over ``k``. It is a lower
    bound on the cost of any counterfactual.
    ``integer=True``: integer-valued features (those of integer dtype in ``X_reference``) move in
    whole steps, as :func:`counterfactuals` moves them; the mixed-integer programme is solved
    exactly with :func:`scipy.optimize.milp` (the approach of Ustun, Spangher & Liu 2019); a
    category of an ``ordered`` feature costs its band steps over their scale (:func:`band_scales`).

    The slopes and gains are read from the model by finite differences, which is exact for such a
    model; a model whose log-odds are not linear in a numeric feature is refused. Returns ``inf``
    when no change within the constraints reaches the boundary, 0 when ``x`` is already there.
    """
    X_reference = check_frame(X_reference, name="X_reference")
    x = check_row_like(x, X_reference)
    return float(linear_recourse_costs(model, x, X_reference, desired_class=desired_class,
                                       features_to_vary=features_to_vary, permitted_range=permitted_range,
                                       monotone=monotone, integer=integer, ordered=ordered).iloc[0])


def _milp_cost(space: _Space, slopes: dict, gains: dict, need: float) -> float:
    """Mixed-integer programme: min sum |delta_j| / MAD_j + sum y_jc  s.t. the log-odds reach 0."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    cost, effect, low, high, integrality, group = [], [], [], [], [], []
    for j, slope in slopes.items():       # delta_j = up_j - down_j, both >= 0
        for sign, room in ((1.0, space.upper[j] - space.x[j]), (-1.0, space.x[j] - space.lower[j])):
            cost.append(1.0 / space.scale[j])
            effect.append(sign * slope)
            low.append(0.0)
            high.append(max(room, 0.0))
            integrality.append(1 if space.integer[j] else 0)
            group.append(-1)
    for j, options in gains.items():      # at most one new category per feature
        for code, gain in zip(space.grid[j], options):
            cost.append(abs(code - space.x[j]) / space.scale[j] if space.ordinal[j] else 1.0)
            effect.append(gain)
            low.append(0.0)
            high.append(1.0)
            integrality.append(1)
            group.append(j)
    if not cost:
        return float("inf")
    constraints = [LinearConstraint(np.array(effect)[None, :], need, np.inf)]
    group = np.array(group)
    for j in set(group[group >= 0].tolist()):
        constraints.append(LinearConstraint((group == j).astype(float)[None, :], 0, 1))
    result = milp(c=np.array(cost), constraints=constraints, integrality=np.array(integrality),
                  bounds=Bounds(np.array(low), np.array(high)))
    return float(result.fun) if result.success else float("inf")

