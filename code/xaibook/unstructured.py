"""Models on text and images for chapter 6 (LIME): a review-sentiment classifier and a face detector
that learns a shortcut.

``sentiment_model()``  TF-IDF (unigrams) + logistic regression on the Rotten Tomatoes snippets
                       (:func:`xaibook.data.load_reviews`), fitted on the fixed training split; its
                       ``predict_proba(list_of_texts)[:, 1]`` is P(fresh). Cached on disk like the
                       model zoo (fitting takes a few seconds on a busy machine).
``face_split()``       the fixed 70/30 stratified split of scikit-image's ``lfw_subset`` faces.
``add_patch()``        stamps a white square in the top-left corner: the *shortcut*. In the
                       shortcut training set every face has it and no non-face does, as in the
                       husky-vs-wolf experiment of Ribeiro et al. (2016), where wolves stood on snow.
``face_model(shortcut)`` logistic regression on the raw pixels, trained with or without the patch.
                       Accepts a batch of 25 x 25 images (it flattens them itself).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from xaibook import data, models

__all__ = [
    "PATCH_SIZE", "PATCH_VALUE", "SEED", "SNIPPET_WORDS", "FaceSplit", "add_patch", "face_accuracies",
    "face_model", "face_split", "featured_face", "featured_snippets", "sentiment_model", "word_coefficients",
]

SEED = 0
#: The shortcut: a PATCH_SIZE x PATCH_SIZE white square in the top-left corner.
PATCH_SIZE = 5
PATCH_VALUE = 1.0


# ------------------------------------------------------------------------------------ text
def _make_sentiment_model() -> Pipeline:
    return make_pipeline(TfidfVectorizer(),
                         LogisticRegression(C=10.0, max_iter=2000))


def _cache_path(name: str) -> Path:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(models.cache_key().encode())
    return models.cache_dir() / f"{name}-{digest.hexdigest()[:16]}.joblib"


@functools.cache
def sentiment_model() -> Pipeline:
    """TF-IDF + logistic regression for P(fresh review), fitted on the training split (cached)."""
    def fit() -> Pipeline:
        reviews = data.load_reviews()
        return _make_sentiment_model().fit(list(reviews.texts_train), reviews.y_train.to_numpy())

    return models.load_or_build(_cache_path("reviews-sentiment"), fit)


def word_coefficients(model: Pipeline, words) -> dict[str, float]:
    """The logistic regression's coefficient of each word (lower-cased as the vectorizer does; 0 if
    the word is not in its vocabulary)."""
    vectorizer, logistic = model[0], model[-1]
    vocabulary = vectorizer.vocabulary_
    return {w: float(logistic.coef_[0, vocabulary[w.lower()]]) if w.lower() in vocabulary else 0.0
            for w in words}


# ---------------------------------------------------------------------------------- images
@dataclass(frozen=True)
class FaceSplit:
    """Train/test images (n x 25 x 25) and labels (1 = face) of the fixed split."""

    images_train: np.ndarray
    images_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


@functools.cache
def face_split() -> FaceSplit:
    """``lfw_subset`` split 70/30, stratified, seed 0."""
    faces = data.load_faces()
    train, test = train_test_split(np.arange(len(faces.y)), test_size=0.3, stratify=faces.y,
                                   random_state=SEED)
    return FaceSplit(faces.images[train], faces.images[test], faces.y[train], faces.y[test])


def add_patch(images: np.ndarray, where) -> np.ndarray:
    """A copy of ``images`` (n x h x w) with the white corner patch on the images where ``where`` is true."""
    out = np.array(images, dtype=float, copy=True)
    where = np.broadcast_to(np.asarray(where, dtype=bool), (len(out),))
    out[where, :PATCH_SIZE, :PATCH_SIZE] = PATCH_VALUE
    return out


def _flatten(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images, dtype=float)
    return images.reshape(len(images), -1)


@functools.cache
def face_model(shortcut: bool) -> Pipeline:
    """Logistic regression on raw pixels; with ``shortcut=True`` every training face carries the patch."""
    split = face_split()
    images = add_patch(split.images_train, split.y_train == 1) if shortcut else split.images_train
    model = make_pipeline(FunctionTransformer(_flatten), LogisticRegression(C=1.0, max_iter=5000))
    return model.fit(images, split.y_train)


def face_accuracies() -> dict[str, float]:
    """Test accuracy of both face models when the patch is on the faces, nowhere, or on the non-faces."""
    split = face_split()
    faces = split.y_test == 1
    sets = {"patch on faces": add_patch(split.images_test, faces),
            "no patch": split.images_test,
            "patch on non-faces": add_patch(split.images_test, ~faces)}
    out = {}
    for shortcut in (True, False):
        model = face_model(shortcut)
        for name, images in sets.items():
            out[f"{'shortcut' if shortcut else 'clean'} model, {name}"] = float(model.score(images, split.y_test))
    return out


# ------------------------------------------------------------------- the chapter's examples
#: The featured snippets have between these many distinct words (short enough to read at a glance).
SNIPPET_WORDS = (12, 18)


def featured_snippets() -> tuple[str, str]:
    """The test snippets chapter 6 explains: among those with 12-18 distinct words, the one the
    sentiment model finds most *fresh* and the one it finds most *rotten*."""
    from xaibook.surrogate import text_tokens

    texts = data.load_reviews().texts_test
    n_words = np.array([len(text_tokens(t)[2]) for t in texts])
    candidates = np.flatnonzero((n_words >= SNIPPET_WORDS[0]) & (n_words <= SNIPPET_WORDS[1]))
    proba = sentiment_model().predict_proba([texts.iloc[i] for i in candidates])[:, 1]
    return texts.iloc[candidates[np.argmax(proba)]], texts.iloc[candidates[np.argmin(proba)]]


def featured_face() -> np.ndarray:
    """The test image chapter 6 explains: the first face of the test split (without a patch)."""
    split = face_split()
    return split.images_test[np.flatnonzero(split.y_test == 1)[0]]
