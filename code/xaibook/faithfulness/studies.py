"""The chapter's experiments (chapter 11), each cached on disk with :func:`xaibook.models.load_or_build`.

``planted_study`` scores every method against the planted truth; ``effect_study`` scores PD and
ALE curves against the planted main effects; ``case_study`` (``credit_study``, ``heart_study``)
runs the deletion and insertion curves on a case study's boosting model; ``roar_study`` and
``sanity_study`` run remove-and-retrain and the two randomisation checks. ``interval_table``
summarises a study over its seeds.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import RandomStateLike, as_generator, check_frame, check_name_list
from xaibook.faithfulness.attributions import global_attribution, random_attributions
from xaibook.faithfulness.curves import deletion_curve, insertion_curve
from xaibook.faithfulness.planted import PLANTED_ROLES, PlantedData, make_planted_credit
from xaibook.faithfulness.randomisation import RandomisationCheck, model_randomisation_check
from xaibook.faithfulness.retrain import remove_and_retrain
from xaibook.faithfulness.scores import effect_scores, ground_truth_scores

__all__ = [
    "CORRELATIONS",
    "SEEDS",
    "N_ROWS",
    "N_EXPLAINED",
    "N_BACKGROUND",
    "ROAR_STEPS",
    "ROAR_METHODS",
    "ROAR_ROW_METHODS",
    "planted_model",
    "pdp_importance",
    "explain_all",
    "planted_study",
    "case_study",
    "credit_study",
    "heart_study",
    "effect_study",
    "roar_study",
    "sanity_study",
    "interval_table",
]


_STUDY_MODULES = ("xaibook.faithfulness", "xaibook.shapley", "xaibook.surrogate", "xaibook.importance",
                  "xaibook.dependence", "xaibook.counterfactual", "xaibook.predict", "xaibook._validation")


def _source_files(name: str) -> list[Path]:
    """The source files of a module, or of every module of a package (methods become packages)."""
    module = importlib.import_module(name)
    if hasattr(module, "__path__"):
        return sorted(path for folder in module.__path__ for path in Path(folder).rglob("*.py"))
    return [Path(module.__file__)]


def _cached(name: str, build: Callable[[], Any]) -> Any:
    """``build()`` stored on disk under a key of the zoo's key and the methods' code."""
    from xaibook import models

    digest = hashlib.sha256(models.cache_key().encode())
    for module in _STUDY_MODULES:
        for path in _source_files(module):
            digest.update(path.read_bytes())
    return models.load_or_build(models.cache_dir() / f"faithfulness-{name}-{digest.hexdigest()[:16]}.joblib", build)


# --------------------------------------------------------------------------------------------
# The chapter's experiments
# --------------------------------------------------------------------------------------------
#: The chapter's settings: correlations swept, seeds repeated, rows explained, background rows.
CORRELATIONS = (0.0, 0.5, 0.9)
SEEDS = (0, 1, 2)
N_ROWS = 500
N_EXPLAINED = 15
N_BACKGROUND = 25


def planted_model() -> Any:
    """The model learnt from planted data: small gradient boosting on one-hot and scaled features."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.pipeline import make_pipeline

    from xaibook.models import make_preprocessor

    numeric = [c for c in PLANTED_ROLES if c not in ("housing", "guarantor")]
    return make_pipeline(make_preprocessor(numeric=numeric, categorical=["housing", "guarantor"]),
                         GradientBoostingClassifier(n_estimators=100, max_depth=2, learning_rate=0.1,
                                                    random_state=0))


def pdp_importance(f: Any, X: pd.DataFrame, *, grid_resolution: int = 8, n_samples: int = 100,
                   random_state: RandomStateLike = 0) -> pd.Series:
    """Global importance from partial dependence: the standard deviation of each feature's PD curve
    over its grid (Greenwell, Boehmke & McCarthy 2018), with :func:`xaibook.dependence.partial_dependence`."""
    from xaibook.dependence import partial_dependence

    X = check_frame(X, name="X")
    return pd.Series({c: float(np.std(partial_dependence(f, X, c, grid_resolution=grid_resolution,
                                                         n_samples=min(n_samples, len(X)),
                                                         random_state=random_state).average))
                      for c in X.columns})


