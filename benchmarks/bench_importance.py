"""Time xaibook's permutation importance against scikit-learn's on the same work (run by hand).

    python benchmarks/bench_importance.py [--repeats 3]

For each case-study model and scorer, both implementations compute the importances of every raw
feature on the test split with ``n_repeats=5`` and the same ``random_state``. The script checks
that the results are identical (``np.array_equal``) and prints the best-of-``--repeats`` wall-clock
time of each and the speed-up. Figures go in the README and in chapter 3's prose; they are never
asserted in tests.
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import best_time
from sklearn.inspection import permutation_importance as sklearn_permutation_importance

from xaibook import data, models
from xaibook.importance import permutation_importance

CASES = ("credit", "heart")
SCORERS = ("accuracy", "roc_auc", "neg_log_loss")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats (best is kept)")
    parser.add_argument("--n-repeats", type=int, default=5, help="shuffles per feature")
    args = parser.parse_args()

    header = (f"{'case':7s} {'model':9s} {'scoring':13s} {'rows':>5s} {'xaibook s':>10s} {'sklearn s':>10s} "
              f"{'speed-up':>9s} exact")
    print(header)
    print("-" * len(header))
    total_ours = total_theirs = 0.0
    for case in CASES:
        ds = data.load_case(case)
        for name in models.MODEL_NAMES:
            model = models.get_model(case, name)
            for scoring in SCORERS:
                kwargs = dict(scoring=scoring, n_repeats=args.n_repeats, random_state=0)
                ours_t, ours = best_time(lambda: permutation_importance(model, ds.X_test, ds.y_test, **kwargs),
                                         args.repeats)
                theirs_t, theirs = best_time(
                    lambda: sklearn_permutation_importance(model, ds.X_test, ds.y_test, **kwargs), args.repeats)
                exact = np.array_equal(ours.importances, theirs.importances)
                total_ours += ours_t
                total_theirs += theirs_t
                print(f"{case:7s} {name:9s} {scoring:13s} {len(ds.X_test):5d} {ours_t:10.3f} "
                      f"{theirs_t:10.3f} {theirs_t / ours_t:8.1f}x {exact}")
    print("-" * len(header))
    print(f"{'total':37s} {total_ours:10.3f} {total_theirs:10.3f} {total_theirs / total_ours:8.1f}x")


if __name__ == "__main__":
    main()
