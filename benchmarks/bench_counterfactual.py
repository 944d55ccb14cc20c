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

A second table does the same on continuous data, where the search once failed (issue 24): heart's
continuous features (resting blood pressure, cholesterol, maximum heart rate, ST depression; stored
as floats, the rest frozen) for the zoo's logistic, tree and boosting models, and two synthetic
cases (a logistic model on four standard-normal features; a decision tree whose class 1 needs all
four uniform features above 0.3, explained at 0.1). Validity is always ``model.predict``'s.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from _timing import best_time

from xaibook import data, models
from xaibook.counterfactual import (
    actionable_features,
    counterfactual_metrics,
    counterfactuals,
    linear_recourse_cost,
    mutable_features,
)


def people(credit, model, n):
    """The featured applicant, then the next test applicants the model denies."""
    featured = models.featured_person("credit")
    denied = credit.X_test.index[model.predict(credit.X_test) == 1]
    return [featured] + [i for i in denied if i != featured][: n - 1]


def dice_runner(credit, model, method, vary, n):
    return dice_on(credit.X_train, credit.y_train, credit.numeric_features, model, method, vary, n)


def dice_on(X_train, y_train, continuous, model, method, vary, n):
    """A function x -> DiCE's counterfactuals (our columns and dtypes; empty when DiCE finds none)."""
    import dice_ml
    from raiutils.exceptions import UserConfigValidationException

    frame = X_train.assign(outcome=np.asarray(y_train))
    dice_data = dice_ml.Data(dataframe=frame, continuous_features=list(continuous), outcome_name="outcome")
    explainer = dice_ml.Dice(dice_data, dice_ml.Model(model=model, backend="sklearn"), method=method)
    columns, dtypes = list(X_train.columns), X_train.dtypes.to_dict()

    def run(x):
        np.random.seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                found = explainer.generate_counterfactuals(x, total_CFs=n, desired_class="opposite",
                                                           features_to_vary=vary, verbose=False)
            except UserConfigValidationException:      # DiCE raises when it finds nothing
                return x.iloc[:0]
        cfs = found.cf_examples_list[0].final_cfs_df
        if cfs is None or not len(cfs):
            return x.iloc[:0]
        return cfs[columns].astype(dtypes)

    return run


def compare(args) -> pd.DataFrame:
    credit = data.load_credit()
    vary = actionable_features(credit)
    rows = []
    for name in args.models:
        model = models.get_model("credit", name)
        def ours(x, model=model):
            return counterfactuals(model, x, credit.X_train, features_to_vary=vary,
                                   n_counterfactuals=args.n).counterfactuals

        runners = {"xaibook": ours}
        for method in ("random", "genetic"):
            runners[f"DiCE {method}"] = dice_runner(credit, model, method, vary, args.n)
        for label in people(credit, model, args.people):
            x = credit.X.loc[[label]]
            for method, run in runners.items():
                seconds, cfs = best_time(lambda run=run, x=x: run(x), args.repeats)
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


def continuous_cases():
    """(case, model name, model, X_reference, y_reference, features_to_vary, rows to explain)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    heart = data.load_heart()
    floats = heart.X.astype({c: float for c in heart.numeric_features})
    vary = ["resting_bp", "cholesterol", "max_heart_rate", "st_depression"]
    for name in ("logistic", "tree", "boosting"):
        model = models.get_model("heart", name)
        sick = floats.loc[heart.X_test.index][model.predict(floats.loc[heart.X_test.index]) == 1]
        yield "heart (4 continuous)", name, model, floats.loc[heart.X_train.index], heart.y_train, vary, sick
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.standard_normal((400, 4)), columns=list("abcd"))
    y = (X.sum(axis=1) + 0.5 * rng.standard_normal(400) > 0).astype(int)
    logistic = LogisticRegression().fit(X, y)
    yield "gaussian (4 normal)", "logistic", logistic, X, y, list(X.columns), X[logistic.predict(X) == 0]
    U = pd.DataFrame(rng.uniform(size=(400, 4)), columns=list("abcd"))
    box = (U > 0.3).all(axis=1).astype(int)
    tree = DecisionTreeClassifier(random_state=0).fit(U, box)
    low = pd.DataFrame(0.1 + 0.1 * rng.uniform(size=(8, 4)), columns=list("abcd"))
    yield "box (tree, x < 0.3)", "tree", tree, U, box, list(U.columns), low


def options(cfs: pd.DataFrame, x: pd.DataFrame) -> int:
    """Distinct options among the rows: which features change, numbers in which direction (the
    same change at a larger value is the same option)."""
    numeric = [c for c in x.columns if pd.api.types.is_numeric_dtype(x[c])]
    signs = np.sign(cfs[numeric].to_numpy(dtype=float) - x[numeric].to_numpy(dtype=float))
    other = cfs.drop(columns=numeric).ne(x.drop(columns=numeric).iloc[0]).to_numpy()
    return len({tuple(a) + tuple(b) for a, b in zip(signs, other)})


def compare_continuous(args) -> pd.DataFrame:
    rows = []
    for case, name, model, X, y, vary, todo in continuous_cases():
        desired = 1 - int(model.predict(todo.iloc[[0]])[0])
        runners = {"xaibook": lambda x, model=model, X=X, vary=vary: counterfactuals(
            model, x, X, features_to_vary=vary, n_counterfactuals=args.n).counterfactuals}
        for method in ("random", "genetic"):
            runners[f"DiCE {method}"] = dice_on(X, y, vary, model, method, vary, args.n)
        for label in todo.index[: args.people]:
            x = todo.loc[[label]]
            for method, run in runners.items():
                seconds, cfs = best_time(lambda run=run, x=x: run(x), args.repeats)
                valid = model.predict(cfs) == desired if len(cfs) else np.zeros(0, dtype=bool)
                metrics = counterfactual_metrics(cfs, x, X, valid=valid, n_requested=args.n)
                rows.append({"case": case, "model": name, "method": method, "seconds": seconds,
                             "found any": metrics["n_valid"] > 0, "options": options(cfs[valid], x), **metrics})
                if args.verbose:
                    print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=6)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--models", nargs="+", default=["boosting", "forest", "logistic"])
    parser.add_argument("--only", choices=["credit", "continuous"], help="run one of the two comparisons")
    parser.add_argument("--verbose", action="store_true", help="print every run as it ends")
    args = parser.parse_args()
    pd.set_option("display.width", 200)

    if args.only != "credit":
        table = compare_continuous(args)
        summary = table.groupby(["case", "model", "method"], sort=False).agg(
            validity=("validity", "mean"), found_any=("found any", "mean"), options=("options", "mean"),
            proximity=("proximity", "mean"),
            sparsity=("sparsity", "mean"), seconds=("seconds", "median"))
        print(f"Continuous data: {args.people} rows per case, {args.n} counterfactuals each; validity by "
              "model.predict (means over rows; proximity and sparsity over the valid ones; seconds: median)")
        print(summary.round(3).to_string())
        print()
        if args.only == "continuous":
            return

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
