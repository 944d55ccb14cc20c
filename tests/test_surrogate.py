"""LIME from scratch: equal to the ``lime`` package for the same seed, identities, and bad input."""

import importlib
import os
import pkgutil
import re
from dataclasses import FrozenInstanceError

os.environ.setdefault("TQDM_DISABLE", "1")  # lime's image explainer shows a progress bar

import numpy as np
import pandas as pd
import pytest
from lime.lime_image import LimeImageExplainer
from lime.lime_tabular import LimeTabularExplainer
from lime.lime_text import LimeTextExplainer
from lime.submodular_pick import SubmodularPick as LimeSubmodularPick

from xaibook import data, models, unstructured
from xaibook import surrogate as S
from xaibook.predict import prediction_function

#: Agreement with lime: the same random numbers in the same order, so only rounding differs.
ATOL = 1e-10


# ----------------------------------------------------------------------------------- helpers
class Encoded:
    """A case study coded as lime needs it: categories as integer codes into their sorted values."""

    def __init__(self, X_train: pd.DataFrame):
        self.columns = list(X_train.columns)
        self.categories = {c: sorted(pd.unique(X_train[c])) for c in self.columns
                           if not pd.api.types.is_numeric_dtype(X_train[c])}
        self.categorical_indices = [self.columns.index(c) for c in self.categories]
        self.train = self.encode(X_train)

    def encode(self, X: pd.DataFrame) -> np.ndarray:
        out = X.copy()
        for c, cats in self.categories.items():
            out[c] = pd.Categorical(X[c], categories=cats).codes
        return out.to_numpy(dtype=float)

    def decode(self, A: np.ndarray, like: pd.DataFrame) -> pd.DataFrame:
        frame = pd.DataFrame(A, columns=self.columns)
        for c, cats in self.categories.items():
            frame[c] = pd.Series(np.array(cats, dtype=object)[frame[c].to_numpy().astype(int)], dtype=like[c].dtype)
        return frame


def lime_weights(explanation, n, label=1):
    w = np.zeros(n)
    for i, v in explanation.local_exp[label]:
        w[i] = v
    return w


def lime_tabular_reference(f, X_train, x, *, discretize, n_features, seed):
    enc = Encoded(X_train)
    explainer = LimeTabularExplainer(enc.train, mode="regression", feature_names=enc.columns,
                                     categorical_features=enc.categorical_indices,
                                     discretize_continuous=discretize, random_state=seed)
    return explainer.explain_instance(enc.encode(x)[0], lambda A: f(enc.decode(A, X_train)),
                                      num_features=n_features or len(enc.columns))


@pytest.fixture(scope="module", params=["heart", "credit"])
def case(request):
    dataset = data.load_case(request.param)
    model = models.get_model(request.param, "boosting")
    x = dataset.X.loc[[models.featured_person(request.param)]]
    return dataset, prediction_function(model), x


# ----------------------------------------------------------------------- equality with lime
@pytest.mark.parametrize("discretize", [True, False])
@pytest.mark.parametrize("n_features", [None, 5, 8])
def test_tabular_equals_lime(case, discretize, n_features):
    """Numeric and categorical columns, with and without quartile discretization, and both of lime's
    feature-selection rules (forward selection for 5, highest weights for 8)."""
    dataset, f, x = case
    ours = S.lime_tabular(f, dataset.X_train, x, discretize=discretize, n_features=n_features, random_state=3)
    theirs = lime_tabular_reference(f, dataset.X_train, x, discretize=discretize, n_features=n_features, seed=3)
    np.testing.assert_allclose(ours.weights, lime_weights(theirs, len(ours.weights)), rtol=0, atol=ATOL)
    assert ours.intercept == pytest.approx(theirs.intercept[1], abs=ATOL)
    assert ours.score == pytest.approx(theirs.score, abs=ATOL)
    assert ours.local_prediction == pytest.approx(theirs.local_pred[0], abs=ATOL)
    assert ours.prediction == pytest.approx(theirs.predicted_value, abs=0)
    assert ours.selected.sum() == (n_features or len(ours.weights))
    # lime's labels print thresholds with two decimals; ours drop trailing zeros.
    if discretize:
        labels = dict(theirs.as_list(label=1))
        for label in ours.feature_labels:
            if "=" not in label:
                assert any(label == their.replace(".00", "") or label == their.rstrip("0")
                           for their in labels) or not ours.selected[ours.feature_labels.index(label)]


