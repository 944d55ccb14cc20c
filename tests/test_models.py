"""The model zoo: determinism, quality floors, caching and bad input."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from xaibook import data, models

# Held-out ROC AUC floors, well below what each model reaches (see metrics_table) yet far above
# chance: a broken encoding, split or fit falls through them.
AUC_FLOOR = {"credit": 0.68, "heart": 0.78}


@pytest.fixture(scope="module")
def metrics():
    return models.metrics_table()


def test_metrics_table_covers_every_model(metrics):
    assert len(metrics) == len(data.CASES) * len(models.MODEL_NAMES)
    assert set(metrics["kind"]) == {"glass-box", "opaque"}
    assert metrics[["roc_auc", "accuracy", "brier", "calibration_error"]].notna().all().all()


@pytest.mark.parametrize("case", data.CASES)
def test_every_model_beats_the_floor(metrics, case):
    rows = metrics[metrics["case"] == case]
    low = rows[rows["roc_auc"] < AUC_FLOOR[case]]
    assert low.empty, f"models below the ROC AUC floor:\n{low}"
    # and every model beats always predicting the majority class
    majority = 1 - data.load_case(case).y_test.mean()
    assert (rows["accuracy"] > majority).sum() >= 4


@pytest.mark.parametrize("name", models.MODEL_NAMES)
def test_refitting_gives_identical_predictions(name):
    ds = data.load_heart()
    first = models.fit_model("heart", name).predict_proba(ds.X_test)
    second = models.fit_model("heart", name).predict_proba(ds.X_test)
    assert np.array_equal(first, second)


def test_cached_model_equals_a_fresh_fit(tmp_path, monkeypatch):
    monkeypatch.setenv("XAIBOOK_CACHE_DIR", str(tmp_path))
    models.get_model.cache_clear()
    try:
        cached = models.get_model("credit", "forest")
        assert list(tmp_path.rglob("credit-forest-*.joblib")), "the fitted model was not stored"
        models.get_model.cache_clear()
        loaded = models.get_model("credit", "forest")
    finally:
        models.get_model.cache_clear()
    X = data.load_credit().X_test
    fresh = models.fit_model("credit", "forest")
    assert np.array_equal(loaded.predict_proba(X), fresh.predict_proba(X))
    assert np.array_equal(cached.predict_proba(X), fresh.predict_proba(X))


def test_corrupt_cache_file_is_refitted(tmp_path, monkeypatch):
    monkeypatch.setenv("XAIBOOK_CACHE_DIR", str(tmp_path))
    models.get_model.cache_clear()
    path = models.cache_dir() / f"heart-tree-{models.cache_key()}.joblib"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a model")
    try:
        model = models.get_model("heart", "tree")
    finally:
        models.get_model.cache_clear()
    assert model.predict_proba(data.load_heart().X_test).shape == (90, 2)


def test_cache_key_changes_with_the_code(monkeypatch):
    before = models.cache_key()
    monkeypatch.setitem(data.CHECKSUMS, "german.data", "0" * 64)
    assert models.cache_key() != before


def test_pipelines_take_raw_frames_and_name_one_hot_columns():
    model = models.get_model("credit", "logistic")
    names = list(model.named_steps["preprocess"].get_feature_names_out())
    assert "duration_months" in names and "purpose=car (new)" in names
    assert list(model.feature_names_in_) == list(data.load_credit().X.columns)
    assert models.GLASS_BOX + models.OPAQUE == tuple(sorted(models.MODEL_NAMES, key=models.MODEL_NAMES.index))


@pytest.mark.parametrize("case, name, message", [
    ("credit", "svm", "unknown model 'svm'"),
    ("loans", "tree", "unknown case study 'loans'"),
])
def test_bad_names(case, name, message):
    with pytest.raises(ValueError, match=message):
        models.get_model(case, name)


# ------------------------------------------------------------------ the shared disk cache
def _slow_build(counter: str) -> dict:
    """A build that takes a while and records each time it runs (one line per run)."""
    import time

    with open(counter, "a") as handle:
        handle.write("built\n")
    time.sleep(1.0)
    return {"answer": 42}


def _load_or_build_in_a_process(path: str, counter: str) -> dict:
    return models.load_or_build(Path(path), functools.partial(_slow_build, counter))


def test_load_or_build_builds_once_then_loads(tmp_path):
    counter = tmp_path / "runs.txt"
    path = tmp_path / "cache" / "thing.joblib"
    first = models.load_or_build(path, functools.partial(_slow_build, str(counter)))
    second = models.load_or_build(path, functools.partial(_slow_build, str(counter)))
    assert first == second == {"answer": 42}
    assert counter.read_text().count("built") == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["thing.joblib", "thing.joblib.lock"]


def test_load_or_build_rebuilds_what_it_does_not_accept(tmp_path):
    path = tmp_path / "thing.joblib"
    models.load_or_build(path, lambda: "old")
    assert models.load_or_build(path, lambda: "new", accept=lambda v: v == "new") == "new"
    assert models.load_or_build(path, lambda: "never", accept=lambda v: v == "new") == "new"


def test_parallel_processes_build_once(tmp_path):
    """Two processes asking for the same missing entry: one builds, the other waits and loads."""
    import concurrent.futures
    import multiprocessing

    counter = tmp_path / "runs.txt"
    path = tmp_path / "thing.joblib"
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        results = list(pool.map(_load_or_build_in_a_process, [str(path)] * 2, [str(counter)] * 2))
    assert results == [{"answer": 42}] * 2
    assert counter.read_text().count("built") == 1


def test_unwritable_cache_folder_still_builds(tmp_path):
    """Where nothing can be stored (here the "folder" is a file), the object is built and returned."""
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    assert models.load_or_build(not_a_folder / "thing.joblib", lambda: 7) == 7
    assert models.load_or_build(not_a_folder / "thing.joblib", lambda: 8) == 8  # nothing was stored


def test_load_or_build_wants_functions(tmp_path):
    with pytest.raises(TypeError, match="build and accept must be functions"):
        models.load_or_build(tmp_path / "thing.joblib", 3)
    with pytest.raises(TypeError, match="build and accept must be functions"):
        models.load_or_build(tmp_path / "thing.joblib", lambda: 1, accept=True)
