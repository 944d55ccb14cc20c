"""Choose the opaque models' hyperparameters by cross-validation on the training split (run by hand).

    python benchmarks/tune_zoo.py

For each case study and each opaque model of the zoo (boosting, forest, MLP), a small grid
(``models.TUNING_GRIDS``) is searched with 5-fold stratified cross-validation (shuffled, seed 0)
on the *training* split only, scoring the log loss (``models.TUNING_SCORE``): the book reads the
models' probabilities (thresholds of 0.5 and 1/6, SHAP values in probability), so the choice must
reward good probabilities, not only a good ranking. The cross-validated ROC AUC of the choice is
printed too. The test split is touched once per model, after
the choice, to print the held-out AUC next to the glass-box models'. The chosen values are
written by hand into ``models.TUNED`` (``tests/test_models.py`` checks they are grid points and
that this script's choice is what the zoo uses, by re-running the search for one model).

It also tries monotonic constraints: a HistGradientBoostingClassifier on the same one-hot data,
with and without ``monotonic_cst`` on the numeric features whose direction domain knowledge gives
(``MONOTONE``). The zoo keeps scikit-learn's GradientBoostingClassifier (the book's TreeSHAP reads
its trees); the comparison says whether constraints would have bought accuracy.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline

from xaibook import data, models

#: Directions domain knowledge gives (+1: more of it, more risk; -1: less). The credit
#: instalment-rate score's 4 is the *lightest* burden, hence -1.
MONOTONE = {
    "credit": {"duration_months": +1, "installment_rate": -1},
    "heart": {"resting_bp": +1, "cholesterol": +1, "max_heart_rate": -1, "st_depression": +1,
              "major_vessels": +1},
}


def search(case: str, name: str) -> GridSearchCV:
    """The grid search of ``models.TUNING_GRIDS[name]`` for one case (training split only)."""
    dataset = data.load_case(case)
    pipeline = Pipeline([("preprocess", models.make_preprocessor(dataset)),
                         ("model", models.make_estimator(name))])
    grid = {f"model__{key}": values for key, values in models.TUNING_GRIDS[name].items()}
    gs = GridSearchCV(pipeline, grid, scoring={"score": models.TUNING_SCORE, "roc_auc": "roc_auc"},
                      refit="score", cv=models.tuning_folds(), n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gs.fit(dataset.X_train, dataset.y_train)
    return gs


def monotone_comparison(case: str) -> dict[str, float]:
    dataset = data.load_case(case)
    pre = models.make_preprocessor(dataset).fit(dataset.X_train)
    names = list(pre.get_feature_names_out())
    cst = np.zeros(len(names), dtype=int)
    for feature, sign in MONOTONE[case].items():
        cst[names.index(feature)] = sign
    out = {}
    for label, constraint in (("hgb", None), ("hgb monotone", cst)):
        est = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_depth=3,
                                             monotonic_cst=constraint, random_state=0)
        pipe = Pipeline([("preprocess", models.make_preprocessor(dataset)), ("model", est)])
        cv = cross_val_score(pipe, dataset.X_train, dataset.y_train, scoring="roc_auc",
                             cv=models.tuning_folds()).mean()
        test = roc_auc_score(dataset.y_test,
                             clone(pipe).fit(dataset.X_train, dataset.y_train)
                             .predict_proba(dataset.X_test)[:, 1])
        out[label] = (cv, test)
    return out


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=list(models.OPAQUE),
                        help="opaque models to tune (default: all)")
    parser.add_argument("--no-monotone", action="store_true", help="skip the monotone comparison")
    args = parser.parse_args()
    for case in data.CASES:
        dataset = data.load_case(case)
        print(f"== {case}")
        for name in ("logistic", "tree"):
            pipe = models.make_model(case, name)
            cv = cross_val_score(pipe, dataset.X_train, dataset.y_train, scoring="roc_auc",
                                 cv=models.tuning_folds()).mean()
            test = roc_auc_score(dataset.y_test, clone(pipe).fit(dataset.X_train, dataset.y_train)
                                 .predict_proba(dataset.X_test)[:, 1])
            print(f"{name:10s} (fixed)  cv AUC {cv:.3f}  test AUC {test:.3f}")
        for name in args.models:
            gs = search(case, name)
            chosen = {k.removeprefix("model__"): v for k, v in gs.best_params_.items()}
            test = roc_auc_score(dataset.y_test, gs.best_estimator_.predict_proba(dataset.X_test)[:, 1])
            cv_auc = gs.cv_results_["mean_test_roc_auc"][gs.best_index_]
            print(f"{name:10s} chosen {chosen}  cv log loss {-gs.best_score_:.3f}  "
                  f"cv AUC {cv_auc:.3f}  test AUC {test:.3f}")
        for label, (cv, test) in ({} if args.no_monotone else monotone_comparison(case)).items():
            print(f"{label:14s} cv AUC {cv:.3f}  test AUC {test:.3f}")


if __name__ == "__main__":
    main()
