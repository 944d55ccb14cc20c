"""LIME for images (Ribeiro et al. 2016), as ``lime``'s ``LimeImageExplainer``: superpixels (lime's
quickshift, or a grid) are the interpretable features, and a perturbed sample hides a random set
of them."""

from __future__ import annotations

from typing import Any

import numpy as np

from xaibook._validation import as_legacy_random_state, check_model_output, check_positive_int, output_scale
from xaibook.predict import as_prediction_function
from xaibook.surrogate._sampling import check_neighbourhood_memory, check_samples
from xaibook.surrogate.fit import fit_surrogate
from xaibook.surrogate.result import LimeResult, Neighbourhood

__all__ = ["grid_segments", "image_neighbourhood", "lime_image", "quickshift_segments"]

#: lime's default kernel width for images (cosine distance).
IMAGE_KERNEL_WIDTH = 0.25
#: lime's quickshift settings for superpixels.
QUICKSHIFT = {"kernel_size": 4, "max_dist": 200, "ratio": 0.2}


def _as_rgb(image: np.ndarray) -> np.ndarray:
    """An image as RGB for quickshift: greyscale (2-D or one channel) repeated in three channels."""
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 3 and image.shape[2] != 3:
        raise ValueError(f"quickshift superpixels need a greyscale or RGB image, got {image.shape[2]} channels; "
                         "drop the alpha channel (image[..., :3]) or pass segments= (e.g. grid_segments)")
    return np.repeat(image[..., None], 3, axis=-1) if image.ndim == 2 else image


def quickshift_segments(image: np.ndarray) -> np.ndarray:
    """Superpixels as lime makes them: scikit-image ``quickshift`` with kernel_size=4, max_dist=200,
    ratio=0.2 on the RGB image (a greyscale image repeated in three channels)."""
    from skimage.segmentation import quickshift

    return quickshift(_as_rgb(np.asarray(image, dtype=float)), **QUICKSHIFT)


def grid_segments(shape: tuple[int, int], n_rows: int, n_cols: int | None = None) -> np.ndarray:
    """Rectangular superpixels: an ``n_rows x n_cols`` grid of near-equal blocks, labelled row by row."""
    n_rows = check_positive_int(n_rows, name="n_rows")
    n_cols = n_rows if n_cols is None else check_positive_int(n_cols, name="n_cols")
    height, width = int(shape[0]), int(shape[1])
    if n_rows > height or n_cols > width:
        raise ValueError(f"a {n_rows} x {n_cols} grid does not fit an image of {height} x {width} pixels")
    r = (np.arange(height) * n_rows) // height
    c = (np.arange(width) * n_cols) // width
    return r[:, None] * n_cols + c[None, :]


def _check_image(image: Any) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
        raise ValueError(f"image must be height x width (greyscale) or height x width x channels, "
                         f"got shape {image.shape}")
    if not np.issubdtype(image.dtype, np.number):
        raise TypeError(f"image must be numeric, got dtype {image.dtype}")
    image = image.astype(float)
    if not np.all(np.isfinite(image)):
        raise ValueError("image contains NaN or infinite pixels")
    return image


def _check_segments(segments: Any, image: np.ndarray) -> np.ndarray:
    segments = np.asarray(segments)
    if segments.shape != image.shape[:2]:
        raise ValueError(f"segments must have the image's height x width {image.shape[:2]}, got {segments.shape}")
    if not np.issubdtype(segments.dtype, np.integer):
        raise TypeError(f"segments must be an integer label array, got dtype {segments.dtype}")
    return segments


def _hidden_image(image: np.ndarray, pixel_feature: np.ndarray, d: int, hide_color: Any) -> np.ndarray:
    """The image with every superpixel hidden: ``hide_color`` (a number, or one per channel), or with
    ``None`` each superpixel's own mean colour."""
    if hide_color is None:
        counts = np.bincount(pixel_feature.ravel(), minlength=d)
        flat = image.reshape(pixel_feature.size, -1)
        means = np.stack([np.bincount(pixel_feature.ravel(), weights=flat[:, c], minlength=d) / counts
                          for c in range(flat.shape[1])], axis=1)
        return means[pixel_feature].reshape(image.shape)
    hidden = np.empty_like(image)
    try:
        hidden[:] = hide_color
    except (ValueError, TypeError) as err:
        raise ValueError("hide_color must be None, a number or one number per channel, "
                         f"got {hide_color!r}") from err
    if not np.all(np.isfinite(hidden)):
        raise ValueError(f"hide_color must be finite (a colour), got {hide_color!r}")
    return hidden


