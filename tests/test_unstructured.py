"""The text and image models of chapter 6: fitted reproducibly, accurate, and the shortcut is real."""

import numpy as np
import pytest
from xaibook import data, unstructured
from xaibook.surrogate import text_tokens


def test_sentiment_model_is_cached_and_better_than_chance():
    model = unstructured.sentiment_model()
    assert unstructured.sentiment_model() is model
    reviews = data.load_reviews()
    accuracy = model.score(list(reviews.texts_test), reviews.y_test)
    majority = max(reviews.y_test.mean(), 1 - reviews.y_test.mean())
    assert accuracy > majority + 0.1
    fitted_again = unstructured._make_sentiment_model().fit(list(reviews.texts_train), reviews.y_train.to_numpy())
    np.testing.assert_allclose(fitted_again[-1].coef_, model[-1].coef_)  # the cache holds the same fit


def test_word_coefficients_follow_the_vectorizer():
    model = unstructured.sentiment_model()
    coefs = unstructured.word_coefficients(model, ["Good", "good", "zzzunknownzzz"])
    assert coefs["Good"] == coefs["good"] > 0
    assert coefs["zzzunknownzzz"] == 0.0


def test_featured_snippets():
    fresh, rotten = unstructured.featured_snippets()
    model = unstructured.sentiment_model()
    p_fresh, p_rotten = model.predict_proba([fresh, rotten])[:, 1]
    assert p_fresh > 0.5 > p_rotten
    for text in (fresh, rotten):
        assert unstructured.SNIPPET_WORDS[0] <= len(text_tokens(text)[2]) <= unstructured.SNIPPET_WORDS[1]


def test_patch_and_shortcut():
    split = unstructured.face_split()
    images = split.images_test[:3]
    before = images.copy()
    patched = unstructured.add_patch(images, [True, False, True])
    np.testing.assert_array_equal(images, before)  # a copy, the input is untouched
    size = unstructured.PATCH_SIZE
    assert np.all(patched[0, :size, :size] == unstructured.PATCH_VALUE)
    np.testing.assert_array_equal(patched[1], images[1])
    acc = unstructured.face_accuracies()
    assert acc["shortcut model, patch on faces"] == pytest.approx(1.0)
    assert acc["shortcut model, patch on non-faces"] < 0.5 < acc["clean model, patch on non-faces"]
    assert acc["clean model, no patch"] > 0.9
    face = unstructured.featured_face()
    assert face.shape == (25, 25)