def explain_all(model: Any, X_train: pd.DataFrame, y_train: Any, X: pd.DataFrame, background: pd.DataFrame, *,
                exact: bool = True, tree: bool = True, counterfactuals: bool = False,
                random_state: RandomStateLike = 0) -> dict[str, Any]:
    """Every method of the book on the log-odds scale of ``model``: local ones as rows x features
    frames, global ones as one value per feature, and a random attribution as the baseline.
    ``exact``, ``tree`` and ``counterfactuals`` switch off exact SHAP (``2**M`` coalitions), the tree
    methods (tree models only) and counterfactual importance (a search per row)."""
    from xaibook import counterfactual, importance, shapley, surrogate
    from xaibook.predict import prediction_function

    seed = int(as_generator(random_state).integers(2**31))
    f = prediction_function(model, scale="log-odds")
    out: dict[str, Any] = {}
    if exact:
        out["exact SHAP"] = shapley.exact_shapley(f, X, background).to_wide()
    out["KernelSHAP"] = shapley.kernel_shap(f, X, background, n_samples=200, random_state=seed).to_wide()
    if tree:
        out["TreeSHAP"] = shapley.tree_shap(model, X, background, scale="log-odds").to_wide()
        out["path-dependent SHAP"] = shapley.path_dependent_shap(model, X, scale="log-odds").to_wide()
    out["LIME"] = pd.DataFrame([surrogate.lime_tabular(f, X_train, X.iloc[[i]], n_samples=500,
                                                       random_state=seed + i).weights
                                for i in range(len(X))], index=X.index, columns=X.columns)
    pi = importance.permutation_importance(model, X_train, y_train, scoring="roc_auc", n_repeats=3,
                                           random_state=seed)
    out["permutation importance"] = pd.Series(pi.importances_mean, index=list(pi.feature_names))
    out["PDP importance"] = pdp_importance(f, X_train, random_state=seed)
    if counterfactuals:
        ci = counterfactual.counterfactual_importance(model, X, X_train, n_counterfactuals=4, random_state=seed)
        out["counterfactual importance"] = ci.local.reindex(index=X.index, columns=X.columns).fillna(0.0)
    out["random"] = random_attributions(X, random_state=seed)
    return out


def _score_methods(model: Any, explanations: Mapping[str, Any], X: pd.DataFrame, background: pd.DataFrame,
                   truth: pd.DataFrame | None, seed: int) -> list[dict]:
    from xaibook.predict import prediction_function

    f = prediction_function(model, scale="log-odds")
    records = []
    for method, values in explanations.items():
        row = {"method": method,
               "deletion_area": deletion_curve(f, X, values, background=background, random_state=seed).area,
               "insertion_area": insertion_curve(f, X, values, background=background, random_state=seed).area}
        if truth is not None:
            row.update(ground_truth_scores(values, truth, random_state=seed).summary().to_dict())
        records.append(row)
    return records


def _planted_sample(correlation: float, seed: int) -> tuple[PlantedData, pd.DataFrame, pd.DataFrame]:
    planted = make_planted_credit(N_ROWS, correlation=correlation, random_state=seed)
    rng = np.random.default_rng(seed)
    rows = planted.X.iloc[rng.choice(N_ROWS, N_EXPLAINED + N_BACKGROUND, replace=False)]
    return planted, rows.iloc[:N_EXPLAINED], rows.iloc[N_EXPLAINED:]


def planted_study() -> pd.DataFrame:
    """Every method scored on planted data, for each correlation and seed, on two models: boosting
    learnt from the data (model error too) and, at the middle correlation only, the oracle (the
    planted function itself: only explanation error; no tree methods, and the only model given
    counterfactual importance, a search per row). Long frame: ``correlation, seed, model, method,
    metric, value``; cached."""
    def build() -> pd.DataFrame:
        records = []
        for rho in CORRELATIONS:
            for seed in SEEDS:
                planted, X, background = _planted_sample(rho, seed)
                truth = planted.truth(X, background)
                learnt = planted_model().fit(planted.X, planted.y)
                models = [("boosting", learnt, True)]
                if rho == CORRELATIONS[1]:      # the oracle ignores the correlation: one is enough
                    models.insert(0, ("oracle", planted.oracle(), False))
                for label, model, tree in models:
                    explanations = explain_all(model, planted.X, planted.y, X, background, tree=tree,
                                               counterfactuals=not tree, random_state=seed)
                    for row in _score_methods(model, explanations, X, background, truth, seed):
                        records.append({"correlation": rho, "seed": seed, "model": label, **row})
        frame = pd.DataFrame(records)
        return frame.melt(id_vars=["correlation", "seed", "model", "method"], var_name="metric")
    return _cached("planted", build)


