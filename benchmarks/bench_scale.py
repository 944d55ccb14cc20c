"""Rows explained per second on a Dask cluster: TreeSHAP, KernelSHAP and LIME at 1 and 2 workers.

``python benchmarks/bench_scale.py`` draws synthetic credit applicants from the case study's
distribution (training rows resampled, numeric columns jittered within their range), starts a
``LocalCluster`` with 1 and then 2 single-threaded worker processes, and times
``xaibook.scale.explain`` on them, next to shap's own explainers mapped over the same chunks. It
writes ``benchmarks/results/bench_scale.json`` (read by the appendix) and prints a table.
``--quick`` runs small sizes (a smoke test, seconds). TreeSHAP uses a background of
``TREE_BACKGROUND`` rows, KernelSHAP 50 rows and 512 coalitions, LIME 1,000 samples per row.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from xaibook import data, models, scale  # noqa: E402
from xaibook.predict import prediction_function  # noqa: E402
from xaibook.shapley import shap_module  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "bench_scale.json"
#: Background rows of the interventional TreeSHAP runs (its cost grows linearly with them).
TREE_BACKGROUND = 25


def _shap_tree_chunk(estimator, Z_background, Z):
    shap = shap_module()
    explainer = shap.TreeExplainer(estimator, data=Z_background, feature_perturbation="interventional")
    return explainer.shap_values(Z, check_additivity=False)


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(sizes: dict[str, int], workers: tuple[int, ...]) -> list[dict]:
    from distributed import Client, LocalCluster

    credit = data.load_credit()
    boosting, logistic = models.get_model("credit", "boosting"), models.get_model("credit", "logistic")
    background = credit.X_train.sample(100, random_state=0)
    tree_background = background.iloc[:TREE_BACKGROUND]
    f = prediction_function(logistic)
    X = scale.synthetic_applicants(max(sizes.values()))
    jobs = {
        "TreeSHAP (xaibook)": lambda c, n: scale.explain("tree_shap", boosting, X.iloc[:n],
                                                         background=tree_background, client=c),
        "KernelSHAP (xaibook)": lambda c, n: scale.explain("kernel_shap", f, X.iloc[:n],
                                                           background=background.iloc[:50], client=c, n_samples=512),
        "LIME (xaibook)": lambda c, n: scale.explain("lime_tabular", f, X.iloc[:n],
                                                     background=credit.X_train, client=c, n_samples=1000),
    }
    rows = {"TreeSHAP (xaibook)": sizes["tree"], "KernelSHAP (xaibook)": sizes["kernel"],
            "LIME (xaibook)": sizes["lime"], "TreeSHAP (shap)": sizes["tree"]}
    preprocess, estimator = boosting[:-1], boosting[-1]
    Z_background = preprocess.transform(tree_background)
    Z = preprocess.transform(X.iloc[:sizes["tree"]])
    results = []
    for n_workers in workers:
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=50) as cluster, Client(cluster) as client:
            client.run(lambda: __import__("xaibook.scale"))          # import once per worker, outside the timing
            for name, job in jobs.items():
                job(client, 4 * n_workers)                           # warm the workers (imports, caches)
                seconds = _time(lambda job=job, name=name: job(client, rows[name]))
                results.append({"method": name, "workers": n_workers, "rows": rows[name], "seconds": seconds})
            est = client.scatter(estimator, broadcast=True)
            zb = client.scatter(Z_background, broadcast=True)
            chunks = np.array_split(Z, 4 * n_workers)

            def shap_tree(est=est, zb=zb, chunks=chunks):
                client.gather([client.submit(_shap_tree_chunk, est, zb, chunk, pure=False) for chunk in chunks])

            shap_tree()
            results.append({"method": "TreeSHAP (shap)", "workers": n_workers, "rows": rows["TreeSHAP (shap)"],
                            "seconds": _time(shap_tree)})
    for record in results:
        record["rows_per_second"] = record["rows"] / record["seconds"]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke test (writes nothing)")
    parser.add_argument("--tree-rows", type=int, default=100_000, help="rows for TreeSHAP (default 100,000)")
    parser.add_argument("--other-rows", type=int, default=400, help="rows for KernelSHAP and LIME (default 400)")
    args = parser.parse_args()
    sizes = ({"tree": 2_000, "kernel": 20, "lime": 20} if args.quick
             else {"tree": args.tree_rows, "kernel": args.other_rows, "lime": args.other_rows})
    results = run(sizes, (1, 2))
    frame = pd.DataFrame(results)
    wide = frame.pivot(index="method", columns="workers", values="rows_per_second")
    wide["scaling efficiency"] = wide[2] / (2 * wide[1])
    print(wide.round(2).to_string())
    if not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps({
            "measured": time.strftime("%Y-%m-%d"),
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
            "load_average_at_start": os.getloadavg()[0],
            "sizes": sizes,
            "tree_background": TREE_BACKGROUND,
            "results": results,
        }, indent=2) + "\n")
        print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
