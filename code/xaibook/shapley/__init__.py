"""Shapley values of a model's prediction (being split into one module per algorithm)."""

from xaibook.shapley.path_dependent import *  # noqa: F403
from xaibook.shapley.path_dependent import __all__, feature_groups  # noqa: F401
