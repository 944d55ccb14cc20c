"""Checkers for the exercises of chapter 3, *Permutation importance*.

Every expected answer is computed with :mod:`xaibook.importance` on the book's case studies and
models, never typed in. Answers are cached per process, so a checker called twice computes once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from xaibook import data, models
from xaibook._validation import check_features, check_positive_int
from xaibook._validation import check_number as check_number_argument
from xaibook.exercises import Verdict, check_choice, check_number, check_ranking
from xaibook.importance import (
    BootstrapImportance,
    bootstrap_permutation_importance,
    grouped_permutation_importance,
    permutation_importance,
    train_test_importance,
)

__all__ = [
    "EXERCISE_TEST", "feature_importance", "check_feature_importance", "top_features",
    "check_top_features", "exercise_test_importance", "check_exercise_test_importance",
    "overfit_gaps", "largest_overfit_gap", "check_largest_gap", "metric_rankings",
    "check_metric_leader", "reliable_features", "undecided_features", "reliability", "chance_count",
    "check_reliable_features", "reuse_bootstrap", "gap_kind",
    "check_gap_kind", "MANY_VALUES",
]

#: A feature with more distinct values than this counts as one with "many" values (exercise 4).
MANY_VALUES = 10

#: The heart features recorded during the exercise stress test (grouped in exercise 3).
EXERCISE_TEST = ("max_heart_rate", "exercise_angina", "st_depression", "st_slope")


@lru_cache(maxsize=16)
def feature_importance(feature: str = "thal", *, case: str = "heart", model: str = "logistic",
                       scoring: str = "roc_auc", n_repeats: int = 10, random_state: int = 0) -> float:
    """Mean permutation importance of ``feature`` for a zoo model on its case's test split."""
    ds = data.load_case(case)
    (name,) = check_features([feature], ds.X_test, name="feature")
    result = permutation_importance(models.get_model(case, model), ds.X_test, ds.y_test,
                                    scoring=scoring, n_repeats=n_repeats, random_state=random_state)
    return float(result.importances_mean[result.feature_names.index(name)])


def check_feature_importance(answer: float) -> Verdict:
    """Exercise 1: mean drop in ROC AUC when ``thal`` is shuffled, heart logistic model."""
    return check_number(answer, feature_importance(), tolerance=0.0005,
                        hint="Use the test split (heart.X_test, heart.y_test), scoring='roc_auc', "
                             "n_repeats=10, random_state=0, and read importances_mean for 'thal'.")


def top_features(*, case: str = "heart", model: str = "forest", top: int = 3,
                 scoring: str = "roc_auc", n_repeats: int = 10, random_state: int = 0) -> list[str]:
    """The ``top`` most important features of a zoo model on its case's test split."""
    top = check_positive_int(top, name="top")
    return list(_top_features(case, model, top, scoring, n_repeats, random_state))


@lru_cache(maxsize=16)
def _top_features(case, model, top, scoring, n_repeats, random_state) -> tuple[str, ...]:
    ds = data.load_case(case)
    result = permutation_importance(models.get_model(case, model), ds.X_test, ds.y_test,
                                    scoring=scoring, n_repeats=n_repeats, random_state=random_state)
    return tuple(result.ranking()[:top])


def check_top_features(answer: Any) -> Verdict:
    """Exercise 2: the three most important features of the heart random forest, in order."""
    return check_ranking(answer, top_features(), top=3,
                         hint="Rank by importances_mean (result.ranking() does it), with "
                              "scoring='roc_auc', n_repeats=10, random_state=0 on the test split.")


def exercise_test_importance(*, model: str = "boosting", n_repeats: int = 10,
                             random_state: int = 0) -> dict[str, float]:
    """Grouped importance of the exercise-test features together, and the sum of their single
    importances, for a heart zoo model (ROC AUC, test split)."""
    return dict(_exercise_test_importance(model, n_repeats, random_state))


