"""The house rules of CONTRIBUTING.md that a test can check: public modules declare ``__all__``,
chart builders are named ``*_chart`` and take ``title=`` and ``description=``, ``random_state``
means the same everywhere, and no name changed before the first release lives on as an alias."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import numpy as np
import pytest

import xaibook

PUBLIC_MODULES = sorted(
    info.name for info in pkgutil.walk_packages(xaibook.__path__, "xaibook.")
    if not any(part.startswith("_") for part in info.name.split("."))
)
CHART_MODULES = [name for name in PUBLIC_MODULES if name.startswith("xaibook.charts.")]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_public_module_declares_all(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ lists names it does not define: {missing}"


def _unlisted(module) -> list[str]:
    """Public functions and classes that ``module`` defines itself (not imports) but leaves out of ``__all__``."""
    return sorted(name for name, obj in vars(module).items()
                  if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
                  and obj.__module__ == module.__name__ and name not in getattr(module, "__all__", ()))


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_public_function_and_class_is_in_all(name):
    """A public name a module defines is API: ``__all__`` lists it (so the conventions above cover
    it), or it takes a leading underscore."""
    module = importlib.import_module(name)
    unlisted = _unlisted(module)
    assert not unlisted, (f"{name} defines {unlisted} but leaves them out of __all__: list them, or "
                          f"rename them with a leading underscore if they are internal helpers")


def test_unlisted_names_are_found():
    """The check above is not vacuous: it sees a defined, unlisted function and class, and ignores
    private, imported and listed names."""
    import types

    module = types.ModuleType("xaibook.fake")
    exec("import math\nfrom inspect import signature\n__all__ = ['listed']\n"
         "def listed(): pass\ndef forgotten(): pass\nclass Forgotten: pass\ndef _helper(): pass\n",
         module.__dict__)
    assert _unlisted(module) == ["Forgotten", "forgotten"]


@pytest.mark.parametrize("name", CHART_MODULES)
def test_chart_builders_are_named_chart_and_take_title_and_description(name):
    module = importlib.import_module(name)
    builders = [n for n in module.__all__ if n.endswith("_chart")]
    assert builders
    for builder in builders:
        parameters = inspect.signature(getattr(module, builder)).parameters
        for option in ("title", "description"):
            assert option in parameters, f"{name}.{builder} takes no {option}="
            assert parameters[option].kind is inspect.Parameter.KEYWORD_ONLY


def test_every_public_random_state_accepts_an_int_seed_by_default():
    """A public function with ``random_state`` defaults it to an int (never None): builds repeat."""
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        for attribute in module.__all__:
            obj = getattr(module, attribute)
            if not inspect.isfunction(obj):
                continue
            parameter = inspect.signature(obj).parameters.get("random_state")
            if parameter is not None and parameter.default is not inspect.Parameter.empty:
                assert isinstance(parameter.default, int), f"{name}.{attribute}: random_state={parameter.default!r}"


#: Names changed before the first release: none is kept as an alias (CONTRIBUTING.md).
OLD_MODULES = ["xaibook._aliases", "xaibook.charts.shap", "xaibook.exercises.why_explain", "xaibook.exercises.basics",
               "xaibook.exercises.permutation_importance", "xaibook.exercises.partial_dependence",
               "xaibook.exercises.shap"]
OLD_KEYWORDS = [
    ("xaibook.dependence", "partial_dependence", "sample"), ("xaibook.dependence", "h_statistic", "sample"),
    ("xaibook.dependence", "ale", "bins"), ("xaibook.glassbox", "shape_functions", "grid_points"),
    ("xaibook.importance", "permutation_importance", "max_rows"),
    ("xaibook.importance", "grouped_permutation_importance", "max_rows"), ("xaibook.glassbox", "refit_trees", "row"),
    ("xaibook.charts.glassbox", "coefficient_chart", "scale"), ("xaibook.charts.dependence", "ice_chart", "n_curves"),
    ("xaibook.charts.dependence", "pdp_heatmap_chart", "n_points"),
    ("xaibook.charts.importance", "shuffled_pairs_chart", "max_points"),
]


@pytest.mark.parametrize("name", OLD_MODULES)
def test_old_module_names_are_gone(name):
    """No file of that name, and no package ``__getattr__`` that maps the name to a new module."""
    parent, _, last = name.rpartition(".")
    where = Path(xaibook.__file__).parent.joinpath(*name.split(".")[1:])
    assert not where.with_suffix(".py").exists() and not where.is_dir()
    assert getattr(importlib.import_module(parent), last, None) is None


@pytest.mark.parametrize("module, function, old", OLD_KEYWORDS)
def test_old_keyword_names_are_refused(module, function, old):
    """A call with a keyword's pre-release name fails at once instead of being quietly translated."""
    obj = getattr(importlib.import_module(module), function)
    assert not hasattr(obj, "__wrapped__"), f"{module}.{function} is wrapped"
    parameters = inspect.signature(obj).parameters
    assert old not in parameters
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def test_chart_helpers_check_their_input():
    from xaibook.charts import _base
    from xaibook.shapley import ShapleyResult

    with pytest.raises(TypeError, match=r"result must be a ShapleyResult \(from xaibook.shapley.result\), got int"):
        _base.check_result(3, ShapleyResult)
    with pytest.raises(ValueError, match="top must be a positive integer"):
        _base.check_top(0, 5)
    assert _base.check_top(None, 5) == 5 and _base.check_top(9, 5) == 5
    with pytest.raises(ValueError, match="max_rows must be a positive integer"):
        _base.check_count(np.True_, "max_rows")
    spec = _base.zero_rule("y").to_dict()
    assert spec["mark"]["type"] == "rule" and spec["encoding"]["y"]["field"] == "y"
