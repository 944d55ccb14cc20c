"""Checkers for the exercises of chapter 6, *LIME*.

Every expected answer is computed with :mod:`xaibook.surrogate` on the book's data and models, with
the settings each exercise states, never typed in.
"""

from __future__ import annotations

import functools

import numpy as np

from xaibook import data, models, unstructured
from xaibook.exercises import Verdict, check_choice, check_number
from xaibook.predict import prediction_function
from xaibook.surrogate import (
    fit_surrogate,
    grid_segments,
    lime_image,
    lime_tabular,
    lime_text,
)

#: The kernel width of exercise 2.
NARROW_WIDTH = 1.0
#: The grey of exercise 4.
GREY = 0.5


def _featured(case: str):
    dataset = data.load_case(case)
    x = dataset.X.loc[[models.featured_person(case)]]
    return dataset, prediction_function(models.get_model(case, "boosting")), x


@functools.cache
def patient_top_feature() -> str:
    """Exercise 1: the top feature of the heart patient's LIME explanation without discretization."""
    heart, f, x = _featured("heart")
    return lime_tabular(f, heart.X_train, x, discretize=False, random_state=0).ranking()[0]


def check_patient_top_feature(answer: str) -> Verdict:
    return check_choice(answer, patient_top_feature(),
                        hint="Call lime_tabular(f_heart, heart.X_train, patient_row, discretize=False) and "
                             "take .ranking()[0]: the feature with the largest |weight|.")


@functools.cache
def fidelity_at_narrow_width() -> float:
    """Exercise 2: the applicant's surrogate refitted at kernel width 1: its weighted R^2."""
    credit, f, x = _featured("credit")
    result = lime_tabular(f, credit.X_train, x, random_state=0, return_neighbourhood=True)
    return fit_surrogate(result.neighbourhood, kernel_width=NARROW_WIDTH).score


def check_fidelity(answer: float) -> Verdict:
    return check_number(answer, fidelity_at_narrow_width(), tolerance=1e-3,
                        hint="Keep the neighbourhood (return_neighbourhood=True) and refit it with "
                             f"fit_surrogate(result.neighbourhood, kernel_width={NARROW_WIDTH}); read .score.")


@functools.cache
def rotten_top_word() -> str:
    """Exercise 3: the word that lowers P(fresh) most in the chapter's most rotten snippet."""
    model = unstructured.sentiment_model()
    _, rotten = unstructured.featured_snippets()
    result = lime_text(lambda texts: model.predict_proba(texts)[:, 1], rotten, random_state=0)
    return result.feature_names[int(np.argmin(result.weights))]


def check_rotten_top_word(answer: str) -> Verdict:
    return check_choice(answer, rotten_top_word(),
                        hint="Explain the rotten snippet with lime_text and look for the most negative "
                             "weight (words are case-sensitive, as in lime).")


@functools.cache
def patch_weight_in_grey() -> float:
    """Exercise 4: the patch superpixel's weight when hidden superpixels turn mid-grey."""
    model = unstructured.face_model(shortcut=True)
    image = unstructured.add_patch(unstructured.featured_face()[None], True)[0]
    result = lime_image(lambda batch: model.predict_proba(batch)[:, 1], image,
                        segments=grid_segments(image.shape, 5), hide_color=GREY, random_state=0)
    return float(result.weights[0])


def check_patch_weight(answer: float) -> Verdict:
    return check_number(answer, patch_weight_in_grey(), tolerance=0.005,
                        hint=f"Use segments=grid_segments(image.shape, 5), hide_color={GREY}, random_state=0; "
                             "the patch is superpixel 0 (the top-left block).")
