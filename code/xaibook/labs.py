"""The labs of chapters 8 and 9, run once and cached on disk: what the chapters compute at length.

Chapter 8 (*Where explanations fail*) and chapter 9 (*Wrap-up and the road ahead*) explain the zoo's
models and the refits of :mod:`xaibook.refits` with every method of the book and compare the answers:

:func:`sanity_table`                     the data randomization test of Adebayo et al. (2018): each
                                         method's explanation of the real model against the
                                         shuffled-label model's
:func:`adversary`                        the scaffolding attack of Slack et al. (2020): the queries
                                         LIME and KernelSHAP send, and a detector for each
:func:`shap_threshold_tradeoff`          how the scaffold fares against KernelSHAP per detector threshold
:func:`local_explanations`               KernelSHAP and LIME for a list of people
:func:`kernel_width_study`               one LIME neighbourhood's surrogate at several kernel widths
:func:`counterfactual_importance_table`  counterfactual importance for a list of people
:func:`recourse_under_refits`            does recourse survive a refit of the model?
:func:`report_card`                      every explanation of one person, side by side (chapter 9)
:func:`method_measurements`              each method's cost, seed and refit stability, on the
                                         people of :func:`measured_people` (chapter 9)
:func:`decision_guide`                   :data:`DECISION_GUIDE` joined with those measurements

Results are stored next to the model zoo's under a key that hashes the refits' key
(:mod:`xaibook.refits`), this module, the source of the method modules that compute them and the
versions of the libraries the fingerprint tracks: a change of a method re-runs the labs, a change
of a lab leaves the refitted models alone.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from xaibook import models, refits
from xaibook._validation import check_int_seed, check_positive_int, derived_seed
from xaibook.adversarial import ScaffoldedClassifier, collect_queries, fit_detector
from xaibook.agreement import feature_agreement, rank_correlation, ranking
from xaibook.counterfactual import actionable_features, counterfactual_importance, counterfactuals
from xaibook.data import load_case
from xaibook.fingerprint import TRACKED_DISTRIBUTIONS, _distribution_version
from xaibook.glassbox import logistic_contributions
from xaibook.importance import permutation_importance
from xaibook.predict import as_prediction_function, prediction_function
from xaibook.refits import bootstrap_refits
from xaibook.shapley import kernel_shap, tree_shap
from xaibook.surrogate import Neighbourhood, kernel_width_path, lime_tabular, weighted_ridge

__all__ = [
    "Adversary",
    "DECISION_GUIDE",
    "adversary",
    "counterfactual_importance_table",
    "decision_guide",
    "kernel_width_study",
    "local_explanations",
    "measured_people",
    "method_measurements",
    "recourse_under_refits",
    "report_card",
    "sanity_table",
    "shap_threshold_tradeoff",
]


# --------------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------------
#: Modules whose code decides the labs' results (besides this one and the refits).
_EXPLANATION_MODULES = ("xaibook.adversarial", "xaibook.agreement", "xaibook.counterfactual",
                        "xaibook.importance", "xaibook.predict", "xaibook.shapley", "xaibook.surrogate",
                        "xaibook._validation", "xaibook.glassbox")


def _key() -> str:
    """The refits' key, this module, the methods' source and the tracked library versions."""
    digest = hashlib.sha256(refits._key().encode())
    digest.update(Path(__file__).read_bytes())
    for module in _EXPLANATION_MODULES:
        source = Path(importlib.import_module(module).__file__)
        files = sorted(source.parent.rglob("*.py")) if source.name == "__init__.py" else [source]
        for path in files:
            digest.update(path.read_bytes())
    for dist in TRACKED_DISTRIBUTIONS:
        digest.update(f"{dist}=={_distribution_version(dist)}".encode())
    return digest.hexdigest()[:16]


def _cached(name: str, build: Callable[[], Any]) -> Any:
    """``build()``, stored on disk under ``name`` and :func:`_key`."""
    return models.load_or_build(models.cache_dir() / f"labs-{name}-{_key()}.joblib", build)


# --------------------------------------------------------------------------------------------
# The sanity check's summary
# --------------------------------------------------------------------------------------------
def sanity_table(pairs: dict[str, tuple[pd.Series, pd.Series]]) -> pd.DataFrame:
    """For each method, compare its explanation of the real model with that of a randomized one.

    ``pairs`` maps a method's name to ``(real, randomized)``, two Series indexed by feature.
    Returns one row per method with the ``rank correlation`` of the two (Spearman, by absolute
    value, :func:`xaibook.agreement.rank_correlation`) and their ``size, shuffled / real``: the
    sum of absolute values of the randomized explanation over that of the real one. A method
    passes the check of Adebayo et al. (2018) when the two differ: low correlation, or a size
    near zero.
    """
    if not isinstance(pairs, dict) or not pairs:
        raise ValueError("pairs must be a non-empty dict {method: (real, randomized)}")
    rows = {}
    for method, pair in pairs.items():
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(s, pd.Series) for s in pair)):
            raise TypeError(f"pairs[{method!r}] must be a tuple (real, randomized) of two Series")
        real, randomized = pair
        size = float(np.abs(real).sum())
        if size == 0:
            raise ValueError(f"pairs[{method!r}]: the real explanation is all zeros")
        rows[method] = {"rank correlation": rank_correlation(real, randomized),
                        "size, shuffled / real": float(np.abs(randomized.reindex(real.index)).sum()) / size}
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------------------------
# The adversary of Slack et al. (2020), trained once
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Adversary:
    """What the adversary of chapter 8 learned: the explainers' queries and a detector for each.

    ``lime_queries`` / ``shap_queries``: what ``surrogate.lime_tabular`` and ``shapley.kernel_shap``
    asked the model while explaining ``n_rows`` training applicants (:func:`adversarial.collect_queries`);
    ``lime_detector`` / ``shap_detector``: random forests telling real training rows from them
    (:func:`adversarial.fit_detector`).
    """
    lime_queries: pd.DataFrame
    shap_queries: pd.DataFrame
    lime_detector: Pipeline
    shap_detector: Pipeline


def adversary(case: str = "credit", *, n_rows: int = 50, lime_samples: int = 200, shap_samples: int = 60,
              background_size: int = 50, n_estimators: int = 100, random_state: int = 0) -> Adversary:
    """Record LIME's and KernelSHAP's queries on ``n_rows`` training rows and fit a detector for each.

    KernelSHAP uses ``background_size`` training rows drawn with ``random_state=0`` (the chapters'
    background); the explained rows are drawn with ``random_state + 1`` (modulo 2**32). Cached like the refits.
    """
    for name, value in (("n_rows", n_rows), ("lime_samples", lime_samples), ("shap_samples", shap_samples),
                        ("background_size", background_size), ("n_estimators", n_estimators)):
        check_positive_int(value, name=name)
    random_state = check_int_seed(random_state, why="it names the cached detectors")
    dataset = load_case(case)

    def build() -> Adversary:
        background = dataset.X_train.sample(background_size, random_state=0)
        rows = dataset.X_train.sample(n_rows, random_state=derived_seed(random_state, 1))
        lime_queries = collect_queries(
            lambda f, x, seed: lime_tabular(f, dataset.X_train, x, n_samples=lime_samples, random_state=seed),
            rows, max_rows=5000, random_state=int(random_state))
        shap_queries = collect_queries(
            lambda f, x, seed: kernel_shap(f, x, background, n_samples=shap_samples, random_state=seed),
            rows, max_rows=5000, random_state=int(random_state))
        fit = lambda queries: fit_detector(dataset.X_train, queries, n_estimators=n_estimators,  # noqa: E731
                                           random_state=int(random_state))
        return Adversary(lime_queries, shap_queries, fit(lime_queries), fit(shap_queries))

    key = f"{case}-adversary-{n_rows}-{lime_samples}-{shap_samples}-{background_size}-{n_estimators}-{random_state}"
    return _cached(key, build)


# --------------------------------------------------------------------------------------------
# Chapter 9: the report card and the decision guide's measurements
# --------------------------------------------------------------------------------------------
def report_card(case: str, *, person: Any = None, background_size: int = 50, n_samples: int = 1000,
                random_state: int = 0) -> pd.DataFrame:
    """Every explanation of one person's prediction by the case's boosting model, side by side.

    Long format (``method, feature, value``): KernelSHAP (probability), TreeSHAP (log-odds), LIME
    (``lime_tabular`` with its defaults), the zoo's logistic regression's exact log-odds split
    (a glass box explaining *itself*, not the boosting model), permutation importance (global,
    the same for everyone; ROC AUC on the test split) and, when the model predicts class 1 for the
    person, counterfactual importance (the share of 8 counterfactuals toward class 0 that change
    each feature). ``person`` defaults to
    ``models.featured_person(case)``; the background is ``background_size`` training rows drawn
    with ``random_state``.
    """
    dataset = load_case(case)
    person = models.featured_person(case) if person is None else person
    if person not in dataset.X.index:
        raise ValueError(f"person {person!r} is not a row label of the {case} data")
    x = dataset.X.loc[[person]]
    background = dataset.X_train.sample(background_size, random_state=random_state)
    boosting = models.get_model(case, "boosting")
    f = prediction_function(boosting)
    pi = permutation_importance(boosting, dataset.X_test, dataset.y_test, scoring="roc_auc", n_repeats=5,
                                random_state=random_state)
    columns = list(dataset.X.columns)
    explanations = {
        "KernelSHAP (probability)": kernel_shap(f, x, background, n_samples=n_samples,
                                                random_state=random_state).values[0],
        "TreeSHAP (log-odds)": tree_shap(boosting, x, background, scale="log-odds").values[0],
        "LIME": lime_tabular(f, dataset.X_train, x, random_state=random_state).weights,
        "logistic regression (itself, log-odds)": logistic_contributions(
            models.get_model(case, "logistic"), x, background).frame.set_index("feature")
            .reindex(columns)["contribution"].to_numpy(),
        "permutation importance (global)": pi.importances_mean,
    }
    shares = _counterfactual_frequency(boosting, x, dataset.X_train, random_state)
    if shares is not None:
        explanations["counterfactuals (share changed)"] = shares
    return pd.concat([pd.DataFrame({"method": method, "feature": columns, "value": np.asarray(values, float)})
                      for method, values in explanations.items()], ignore_index=True)


def _counting(f: Callable[[pd.DataFrame], np.ndarray]) -> tuple[Callable[[pd.DataFrame], np.ndarray], list[int]]:
    calls = [0]

    def counted(X: pd.DataFrame) -> np.ndarray:
        calls[0] += len(X)
        return f(X)

    return counted, calls


def _counterfactual_frequency(model: Any, x: pd.DataFrame, X_reference: pd.DataFrame, seed: int) -> np.ndarray | None:
    """Share of 8 counterfactuals toward class 0 that change each feature; None when ``model``
    already predicts class 0 for ``x`` (no recourse to seek)."""

    if as_prediction_function(model)(x)[0] < 0.5:
        return None
    found = counterfactuals(model, x, X_reference, desired_class=0, n_counterfactuals=8, random_state=seed)
    return found.feature_frequency().reindex(list(x.columns)).fillna(0.0).to_numpy()


def _mean_interval(values: Sequence[float], *, n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of ``values`` and its 95% percentile-bootstrap interval (``n_boot`` resamples, seeded)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float(values.mean()), float("nan"), float("nan")
    means = np.random.default_rng(seed).choice(values, size=(n_boot, len(values))).mean(axis=1)
    return float(values.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def measured_people(case: str = "credit", *, n_people: int = 12, random_state: int = 0) -> pd.DataFrame:
    """``n_people`` test rows of ``case`` that the zoo's boosting model rates class 1 (bad risk,
    disease), drawn with ``random_state``: the people chapter 9's decision guide measures on
    (class 1, so that counterfactuals toward class 0 exist to be sought)."""
    n_people = check_positive_int(n_people, name="n_people")
    dataset = load_case(case)
    rated = dataset.X_test[models.get_model(case, "boosting").predict_proba(dataset.X_test)[:, 1] >= 0.5]
    if n_people > len(rated):
        raise ValueError(f"n_people={n_people}, but the model rates only {len(rated)} test rows class 1")
    return rated.sample(n_people, random_state=random_state)


def method_measurements(case: str = "credit", *, n_people: int = 12, n_refits: int = 8, k: int = 5,
                        background_size: int = 50) -> pd.DataFrame:
    """What the book measured about each attribution method, for the decision guide of chapter 9.

    On the boosting model of ``case``: ``model_rows``, the rows the method sent to the model to
    explain the featured person (TreeSHAP: none, it reads the trees; permutation importance: for
    the whole test split); ``seed_agreement``, the top-``k`` feature agreement (Krishna et al.
    2022, ties averaged over their orders) between runs with seeds 0 and 1; ``refit_agreement``,
    the mean top-``k`` feature agreement between the zoo model's explanation (seed 0) and those of
    the ``n_refits`` :func:`bootstrap_refits`. Local methods are measured on the ``n_people`` of
    :func:`measured_people`: each person's agreement is averaged over the refits, and
    ``*_low`` / ``*_high`` are a 95% bootstrap interval of the mean over people; permutation
    importance, one global answer, is measured once per refit (interval over refits).
    ``refits_compared`` counts the (person, refit) pairs compared: counterfactuals skip a refit
    that already rates the person class 0 (no recourse to seek there). Counterfactual importance
    is the share of 8 counterfactuals that change each feature. Cached with the code of the
    methods (not only the refits).
    """
    n_refits = check_positive_int(n_refits, name="n_refits")
    dataset = load_case(case)
    people = measured_people(case, n_people=n_people)
    names = list(dataset.X.columns)

    def per_row(explain: Callable[[Any, pd.DataFrame, int], Any]) -> Callable[[Any, int], list]:
        return lambda model, seed: [explain(model, people.iloc[[i]], seed) for i in range(len(people))]

    def build() -> pd.DataFrame:
        background = dataset.X_train.sample(background_size, random_state=0)
        methods = {    # model, seed -> one explanation per person (None: nothing to explain)
            "KernelSHAP": lambda model, seed: list(kernel_shap(prediction_function(model), people, background,
                                                               n_samples=500, random_state=seed).values),
            "TreeSHAP": lambda model, seed: list(tree_shap(model, people, background, scale="log-odds").values),
            "LIME": per_row(lambda model, x, seed: lime_tabular(prediction_function(model), dataset.X_train, x,
                                                                random_state=seed).weights),
            "permutation importance": lambda model, seed: [permutation_importance(
                model, dataset.X_test, dataset.y_test, scoring="roc_auc", n_repeats=5,
                random_state=seed).importances_mean],
            "Counterfactuals": per_row(lambda model, x, seed: _counterfactual_frequency(model, x, dataset.X_train,
                                                                                       seed)),
        }
        zoo = models.get_model(case, "boosting")
        refits = bootstrap_refits(case, n_refits=n_refits).models
        x = dataset.X.loc[[models.featured_person(case)]]
        rows = []
        for method, explain in methods.items():
            counted, calls = _counting(prediction_function(zoo))
            if method == "permutation importance":   # repeats x features x test rows, plus the baseline
                calls[0] = 5 * len(names) * len(dataset.X_test) + len(dataset.X_test)
            elif method == "KernelSHAP":
                kernel_shap(counted, x, background, n_samples=500)
            elif method == "LIME":
                lime_tabular(counted, dataset.X_train, x)
            elif method == "Counterfactuals":
                _counterfactual_frequency(counted, x, dataset.X_train, 0)
            agree = lambda u, v: feature_agreement(pd.Series(u, index=names), pd.Series(v, index=names), k=k)  # noqa: E731
            first, second = explain(zoo, 0), explain(zoo, 1)
            by_refit = [explain(model, 0) for model in refits]
            seed_values = [agree(u, v) for u, v in zip(first, second) if u is not None and v is not None]
            if method == "permutation importance":     # one answer per refit
                unit_values = [agree(first[0], r[0]) for r in by_refit]
                pairs = len(unit_values)
            else:                                      # each person's mean over the refits
                per_person = [[agree(u, r[i]) for r in by_refit if r[i] is not None]
                              for i, u in enumerate(first) if u is not None]
                unit_values = [np.mean(v) for v in per_person if v]
                pairs = sum(len(v) for v in per_person)
            refit, refit_low, refit_high = _mean_interval(unit_values)
            seed, seed_low, seed_high = _mean_interval(seed_values)
            rows.append({
                "method": method,
                "scope": "global" if method == "permutation importance" else "local",
                "n_people": 1 if method == "permutation importance" else len(unit_values),
                "refits_compared": pairs,
                "model_rows": int(calls[0]),
                "seed_agreement": seed, "seed_low": seed_low, "seed_high": seed_high,
                "refit_agreement": refit, "refit_low": refit_low, "refit_high": refit_high,
            })
        return pd.DataFrame(rows)

    key = f"{case}-measurements-{n_people}-{n_refits}-{k}-{background_size}"
    return _cached(key, build)


#: The decision guide of chapter 9: method (as the reader knows it), the question it answers, scope,
#: model-agnostic or not, how it fails, its chapter, and ``measured_as``: the key under which
#: :func:`method_measurements` reports it (None: not measured).
DECISION_GUIDE = pd.DataFrame([
    ("Logistic coefficients, tree rules", "How does this (glass-box) model decide?", "global + local",
     "model-specific", "the model's own accuracy; correlated inputs blur coefficients", "ch-basics", None),
    ("Permutation importance", "Which features does the model's accuracy depend on?", "global",
     "model-agnostic", "correlated features hide each other; impossible rows", "ch-permutation-importance",
     "permutation importance"),
    ("Partial dependence, ICE, ALE", "How does the prediction change with one feature?", "global (ICE: local)",
     "model-agnostic", "averages hide interactions; PDP extrapolates, ALE less", "ch-partial-dependence", None),
    ("KernelSHAP", "How is this prediction split among the features, against a background?", "local",
     "model-agnostic", "background choice; sampling noise; explains noise as faithfully as signal", "ch-shap",
     "KernelSHAP"),
    ("TreeSHAP", "The same, exactly and fast, for tree models", "local",
     "model-specific", "background choice; probability scale is approximate", "ch-shap", "TreeSHAP"),
    ("LIME", "Which features does a local linear fit of the model use?", "local",
     "model-agnostic", "kernel width; synthetic neighbours can be detected and fooled", "ch-lime", "LIME"),
    ("Counterfactuals", "What would have to change for a different decision?", "local",
     "model-agnostic", "many valid answers; change when the model is refitted", "ch-counterfactuals",
     "Counterfactuals"),
], columns=["method", "question it answers", "scope", "model", "fails when", "chapter", "measured_as"])


def decision_guide(measured: pd.DataFrame) -> pd.DataFrame:
    """:data:`DECISION_GUIDE` joined with :func:`method_measurements` on the measured method's key.

    The join is on ``measured_as`` (the key ``method_measurements`` uses), never on display names;
    a measured method missing from the guide, or a guide key missing from ``measured``, is an error.
    Measured columns are NaN for the methods that were not measured.
    """
    keys = set(DECISION_GUIDE["measured_as"].dropna())
    if set(measured["method"]) != keys:
        raise ValueError(f"the guide's keys {sorted(keys)} and the measured methods "
                         f"{sorted(measured['method'])} differ")
    return (DECISION_GUIDE.drop(columns="chapter")
            .merge(measured.drop(columns="scope").rename(columns={"method": "measured_as"}),
                   how="left", on="measured_as", validate="many_to_one")
            .drop(columns="measured_as"))


# --------------------------------------------------------------------------------------------
# Counterfactuals: importance for the disagreement lab, recourse under refits
# --------------------------------------------------------------------------------------------
def counterfactual_importance_table(case: str, people: Sequence[Any], *, n_counterfactuals: int = 4,
                                    random_state: int = 0) -> pd.DataFrame:
    """Local counterfactual importance of the boosting model for ``people`` (row labels of ``case``).

    One row per person (in the order given), one column per feature: the share of the person's
    ``n_counterfactuals`` counterfactuals (:func:`xaibook.counterfactual.counterfactual_importance`,
    every feature free to vary, the training split as reference) that change the feature; NaN
    rows where none was found. Cached with the methods' code.
    """
    dataset = load_case(case)
    people = list(people)
    missing = [p for p in people if p not in dataset.X.index]
    if missing:
        raise ValueError(f"people {missing[:5]} are not row labels of the {case} data")

    def build() -> pd.DataFrame:
        result = counterfactual_importance(models.get_model(case, "boosting"), dataset.X.loc[people],
                                           dataset.X_train, n_counterfactuals=n_counterfactuals,
                                           random_state=random_state)
        return result.local.reindex(people)

    digest = hashlib.sha256(repr(people).encode()).hexdigest()[:10]
    return _cached(f"{case}-cf-importance-{digest}-{n_counterfactuals}-{random_state}", build)


def recourse_under_refits(case: str, people: Sequence[Any], *, n_counterfactuals: int = 4,
                          features_to_vary: Sequence[str] | None = None, n_refits: int = 8,
                          random_state: int = 0) -> pd.DataFrame:
    """Does recourse computed for the zoo's boosting model survive a refit of the model?

    For each person, ``n_counterfactuals`` counterfactuals toward the other class
    (:func:`xaibook.counterfactual.counterfactuals`, only ``features_to_vary`` may change; default
    the case's actionable features) are scored by each of the :func:`bootstrap_refits`. Long
    format: ``person``, ``counterfactual`` (its position), ``changes`` (what it changes, as text),
    ``refit``, ``p_bad`` (the refit's probability of class 1) and ``valid`` (the refit gives the
    desired class). Cached with the methods' code.
    """
    dataset = load_case(case)
    people = list(people)
    vary = actionable_features(dataset) if features_to_vary is None else list(features_to_vary)

    def build() -> pd.DataFrame:
        zoo = models.get_model(case, "boosting")
        refits = bootstrap_refits(case, n_refits=n_refits).models
        rows = []
        for person in people:
            x = dataset.X.loc[[person]]
            desired = 0 if zoo.predict_proba(x)[0, 1] >= 0.5 else 1
            found = counterfactuals(zoo, x, dataset.X_train, n_counterfactuals=n_counterfactuals,
                                    features_to_vary=vary, random_state=random_state)
            if not len(found):
                continue
            changed = found.counterfactuals.ne(x.iloc[0]).to_numpy()
            labels = ["; ".join(f"{c} = {v}" for c, v, d in zip(found.counterfactuals.columns, row, flags) if d)
                      for row, flags in zip(found.counterfactuals.itertuples(index=False), changed)]
            for i, model in enumerate(refits):
                p = prediction_function(model)(found.counterfactuals)
                for j, (pj, label) in enumerate(zip(p, labels)):
                    rows.append({"person": person, "counterfactual": j, "changes": label, "refit": i,
                                 "p_bad": float(pj), "valid": bool((pj >= 0.5) == (desired == 1))})
        return pd.DataFrame(rows)

    digest = hashlib.sha256(repr((people, vary)).encode()).hexdigest()[:10]
    return _cached(f"{case}-recourse-refits-{digest}-{n_counterfactuals}-{n_refits}-{random_state}", build)


# --------------------------------------------------------------------------------------------
# Chapter 8's larger explanation runs, cached with the methods' code
# --------------------------------------------------------------------------------------------
def local_explanations(case: str, people: Sequence[Any], *, shap_samples: int = 200, lime_samples: int = 1000,
                       background_size: int = 50) -> dict[str, pd.DataFrame]:
    """KernelSHAP (probability) and LIME weights of the boosting model for ``people``, one row each.

    KernelSHAP uses ``background_size`` training rows drawn with ``random_state=0`` and
    ``shap_samples`` coalitions; LIME ``lime_samples`` samples; both with seed 0. Returns
    ``{"SHAP": frame, "LIME": frame}`` indexed by person, one column per feature.
    """
    dataset = load_case(case)
    people = list(people)
    missing = [p for p in people if p not in dataset.X.index]
    if missing:
        raise ValueError(f"people {missing[:5]} are not row labels of the {case} data")

    def build() -> dict[str, pd.DataFrame]:
        f = prediction_function(models.get_model(case, "boosting"))
        rows = dataset.X.loc[people]
        background = dataset.X_train.sample(background_size, random_state=0)
        shap_frame = kernel_shap(f, rows, background, n_samples=shap_samples).to_wide()
        lime_frame = pd.DataFrame([lime_tabular(f, dataset.X_train, rows.iloc[[i]], n_samples=lime_samples).weights
                                   for i in range(len(rows))], index=rows.index, columns=dataset.X.columns)
        return {"SHAP": shap_frame, "LIME": lime_frame}

    digest = hashlib.sha256(repr(people).encode()).hexdigest()[:10]
    return _cached(f"{case}-local-{digest}-{shap_samples}-{lime_samples}-{background_size}", build)


def shap_threshold_tradeoff(case: str, biased: Any, innocuous: Any, detector: Any, rows: pd.DataFrame,
                            thresholds: Sequence[float], *, innocuous_feature: str, protected_feature: str,
                            n_samples: int = 80, background_size: int = 50, name: str = "chapter-8") -> pd.DataFrame:
    """For each detector threshold, how the scaffold fares against KernelSHAP (chapter 8).

    For a :class:`xaibook.adversarial.ScaffoldedClassifier` at each threshold: the share of the
    case's test rows it decides as ``biased`` does, and the shares of ``rows`` whose KernelSHAP
    explanation (``n_samples`` coalitions, the chapters' background) is led by
    ``innocuous_feature`` and by ``protected_feature``. Long format: ``threshold``, ``measure``,
    ``value``. Cached under ``name`` and the arguments with the methods' code: the
    rules and detector must be the ones ``name`` stands for.
    """
    dataset = load_case(case)

    def build() -> pd.DataFrame:
        background = dataset.X_train.sample(background_size, random_state=0)
        out = []
        for threshold in thresholds:
            model = ScaffoldedClassifier(biased, innocuous, detector, threshold=threshold)
            f = prediction_function(model)
            tops = pd.Series([kernel_shap(f, rows.iloc[[i]], background, n_samples=n_samples)
                              .explain_row(0)["feature"][0] for i in range(len(rows))])
            out += [{"threshold": threshold, "measure": "real applicants decided as by the biased model",
                     "value": model.agreement_with_biased(dataset.X_test)},
                    {"threshold": threshold, "measure": "SHAP explanations led by the innocuous feature",
                     "value": float((tops == innocuous_feature).mean())},
                    {"threshold": threshold, "measure": f"SHAP explanations led by {protected_feature}",
                     "value": float((tops == protected_feature).mean())}]
        return pd.DataFrame(out)

    key = repr((name, biased, innocuous, list(rows.index), list(thresholds), innocuous_feature, protected_feature,
                n_samples, background_size))
    return _cached(f"{case}-shap-tradeoff-{hashlib.sha256(key.encode()).hexdigest()[:10]}", build)


# --------------------------------------------------------------------------------------------
# LIME's kernel width, one neighbourhood refitted
# --------------------------------------------------------------------------------------------
def kernel_width_study(neighbourhood: Neighbourhood, widths: Sequence[float]) -> pd.DataFrame:
    """LIME's surrogate of one neighbourhood refitted at each kernel width (chapter 8's width lab).

    :func:`xaibook.surrogate.kernel_width_path` refits the surrogate at each width (the samples
    and the model's outputs stay, only the kernel weights ``k`` change). Long format, one row per
    (width, feature): ``kernel_width``, ``feature``, ``weight`` (the surrogate's coefficient), and
    per width ``fidelity`` (its weighted R^2), ``effective_samples`` (Kish's effective sample size
    ``(sum k)^2 / sum k^2``: how many samples count), ``shrinkage`` (the norm of the unpenalised
    weighted least-squares coefficients over that of the ridge's: how much the penalty shrinks the
    weights) and ``top_feature`` (the largest ``|weight|``, ties in feature order).
    """
    if not isinstance(neighbourhood, Neighbourhood):
        raise TypeError(f"neighbourhood must be a Neighbourhood (from xaibook.surrogate), got "
                        f"{type(neighbourhood).__name__}")
    path = kernel_width_path(neighbourhood, widths)
    frames = []
    for width, fit in path.groupby("width", sort=False):
        k = neighbourhood.kernel_weights(width)
        unpenalised, _ = weighted_ridge(neighbourhood.data, neighbourhood.predictions, k, alpha=0)
        weights = fit.set_index("feature")["weight"]
        frames.append(pd.DataFrame({
            "kernel_width": width, "feature": weights.index, "weight": weights.to_numpy(),
            "fidelity": fit["score"].iloc[0], "effective_samples": float(k.sum() ** 2 / (k ** 2).sum()),
            "shrinkage": float(np.linalg.norm(unpenalised) / np.linalg.norm(weights)),
            "top_feature": ranking(weights)[0]}))
    return pd.concat(frames, ignore_index=True)
