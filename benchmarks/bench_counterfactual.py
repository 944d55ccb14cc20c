"""Compare xaibook's counterfactual search with DiCE's random and genetic methods (run by hand).

    pip install --no-deps -r tests/requirements-nodeps.txt     # dice-ml, once
    python benchmarks/bench_counterfactual.py [--people 6] [--n 4] [--repeats 1]

Same applicants (the book's featured applicant and the next denied test applicants), same models,
same ``features_to_vary`` (the data dictionary's actionable features), same number of
counterfactuals. Every output is scored with the same definitions
(:func:`xaibook.counterfactual.counterfactual_metrics`, after Mothilal et al. 2020): validity
(distinct valid rows / requested, validity asked of the model), proximity (mean MAD-scaled L1 +
categories changed), sparsity (features changed) and diversity (mean pairwise distance); plus
wall-clock time per applicant (best of ``--repeats``). Also reports how far the search is from the
exact optimum on the logistic model (mixed-integer programme). Never asserted in tests.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from xaibook import data, models
from xaibook.counterfactual import (
    actionable_features,
    counterfactual_metrics,
    counterfactuals,
    linear_recourse_cost,
    mutable_features,
)
from _timing import best_time


def people(credit, model, n):
    """The featured applicant, then the next test applicants the model denies."""
    featured = models.featured_person("credit")
    denied = credit.X_test.index[model.predict(credit.X_test) == 1]
    return [featured] + [i for i in denied if i != featured][: n - 1]


def dice_runner(credit, model, method, vary, n):
    import dice_ml

    frame = credit.X_train.assign(bad_risk=credit.y_train)
    dice_data = dice_ml.Data(dataframe=frame, continuous_features=credit.numeric_features, outcome_name="bad_risk")
    explainer = dice_ml.Dice(dice_data, dice_ml.Model(model=model, backend="sklearn"), method=method)

    def run(x):
        np.random.seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                found = explainer.generate_counterfactuals(x, total_CFs=n, desired_class="opposite",
                                                           features_to_vary=vary, verbose=False)
            except Exception:          # DiCE raises when it finds nothing
                return x.iloc[:0]
        cfs = found.cf_examples_list[0].final_cfs_df
        if cfs is None or not len(cfs):
            return x.iloc[:0]
        return cfs[list(credit.X.columns)].astype(credit.X.dtypes.to_dict())

    return run


def compare(args) -> pd.DataFrame:
    credit = data.load_credit()
    vary = actionable_features(credit)
    rows = []
    for name in args.models:
        model = models.get_model("credit", name)
        runners = {"xaibook": lambda x: counterfactuals(model, x, credit.X_train, features_to_vary=vary,
                                                        n_counterfactuals=args.n).counterfactuals}
        for method in ("random", "genetic"):
            runners[f"DiCE {method}"] = dice_runner(credit, model, method, vary, args.n)
        for label in people(credit, model, args.people):
            x = credit.X.loc[[label]]
            for method, run in runners.items():
                seconds, cfs = best_time(lambda: run(x), args.repeats)
                frozen = [f for f in credit.X.columns if f not in vary]
                kept = bool(len(cfs) == 0 or (cfs[frozen] == x[frozen].to_numpy()).all().all())
                valid = model.predict(cfs) == 0 if len(cfs) else np.zeros(0, dtype=bool)
                metrics = counterfactual_metrics(cfs, x, credit.X_train, valid=valid, n_requested=args.n)
                rows.append({"model": name, "applicant": label, "method": method, "seconds": seconds,
                             "frozen kept": kept, **metrics})
    return pd.DataFrame(rows)


def optimality(args) -> pd.DataFrame:
    credit, heart = data.load_credit(), data.load_heart()
    rows = []
    for dataset in (credit, heart):
        model = models.get_model(dataset.name, "logistic")
        denied = dataset.X_test[model.predict(dataset.X_test) == 1].iloc[: args.people]
        for label in denied.index:
            x = dataset.X.loc[[label]]
            vary = mutable_features(dataset)
            best = linear_recourse_cost(model, x, dataset.X_train, features_to_vary=vary, integer=True)
            found = counterfactuals(model, x, dataset.X_train, features_to_vary=vary, n_counterfactuals=1)
            if np.isfinite(best) and len(found):
                rows.append({"case": dataset.name, "person": label, "optimum": best, "search": found.cost[0],
                             "ratio": found.cost[0] / best})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=6)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--models", nargs="+", default=["boosting", "forest", "logistic"])
    args = parser.parse_args()
    pd.set_option("display.width", 200)

    table = compare(args)
    summary = table.groupby(["model", "method"]).agg(
        validity=("validity", "mean"), proximity=("proximity", "mean"), sparsity=("sparsity", "mean"),
        diversity=("diversity", "mean"), seconds=("seconds", "median"), frozen_kept=("frozen kept", "all"))
    print(f"Counterfactuals for {args.people} credit applicants, {args.n} each, actionable features only "
          "(means over applicants; seconds: median per applicant)")
    print(summary.round(3).to_string())
    print()
    ratio = optimality(args)
    print("Search vs the exact optimum of the logistic model (mutable features, integer steps)")
    print(ratio.groupby("case")["ratio"].describe()[["count", "mean", "max"]].round(4).to_string())


if __name__ == "__main__":
    main()
