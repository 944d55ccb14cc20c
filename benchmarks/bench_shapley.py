"""Time xaibook's Shapley estimators against the shap package on the same work (run by hand).

    python benchmarks/bench_shapley.py [--rows 5] [--background 50] [--repeats 2]

1. Exact: ``xaibook.shapley.exact_shapley`` vs ``shap.ExactExplainer`` with an ``Independent``
   masker over the same background, on the heart models (13 features: 8,192 coalitions per row)
   and on a fast numeric model. shap's maskers need numbers, so categories are coded as numbers
   and the prediction function decodes them: both libraries call exactly the same function.
2. KernelSHAP: ``kernel_shap`` vs ``shap.KernelExplainer(..., l1_reg=False)`` at equal numbers of
   coalitions per row, on the heart boosting model, reporting time and mean absolute error against
   the exact values (averaged over seeds), and time alone on the 20-feature credit model.

Prints tables; the figures go in the README and chapter 5. Never asserted in tests.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import shap
from _timing import best_time
from sklearn.ensemble import GradientBoostingRegressor

from xaibook import data, models
from xaibook.predict import prediction_function
from xaibook.shapley import CategoryCodes, exact_shapley, kernel_shap


class Coded:
    """A model's prediction function on numerically coded categories (what shap's maskers need)."""

    def __init__(self, f, X: pd.DataFrame):
        self.codes = CategoryCodes(X)
        self.encode = self.codes.encode
        self.on_array = self.codes.wrap(f)                    # for shap

    def on_frame(self, frame: pd.DataFrame) -> np.ndarray:   # for xaibook: the same work
        return self.on_array(frame.to_numpy())



def exact_table(args) -> None:
    print("Exact Shapley values: xaibook.exact_shapley vs shap.ExactExplainer (Independent masker)")
    header = (f"{'case':8s} {'model':9s} {'M':>3s} {'rows':>4s} {'bg':>4s} {'xaibook s':>10s} "
              f"{'shap s':>8s} {'speed-up':>9s} {'max |diff|':>11s}")
    print(header)
    print("-" * len(header))
    heart = data.load_heart()
    for name in ("logistic", "boosting", "forest"):
        coded = Coded(prediction_function(models.get_model("heart", name)), heart.X)
        X = coded.encode(heart.X)
        background = X.loc[heart.X_train.sample(args.background, random_state=0).index]
        rows = X.loc[heart.X_test.index[: args.rows]]
        _exact_row("heart", name, coded.on_frame, coded.on_array, rows, background, args)
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(500, 10)), columns=[f"x{j}" for j in range(10)])
    model = GradientBoostingRegressor(n_estimators=50, random_state=0).fit(X.to_numpy(), X["x0"] * X["x1"] + X["x2"])
    f_array = model.predict
    _exact_row("numeric", "boosting", lambda D: model.predict(D.to_numpy()), f_array,
               X.iloc[: args.rows], X.iloc[100: 100 + args.background], args)
    print()


def _exact_row(case, name, f_frame, f_array, rows, background, args) -> None:
    masker = shap.maskers.Independent(background.to_numpy(), max_samples=len(background))
    explainer = shap.ExactExplainer(f_array, masker)
    explainer(rows.to_numpy()[:1], silent=True)               # warm-up (shap <= 0.51 compiled numba code here)
    ours_t, ours = best_time(lambda: exact_shapley(f_frame, rows, background), args.repeats)
    theirs_t, theirs = best_time(lambda: explainer(rows.to_numpy(), silent=True), args.repeats)
    diff = np.abs(ours.values - theirs.values).max()
    print(f"{case:8s} {name:9s} {rows.shape[1]:3d} {len(rows):4d} {len(background):4d} {ours_t:10.2f} "
          f"{theirs_t:8.2f} {theirs_t / ours_t:8.1f}x {diff:11.1e}")


def kernel_table(args) -> None:
    print("KernelSHAP: xaibook.kernel_shap vs shap.KernelExplainer(l1_reg=False), equal coalitions per row")
    header = (f"{'case':7s} {'model':9s} {'M':>3s} {'n_samples':>9s} {'xaibook s':>10s} {'shap s':>8s} "
              f"{'speed-up':>9s} {'xaibook MAE':>12s} {'shap MAE':>9s}")
    print(header)
    print("-" * len(header))
    for case, budgets, with_error in (("heart", (100, 500, 2000), True), ("credit", (500, 2048), False)):
        ds = data.load_case(case)
        coded = Coded(prediction_function(models.get_model(case, "boosting")), ds.X)
        X = coded.encode(ds.X)
        background = X.loc[ds.X_train.sample(args.background, random_state=0).index]
        rows = X.loc[ds.X_test.index[: args.rows]]
        exact = exact_shapley(coded.on_frame, rows, background).values if with_error else None
        explainer = shap.KernelExplainer(coded.on_array, background.to_numpy())
        kernel_shap(coded.on_frame, rows.iloc[:1], background, n_samples=100)        # warm up both
        explainer.shap_values(rows.to_numpy()[:1], nsamples=100, l1_reg=False, silent=True)
        for n in budgets:
            ours_runs, theirs_runs, ours_times, theirs_times = [], [], [], []
            for seed in range(args.seeds):
                start = time.perf_counter()
                ours_runs.append(kernel_shap(coded.on_frame, rows, background, n_samples=n,
                                             random_state=seed).values)
                ours_times.append(time.perf_counter() - start)
                np.random.seed(seed)
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    theirs_runs.append(explainer.shap_values(rows.to_numpy(), nsamples=n, l1_reg=False,
                                                             silent=True))
                theirs_times.append(time.perf_counter() - start)
            if with_error:
                ours_err = np.mean([np.abs(v - exact).mean() for v in ours_runs])
                theirs_err = np.mean([np.abs(v - exact).mean() for v in theirs_runs])
                errors = f"{ours_err:12.2e} {theirs_err:9.2e}"
            else:
                errors = f"{'-':>12s} {'-':>9s}"
            ours_t, theirs_t = min(ours_times), min(theirs_times)
            print(f"{case:7s} {'boosting':9s} {X.shape[1]:3d} {n:9d} {ours_t:10.2f} {theirs_t:8.2f} "
                  f"{theirs_t / ours_t:8.1f}x {errors}")
    print("MAE: mean absolute error against the exact values, averaged over seeds and rows.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5, help="rows explained")
    parser.add_argument("--background", type=int, default=50, help="background rows")
    parser.add_argument("--repeats", type=int, default=2, help="timing repeats for exact (best is kept)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds for the KernelSHAP error")
    args = parser.parse_args()
    exact_table(args)
    kernel_table(args)


if __name__ == "__main__":
    main()