def test_tabular_default_width_and_discretized_labels():
    dataset = data.load_case("credit")
    x = dataset.X.loc[[models.featured_person("credit")]]
    result = S.lime_tabular(models.get_model("credit", "logistic"), dataset.X_train, x, n_samples=300)
    assert result.kernel_width == pytest.approx(0.75 * np.sqrt(dataset.X.shape[1]))
    duration = result.feature_labels[result.feature_names.index("duration_months")]
    assert duration.startswith("duration_months") or "< duration_months <=" in duration
    assert ".00" not in " ".join(result.feature_labels)
    purpose = result.feature_labels[result.feature_names.index("purpose")]
    assert purpose == f"purpose={x['purpose'].iloc[0]}"


@pytest.mark.parametrize("discretize", [True, False])
def test_tabular_equals_lime_on_numeric_data(discretize):
    rng = np.random.default_rng(4)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.integers(0, 5, 300).astype(float),
                      "c": rng.exponential(size=300)})

    def f(frame):
        a = frame.to_numpy()
        return np.sin(a[:, 0]) * a[:, 1] + a[:, 2] ** 2

    ours = S.lime_tabular(f, X, X.iloc[[7]], discretize=discretize, random_state=9, n_samples=1500)
    explainer = LimeTabularExplainer(X.to_numpy(), mode="regression", discretize_continuous=discretize,
                                     random_state=9)
    theirs = explainer.explain_instance(X.to_numpy()[7], lambda A: f(pd.DataFrame(A)), num_features=3,
                                        num_samples=1500)
    np.testing.assert_allclose(ours.weights, lime_weights(theirs, 3), rtol=0, atol=ATOL)
    assert ours.score == pytest.approx(theirs.score, abs=ATOL)


@pytest.mark.parametrize("n_features", [None, 4, 8])
def test_text_equals_lime(n_features):
    model = unstructured.sentiment_model()
    text = "A smart, funny film; funny and warm, though the ending is weak and a bit too long."
    ours = S.lime_text(lambda t: model.predict_proba(t)[:, 1], text, random_state=5, n_features=n_features,
                       n_samples=2000)
    theirs = LimeTextExplainer(random_state=5).explain_instance(
        text, model.predict_proba, num_features=n_features or len(ours.feature_names), num_samples=2000)
    by_word = dict(theirs.as_list(label=1))
    np.testing.assert_allclose(ours.weights, [by_word.get(w, 0.0) for w in ours.feature_names], rtol=0, atol=ATOL)
    assert ours.intercept == pytest.approx(theirs.intercept[1], abs=ATOL)
    assert ours.score == pytest.approx(theirs.score, abs=ATOL)
    assert ours.local_prediction == pytest.approx(theirs.local_pred[0], abs=ATOL)
    assert ours.feature_names[:3] == ("A", "smart", "funny")  # distinct words, first appearance order
    assert ours.feature_values[2] == 2  # "funny" occurs twice and is removed as one feature


def colourful_image():
    """A 24 x 24 RGB image of flat colour blocks: quickshift finds several superpixels in it."""
    image = np.zeros((24, 24, 3))
    image[:12, :12] = [0.9, 0.1, 0.1]
    image[:12, 12:] = [0.1, 0.8, 0.2]
    image[12:, :12] = [0.1, 0.2, 0.9]
    image[12:, 12:] = [0.9, 0.9, 0.2]
    image[8:16, 8:16] = [0.5, 0.5, 0.5]
    return image + np.linspace(0, 0.05, 24)[None, :, None]