def case_study(case: str) -> pd.DataFrame:
    """Deletion and insertion areas of every method on a case study's tuned boosting model, per seed
    (the seed picks the explained test rows, the background and the methods' randomness); exact
    SHAP left out (``2**20`` coalitions per row on credit, ``2**13`` on heart). Long frame:
    ``seed, method, metric, value``; cached."""
    from xaibook import data, models

    if case not in data.CASES:
        raise ValueError(f"case must be one of {list(data.CASES)}, got {case!r}")

    def build() -> pd.DataFrame:
        dataset = data.load_case(case)
        model = models.get_model(case, "boosting")
        records = []
        for seed in SEEDS:
            rng = np.random.default_rng(seed)
            X = dataset.X_test.iloc[rng.choice(len(dataset.X_test), N_EXPLAINED, replace=False)]
            background = dataset.X_train.iloc[rng.choice(len(dataset.X_train), N_BACKGROUND, replace=False)]
            explanations = explain_all(model, dataset.X_test, dataset.y_test, X, background, exact=False,
                                       random_state=seed)
            for row in _score_methods(model, explanations, X, background, None, seed):
                records.append({"seed": seed, **row})
        return pd.DataFrame(records).melt(id_vars=["seed", "method"], var_name="metric")
    return _cached(case, build)


def credit_study() -> pd.DataFrame:
    """:func:`case_study` on the credit case."""
    return case_study("credit")


def heart_study() -> pd.DataFrame:
    """:func:`case_study` on the heart case."""
    return case_study("heart")


def effect_study() -> pd.DataFrame:
    """PD and ALE curves scored against the planted main effects (:func:`effect_scores`) for each
    correlation and seed, on the learnt boosting model and, at the middle correlation, the oracle.
    Long frame: ``correlation, seed, model, feature, method, error``; cached."""
    def build() -> pd.DataFrame:
        frames = []
        for rho in CORRELATIONS:
            for seed in SEEDS:
                planted, _, _ = _planted_sample(rho, seed)
                models = [("boosting", planted_model().fit(planted.X, planted.y))]
                if rho == CORRELATIONS[1]:
                    models.insert(0, ("oracle", planted.oracle()))
                for label, model in models:
                    frames.append(effect_scores(model, planted.X).to_frame().assign(
                        correlation=rho, seed=seed, model=label))
        columns = ["correlation", "seed", "model", "feature", "method", "error"]
        return pd.concat(frames, ignore_index=True)[columns]
    return _cached("effects", build)


def interval_table(study: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Mean, minimum and maximum over the seeds of a study's values, per ``by`` columns (a string
    is one column)."""
    if not isinstance(study, pd.DataFrame):
        raise TypeError(f"study must be a DataFrame with a 'value' column, got {type(study).__name__}")
    by = check_name_list(by, name="by", one_name=True)
    missing = [c for c in [*by, "value"] if c not in study.columns]
    if missing:
        raise ValueError(f"study lacks the columns {missing} (by, and 'value'); it has {list(study.columns)}")
    return (study.groupby(by, sort=False)["value"].agg(["mean", "min", "max"]).reset_index())


#: Counts of top features removed before each refit in the chapter's remove-and-retrain runs.
ROAR_STEPS = (0, 1, 2, 3, 4)
ROAR_METHODS = ("TreeSHAP", "path-dependent SHAP", "permutation importance", "random")
#: The methods whose own per-row rankings the per-row remove-and-retrain runs use.
ROAR_ROW_METHODS = ("planted truth", "TreeSHAP", "path-dependent SHAP", "random")


def _row_attributions(method: str, model: Any, planted: PlantedData, rows: pd.DataFrame,
                      background: pd.DataFrame, seed: int) -> Any:
    """One method's attribution of every row of ``rows`` (the per-row ROAR needs train and test rows)."""
    from xaibook import shapley

    if method == "planted truth":
        return planted.truth(rows, background)
    if method == "TreeSHAP":
        return shapley.tree_shap(model, rows, background, scale="log-odds").to_wide()
    if method == "path-dependent SHAP":
        return shapley.path_dependent_shap(model, rows, scale="log-odds").to_wide()
    return random_attributions(rows, random_state=seed)


