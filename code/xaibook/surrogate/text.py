"""LIME for text (Ribeiro et al. 2016), as ``lime``'s ``LimeTextExplainer``: a bag of words, whose
perturbed samples remove random sets of distinct words."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from xaibook._validation import as_legacy_random_state, output_scale
from xaibook.predict import as_prediction_function
from xaibook.surrogate._sampling import check_neighbourhood_memory, check_samples, predict_in_batches
from xaibook.surrogate.fit import fit_surrogate
from xaibook.surrogate.result import LimeResult, Neighbourhood

__all__ = ["lime_text", "text_neighbourhood", "text_tokens"]

#: lime's default kernel width for text (cosine distance x 100).
TEXT_KERNEL_WIDTH = 25.0
_SPLIT = re.compile(r"(\W+)|$")


def text_tokens(text: str) -> tuple[list[str], np.ndarray, list[str]]:
    """Split ``text`` as lime does (on ``\\W+``, keeping the separators).

    Returns the tokens, each token's word id (``-1`` for a separator) and the distinct words in
    order of first appearance (case-sensitive: "Good" and "good" are two words).
    """
    tokens = [t for t in _SPLIT.split(text) if t]
    vocabulary: dict[str, int] = {}
    ids = np.full(len(tokens), -1)
    for i, token in enumerate(tokens):
        if _SPLIT.match(token):
            continue
        ids[i] = vocabulary.setdefault(token, len(vocabulary))
    return tokens, ids, list(vocabulary)


def text_neighbourhood(f: Any, text: str, *, n_samples: int = 5000, random_state: Any = 0,
                       batch_size: int | None = None) -> Neighbourhood:
    """Step 1 of LIME for a text: remove random sets of distinct words, as ``LimeTextExplainer``.

    For each sample after the first, the number of words to remove is drawn uniformly from 1 to
    the number of distinct words, then which ones (a random permutation, cut to that length);
    all occurrences of a removed word go together (bag of words). ``Z`` marks the words kept;
    the distance is the cosine distance between a sample's ``Z`` row and the all-ones row, times
    100: ``100 * (1 - sqrt(kept / words))``.
    """
    f = as_prediction_function(f, name="f")
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("text is empty; give a non-empty text to explain")
    tokens, ids, words = text_tokens(text)
    d = len(words)
    if d == 0:
        raise ValueError(f"text {text!r} contains no words to perturb")
    n = check_samples(n_samples)
    check_neighbourhood_memory(n, d, n * (len(tokens) + 2.0 * len(text)),
                                what=f"a LIME neighbourhood of {n:,} samples of a text of {d:,} distinct words",
                                knob="n_samples, or the text's length (explain a shorter passage)")
    rs = as_legacy_random_state(random_state)
    sizes = rs.randint(1, d + 1, n - 1)
    Z = np.ones((n, d))
    for i, size in enumerate(sizes, start=1):
        Z[i, rs.permutation(d)[:size]] = 0.0
    keep = np.ones((n, len(tokens)), dtype=bool)
    is_word = ids >= 0
    keep[:, is_word] = Z[:, ids[is_word]] > 0
    token_array = np.array(tokens, dtype=object)
    samples = tuple("".join(token_array[k]) for k in keep)
    samples = (text,) + samples[1:]
    predictions = predict_in_batches(f, list(samples), n, batch_size, lambda s, a, b: s[a:b])
    distances = 100.0 * (1.0 - np.sqrt(Z.sum(axis=1) / d))
    return Neighbourhood(kind="text", data=Z, predictions=predictions, distances=np.maximum(distances, 0.0),
                         feature_names=tuple(words), feature_labels=tuple(words),
                         feature_values=tuple(int((ids == k).sum()) for k in range(d)), samples=samples,
                         default_kernel_width=TEXT_KERNEL_WIDTH, text=text, scale=output_scale(f))


def lime_text(f: Any, text: str, *, n_samples: int = 5000, kernel_width: float = TEXT_KERNEL_WIDTH,
              random_state: Any = 0, n_features: int | None = None, return_neighbourhood: bool = False,
              batch_size: int | None = None) -> LimeResult:
    """LIME for one text (Ribeiro et al. 2016), as ``lime``'s ``LimeTextExplainer`` (bag of words).

    ``f(list[str]) -> 1-D array`` (or a fitted text pipeline: its positive-class probability).
    ``feature_names`` are the distinct words in order of first appearance and ``feature_values``
    their counts in the text; a word's weight is the change in the surrogate's output when the
    word is present rather than removed. Equals ``LimeTextExplainer(random_state=seed)
    .explain_instance(text, proba, num_features=...)`` on the positive-class column.
    """
    hood = text_neighbourhood(f, text, n_samples=n_samples, random_state=random_state, batch_size=batch_size)
    return fit_surrogate(hood, kernel_width=kernel_width, n_features=n_features,
                         return_neighbourhood=return_neighbourhood)