@pytest.mark.parametrize("hide_color", [None, 0.0])
def test_image_equals_lime_with_quickshift(hide_color):
    image = colourful_image()
    weights = np.random.default_rng(0).normal(size=image.shape)

    def f(batch):
        return 1 / (1 + np.exp(-(batch * weights).sum(axis=(1, 2, 3)) / 20))

    ours = S.lime_image(f, image, hide_color=hide_color, n_samples=300, random_state=2)
    theirs = LimeImageExplainer(random_state=2).explain_instance(
        image, lambda b: np.column_stack([1 - f(b), f(b)]), labels=(1,), top_labels=None,
        hide_color=hide_color, num_samples=300)
    assert len(ours.feature_names) > 3
    np.testing.assert_array_equal(ours.segments, theirs.segments)
    np.testing.assert_allclose(ours.weights, lime_weights(theirs, len(ours.weights)), rtol=0, atol=ATOL)
    assert ours.intercept == pytest.approx(theirs.intercept[1], abs=ATOL)
    assert ours.score == pytest.approx(theirs.score, abs=ATOL)


@pytest.mark.parametrize("hide_color", [None, 0.0])
def test_image_equals_lime_on_a_face_with_grid_segments(hide_color):
    model = unstructured.face_model(shortcut=True)
    image = unstructured.add_patch(unstructured.face_split().images_test[:1], True)[0]
    segments = S.grid_segments(image.shape, 5)

    def f(batch):
        return model.predict_proba(batch)[:, 1]

    ours = S.lime_image(f, image, segments=segments, hide_color=hide_color, random_state=4)
    theirs = LimeImageExplainer(random_state=4).explain_instance(
        image, lambda b: model.predict_proba(b[..., 0]), labels=(1,), top_labels=None, hide_color=hide_color,
        segmentation_fn=lambda img: segments)
    np.testing.assert_allclose(ours.weights, lime_weights(theirs, 25), rtol=0, atol=ATOL)
    assert ours.score == pytest.approx(theirs.score, abs=ATOL)
    assert ours.feature_names == tuple(str(i) for i in range(25))


def test_submodular_pick_equals_lime():
    dataset = data.load_case("heart")
    f = prediction_function(models.get_model("heart", "logistic"))
    rows = dataset.X_test.iloc[:8]
    rs = np.random.RandomState(11)  # one stream through all explanations, as lime's explainer has
    ours = [S.lime_tabular(f, dataset.X_train, rows.iloc[[i]], n_samples=400, random_state=rs) for i in range(8)]
    enc = Encoded(dataset.X_train)
    explainer = LimeTabularExplainer(enc.train, mode="regression", feature_names=enc.columns,
                                     categorical_features=enc.categorical_indices, random_state=11)
    sp = LimeSubmodularPick(explainer, enc.encode(rows), lambda A: f(enc.decode(A, dataset.X_train)),
                            method="full", num_exps_desired=3, num_features=13, num_samples=400)
    for mine, theirs in zip(ours, sp.explanations, strict=True):
        np.testing.assert_allclose(mine.weights, lime_weights(theirs, 13), atol=ATOL)
    pick = S.submodular_pick(ours, n_picks=3)
    assert list(pick.picks) == list(sp.V)
    assert np.all(np.diff(pick.coverage) >= 0)
    assert pick.coverage[-1] <= pick.importance.sum() + 1e-12


# ------------------------------------------------------------------------------ identities
def numeric_frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(10, 2, n), "b": rng.uniform(0, 5, n), "c": rng.normal(0, 1, n),
                         "d": rng.exponential(3, n)})


