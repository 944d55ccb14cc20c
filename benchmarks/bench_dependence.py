"""Speed of ``xaibook.dependence.partial_dependence`` against scikit-learn's brute-force PDP.

Both compute the same ICE curves (``kind="both"``) on the same grid; scikit-learn loops over the grid
values (one ``predict_proba`` per value), ours makes one batched call. Uses the credit case's
gradient-boosting model when ``xaibook.models`` is available, else a synthetic problem.

    python benchmarks/bench_dependence.py [--repeats 5]

Prints one row per (model, feature): best-of-``repeats`` wall time of each and their ratio.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _timing import best_time
from sklearn.inspection import partial_dependence as sk_partial_dependence

from xaibook.dependence import ale, partial_dependence, partial_dependence_2d
from xaibook.predict import prediction_function


def _cases():
    """(label, model, X, features, categorical features) for each benchmark case."""
    try:
        from xaibook import data, models

        ds = data.load_credit()
        X = ds.X.copy()
        ints = X.select_dtypes("integer").columns  # scikit-learn refuses integer columns
        X[ints] = X[ints].astype(float)
        for name in ("boosting", "forest", "logistic"):
            yield (f"credit/{name}", models.get_model("credit", name), X,
                   ["duration_months", "credit_amount", "age", "purpose"], ds.categorical_features)
    except ImportError:
        from sklearn.datasets import make_classification
        from sklearn.ensemble import GradientBoostingClassifier

        Xa, y = make_classification(n_samples=1000, n_features=20, random_state=0)
        X = pd.DataFrame(Xa, columns=[f"x{i}" for i in range(20)])
        model = GradientBoostingClassifier(random_state=0).fit(X, y)
        yield "synthetic/boosting", model, X, ["x0", "x1", "x2"], None



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--grid", type=int, default=20, help="grid resolution")
    args = parser.parse_args()

    rows = []
    for label, model, X, features, _categorical in _cases():
        f = prediction_function(model)
        for feature in features:
            ours = partial_dependence(f, X, feature, grid_resolution=args.grid)
            cats = [feature] if ours.kind == "categorical" else None
            custom = {feature: list(ours.grid)}

            def sklearn_run():
                return sk_partial_dependence(model, X, [feature], method="brute", kind="both",
                                             categorical_features=cats, custom_values=custom)

            def ours_run():
                return partial_dependence(f, X, feature, grid=ours.grid)

            diff = np.abs(ours_run().individual - sklearn_run()["individual"][0]).max()
            (t_sk, _), (t_ours, _) = best_time(sklearn_run, args.repeats), best_time(ours_run, args.repeats)
            rows.append({"model": label, "feature": feature, "grid": len(ours.grid), "rows": len(X),
                         "sklearn_s": t_sk, "xaibook_s": t_ours, "speed-up": t_sk / t_ours,
                         "max_abs_diff": diff})
        if label.endswith("boosting"):
            t_2d, _ = best_time(lambda: partial_dependence_2d(f, X, ("duration_months", "credit_amount")
                                                           if "duration_months" in X else ("x0", "x1")),
                             args.repeats)
            t_ale, _ = best_time(lambda: ale(f, X, "credit_amount" if "credit_amount" in X else "x0"),
                              args.repeats)
            print(f"{label}: 2-way PDP 20x20 on {len(X)} rows {t_2d:.3f} s; ALE (10 bins) {t_ale:.3f} s")

    table = pd.DataFrame(rows)
    with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 120):
        print(table.to_string(index=False))
    print(f"median speed-up {table['speed-up'].median():.2f}x; slowest case "
          f"{table['speed-up'].min():.2f}x; max |ICE difference| {table['max_abs_diff'].max():.1e}")


if __name__ == "__main__":
    main()
