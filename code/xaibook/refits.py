"""The models chapter 8 (*Where explanations fail*) refits, each fitted once and cached on disk.

Every lab of the chapter asks what an explanation does when the model changes in a controlled way:

:func:`bootstrap_refits`      the zoo model refitted on bootstrap samples of the training split with
                              new seeds: models of (nearly) equal test score, the *Rashomon set*
                              of Breiman (2001) and Fisher, Rudin & Dominici (2019);
:func:`shuffled_label_model`  the zoo model trained on labels shuffled at random: the *data
                              randomization test* of Adebayo et al. (2018), adapted to tables;
:func:`monotone_model`        histogram gradient boosting with monotonic constraints (risk may
                              only rise with the named features), with the zoo's boosting
                              settings, against the same learner without them
                              (:func:`unconstrained_model`);
:func:`correlated_copy_model` the zoo model refitted with a noisy copy of one numeric feature
                              added (:func:`add_copy` builds the extra column).

Fitted models are stored next to the model zoo's (``xaibook.models.cache_dir()``) under a key that
hashes what the refits depend on, the zoo's key (data, model code, library versions) and this
module, never the labs that use them (:mod:`xaibook.labs`), with the zoo's atomic write, so a
parallel build never reads half a file and a change of the refits' code refits.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline

from xaibook import models
from xaibook._validation import check_features, check_int_seed, check_positive_int, derived_seed
from xaibook.data import load_case

__all__ = [
    "Refits",
    "add_copy",
    "bootstrap_refits",
    "correlated_copy_model",
    "monotone_model",
    "shuffled_label_model",
    "test_auc",
    "unconstrained_model",
]


# --------------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------------
def _key() -> str:
    """What the refits depend on: the zoo's key (data, model code, library versions) and this module."""
    digest = hashlib.sha256(models.cache_key().encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def _cached(name: str, build: Callable[[], Any]) -> Any:
    """``build()``, stored on disk under ``name`` and :func:`_key`."""
    return models.load_or_build(models.cache_dir() / f"refits-{name}-{_key()}.joblib", build)


def _fit(pipeline: Pipeline, X: pd.DataFrame, y: Any) -> Pipeline:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # as in models.fit_model
        return pipeline.fit(X, y)


def test_auc(model: Any, case: str, *, transform: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> float:
    """ROC AUC of ``model`` on the test split of ``case`` (after ``transform`` of the rows, if given)."""
    dataset = load_case(case)
    X = dataset.X_test if transform is None else transform(dataset.X_test)
    return float(roc_auc_score(dataset.y_test, model.predict_proba(X)[:, 1]))


# --------------------------------------------------------------------------------------------
# Refits on bootstrap samples: the Rashomon set
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Refits:
    """Models refitted on bootstrap samples; ``auc[i]`` is model ``i``'s test ROC AUC."""

    case: str
    name: str
    models: tuple[Pipeline, ...]
    auc: np.ndarray

    def __len__(self) -> int:
        return len(self.models)

    def rashomon(self, reference: float, *, tolerance: float = 0.02) -> list[int]:
        """Positions of the refits whose test AUC is within ``tolerance`` of ``reference``."""
        if not tolerance >= 0:
            raise ValueError(f"tolerance must be a non-negative number, got {tolerance}")
        return [i for i, auc in enumerate(self.auc) if abs(auc - reference) <= tolerance]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"refit": np.arange(len(self)), "test_auc": self.auc})


def _set_seed(pipeline: Pipeline, seed: int) -> Pipeline:
    estimator = pipeline.named_steps["model"]
    if "random_state" in estimator.get_params():
        pipeline.set_params(model__random_state=seed)
    return pipeline


def bootstrap_refits(case: str, name: str = "boosting", *, n_refits: int = 8,
                     random_state: int = 0) -> Refits:
    """Refit zoo model ``name`` ``n_refits`` times, each on a bootstrap sample of the training split.

    Refit ``i`` draws its sample with seed ``random_state + i`` (modulo 2**32) and uses it as the estimator's
    seed too; the training rows, the hyperparameters and the preprocessing are the zoo's.
    """
    n_refits = check_positive_int(n_refits, name="n_refits")
    random_state = check_int_seed(random_state, why="it names the cached refits")
    dataset = load_case(case)

    def build() -> Refits:
        fitted = []
        for i in range(n_refits):
            seed = derived_seed(random_state, i)
            rows = np.random.default_rng(seed).integers(0, len(dataset.X_train), len(dataset.X_train))
            pipeline = _set_seed(models.make_model(case, name), seed)
            fitted.append(_fit(pipeline, dataset.X_train.iloc[rows], dataset.y_train.iloc[rows]))
        auc = np.array([test_auc(model, case) for model in fitted])
        return Refits(case, name, tuple(fitted), auc)

    return _cached(f"{case}-{name}-bootstrap-{n_refits}-{random_state}", build)


# --------------------------------------------------------------------------------------------
# Shuffled labels: the data randomization test
# --------------------------------------------------------------------------------------------
def shuffled_label_model(case: str, name: str = "boosting", *, random_state: int = 0) -> Pipeline:
    """Zoo model ``name`` trained on the training split with its labels shuffled (seed ``random_state``).

    The model can only memorise noise: its test ROC AUC is near 0.5. An explanation method whose
    output for this model looks like its output for the real one fails the sanity check of
    Adebayo et al. (2018).
    """
    random_state = check_int_seed(random_state, why="it names the cached model")
    dataset = load_case(case)

    def build() -> Pipeline:
        y = np.random.default_rng(int(random_state)).permutation(dataset.y_train.to_numpy())
        return _fit(models.make_model(case, name), dataset.X_train, y)

    return _cached(f"{case}-{name}-shuffled-{random_state}", build)