def test_linear_function_recovered_per_standard_deviation():
    X = numeric_frame()
    coef = np.array([0.5, -1.0, 0.0, 0.25])

    def f(frame):
        return 3.0 + frame.to_numpy() @ coef

    hood = S.tabular_neighbourhood(f, X, X.iloc[[0]], discretize=False, random_state=0)
    exact, intercept = S.weighted_ridge(hood.data, hood.predictions, hood.kernel_weights(), alpha=0.0)
    np.testing.assert_allclose(exact, coef * X.std(ddof=0).to_numpy(), atol=1e-10)
    result = S.lime_tabular(f, X, X.iloc[[0]], discretize=False)
    # ridge (alpha = 1) shrinks a little: the neighbourhood's weights add up to far more than 1
    np.testing.assert_allclose(result.weights, coef * X.std(ddof=0).to_numpy(), rtol=2e-3, atol=1e-3)
    assert result.score > 0.999
    assert result.local_prediction == pytest.approx(result.prediction, abs=1e-2)


def test_irrelevant_features_get_almost_zero():
    X = numeric_frame()

    def f(frame):
        return np.tanh(frame["b"].to_numpy() - 2.5)

    for discretize in (True, False):
        result = S.lime_tabular(f, X, X.iloc[[3]], discretize=discretize)
        others = np.abs(result.weights[[0, 2, 3]])
        assert others.max() < 0.02 * abs(result.weights[1])
        assert result.ranking()[0] == "b"


def test_function_of_words_recovered_word_by_word():
    def f(texts):
        return np.array([0.1 + 0.3 * ("good" in t.split()) - 0.2 * ("bad" in t.split()) for t in texts])

    result = S.lime_text(f, "a good plot but bad acting and a good cast")
    weights = dict(zip(result.feature_names, result.weights, strict=True))
    assert weights["good"] == pytest.approx(0.3, abs=0.01)
    assert weights["bad"] == pytest.approx(-0.2, abs=0.01)
    assert max(abs(v) for w, v in weights.items() if w not in ("good", "bad")) < 0.01


def test_reference_ridge_equals_fast_ridge():
    rng = np.random.default_rng(1)
    Z, y, w = rng.normal(size=(200, 5)), rng.normal(size=200), rng.uniform(0.1, 1, 200)
    fast, b_fast = S.weighted_ridge(Z, y, w)
    slow, b_slow = S.weighted_ridge_reference(Z, y, w)
    np.testing.assert_allclose(fast, slow, atol=1e-12)
    assert b_fast == pytest.approx(b_slow, abs=1e-12)


@pytest.mark.parametrize("case_name", ["heart", "credit"])
def test_readable_lime_equals_the_fast_one(case_name):
    """Issue 25.23: the fifteen-line LIME of chapter 6 is the same method as lime_tabular."""
    dataset = data.load_case(case_name)
    f = prediction_function(models.get_model(case_name, "boosting"))
    x = dataset.X.loc[[models.featured_person(case_name)]]
    # on the same samples: the same surrogate, to rounding error (an independent Z, kernel and solve)
    hood = S.tabular_neighbourhood(f, dataset.X_train, x, n_samples=1500, random_state=4)
    same = S.lime_tabular_reference(f, dataset.X_train, x, samples=hood.samples)
    assert list(same.index) == list(hood.feature_names)
    assert np.allclose(same.to_numpy(), S.fit_surrogate(hood).weights, atol=1e-10)
    assert np.allclose(S.lime_tabular_reference(f, dataset.X_train, x, samples=hood.samples, kernel_width=1.2),
                       S.fit_surrogate(hood, kernel_width=1.2).weights, atol=1e-10)
    # on its own samples (training values inside the bins): the same explanation up to sampling noise
    own = S.lime_tabular_reference(f, dataset.X_train, x, n_samples=5000, random_state=0)
    fast = S.lime_tabular(f, dataset.X_train, x, n_samples=5000, random_state=0)
    assert own.abs().idxmax() == fast.ranking()[0]
    assert np.corrcoef(own.to_numpy(), fast.weights)[0, 1] > 0.95
    assert np.abs(own.to_numpy() - fast.weights).max() < 0.03


