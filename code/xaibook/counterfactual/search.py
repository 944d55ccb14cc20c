"""The search for counterfactuals of one row (:func:`counterfactuals`), in three steps: candidates
(``_candidates``), minimisation (``_minimise``), and the final check, the selection of diverse
options and the metrics (:func:`_report`, :func:`_select`). The package docstring describes each step."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from xaibook._validation import (
    as_generator,
    check_frame,
    check_number,
    check_positive_int,
    check_random_state,
    check_row_like,
)
from xaibook.counterfactual._candidates import _find_candidates
from xaibook.counterfactual._minimise import _minimise_candidates
from xaibook.counterfactual._space import _Space, _unique_rows
from xaibook.counterfactual._target import _Target
from xaibook.counterfactual.constraints import _check_constraints
from xaibook.counterfactual.distance import _distances, band_scales
from xaibook.counterfactual.metrics import _metrics
from xaibook.counterfactual.results import AlreadyDesiredError, CounterfactualResult

__all__ = ["counterfactuals"]

#: Weight of the distance to the already chosen counterfactuals when choosing the next one.
DIVERSITY_WEIGHT = 0.5
#: Smallest distance between two reported counterfactuals that are the same option.
MIN_DISTANCE = 0.25


def counterfactuals(model, x, X_reference, *, desired_class=None, n_counterfactuals: int = 4,
                    features_to_vary=None, permitted_range=None, monotone=None, min_probability=None,
                    random_state=0, ordered=None) -> CounterfactualResult:
    """Diverse, close, valid counterfactuals for the row ``x`` within actionability constraints.

    ``model`` is a fitted classifier with ``predict_proba`` or a prediction function ``f(X)``
    returning the probability of class 1 (then the classes are 0 and 1). ``x`` is one row (a
    one-row DataFrame or a Series); ``X_reference`` (the training split) defines the scales (MAD),
    the default numeric ranges (its minimum and maximum), the known categories and the values the
    search tries.

    A row is *valid* when the model's own decision is ``desired_class``: ``model.predict`` for a
    classifier (which may have a threshold of its own, as scikit-learn's ``FixedThresholdClassifier``
    or a bank's cut-off), ``f > 0.5`` for class 1 of a prediction function. ``min_probability``
    (default none) asks for a margin as well, as DiCE's ``stopping_threshold`` does: the
    probability of the desired class must also be at least that much, so that a counterfactual
    does not sit at 0.501, where the next refit of the model may flip it back.

    ``desired_class`` defaults to the other class of a binary model. ``features_to_vary`` lists the
    features that may change (default: all); every other feature keeps ``x``'s value exactly.
    ``permitted_range`` maps a numeric feature to ``(low, high)`` (which must contain ``x``'s value)
    or a categorical feature to the categories it may change to. ``monotone`` maps a numeric
    feature to ``"increase"`` or ``"decrease"`` (age can only grow). ``ordered`` maps a categorical
    feature whose categories are ordered bands to its categories, lowest band first
    (:func:`band_scales`). The cost is ``sum |x_j - c_j| / MAD_j`` over numeric features (Wachter et
    al. 2017) plus one per changed categorical feature (band steps over their scale for an ordered
    one); see the package docstring (:mod:`xaibook.counterfactual`) for the cost's sources and the search.

    Returns a :class:`CounterfactualResult` with up to ``n_counterfactuals`` rows, all valid and
    within the constraints, sorted by cost; an empty one (validity 0, with a message) when the
    search finds none.
    """
    X_reference = check_frame(X_reference, name="X_reference")
    x = check_row_like(x, X_reference)
    n_counterfactuals = check_positive_int(n_counterfactuals, name="n_counterfactuals")
    check_random_state(random_state)
    if min_probability is not None:
        min_probability = check_number(min_probability, name="min_probability", low=0, high=1,
                                       low_open=True, high_open=True)
    vary, ranges, directions = _check_constraints(x, X_reference, features_to_vary, permitted_range, monotone)
    target = _Target(model, x, desired_class, min_probability)
    if target.current == target.desired:
        raise AlreadyDesiredError(f"x is already predicted as desired_class {target.desired!r}; a counterfactual "
                                  "must change the prediction (pick another desired_class)")
    rng = as_generator(random_state)
    space = _Space(x, X_reference, vary, ranges, directions, band_scales(X_reference, ordered))
    # 1. candidates: reference rows moved onto the constraints, the lattice of a small space,
    #    single moves, greedy paths, random sparse rows
    found = _find_candidates(space, target, X_reference, rng, n_paths=max(2 * n_counterfactuals, 6))
    # 2. minimisation: the cheapest candidates pulled back towards x
    Z = _minimise_candidates(space, target, found, n_counterfactuals)
    # 3. selection: every row checked once more, then diverse options, cheapest first
    return _report(space, target, x, X_reference, Z, n_counterfactuals, vary, found.tried)


def _report(space: _Space, target: _Target, x: pd.DataFrame, X_reference: pd.DataFrame, Z: np.ndarray,
            n: int, vary: list[str], tried: str = "") -> CounterfactualResult:
    """Check every candidate once more (the model's own decision and every constraint), select,
    and compute the metrics."""
    x_p = float(target.x_proba[target.index])
    message = ""
    p = np.empty(0)
    if len(Z):
        Z = _unique_rows(space.snap(Z))
        p_all, valid, _ = target(space.decode(Z), exact=True)
        keep = valid & space.satisfies(Z) & (space.n_changed(Z) > 0)
        Z, p_all = Z[keep], p_all[keep]
    if len(Z):
        picked = _select(space, Z, n)
        p = p_all[picked]
        Z = Z[picked]
    margin = "" if target.min_probability is None else f" with probability at least {target.min_probability:g}"
    if not len(Z):
        message = (f"No counterfactual reaching class {target.desired!r}{margin} was found within the constraints "
                   f"(features_to_vary: {vary}; tried {tried or 'the search candidates'}, "
                   "single moves, greedy paths and random rows); relax them or accept that this model offers "
                   "no recourse here.")
    elif len(Z) < n:
        message = f"Only {len(Z)} distinct valid counterfactuals of the {n} requested were found."
    cfs = space.decode(Z)
    cfs.index = pd.RangeIndex(len(cfs), name="counterfactual")
    valid = np.ones(len(cfs), dtype=bool)     # every row passed the model and the constraints above
    # the metrics and distances of the public functions, without checking X_reference again
    distances = partial(_distances, columns=list(X_reference.columns), mad=space.mad, bands=space.bands)
    metrics = _metrics(cfs, x, valid, n, distances)
    return CounterfactualResult(
        counterfactuals=cfs, original=x, predictions=p, original_prediction=x_p,
        desired_class=target.desired, cost=space.cost(Z), n_changed=space.n_changed(Z),
        plausibility=(distances(cfs, X_reference).min(axis=1) if len(cfs) else []),
        validity=metrics["validity"], proximity=metrics["proximity"], sparsity=metrics["sparsity"],
        diversity=metrics["diversity"], n_requested=n, features_to_vary=vary, message=message,
        min_probability=target.min_probability)


def _select(space: _Space, Z: np.ndarray, n: int) -> np.ndarray:
    """Positions of the chosen rows of ``Z``: distinct options first, cheapest first, then greedily
    by diversity.

    Two rows are the same *option* when they change the same features, numeric ones in the same
    direction and categorical ones to the same category (a loan of 930 DM and one of 931 DM are
    one option). Only the cheapest row of each option competes at first: the cheapest is chosen,
    then each next one minimises its cost minus ``DIVERSITY_WEIGHT`` times its distance to the
    nearest one already chosen. Only if there are fewer options than ``n`` are other rows added, by
    the same rule, and only rows at least ``MIN_DISTANCE`` from every chosen one (never a variant
    that differs by a few DM).
    """
    cost = space.cost(Z)
    key = np.where(space.numeric, np.sign(Z - space.x), Z)
    order = np.argsort(cost, kind="stable")
    _, first = np.unique(key[order], axis=0, return_index=True)
    options = np.sort(order[first])
    chosen = [int(options[np.argmin(cost[options])])]
    for candidates in (options, np.arange(len(Z))):   # options first; then any distinct row
        while len(chosen) < n:
            free = candidates[~np.isin(candidates, chosen)]
            if not len(free):
                break
            nearest = space.pairwise(Z[free], Z[chosen]).min(axis=1)
            score = np.where(nearest >= MIN_DISTANCE, cost[free] - DIVERSITY_WEIGHT * nearest, np.inf)
            if not np.isfinite(score).any():
                break
            chosen.append(int(free[np.argmin(score)]))
    chosen = np.array(chosen, dtype=int)
    return chosen[np.argsort(cost[chosen], kind="stable")]

