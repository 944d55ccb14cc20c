"""Time xaibook's glass-box readings against the scikit-learn work they replace (run by hand).

    python benchmarks/bench_glassbox.py [--repeats 3] [--n-bootstrap 200]

For each case study:

* bootstrap coefficient intervals: xaibook's Newton refits vs refitting ``clone(estimator)`` with
  scikit-learn on the same resamples (the naive way), and the largest difference of the draws'
  standard errors (both solve the same objective; scikit-learn stops at its ``tol``);
* Wald intervals (one information matrix);
* tree rules vs ``sklearn.tree.export_text`` (the texts must be equal);
* one decision path vs ``tree.decision_path`` on the transformed row;
* the what-if spec.

Prints best-of-``--repeats`` wall-clock seconds. Figures go in the README; never asserted in tests.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from _timing import best_time
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.tree import export_text
from threadpoolctl import threadpool_limits

from xaibook import data, glassbox, models, pipeline

CASES = ("credit", "heart")



def sklearn_bootstrap(model, X, y, n_bootstrap: int, random_state: int = 0) -> np.ndarray:
    """The naive bootstrap: refit a clone of the estimator with scikit-learn on each resample
    (single-threaded BLAS, as xaibook's refits, so that neither side loses time to contention)."""
    Z = model[:-1].transform(X)
    y = np.asarray(y)
    rng = np.random.RandomState(random_state)
    draws = []
    while len(draws) < n_bootstrap:
        idx = rng.randint(0, len(Z), len(Z))
        if np.unique(y[idx]).size < 2:
            continue
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted = clone(model[-1]).fit(Z[idx], y[idx])
        draws.append(np.r_[fitted.intercept_, fitted.coef_[0]])
    return np.asarray(draws)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats (best is kept)")
    parser.add_argument("--n-bootstrap", type=int, default=200, help="bootstrap refits")
    args = parser.parse_args()

    header = f"{'case':7s} {'task':34s} {'xaibook s':>10s} {'sklearn s':>10s} {'speed-up':>9s}  check"
    print(header)
    print("-" * len(header))
    for case in CASES:
        ds = data.load_case(case)
        lr = models.get_model(case, "logistic")
        tree = models.get_model(case, "tree")
        row = ds.X.loc[[models.featured_person(case)]]

        ours_t, ours = best_time(lambda: glassbox.logistic_coefficients(
            lr, ds.X_train, ds.y_train, method="bootstrap", n_bootstrap=args.n_bootstrap), args.repeats)
        theirs_t, theirs = best_time(lambda: sklearn_bootstrap(lr, ds.X_train, ds.y_train, args.n_bootstrap),
                                     args.repeats)
        se_gap = np.max(np.abs(ours.to_frame()["std_error"] - theirs[:, 1:].std(axis=0, ddof=1)))
        print(f"{case:7s} {f'bootstrap CI ({args.n_bootstrap} refits)':34s} {ours_t:10.4f} {theirs_t:10.4f} "
              f"{theirs_t / ours_t:8.1f}x  max |SE diff| = {se_gap:.4f}")

        wald_t, _ = best_time(lambda: glassbox.logistic_coefficients(lr, ds.X_train), args.repeats)
        print(f"{case:7s} {'Wald CI':34s} {wald_t:10.4f} {'':>10s} {'':>9s}")

        names = list(pipeline.transformed_features(tree)["feature"])
        ours_t, rules = best_time(lambda: glassbox.tree_rules(tree), args.repeats)
        theirs_t, text = best_time(lambda: export_text(tree[-1], feature_names=names), args.repeats)
        print(f"{case:7s} {'tree rules vs export_text':34s} {ours_t:10.4f} {theirs_t:10.4f} "
              f"{theirs_t / ours_t:8.1f}x  text equal: {rules.text == text}")

        ours_t, path = best_time(lambda: glassbox.decision_path(tree, row), args.repeats)
        theirs_t, indicator = best_time(lambda: tree[-1].decision_path(tree[:-1].transform(row)),
                                        args.repeats)
        same = list(indicator.indices) == [s.node for s in path.steps] + [path.leaf]
        print(f"{case:7s} {'decision path (one row)':34s} {ours_t:10.4f} {theirs_t:10.4f} "
              f"{theirs_t / ours_t:8.1f}x  same nodes: {same}")

        numeric = [f for f in ("duration_months", "credit_amount", "age", "max_heart_rate", "cholesterol")
                   if f in ds.numeric_features]
        spec_t, spec = best_time(lambda: glassbox.whatif_spec(lr, row, numeric, data=ds.X_train),
                                 args.repeats)
        gap = abs(spec.probability - lr.predict_proba(row)[0, 1])
        print(f"{case:7s} {'what-if spec':34s} {spec_t:10.4f} {'':>10s} {'':>9s}  "
              f"|p - predict_proba| = {gap:.1e}")


if __name__ == "__main__":
    main()