def test_refit_at_other_widths_reuses_the_neighbourhood():
    X = numeric_frame()
    f = lambda frame: np.sin(frame["a"].to_numpy()) + frame["d"].to_numpy() ** 2 / 10
    hood = S.tabular_neighbourhood(f, X, X.iloc[[1]], random_state=0)
    for width in (0.5, 1.5, 4.0):
        direct = S.lime_tabular(f, X, X.iloc[[1]], kernel_width=width)
        refit = S.fit_surrogate(hood, kernel_width=width)
        np.testing.assert_array_equal(direct.weights, refit.weights)


def test_lime_undiscretize_difference_is_fixed_here():
    """A bin whose training values are all equal: lime samples its z-score 0, we sample its value."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"dependants": np.r_[np.ones(80), np.full(20, 2.0)], "income": rng.normal(3, 1, 100)})
    hood = S.tabular_neighbourhood(lambda frame: frame["dependants"].to_numpy(dtype=float), X, X.iloc[[0]],
                                   n_samples=500)
    values = hood.samples["dependants"].to_numpy()
    assert set(np.round(values, 6)) <= {1.0, 2.0}
    seen = []
    explainer = LimeTabularExplainer(X.to_numpy(), mode="regression", random_state=0)
    explainer.explain_instance(X.to_numpy()[0], lambda A: seen.append(A[:, 0].copy()) or A[:, 0], num_samples=500)
    assert np.isclose(seen[0], 0.0).any()  # lime asks the model about 0 dependants, which never occurs
    # the random stream is the same: where lime's sample is not the degenerate bin, the values agree
    other = ~np.isclose(seen[0], 0.0)
    np.testing.assert_allclose(values[other], seen[0][other])


def test_result_is_frozen_and_reproducible():
    X = numeric_frame()
    f = lambda frame: frame["a"].to_numpy() * frame["c"].to_numpy()
    one = S.lime_tabular(f, X, X.iloc[[2]], n_samples=500, return_neighbourhood=True)
    two = S.lime_tabular(f, X, X.iloc[2], n_samples=500)  # a Series is one row
    np.testing.assert_array_equal(one.weights, two.weights)
    with pytest.raises(ValueError):
        one.weights[0] = 1.0
    with pytest.raises(FrozenInstanceError):
        one.score = 0.0
    frame = one.to_frame()
    assert list(frame.columns) == ["feature", "label", "value", "weight", "selected"]
    assert one.ranking()[0] == frame.loc[frame["weight"].abs().idxmax(), "feature"]
    hood = one.neighbourhood_frame()
    assert len(hood) == 500 and hood["kernel_weight"].iloc[0] == 1.0
    assert hood["surrogate"].iloc[0] == pytest.approx(one.local_prediction)
    with pytest.raises(ValueError, match="return_neighbourhood"):
        two.neighbourhood_frame()
    gen = S.lime_tabular(f, X, X.iloc[[2]], n_samples=500, random_state=np.random.default_rng(0))
    assert gen.weights.shape == one.weights.shape


def test_a_series_of_a_mixed_table_explains_as_its_one_row_frame():
    """``X.loc[i]`` of text and int columns is an object Series; it takes X_train's dtypes back
    (``_validation.check_row_like``), so the explanation is bit for bit the one-row frame's."""
    dataset = data.load_case("credit")
    f = prediction_function(models.get_model("credit", "logistic"))
    person = models.featured_person("credit")
    assert dataset.X.loc[person].dtype == object
    frame = S.lime_tabular(f, dataset.X_train, dataset.X.loc[[person]], n_samples=300, discretize=False)
    series = S.lime_tabular(f, dataset.X_train, dataset.X.loc[person], n_samples=300, discretize=False)
    np.testing.assert_array_equal(series.weights, frame.weights)
    assert (series.intercept, series.score, series.feature_labels) == (frame.intercept, frame.score,
                                                                       frame.feature_labels)
    assert [(type(v), v) for v in series.feature_values] == [(type(v), v) for v in frame.feature_values]


