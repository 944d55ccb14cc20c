"""Time xaibook's LIME against the ``lime`` package on the same work (run by hand).

    python benchmarks/bench_surrogate.py [--repeats 3]

Each line explains one instance with the same seed in both libraries, so both draw the same
samples and fit the same surrogate (the script checks the weights agree). The two run in turn,
``--repeats`` rounds, and the line reports each one's best wall-clock time and the ratio
xaibook / lime (below 1: xaibook is faster), then the same ratio of process CPU times, which a busy
machine disturbs less.

* tabular: the heart and credit boosting models (string categories: lime gets integer codes and a
  function that decodes them, as a user must write), and a fast linear function of ten numeric
  columns, where LIME's own work dominates; with and without discretization; all features, or 5
  (forward selection) or 8 (highest weights);
* text: the chapter's sentiment model and a fast word-count function, 5,000 samples;
* image: the chapter's face classifier on a 5 x 5 grid of superpixels, 1,000 samples.

Prints a table; the figures go in the README. Never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TQDM_DISABLE", "1")  # lime's image explainer draws a progress bar

import numpy as np
import pandas as pd
from lime.lime_image import LimeImageExplainer
from lime.lime_tabular import LimeTabularExplainer
from lime.lime_text import LimeTextExplainer

from xaibook import data, models, unstructured
from xaibook import surrogate as S
from xaibook.predict import prediction_function
from xaibook.shapley import CategoryCodes


def best_times(ours, theirs, repeats: int):
    """Run ``ours`` and ``theirs`` in turn ``repeats`` times: best wall and CPU time of each, last results."""
    wall = {"ours": np.inf, "theirs": np.inf}
    cpu = dict(wall)
    results = {}
    for _ in range(repeats):
        for name, function in (("ours", ours), ("theirs", theirs)):
            start, start_cpu = time.perf_counter(), time.process_time()
            results[name] = function()
            wall[name] = min(wall[name], time.perf_counter() - start)
            cpu[name] = min(cpu[name], time.process_time() - start_cpu)
    return wall, cpu, results["ours"], results["theirs"]


def lime_weights(explanation, n: int) -> np.ndarray:
    w = np.zeros(n)
    for j, v in explanation.local_exp[1]:
        w[j] = v
    return w


def report(name: str, wall: dict, cpu: dict, ours_weights, theirs_weights) -> dict:
    diff = float(np.max(np.abs(np.asarray(ours_weights) - np.asarray(theirs_weights))))
    ratio, cpu_ratio = wall["ours"] / wall["theirs"], cpu["ours"] / cpu["theirs"]
    row = {"work": name, "xaibook s": wall["ours"], "lime s": wall["theirs"], "ratio": ratio,
           "cpu ratio": cpu_ratio, "max |diff|": diff}
    print(f"{name:52s} {wall['ours']:9.3f} {wall['theirs']:9.3f} {ratio:7.2f} {cpu_ratio:9.2f} {diff:11.1e}",
          flush=True)
    return row


def tabular_rows(args) -> list[dict]:
    rows = []
    cases = []
    for case in ("heart", "credit"):
        dataset = data.load_case(case)
        f = prediction_function(models.get_model(case, "boosting"))
        cases.append((f"{case} boosting", dataset.X_train, dataset.X.loc[[models.featured_person(case)]], f))
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(700, 10)), columns=[f"x{j}" for j in range(10)])
    coef = rng.normal(size=10)
    cases.append(("linear f, 10 numeric", X, X.iloc[[0]], lambda frame: frame.to_numpy() @ coef))
    for label, X_train, x, f in cases:
        codes = CategoryCodes(X_train.astype({c: float for c in X_train.columns
                                              if pd.api.types.is_numeric_dtype(X_train[c])}))
        categorical = [X_train.columns.get_loc(c) for c in codes.categories]
        train, row = codes.encode(X_train).to_numpy(), codes.encode(x).to_numpy()[0]
        g = codes.wrap(f) if categorical else (lambda A, f=f: f(pd.DataFrame(A, columns=X_train.columns)))
        d = X_train.shape[1]
        for discretize in (True, False):
            for n_features in (None, 5, 8):
                def ours(discretize=discretize, n_features=n_features):
                    return S.lime_tabular(f, X_train, x, discretize=discretize, n_features=n_features,
                                          random_state=0)

                def theirs(discretize=discretize, n_features=n_features):
                    explainer = LimeTabularExplainer(train, mode="regression", categorical_features=categorical,
                                                     discretize_continuous=discretize, random_state=0)
                    return explainer.explain_instance(row, g, num_features=n_features or d)

                wall, cpu, r_ours, r_lime = best_times(ours, theirs, args.repeats)
                name = f"tabular {label}, {'bins' if discretize else 'no bins'}, {n_features or 'all'} features"
                rows.append(report(name, wall, cpu, r_ours.weights, lime_weights(r_lime, d)))
    return rows


def text_rows(args) -> list[dict]:
    rows = []
    model = unstructured.sentiment_model()
    fresh, _ = unstructured.featured_snippets()

    def count_f(texts):
        return np.array([0.1 * t.count("good") + 0.01 * len(t.split()) for t in texts])

    for label, f, proba in (("sentiment model", lambda t: model.predict_proba(t)[:, 1], model.predict_proba),
                            ("word-count f", count_f, lambda t: np.column_stack([1 - count_f(t), count_f(t)]))):
        def ours(f=f):
            return S.lime_text(f, fresh, random_state=0)

        def theirs(proba=proba):
            n_words = len(S.text_tokens(fresh)[2])
            return LimeTextExplainer(random_state=0).explain_instance(fresh, proba, num_features=n_words)

        wall, cpu, r_ours, r_lime = best_times(ours, theirs, args.repeats)
        by_word = dict(r_lime.as_list(label=1))
        rows.append(report(f"text {label}, 5000 samples", wall, cpu, r_ours.weights,
                           [by_word.get(w, 0.0) for w in r_ours.feature_names]))
    return rows


def image_rows(args) -> list[dict]:
    model = unstructured.face_model(shortcut=True)
    image = unstructured.add_patch(unstructured.featured_face()[None], True)[0]
    segments = S.grid_segments(image.shape, 5)
    rows = []
    for hide in (0.0, None):
        def ours(hide=hide):
            return S.lime_image(lambda b: model.predict_proba(b)[:, 1], image, segments=segments, hide_color=hide)

        def theirs(hide=hide):
            return LimeImageExplainer(random_state=0).explain_instance(
                image, lambda b: model.predict_proba(b[..., 0]), labels=(1,), top_labels=None, hide_color=hide,
                segmentation_fn=lambda img: segments)

        wall, cpu, r_ours, r_lime = best_times(ours, theirs, args.repeats)
        rows.append(report(f"image faces 25x25, 25 superpixels, hide {hide}", wall, cpu, r_ours.weights,
                           lime_weights(r_lime, 25)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'work (same seed, same samples)':52s} {'xaibook s':>9s} {'lime s':>9s} {'ratio':>7s} "
          f"{'cpu ratio':>9s} {'max |diff|':>11s}")
    rows = tabular_rows(args) + text_rows(args) + image_rows(args)
    table = pd.DataFrame(rows)
    for column in ("ratio", "cpu ratio"):
        print(f"{column} xaibook / lime: median {table[column].median():.2f}, "
              f"range {table[column].min():.2f}-{table[column].max():.2f}")
    print(f"largest weight difference {table['max |diff|'].max():.1e}")


if __name__ == "__main__":
    main()
