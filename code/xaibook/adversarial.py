"""Fooling LIME and SHAP: the adversarial scaffold of Slack et al. (2020), and how to catch it.

Slack, Hilgard, Jia, Singh and Lakkaraju, *Fooling LIME and SHAP: Adversarial Attacks on Post hoc
Explanation Methods* (AIES 2020, doi:10.1145/3375627.3375830), observed that LIME and KernelSHAP
ask the model about *synthetic* rows (LIME's perturbations, KernelSHAP's hybrids of a row and
background rows) that often look unlike real data. An adversary who knows this can build

1. an **out-of-distribution detector**: a classifier trained to tell real rows from the rows an
   explainer generates (:func:`collect_queries` records them by running the explainer itself on a
   recording prediction function);
2. a **scaffolded model** (:class:`ScaffoldedClassifier`): it answers with a *biased* model on rows
   the detector calls real, and with an *innocuous* one on everything else.

Every real applicant is then scored by the biased model, while the explainer, which mostly sees
synthetic rows, reports the innocuous model's reasons. :class:`RuleClassifier` makes the two
models as one-feature rules, as in the paper.

The defence is in the same observation. :func:`detectability` measures how well a fresh
classifier tells an explainer's queries from real rows (cross-validated ROC AUC; 0.5 means
indistinguishable, 1.0 means an adversary can always tell), and :func:`real_data_audit` explains
the model using real rows only: a shallow tree fitted to the model's decisions on real data (a
global surrogate), whose splits show what the model actually uses there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from xaibook._validation import (
    as_generator,
    as_legacy_random_state,
    check_frame,
    check_number,
    check_positive_int,
    check_probabilities,
    check_probability_scale,
    check_random_state,
)
from xaibook.predict import as_prediction_function

__all__ = [
    "RuleClassifier",
    "ScaffoldedClassifier",
    "RealDataAudit",
    "collect_queries",
    "detectability",
    "fit_detector",
    "real_data_audit",
    "scaffold",
]


# --------------------------------------------------------------------------------------------
# The two models an adversary combines
# --------------------------------------------------------------------------------------------
class RuleClassifier:
    """A one-feature rule as a classifier: ``P(y = 1) = 1`` when ``feature < threshold``, else 0.

    With ``below=False`` the rule fires when ``feature >= threshold``. It has ``predict_proba``,
    ``predict`` and ``classes_`` like a fitted scikit-learn classifier, so every method of the
    package accepts it (``xaibook.predict.prediction_function`` gives its probability of class 1).
    """

    classes_ = np.array([0, 1])

    def __init__(self, feature: str, threshold: float, *, below: bool = True):
        if not isinstance(feature, str) or not feature:
            raise TypeError(f"feature must be a column name (a non-empty string), got {feature!r}")
        check_number(threshold, name="threshold")
        self.feature = feature
        self.threshold = float(threshold)
        self.below = bool(below)

    def __repr__(self) -> str:
        sign = "<" if self.below else ">="
        return f"RuleClassifier({self.feature} {sign} {self.threshold:g} -> class 1)"

    def decision(self, X: pd.DataFrame) -> np.ndarray:
        """1 where the rule fires, 0 elsewhere."""
        X = check_frame(X, name="X")
        if self.feature not in X.columns:
            raise ValueError(f"X has no column {self.feature!r}; the rule needs it (columns: {list(X.columns)})")
        values = pd.to_numeric(X[self.feature], errors="raise").to_numpy(dtype=float)
        fires = values < self.threshold if self.below else values >= self.threshold
        return fires.astype(int)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = self.decision(X).astype(float)
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.decision(X)


def _detector_pipeline(X: pd.DataFrame, n_estimators: int, random_state: Any) -> Pipeline:
    from xaibook.models import make_preprocessor  # the zoo's encoding: scaled numbers, one-hot text

    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    forest = RandomForestClassifier(n_estimators=n_estimators, min_samples_leaf=1, class_weight="balanced",
                                    random_state=as_legacy_random_state(random_state), n_jobs=1)
    return Pipeline([("preprocess", make_preprocessor(numeric=numeric, categorical=categorical)),
                     ("forest", forest)])


def _labelled(real: pd.DataFrame, synthetic: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    real = check_frame(real, name="real", min_rows=2)
    synthetic = check_frame(synthetic, name="synthetic", min_rows=2)
    if list(synthetic.columns) != list(real.columns):
        raise ValueError(f"synthetic has columns {list(synthetic.columns)}, real {list(real.columns)}; "
                         "they must be the same, in the same order")
    # no casting: an explainer's non-integer ages or durations are part of what gives it away
    rows = pd.concat([real, synthetic], ignore_index=True)
    labels = np.r_[np.ones(len(real), dtype=int), np.zeros(len(synthetic), dtype=int)]
    return rows, labels


def fit_detector(real: pd.DataFrame, synthetic: pd.DataFrame, *, n_estimators: int = 100,
                 random_state: Any = 0) -> Pipeline:
    """A random forest that tells real rows (class 1) from an explainer's synthetic rows (class 0).

    Slack et al. (2020) use a random forest; here it sits behind the model zoo's preprocessing
    (numbers standardised, categories one-hot) and balances the two classes.
    """
    n_estimators = check_positive_int(n_estimators, name="n_estimators")
    check_random_state(random_state)
    rows, labels = _labelled(real, synthetic)
    return _detector_pipeline(rows, n_estimators, random_state).fit(rows, labels)


# --------------------------------------------------------------------------------------------
# The scaffold
# --------------------------------------------------------------------------------------------
class ScaffoldedClassifier:
    """Slack et al.'s adversarial classifier: ``biased`` on rows the detector calls real, else ``innocuous``.

    ``detector`` is a fitted classifier with ``predict_proba`` whose class 1 means "real row"
    (see :func:`fit_detector`); a row counts as real when that probability is at least
    ``threshold``. ``biased`` and ``innocuous`` are fitted binary classifiers.
    """

    classes_ = np.array([0, 1])

    def __init__(self, biased: Any, innocuous: Any, detector: Any, *, threshold: float = 0.5):
        for name, model in (("biased", biased), ("innocuous", innocuous), ("detector", detector)):
            if not hasattr(model, "predict_proba"):
                raise TypeError(f"{name} must be a fitted classifier with predict_proba, got {type(model).__name__}")
        check_number(threshold, name="threshold", low=0, high=1, low_open=True, high_open=True)
        self.biased, self.innocuous, self.detector = biased, innocuous, detector
        self.threshold = float(threshold)

    def __repr__(self) -> str:
        return f"ScaffoldedClassifier(biased={self.biased!r}, innocuous={self.innocuous!r})"

    def is_real(self, X: pd.DataFrame) -> np.ndarray:
        """True for the rows the detector takes for real data (they get the biased model)."""
        X = check_frame(X, name="X")
        return np.asarray(self.detector.predict_proba(X))[:, 1] >= self.threshold

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        real = self.is_real(X)
        out = np.asarray(self.innocuous.predict_proba(X), dtype=float).copy()
        if real.any():
            out[real] = np.asarray(self.biased.predict_proba(X[real]), dtype=float)
        return out

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]

    def agreement_with_biased(self, X: pd.DataFrame) -> float:
        """Share of the rows of ``X`` on which the scaffold decides as the biased model does."""
        return float(np.mean(self.predict(X) == np.asarray(self.biased.predict(X))))


def scaffold(biased: Any, innocuous: Any, real: pd.DataFrame, synthetic: pd.DataFrame, *,
             n_estimators: int = 100, threshold: float = 0.5, random_state: Any = 0) -> ScaffoldedClassifier:
    """Train the detector on ``real`` vs ``synthetic`` rows and wrap the two models around it."""
    detector = fit_detector(real, synthetic, n_estimators=n_estimators, random_state=random_state)
    return ScaffoldedClassifier(biased, innocuous, detector, threshold=threshold)


# --------------------------------------------------------------------------------------------
# What an explainer asks the model
# --------------------------------------------------------------------------------------------
def collect_queries(explain: Callable[[Callable, pd.DataFrame, int], Any], rows: pd.DataFrame, *,
                    max_rows: int = 20_000, random_state: Any = 0) -> pd.DataFrame:
    """The rows an explainer sends to the model while explaining each of ``rows``.

    ``explain(f, x, seed)`` runs the explainer on prediction function ``f`` for the one-row
    DataFrame ``x`` with random seed ``seed`` (for example
    ``lambda f, x, seed: kernel_shap(f, x, background, n_samples=200, random_state=seed)``). Each
    row gets its own seed, drawn from ``random_state``: LIME's tabular sampler does not depend on
    the row, so one seed for all rows would return the same perturbations again and again. ``f``
    records every DataFrame the explainer asks about and answers 0 for each row. The queries, exactly
    as the explainer sent them (rows equal to an explained row dropped), are returned, at most
    ``max_rows`` of them, sampled without replacement.
    """
    rows = check_frame(rows, name="rows")
    max_rows = check_positive_int(max_rows, name="max_rows")
    rng = as_generator(random_state)
    seeds = rng.integers(0, 2**31 - 1, size=len(rows))
    seen: list[pd.DataFrame] = []

    def recording(X: pd.DataFrame) -> np.ndarray:
        if not isinstance(X, pd.DataFrame) or list(X.columns) != list(rows.columns):
            raise ValueError("the explainer must call f with DataFrames that have the rows' columns")
        seen.append(X.reset_index(drop=True).copy())
        return np.zeros(len(X))

    for position in range(len(rows)):
        explain(recording, rows.iloc[[position]], int(seeds[position]))
    if not seen:
        raise ValueError("explain never called f: it must run the explainer on the f it is given")
    queries = pd.concat(seen, ignore_index=True)        # as sent: LIME's numbers need not be integers
    as_float = {c: float for c in rows.columns if pd.api.types.is_numeric_dtype(rows[c])}
    same = (queries.astype(as_float).merge(rows.astype(as_float).drop_duplicates(), how="left", indicator=True)
            ["_merge"].to_numpy() == "both")
    queries = queries[~same]
    if len(queries) > max_rows:
        queries = queries.iloc[np.sort(rng.choice(len(queries), size=max_rows, replace=False))]
    return queries.reset_index(drop=True)


def detectability(real: pd.DataFrame, synthetic: pd.DataFrame, *, n_splits: int = 3,
                  n_estimators: int = 100, random_state: Any = 0) -> float:
    """How well a classifier tells ``synthetic`` rows from ``real`` ones: cross-validated ROC AUC.

    A fresh detector (:func:`fit_detector`'s random forest) is trained on all but one fold and
    scored on the held-out fold; the AUCs are averaged. 0.5: the explainer's queries look like
    real data; near 1: an adversary can tell them apart, and a scaffold can fool the explainer.
    """
    n_splits = check_positive_int(n_splits, name="n_splits", minimum=2)
    check_random_state(random_state)
    rows, labels = _labelled(real, synthetic)
    if min(len(real), len(synthetic)) < n_splits:  # a held-out fold of one class: AUC undefined (NaN)
        raise ValueError(f"real has {len(real)} rows and synthetic {len(synthetic)}; each needs at least "
                         f"n_splits={n_splits} rows, so that every held-out fold holds both kinds")
    copies = rows.iloc[len(real):].merge(rows.iloc[:len(real)].drop_duplicates(), how="inner").shape[0]
    if copies > 0.1 * len(synthetic):  # a forest that memorised a copy with the other label scores far below 0.5
        raise ValueError(f"{copies} of the {len(synthetic)} synthetic rows are copies of real rows; such rows "
                         "cannot be told apart by any detector and make the cross-validated AUC meaningless "
                         "(below 0.5): pass an explainer's perturbed rows, not real ones")
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=as_legacy_random_state(random_state))
    aucs = []
    for train, test in folds.split(rows, labels):
        model = _detector_pipeline(rows, n_estimators, random_state).fit(rows.iloc[train], labels[train])
        aucs.append(roc_auc_score(labels[test], model.predict_proba(rows.iloc[test])[:, 1]))
    return float(np.mean(aucs))


@dataclass(frozen=True)
class RealDataAudit:
    """A shallow tree fitted to a model's decisions on real rows only.

    ``importances``: the tree's impurity importance per raw feature (one-hot columns summed),
    largest first; ``fidelity``: the share of real rows on which the tree decides as the model
    does; ``rules``: the tree as text.
    """

    importances: pd.Series
    fidelity: float
    rules: str

    @property
    def top_feature(self) -> str:
        return str(self.importances.index[0])

    def ranking(self) -> list[str]:
        return [str(f) for f in self.importances.index]


def real_data_audit(model: Any, X_real: pd.DataFrame, *, max_depth: int = 2,
                    random_state: Any = 0) -> RealDataAudit:
    """Audit a model with real rows only: fit a depth-``max_depth`` tree to its decisions on ``X_real``.

    A scaffold cannot hide from this audit: every row it is asked about is real, so it answers
    with the model it really uses on people. (A global surrogate, as in chapter 2's trees.)
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.tree import export_text

    f = as_prediction_function(model)
    check_probability_scale(f)
    X_real = check_frame(X_real, name="X_real", min_rows=2)
    max_depth = check_positive_int(max_depth, name="max_depth")
    decisions = (check_probabilities(f(X_real), len(X_real)) >= 0.5).astype(int)   # 0.5 is a probability
    if len(np.unique(decisions)) < 2:  # a tree of one leaf: every importance 0 and a fidelity of 1.0
        raise ValueError(f"the model makes the same decision ({decisions[0]}) for every row of X_real, so there "
                         "is no decision rule to audit; pass rows on both sides of the decision")
    numeric = [c for c in X_real.columns if pd.api.types.is_numeric_dtype(X_real[c])]
    categorical = [c for c in X_real.columns if c not in numeric]
    # numbers as they are (the rules then read in years and DM), categories one-hot
    preprocess = ColumnTransformer(
        [("numeric", "passthrough", numeric),
         ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False,
                                       feature_name_combiner=lambda f, c: f"{f}={c}"), categorical)],
        verbose_feature_names_out=False).fit(X_real)
    Z = preprocess.transform(X_real)
    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=as_legacy_random_state(random_state))
    tree.fit(Z, decisions)
    names = [str(n) for n in preprocess.get_feature_names_out()]
    raw = [name.split("=", 1)[0] for name in names]
    importances = (pd.Series(tree.feature_importances_, index=raw).groupby(level=0, sort=False).sum()
                   .reindex(list(X_real.columns)).sort_values(ascending=False, kind="stable"))
    fidelity = float(accuracy_score(decisions, tree.predict(Z)))
    return RealDataAudit(importances, fidelity, export_text(tree, feature_names=names))


def share_routed_to_innocuous(model: ScaffoldedClassifier, queries: pd.DataFrame) -> float:
    """Share of an explainer's queries that the scaffold answers with the innocuous model."""
    if not isinstance(model, ScaffoldedClassifier):
        raise TypeError(f"model must be a ScaffoldedClassifier, got {type(model).__name__}")
    return float(1 - np.mean(model.is_real(queries)))


__all__ += ["share_routed_to_innocuous"]