def test_fitted_model_accepted_as_f():
    dataset = data.load_case("heart")
    model = models.get_model("heart", "logistic")
    x = dataset.X.loc[[models.featured_person("heart")]]
    a = S.lime_tabular(model, dataset.X_train, x, n_samples=300)
    b = S.lime_tabular(prediction_function(model), dataset.X_train, x, n_samples=300)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert a.prediction == pytest.approx(model.predict_proba(x)[0, 1])


# ------------------------------------------------------------------------------- bad input
@pytest.fixture
def small():
    X = numeric_frame(50).assign(colour=np.where(np.arange(50) % 2, "red", "blue"))
    return X, (lambda frame: frame["a"].to_numpy(dtype=float))


def test_bad_tabular_input(small):
    X, f = small
    x = X.iloc[[0]]
    with pytest.raises(ValueError, match="missing"):
        S.lime_tabular(f, X, x.drop(columns="a"))
    with pytest.raises(ValueError, match="missing values"):
        S.lime_tabular(f, X.assign(a=np.where(np.arange(50) == 3, np.nan, X["a"])), x)
    with pytest.raises(ValueError, match="missing values"):
        S.lime_tabular(f, X, x.assign(b=np.nan))
    with pytest.raises(ValueError, match="at least 2"):
        S.lime_tabular(f, X.iloc[:1], x)
    with pytest.raises(ValueError, match="one row"):
        S.lime_tabular(f, X, X.iloc[:2])
    with pytest.raises(ValueError, match="n_samples"):
        S.lime_tabular(f, X, x, n_samples=0)
    with pytest.raises(ValueError, match="kernel_width"):
        S.lime_tabular(f, X, x, kernel_width=0)
    with pytest.raises(ValueError, match="kernel_width"):
        S.lime_tabular(f, X, x, kernel_width=-1.0)
    with pytest.raises(ValueError, match="n_features"):
        S.lime_tabular(f, X, x, n_features=0)
    with pytest.raises(ValueError, match="x column 'colour' has value.*'green'.*X_train never holds"):
        S.lime_tabular(f, X, x.assign(colour="green"))
    with pytest.raises(ValueError, match="random_state"):
        S.lime_tabular(f, X, x, random_state=None)
    with pytest.raises(TypeError, match="DataFrame"):
        S.lime_tabular(f, X.to_numpy(), x)
    with pytest.raises(ValueError, match="shape"):
        S.lime_tabular(lambda frame: np.zeros((len(frame), 2)), X, x)
    with pytest.raises(ValueError, match="shape"):
        S.lime_tabular(lambda frame: np.zeros(3), X, x)
    with pytest.raises(ValueError, match="non-finite"):
        S.lime_tabular(lambda frame: np.full(len(frame), np.nan), X, x)
    with pytest.raises(ValueError, match="non-finite"):
        S.lime_tabular(lambda frame: np.where(frame["a"] > 10, np.inf, 0.0), X, x)
    with pytest.raises(TypeError, match="callable"):
        S.lime_tabular("not a model", X, x)


def test_bad_text_and_image_input():
    f = lambda texts: np.zeros(len(texts))
    with pytest.raises(ValueError, match="empty"):
        S.lime_text(f, "")
    with pytest.raises(ValueError, match="empty"):
        S.lime_text(f, "   ")
    with pytest.raises(ValueError, match="no words"):
        S.lime_text(f, "?!")
    with pytest.raises(TypeError, match="str"):
        S.lime_text(f, ["a list"])
    with pytest.raises(ValueError, match="kernel_width"):
        S.lime_text(f, "good film", kernel_width=0)
    with pytest.raises(ValueError, match="n_samples"):
        S.lime_text(f, "good film", n_samples=-5)
    with pytest.raises(ValueError, match="shape"):
        S.lime_text(lambda texts: np.zeros((len(texts), 2)), "good film")
    image = np.random.default_rng(0).uniform(size=(10, 10))
    g = lambda batch: batch.mean(axis=(1, 2))
    with pytest.raises(ValueError, match="segments"):
        S.lime_image(g, image, segments=np.zeros((9, 10), dtype=int))
    with pytest.raises(TypeError, match="integer"):
        S.lime_image(g, image, segments=np.zeros((10, 10)))
    with pytest.raises(ValueError, match="NaN"):
        S.lime_image(g, np.full((10, 10), np.nan), segments=S.grid_segments((10, 10), 2))
    with pytest.raises(ValueError, match="image must be"):
        S.lime_image(g, np.zeros(10))
    with pytest.raises(ValueError, match="non-finite"):
        S.lime_image(lambda b: np.full(len(b), np.inf), image, segments=S.grid_segments((10, 10), 2))
    with pytest.raises(ValueError, match="n_samples"):
        S.lime_image(g, image, segments=S.grid_segments((10, 10), 2), n_samples=0)
    with pytest.raises(ValueError, match="does not fit"):
        S.grid_segments((4, 4), 5)
    with pytest.raises(TypeError, match="LimeResult"):
        S.submodular_pick([])


