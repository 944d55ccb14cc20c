"""LIME: local surrogate explanations for tabular, text and image data (Ribeiro, Singh & Guestrin 2016).

LIME explains one prediction ``f(x)`` in three steps:

1. **Sample a neighbourhood.** Draw ``n_samples`` perturbed inputs ``z`` near ``x`` and record, for
   each, its *interpretable representation* (a row of ``Z``) and the model's output ``f(z)``.
   Tabular data: each feature is redrawn from the training data (a numeric feature from a normal
   with the training mean and SD, or - discretized - from a quartile bin, then a value inside it;
   a category from its training frequencies); ``Z`` holds "is it the same bin/category as ``x``?"
   (0/1) or the standardized value. Text: random sets of distinct words are removed; ``Z`` says
   which words stay. Images: random sets of superpixels are hidden; ``Z`` says which stay.
2. **Weight it.** A sample at distance ``d`` from ``x`` (Euclidean on ``Z`` for tables, cosine for
   text and images) gets the exponential-kernel weight ``pi(d) = sqrt(exp(-d**2 / width**2))``.
3. **Fit a sparse linear surrogate.** A ridge regression (``alpha = 1``) of ``f(z)`` on ``Z``,
   weighted by ``pi``, optionally on a few selected features; its coefficients are the explanation,
   its weighted R^2 on the neighbourhood is ``score`` (the fidelity).

Kernel, width, penalty and feature selection are the ``lime`` package's choices, not the paper's:
the paper weights with ``exp(-d**2 / sigma**2)`` (no square root; lime's kernel is the paper's with
``sigma = sqrt(2) * width``), gives no default width (lime: ``0.75 sqrt(d)``) and fits sparse
explanations by K-Lasso (features chosen along the Lasso path, then least squares); lime fits a
ridge regression with ``alpha = 1`` after its ``"auto"`` selection. lime's ``explain_instance``
keeps ``num_features=10`` features by default; here ``n_features=None`` keeps them all.

Every choice follows the ``lime`` package 0.2.0.1 (Ribeiro's reference implementation) so that, for
the same ``random_state``, the functions here draw the same random numbers in the same order and
return the same explanation (the tests prove it to floating-point tolerance), with one deliberate
difference, for a quartile bin whose training values are all equal (described in
:mod:`xaibook.surrogate.tabular`).

One module per step or kind of data, as ``lime`` has a file per data type:

``kernel``      the kernel, the weighted ridge surrogate and lime's feature selection
``result``      :class:`Neighbourhood` (the perturbed samples) and :class:`LimeResult`
``fit``         steps 2 and 3 for any kind: :func:`fit_surrogate`, :func:`kernel_width_path`,
              :func:`kernel_width_summary`
``tabular``     :func:`lime_tabular`, :func:`tabular_neighbourhood`, :func:`lime_tabular_reference`
``text``        :func:`lime_text`, :func:`text_neighbourhood`, :func:`text_tokens`
``image``       :func:`lime_image`, :func:`image_neighbourhood`, quickshift and grid superpixels
``submodular``  :func:`submodular_pick`, SP-LIME: the paper's global summary by a few representative
                explanations
``_sampling``   what every neighbourhood sampler shares: the sample count, memory and batched model calls

:func:`weighted_ridge_reference` is the surrogate fit written as the textbook formula, and
:func:`lime_tabular_reference` the whole tabular method in a few readable lines. Every name is
importable from ``xaibook.surrogate`` itself.

The key is ``surrogate`` (never ``lime``), so the package cannot shadow the ``lime`` package.
"""

from xaibook.surrogate.fit import fit_surrogate, kernel_width_path, kernel_width_summary
from xaibook.surrogate.image import (
    IMAGE_KERNEL_WIDTH,
    QUICKSHIFT,
    grid_segments,
    image_neighbourhood,
    lime_image,
    quickshift_segments,
)
from xaibook.surrogate.kernel import (
    FORWARD_SELECTION_MAX,
    SELECTION_ALPHA,
    SURROGATE_ALPHA,
    default_kernel_width,
    kernel,
    select_features,
    weighted_ridge,
    weighted_ridge_reference,
)
from xaibook.surrogate.result import LimeResult, Neighbourhood, results_frame
from xaibook.surrogate.submodular import SubmodularPick, submodular_pick
from xaibook.surrogate.tabular import lime_tabular, lime_tabular_reference, tabular_neighbourhood
from xaibook.surrogate.text import TEXT_KERNEL_WIDTH, lime_text, text_neighbourhood, text_tokens

__all__ = [
    "FORWARD_SELECTION_MAX",
    "IMAGE_KERNEL_WIDTH",
    "QUICKSHIFT",
    "SELECTION_ALPHA",
    "SURROGATE_ALPHA",
    "TEXT_KERNEL_WIDTH",
    "LimeResult",
    "Neighbourhood",
    "SubmodularPick",
    "default_kernel_width",
    "fit_surrogate",
    "grid_segments",
    "image_neighbourhood",
    "kernel",
    "kernel_width_path",
    "kernel_width_summary",
    "lime_image",
    "lime_tabular",
    "lime_tabular_reference",
    "lime_text",
    "quickshift_segments",
    "results_frame",
    "select_features",
    "submodular_pick",
    "tabular_neighbourhood",
    "text_neighbourhood",
    "text_tokens",
    "weighted_ridge",
    "weighted_ridge_reference",
]