@lru_cache(maxsize=8)
def _exercise_test_importance(model, n_repeats, random_state) -> tuple[tuple[str, float], ...]:
    ds = data.load_heart()
    fitted = models.get_model("heart", model)
    groups = {"exercise test": list(EXERCISE_TEST)}
    grouped = grouped_permutation_importance(fitted, ds.X_test, ds.y_test, groups, scoring="roc_auc",
                                             n_repeats=n_repeats, random_state=random_state)
    single = permutation_importance(fitted, ds.X_test, ds.y_test, scoring="roc_auc",
                                    n_repeats=n_repeats, random_state=random_state)
    singles = sum(float(single.importances_mean[single.feature_names.index(f)]) for f in EXERCISE_TEST)
    return (("grouped", float(grouped.importances_mean[0])), ("sum of singles", singles))


def check_exercise_test_importance(answer: float) -> Verdict:
    """Exercise 3: grouped importance of the four exercise-test features, heart boosting model."""
    return check_number(answer, exercise_test_importance()["grouped"], tolerance=0.0005,
                        hint="Call grouped_permutation_importance with groups={'exercise test': "
                             "list(EXERCISE_TEST)}, scoring='roc_auc', n_repeats=10, random_state=0.")


def overfit_gaps(*, case: str = "heart", model: str = "forest", n_repeats: int = 5,
                 random_state: int = 0) -> dict[str, float]:
    """Train minus test mean importance (ROC AUC) of every feature for a zoo model."""
    return dict(_overfit_gaps(case, model, n_repeats, random_state))


@lru_cache(maxsize=8)
def _overfit_gaps(case, model, n_repeats, random_state) -> tuple[tuple[str, float], ...]:
    ds = data.load_case(case)
    comparison = train_test_importance(models.get_model(case, model), ds.X_train, ds.y_train,
                                       ds.X_test, ds.y_test, scoring="roc_auc",
                                       n_repeats=n_repeats, random_state=random_state)
    means = comparison.means()
    return tuple((means["train"] - means["test"]).to_dict().items())


def largest_overfit_gap(**kwargs) -> str:
    """The feature whose importance falls most from train to test (see :func:`overfit_gaps`)."""
    gaps = overfit_gaps(**kwargs)
    return max(gaps, key=gaps.get)


def check_largest_gap(answer: str) -> Verdict:
    """Exercise 4: the heart forest's feature with the largest train - test importance gap."""
    return check_choice(answer, largest_overfit_gap(),
                        hint="Use train_test_importance(model, X_train, y_train, X_test, y_test, "
                             "scoring='roc_auc', n_repeats=5) and subtract the 'test' column of "
                             ".means() from the 'train' column.")


def metric_rankings(*, case: str = "heart", model: str = "boosting",
                    scorings: tuple[str, ...] = ("roc_auc", "accuracy"),
                    n_repeats: int = 10, random_state: int = 0) -> dict[str, list[str]]:
    """Features ranked by mean permutation importance under each scorer, for a zoo model (test split)."""
    return {scoring: list(ranking) for scoring, ranking
            in _metric_rankings(case, model, tuple(scorings), n_repeats, random_state)}


@lru_cache(maxsize=8)
def _metric_rankings(case, model, scorings, n_repeats, random_state) -> tuple[tuple[str, tuple[str, ...]], ...]:
    ds = data.load_case(case)
    fitted = models.get_model(case, model)
    return tuple((scoring, tuple(permutation_importance(fitted, ds.X_test, ds.y_test, scoring=scoring,
                                                        n_repeats=n_repeats,
                                                        random_state=random_state).ranking()))
                 for scoring in scorings)


def check_metric_leader(answer: str) -> Verdict:
    """Exercise 1: the heart boosting model's most important feature when the score is accuracy."""
    return check_choice(answer, metric_rankings()["accuracy"][0],
                        hint="Call permutation_importance on the test split with scoring='accuracy', "
                             "n_repeats=10, random_state=0, and take result.ranking()[0].")