def test_grid_segments_and_image_samples():
    seg = S.grid_segments((25, 25), 5)
    assert seg.shape == (25, 25) and np.unique(seg).tolist() == list(range(25))
    assert np.bincount(seg.ravel()).tolist() == [25] * 25
    image = np.arange(100, dtype=float).reshape(10, 10)
    seen = []

    def f(batch):
        seen.append(batch)
        return batch.sum(axis=(1, 2))

    result = S.lime_image(f, image, segments=S.grid_segments((10, 10), 2), hide_color=0, n_samples=50,
                          batch_size=7, return_neighbourhood=True)
    batches = np.concatenate(seen)
    assert batches.shape == (50, 10, 10)
    np.testing.assert_array_equal(batches[0], image)
    Z = result.neighbourhood.data
    blocks = S.grid_segments((10, 10), 2)
    for row, shown in zip(batches[:10], Z[:10], strict=True):
        np.testing.assert_array_equal(row, np.where(shown[blocks] > 0, image, 0.0))
    # a sum of pixels is exactly linear in the superpixels shown: least squares recovers each block's sum
    sums = [image[blocks == k].sum() for k in range(4)]
    hood = result.neighbourhood
    exact, intercept = S.weighted_ridge(hood.data, hood.predictions, hood.kernel_weights(), alpha=0.0)
    np.testing.assert_allclose(exact, sums, rtol=1e-9)
    assert intercept == pytest.approx(0.0, abs=1e-6)
    assert np.all(result.weights > 0)  # ridge (alpha = 1) only shrinks them


def test_fitted_text_and_image_models_accepted_as_f():
    model = unstructured.sentiment_model()
    text = "a good film with a weak end"
    a = S.lime_text(model, text, n_samples=300)
    b = S.lime_text(lambda t: model.predict_proba(t)[:, 1], text, n_samples=300)
    np.testing.assert_array_equal(a.weights, b.weights)
    faces = unstructured.face_model(shortcut=False)
    image = unstructured.featured_face()
    c = S.lime_image(faces, image, segments=S.grid_segments(image.shape, 5), n_samples=100)
    assert c.prediction == pytest.approx(faces.predict_proba(image[None])[0, 1])


def test_bad_options_found_by_the_audit(small):
    X, f = small
    x = X.iloc[[0]]
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        S.lime_tabular(f, X, x, n_samples=50, batch_size=0)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        S.lime_text(lambda texts: np.zeros(len(texts)), "good film", n_samples=50, batch_size=-1)
    with pytest.raises(TypeError, match="discretize must be True or False"):
        S.lime_tabular(f, X, x, n_samples=50, discretize="False")
    with pytest.raises(ValueError, match="kernel_width must be a positive, finite number"):
        S.kernel(np.array([0.0, 1.0]), 0.0)
    result = S.lime_tabular(f, X, x, n_samples=50)
    with pytest.raises(TypeError, match="neighbourhood must be a Neighbourhood.*result.neighbourhood"):
        S.fit_surrogate(result, kernel_width=0.5)
    hood = S.tabular_neighbourhood(f, X, x, n_samples=50)
    with pytest.raises(TypeError, match=r"widths must be a list.*\[0.5\]"):
        S.kernel_width_path(hood, 0.5)
    with pytest.raises(TypeError, match="neighbourhood must be a Neighbourhood"):
        S.kernel_width_path(result, [0.5])