# --------------------------------------------------------------------------------------------
# Monotonic constraints
# --------------------------------------------------------------------------------------------
def _histogram_boosting(case: str, increasing: Sequence[str]) -> Pipeline:
    """The zoo's boosting settings (trees, learning rate, depth) in a HistGradientBoostingClassifier."""
    dataset = load_case(case)
    zoo = models.make_model(case, "boosting")
    params = zoo.named_steps["model"].get_params()
    numeric = dataset.numeric_features
    n_categories = sum(dataset.X_train[c].nunique() for c in dataset.categorical_features)
    # the preprocessor outputs the numeric columns first (standardised: order kept), then one-hot
    constraints = [1 if c in increasing else 0 for c in numeric] + [0] * n_categories
    estimator = HistGradientBoostingClassifier(
        max_iter=params["n_estimators"], learning_rate=params["learning_rate"], max_depth=params["max_depth"],
        min_samples_leaf=max(int(params["min_samples_leaf"]), 1), early_stopping=False,
        monotonic_cst=constraints, random_state=models.SEED)
    return Pipeline([("preprocess", zoo.named_steps["preprocess"]), ("model", estimator)])


def _check_numeric(case: str, features: Sequence[str]) -> list[str]:
    dataset = load_case(case)
    features = check_features(features, dataset.X) if len(features) else []
    wrong = [f for f in features if f not in dataset.numeric_features]
    if wrong:
        raise ValueError(f"monotonic constraints apply to numeric features; {wrong} are not numeric "
                         f"(numeric: {dataset.numeric_features})")
    return features


def monotone_model(case: str, increasing: Sequence[str]) -> Pipeline:
    """Histogram gradient boosting (the zoo's settings) whose output may only rise with ``increasing``.

    scikit-learn enforces the constraint in every tree (``monotonic_cst``); the numeric features
    are standardised first, which keeps their order, so the constraint holds on the raw values.
    """
    increasing = _check_numeric(case, [increasing] if isinstance(increasing, str) else list(increasing))
    if not increasing:
        raise ValueError("increasing must name at least one numeric feature")
    dataset = load_case(case)
    return _cached(f"{case}-monotone-{'+'.join(sorted(increasing))}",
                   lambda: _fit(_histogram_boosting(case, increasing), dataset.X_train, dataset.y_train))


def unconstrained_model(case: str) -> Pipeline:
    """The same histogram gradient boosting as :func:`monotone_model`, without constraints."""
    dataset = load_case(case)
    return _cached(f"{case}-unconstrained",
                   lambda: _fit(_histogram_boosting(case, []), dataset.X_train, dataset.y_train))


# --------------------------------------------------------------------------------------------
# A correlated copy of a feature
# --------------------------------------------------------------------------------------------
def add_copy(X: pd.DataFrame, case: str, feature: str, *, noise: float = 0.1,
             random_state: int = 0) -> pd.DataFrame:
    """Rows ``X`` of ``case`` with a column ``<feature>_copy``: the feature plus Gaussian noise.

    The noise has ``noise`` times the feature's standard deviation (over the whole data set) and is
    drawn once per person of the case study from ``random_state``, so a person gets the same copy
    in the training split, the test split or any subset: ``X``'s index must be the case's row labels.
    """
    full = load_case(case).X
    feature = check_features(feature, full)[0]
    if not pd.api.types.is_numeric_dtype(full[feature]):
        raise ValueError(f"{feature!r} is not numeric; a noisy copy needs a numeric feature")
    if not noise >= 0:
        raise ValueError(f"noise must be a non-negative number of standard deviations, got {noise}")
    random_state = check_int_seed(random_state, why="it names the cached model")
    if not X.index.isin(full.index).all() or list(X.columns) != list(full.columns):
        raise ValueError(f"X must be rows of the {case} data (its index labels and columns)")
    draws = pd.Series(np.random.default_rng(int(random_state)).normal(size=len(full)), index=full.index)
    copy = X[feature].to_numpy(dtype=float) + noise * float(full[feature].std()) * draws.loc[X.index].to_numpy()
    return X.assign(**{f"{feature}_copy": copy})


def correlated_copy_model(case: str, feature: str, name: str = "boosting", *, noise: float = 0.1,
                          random_state: int = 0) -> Pipeline:
    """Zoo model ``name`` refitted on the training split with :func:`add_copy`'s extra column."""
    dataset = load_case(case)
    X_train = add_copy(dataset.X_train, case, feature, noise=noise, random_state=random_state)

    def build() -> Pipeline:
        preprocess = models.make_preprocessor(numeric=dataset.numeric_features + [f"{feature}_copy"],
                                              categorical=dataset.categorical_features)
        pipeline = models.make_model(case, name)       # the zoo's estimator and settings
        pipeline.steps[0] = ("preprocess", preprocess)
        return _fit(pipeline, X_train, dataset.y_train)

    return _cached(f"{case}-{name}-copy-{feature}-{noise}-{random_state}", build)