def chance_count(n_bootstrap: int, tail: float = 0.025, level: float = 0.95) -> int:
    """How many of ``n_bootstrap`` resamples can fall at or below zero by chance when exactly a
    ``tail`` share of the bootstrap distribution lies there: the ``level`` quantile of
    Binomial(n_bootstrap, tail), a one-sided test at ``1 - level``. With 50 resamples and a 2.5%
    tail that is 3, so a count from 1 to 3 cannot say on which side of zero the interval's 2.5%
    end lies."""
    n_bootstrap = check_positive_int(n_bootstrap, name="n_bootstrap", minimum=2)
    tail = check_number_argument(tail, name="tail", low=0.0, high=1.0, low_open=True, high_open=True)
    level = check_number_argument(level, name="level", low=0.0, high=1.0, low_open=True, high_open=True)
    return int(binom.ppf(level, n_bootstrap, tail))


def reliability(boot: BootstrapImportance) -> pd.DataFrame:
    """Per feature: the bootstrap ``mean`` and ``se``, ``at_or_below_zero`` (resamples whose
    importance is at most zero) and a ``verdict`` that respects what the number of resamples can
    resolve (exercise 2):

    ``relied on``   no resample at or below zero, and the normal interval ``mean - 1.96 se`` above
                    zero as well: both ways of reading the bootstrap agree;
    ``not shown``   more resamples at or below zero than a 2.5% tail gives by chance
                    (:func:`chance_count`): the 95% interval certainly reaches zero;
    ``undecided``   in between: the interval's lower end rests on one or a few resamples, and this
                    many resamples cannot place a 2.5% tail.
    """
    summary = boot.summary()
    below = (np.asarray(boot.importances) <= 0).sum(axis=1)
    clear = (below == 0) & (summary["mean"].to_numpy() - 1.96 * summary["se"].to_numpy() > 0)
    verdict = np.where(clear, "relied on",
                       np.where(below > chance_count(boot.n_bootstrap), "not shown", "undecided"))
    return summary[["mean", "se", "low"]].assign(at_or_below_zero=below, verdict=verdict) \
        .sort_values("mean", ascending=False)


#: Bootstraps computed elsewhere with the checker's settings (:func:`reuse_bootstrap`), by
#: ``(case, model, n_bootstrap, random_state)``.
_KNOWN_BOOTSTRAPS: dict[tuple[str, str, int, int], BootstrapImportance] = {}


def _bootstrap(case: str, model: str, n_bootstrap: int, random_state: int) -> BootstrapImportance:
    """Exercise 2's bootstrap: ROC AUC, test split, five shuffles per resample (the chapter's)."""
    ds = data.load_case(case)
    return bootstrap_permutation_importance(models.get_model(case, model), ds.X_test, ds.y_test,
                                            scoring="roc_auc", n_bootstrap=n_bootstrap, n_repeats=5,
                                            random_state=random_state)


def reuse_bootstrap(boot: BootstrapImportance, *, case: str = "credit", model: str = "boosting",
                    random_state: int = 0) -> None:
    """Let the checker of exercise 2 use ``boot``, a bootstrap already computed with its settings
    (the chapter's own), instead of computing the same one again.

    ``boot`` is verified first: its scorer, shuffles per resample and features must be the
    checker's, and its first two resamples must equal, bit for bit, a two-resample bootstrap the
    checker computes itself (resample ``b`` depends only on the seed and ``b``): a bootstrap of
    another model, data set or seed is refused with a ValueError.
    """
    if not isinstance(boot, BootstrapImportance):
        raise TypeError(f"boot must be a BootstrapImportance, got {type(boot).__name__}")
    check = _bootstrap(case, model, 2, random_state)
    if (boot.scoring, boot.n_repeats, boot.feature_names) != (check.scoring, check.n_repeats,
                                                              check.feature_names) \
            or not np.array_equal(boot.importances[:, :2], check.importances):
        raise ValueError(f"boot is not the bootstrap of the {case} {model} model that exercise 2 "
                         f"uses (ROC AUC, test split, 5 shuffles per resample, random_state="
                         f"{random_state}); compute it with those settings")
    _KNOWN_BOOTSTRAPS[(case, model, boot.n_bootstrap, random_state)] = boot
    _reliable_features.cache_clear()