# ------------------------------------------------------------------------------ kernel-width summary (chapter 6)
def test_kernel_width_summary_counts_effective_samples_and_the_penalty(small):
    """Kish's effective sample size is n for a flat kernel and falls as the kernel narrows; the
    ridge penalty never lengthens the weight vector (shrinkage >= 1); the top feature is the path's."""
    X, f = small
    hood = S.tabular_neighbourhood(f, X, X.iloc[[0]], n_samples=300)
    widths = [0.05, 0.5, 1e6]
    path = S.kernel_width_path(hood, widths)
    summary = S.kernel_width_summary(hood, path)
    assert list(summary.index) == widths
    ess = summary["effective samples"]
    assert ess.iloc[-1] == pytest.approx(len(hood), rel=1e-9) and ess.is_monotonic_increasing
    assert (summary["shrinkage"] >= 1 - 1e-12).all()
    for width, part in path.groupby("width"):
        assert summary.loc[width, "top feature"] == part.loc[part["weight"].abs().idxmax(), "feature"]
    with pytest.raises(ValueError, match="lacks the columns"):
        S.kernel_width_summary(hood, path.drop(columns="score"))
    with pytest.raises(TypeError, match="neighbourhood must be a Neighbourhood"):
        S.kernel_width_summary(path, path)


# ------------------------------------------------------------------------------ issue 24.4: a constant model
@pytest.mark.parametrize("constant", [0.0, 1.0])
def test_a_model_whose_output_never_changes_scores_as_lime(constant):
    """Every perturbed sample gets the same output: the fit is exact and the score is 1, as lime's
    Ridge.score (scikit-learn's R^2 of a perfect fit of a constant) reports for outputs 0 and 1."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    ours = S.lime_tabular(lambda A: np.full(len(A), constant), X, X.iloc[[0]], random_state=0)
    explainer = LimeTabularExplainer(X.to_numpy(), mode="regression", random_state=0)
    theirs = explainer.explain_instance(X.to_numpy()[0], lambda A: np.full(len(A), constant), num_features=3)
    assert ours.score == theirs.score == 1.0
    assert ours.intercept == theirs.intercept[1] == constant and not ours.weights.any()
    text = "a film that never changes anyone's mind"
    ours_text = S.lime_text(lambda t: np.full(len(t), constant), text, random_state=5, n_samples=500)
    theirs_text = LimeTextExplainer(random_state=5).explain_instance(
        text, lambda t: np.column_stack([np.full(len(t), 1 - constant), np.full(len(t), constant)]),
        num_samples=500)
    assert ours_text.score == theirs_text.score == 1.0
    # another constant: lime's intercept is one rounding unit off (0.30000000000000004) and it reports
    # 0; the exact fit of a constant is perfect, and the package reports 1 (see _weighted_r2)
    assert S.lime_tabular(lambda A: np.full(len(A), 0.3), X, X.iloc[[0]]).score == 1.0


# ------------------------------------------------------------------------------ issue 27: the package
def test_the_package_maps_its_modules_and_re_exports_them():
    """Each module of ``xaibook.surrogate`` is in the package docstring's map, and every public name
    of a module is importable from the package (``from xaibook.surrogate import lime_tabular``)."""
    modules = {info.name for info in pkgutil.iter_modules(S.__path__)}
    assert set(re.findall(r"^``(\w+)``\s+\S", S.__doc__, re.M)) == modules
    for name in modules:
        module = importlib.import_module(f"xaibook.surrogate.{name}")
        for public in getattr(module, "__all__", []):
            assert getattr(S, public) is getattr(module, public) and public in S.__all__, f"{name}.{public}"
