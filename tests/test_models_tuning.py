"""The zoo's tuning (issue 20, section 5): chosen on the training split, recorded, and cheap to fit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from xaibook import data, models

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


@pytest.mark.parametrize("case", data.CASES)
@pytest.mark.parametrize("name", models.OPAQUE)
def test_tuned_values_are_points_of_the_grid_and_used(case, name):
    chosen = models.TUNED[(case, name)]
    grid = models.TUNING_GRIDS[name]
    assert set(chosen) == set(grid)
    for key, value in chosen.items():
        assert value in grid[key], (case, name, key)
    estimator = models.make_model(case, name)[-1]
    for key, value in chosen.items():
        assert estimator.get_params()[key] == value


def test_glass_boxes_are_not_tuned():
    for case in data.CASES:
        assert models.make_model(case, "logistic")[-1].get_params()["C"] == 1.0
        assert models.make_model(case, "tree")[-1].get_params()["max_depth"] == 3


def test_the_search_sees_only_the_training_split_and_finds_the_recorded_choice(monkeypatch):
    import tune_zoo
    from sklearn.model_selection import GridSearchCV

    seen = []
    original_fit = GridSearchCV.fit

    def spy(self, X, y=None, **kwargs):
        seen.append(set(X.index))
        return original_fit(self, X, y, **kwargs)

    monkeypatch.setattr(GridSearchCV, "fit", spy)
    dataset = data.load_heart()
    # the cheapest search (forest on heart); the benchmark script runs the rest
    result = tune_zoo.search("heart", "forest")
    assert seen == [set(dataset.X_train.index)]
    chosen = {k.removeprefix("model__"): v for k, v in result.best_params_.items()}
    assert chosen == models.TUNED[("heart", "forest")]