def roar_study() -> pd.DataFrame:
    """Remove-and-retrain on the learnt planted model at the lowest and highest correlation (seed 0):
    ``ranking="global"`` with the global ranking of each method in ``ROAR_METHODS``, ``ranking="per
    row"`` with each row's own ranking (Hooker et al.'s form) for ``ROAR_ROW_METHODS``, every row of
    the training and test halves explained on the model fitted to all rows. Long frame:
    ``correlation, ranking, method, n_removed, removed, score``; cached."""
    def build() -> pd.DataFrame:
        frames = []
        for rho in (CORRELATIONS[0], CORRELATIONS[-1]):
            planted, X, background = _planted_sample(rho, 0)
            learnt = planted_model().fit(planted.X, planted.y)
            explanations = explain_all(learnt, planted.X, planted.y, X, background, random_state=0)
            train, test = planted.X.iloc[: N_ROWS // 2], planted.X.iloc[N_ROWS // 2:]
            y_train, y_test = planted.y.iloc[: N_ROWS // 2], planted.y.iloc[N_ROWS // 2:]
            for method in ROAR_METHODS:
                ranking = global_attribution(explanations[method], X)
                result = remove_and_retrain(planted_model(), train, y_train, test, y_test, ranking,
                                            n_removed=ROAR_STEPS, random_state=0)
                frames.append(result.to_frame().assign(correlation=rho, ranking="global", method=method))
            for i, method in enumerate(ROAR_ROW_METHODS):
                every = _row_attributions(method, learnt, planted, planted.X, background, seed=i)
                every = pd.DataFrame(np.asarray(every, dtype=float), index=planted.X.index, columns=planted.X.columns)
                result = remove_and_retrain(planted_model(), train, y_train, test, y_test, every.loc[test.index],
                                            train_attributions=every.loc[train.index], per_row=True,
                                            n_removed=ROAR_STEPS, random_state=0)
                frames.append(result.to_frame().assign(correlation=rho, ranking="per row", method=method))
        columns = ["correlation", "ranking", "method", "n_removed", "fraction", "removed", "score"]
        return pd.concat(frames, ignore_index=True)[columns]
    return _cached("roar", build)


def sanity_study(kind: str = "labels") -> RandomisationCheck:
    """The model-randomisation check on the learnt planted model (correlation 0.5, seed 0): every
    method, two repeats of ``kind`` (``"labels"``: refits on shuffled labels; ``"parameters"``: the
    trained trees' leaf values randomised). Cached."""
    if kind not in ("labels", "parameters"):
        raise ValueError(f"kind must be 'labels' or 'parameters', got {kind!r}")
    from xaibook import importance, shapley, surrogate
    from xaibook.predict import prediction_function

    def build() -> RandomisationCheck:
        planted, X, background = _planted_sample(CORRELATIONS[1], 0)
        learnt = planted_model().fit(planted.X, planted.y)

        def log_odds(model):
            return prediction_function(model, scale="log-odds")

        explainers = {
            "KernelSHAP": lambda m, Z: shapley.kernel_shap(log_odds(m), Z, background, n_samples=200).to_wide(),
            "TreeSHAP": lambda m, Z: shapley.tree_shap(m, Z, background, scale="log-odds").to_wide(),
            "path-dependent SHAP": lambda m, Z: shapley.path_dependent_shap(m, Z, scale="log-odds").to_wide(),
            "LIME": lambda m, Z: np.array([surrogate.lime_tabular(log_odds(m), planted.X, Z.iloc[[i]],
                                                                  n_samples=500, random_state=i).weights
                                           for i in range(len(Z))]),
            "permutation importance": lambda m, Z: importance.permutation_importance(
                m, planted.X, planted.y, scoring="roc_auc", n_repeats=3, random_state=0).importances_mean,
            "PDP importance": lambda m, Z: pdp_importance(log_odds(m), planted.X).to_numpy(),
        }
        return model_randomisation_check(learnt, planted.X, planted.y, X, explainers, n_repeats=2, kind=kind,
                                         random_state=0)
    return _cached("sanity" if kind == "labels" else f"sanity-{kind}", build)