@lru_cache(maxsize=4)
def _reliable_features(case, model, n_bootstrap, random_state) -> tuple[tuple[str, ...], tuple[str, ...]]:
    boot = _KNOWN_BOOTSTRAPS.get((case, model, n_bootstrap, random_state))
    if boot is None:
        boot = _bootstrap(case, model, n_bootstrap, random_state)
    table = reliability(boot)
    return (tuple(table.index[table["verdict"] == "relied on"]),
            tuple(table.index[table["verdict"] == "undecided"]))


def reliable_features(*, case: str = "credit", model: str = "boosting", n_bootstrap: int = 50,
                      random_state: int = 0) -> list[str]:
    """Features the bootstrap (ROC AUC, test split, five shuffles per resample, as in the chapter)
    shows the model relies on, by :func:`reliability`'s rule, largest mean first."""
    n_bootstrap = check_positive_int(n_bootstrap, name="n_bootstrap", minimum=2)
    return list(_reliable_features(case, model, n_bootstrap, random_state)[0])


def undecided_features(*, case: str = "credit", model: str = "boosting", n_bootstrap: int = 50,
                       random_state: int = 0) -> list[str]:
    """Features whose interval's lower end is too close to zero for ``n_bootstrap`` resamples to
    place (:func:`reliability`); the checker accepts them listed or not."""
    n_bootstrap = check_positive_int(n_bootstrap, name="n_bootstrap", minimum=2)
    return list(_reliable_features(case, model, n_bootstrap, random_state)[1])


def check_reliable_features(answer: Any) -> Verdict:
    """Exercise 2: the credit boosting model's features that the bootstrap shows it relies on.

    Every feature the bootstrap clearly shows must be listed and none whose interval clearly
    reaches zero; the undecided ones (:func:`undecided_features`) may be listed or not."""
    hint = ("Read the bootstrap (vermillion) line of every feature in the interval chart, not the "
            "shuffle line, and open its data table: a line that ends far right of zero counts; one "
            "whose end lies within a hair of zero rests on one or two of the 50 resamples.")
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return Verdict(False, f"expected a list of feature names, got {type(answer).__name__}", hint)
    given = [str(name) for name in answer]
    expected, undecided = reliable_features(), undecided_features()
    missing = [name for name in expected if name not in given]
    extra = [name for name in given if name not in expected and name not in undecided]
    if not missing and not extra:
        return Verdict(True, f"{expected} are the features the bootstrap clearly shows; "
                             f"{undecided} are too close to zero for 50 resamples to decide, "
                             "listed or not.")
    parts = []
    if missing:
        parts.append(f"missing {missing}")
    if extra:
        parts.append(f"{extra} should not be listed: their bootstrap interval reaches zero")
    return Verdict(False, "; ".join(parts) + ".", hint)


def gap_kind(**kwargs: Any) -> str:
    """``"many"`` if the feature with the largest train - test gap (:func:`largest_overfit_gap`)
    has more than :data:`MANY_VALUES` distinct values in the case's data, else ``"few"``."""
    case = kwargs.get("case", "heart")
    feature = largest_overfit_gap(**kwargs)
    return "many" if data.load_case(case).X[feature].nunique() > MANY_VALUES else "few"


def check_gap_kind(answer: str) -> Verdict:
    """Exercise 4, the prediction: does the heart forest's largest train - test gap belong to a
    feature with many distinct values (``"many"``) or with few (``"few"``)?"""
    if answer not in ("many", "few"):
        return Verdict(False, f"answer 'many' or 'few', got {answer!r}",
                       f"'many' means more than {MANY_VALUES} distinct values, like age or cholesterol.")
    return check_choice(answer, gap_kind(),
                        hint="A deep tree can isolate a few training patients with a "
                             "feature that has many distinct values; which features give it the "
                             "most thresholds to choose from?")