def image_neighbourhood(f: Any, image: np.ndarray, *, segments: np.ndarray | None = None,
                        hide_color: Any = None, n_samples: int = 1000, random_state: Any = 0,
                        batch_size: int | None = 100) -> Neighbourhood:
    """Step 1 of LIME for an image: hide random sets of superpixels, as ``LimeImageExplainer``.

    Like lime, one integer in [0, 1000) is drawn first (lime's segmentation seed), then the
    ``n_samples x superpixels`` block of fair coin flips; row 0 keeps everything. A hidden
    superpixel takes ``hide_color`` (a number, or one per channel), or with ``None`` its own mean
    colour. ``f`` receives batches of images shaped like ``image`` (``batch, height, width[, c]``).
    The distance is the cosine distance of the ``Z`` row to the all-ones row.
    """
    f = as_prediction_function(f, name="f")
    image = _check_image(image)
    n = check_samples(n_samples)
    rs = as_legacy_random_state(random_state)
    rs.randint(0, high=1000)  # lime's segmentation seed; drawn (and unused by quickshift) to keep the stream
    segments = _check_segments(quickshift_segments(image) if segments is None else segments, image)
    labels, pixel_feature = np.unique(segments, return_inverse=True)
    pixel_feature = pixel_feature.reshape(segments.shape)
    d = len(labels)
    step = n if batch_size is None else check_positive_int(batch_size, name="batch_size")
    check_neighbourhood_memory(n, d, 8.0 * 3 * min(step, n) * image.size,
                               what=f"a LIME neighbourhood of {n:,} images of {d:,} superpixels",
                               knob="n_samples or batch_size")
    hidden = _hidden_image(image, pixel_feature, d, hide_color)

    Z = rs.randint(0, 2, n * d).reshape(n, d).astype(float)
    Z[0] = 1.0

    def perturbed(start: int, stop: int) -> np.ndarray:
        keep = Z[start:stop][:, pixel_feature] > 0
        if image.ndim == 3:
            keep = keep[..., None]
        return np.where(keep, image, hidden)

    predictions = np.concatenate([check_model_output(f(perturbed(a, min(a + step, n))), min(step, n - a))
                                  for a in range(0, n, step)])
    distances = 1.0 - np.sqrt(Z.sum(axis=1) / d)
    return Neighbourhood(kind="image", data=Z, predictions=predictions, distances=np.maximum(distances, 0.0),
                         feature_names=tuple(str(int(v)) for v in labels),
                         feature_labels=tuple(f"segment {int(v)}" for v in labels),
                         feature_values=tuple(int((pixel_feature == k).sum()) for k in range(d)),
                         default_kernel_width=IMAGE_KERNEL_WIDTH, segments=segments, scale=output_scale(f))


def lime_image(f: Any, image: np.ndarray, *, segments: np.ndarray | None = None, hide_color: Any = None,
               n_samples: int = 1000, random_state: Any = 0, kernel_width: float = IMAGE_KERNEL_WIDTH,
               n_features: int | None = None, return_neighbourhood: bool = False,
               batch_size: int | None = 100) -> LimeResult:
    """LIME for one image (Ribeiro et al. 2016), as ``lime``'s ``LimeImageExplainer``.

    ``f(batch of images) -> 1-D array``. ``segments`` is an integer label array of the image's
    height x width, or None for lime's quickshift superpixels; ``feature_names`` are the segment
    labels in increasing order (as strings) and ``feature_values`` their sizes in pixels. A weight
    is the change in the surrogate's output when the superpixel is shown rather than hidden.
    Equals ``LimeImageExplainer(random_state=seed).explain_instance(image, proba, labels=(1,),
    top_labels=None, hide_color=..., segmentation_fn=..., num_samples=...)`` when the segment
    labels are 0, 1, ..., k-1 (lime assumes so).
    """
    hood = image_neighbourhood(f, image, segments=segments, hide_color=hide_color, n_samples=n_samples,
                               random_state=random_state, batch_size=batch_size)
    return fit_surrogate(hood, kernel_width=kernel_width, n_features=n_features,
                         return_neighbourhood=return_neighbourhood)

