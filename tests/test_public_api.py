"""The curated top-level API (``xaibook.__all__``): every name resolves to the object of its home
module, is public there, and ``import xaibook`` stays light (the names are imported on first use)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import xaibook

EXPORTED = [name for name in xaibook.__all__ if name != "__version__"]


@pytest.mark.parametrize("name", EXPORTED)
def test_every_exported_name_is_its_home_modules_object(name):
    home = importlib.import_module(f"xaibook.{xaibook._HOME[name]}")
    assert name in home.__all__, f"{name} is not public in {home.__name__}"
    assert getattr(xaibook, name) is getattr(home, name)
    assert name in dir(xaibook)


def test_the_api_has_no_duplicates_and_reaches_the_book_s_methods():
    assert len(xaibook.__all__) == len(set(xaibook.__all__))
    assert sum(len(names) for names in xaibook._EXPORTS.values()) == len(EXPORTED)
    homes = set(xaibook._EXPORTS)
    for key in ("overview", "glassbox", "importance", "dependence", "shapley", "surrogate", "counterfactual",
                "agreement", "adversarial", "reasons", "scale"):
        assert key in homes, f"no top-level export from xaibook.{key}"


def test_star_import_gives_the_exported_names():
    namespace: dict = {}
    exec("from xaibook import *", namespace)
    assert namespace["kernel_shap"] is xaibook.shapley.kernel_shap
    assert namespace["reason_codes"] is importlib.import_module("xaibook.reasons").reason_codes


def test_unknown_names_and_submodules_behave_as_before():
    with pytest.raises(AttributeError, match="module 'xaibook' has no attribute 'nothing'"):
        xaibook.nothing  # noqa: B018
    from xaibook import shapley
    assert shapley.__name__ == "xaibook.shapley"


def test_import_xaibook_imports_no_method_module():
    """Eager imports would load scikit-learn and every method (seconds); the exports are lazy."""
    code = ("import sys, xaibook; heavy = [m for m in ('numpy', 'pandas', 'sklearn', 'xaibook.shapley') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
