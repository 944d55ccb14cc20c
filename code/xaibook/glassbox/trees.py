"""Decision trees read as if-then rules, the path one row takes, and how both move on refits.

:func:`tree_rules`
    a fitted classification tree as rules, one per leaf (the same text as
    :func:`sklearn.tree.export_text` for the transformed features, plus tests in raw units).
:func:`decision_path`
    the tests one row passes from the root to its leaf.
:func:`refit_trees`
    the same tree specification refitted on resamples: how much its root and rules move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from xaibook._validation import (
    RandomStateLike,
    as_legacy_random_state,
    check_name_list,
    check_one_row,
    check_positive_int,
    check_rows,
    check_target,
    derived_seed,
)
from xaibook.pipeline import class_labels, split_model, transform, transformed_features

__all__ = ["tree_rules", "TreeRules", "Rule", "Condition", "decision_path", "DecisionPath",
           "PathStep", "refit_trees", "TreeRefits"]


def _tree_estimator(model: Any, feature_names: Any = None
                    ) -> tuple[Any, DecisionTreeClassifier, pd.DataFrame]:
    preprocess, estimator = split_model(model, name="model")
    if not isinstance(estimator, DecisionTreeClassifier):
        raise TypeError(f"expected a DecisionTreeClassifier (or a pipeline ending in one), got "
                        f"{type(estimator).__name__}")
    if feature_names is not None:
        names = [str(n) for n in check_name_list(feature_names, name="feature_names")]
        if len(names) != estimator.n_features_in_:
            raise ValueError(f"feature_names has {len(names)} names but the tree uses "
                             f"{estimator.n_features_in_} features")
        features = pd.DataFrame({"feature": names, "raw_feature": names, "kind": "other",
                                 "category": None, "reference": None, "center": np.nan,
                                 "scale": np.nan})
    elif isinstance(model, Pipeline) or getattr(estimator, "feature_names_in_", None) is not None:
        features = transformed_features(model)
    else:
        names = [f"feature_{i}" for i in range(estimator.n_features_in_)]
        features = pd.DataFrame({"feature": names, "raw_feature": names, "kind": "other",
                                 "category": None, "reference": None, "center": np.nan,
                                 "scale": np.nan})
    return preprocess, estimator, features


def _fmt(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


@dataclass(frozen=True)
class Condition:
    """One test on a path: ``feature operator threshold`` on the transformed column, and its
    reading in raw units (``text``)."""

    feature: str
    operator: str  # "<=" (left child) or ">" (right child)
    threshold: float
    raw_feature: str | None
    raw_threshold: float | None
    text: str

    def holds(self, value: float) -> bool:
        return value <= self.threshold if self.operator == "<=" else value > self.threshold


def _condition(features: pd.DataFrame, j: int, threshold: float, left: bool,
               decimals: int) -> Condition:
    info = features.iloc[j]
    operator = "<=" if left else ">"
    raw_threshold = None
    if info["kind"] == "numeric":
        raw_threshold = float(threshold * info["scale"] + info["center"])
        text = f"{info['raw_feature']} {operator} {raw_threshold:.{decimals}f}"
    elif info["kind"] == "onehot" and 0 < threshold < 1:
        text = f"{info['raw_feature']} {'!=' if left else '='} {info['category']}"
    else:
        text = f"{info['feature']} {operator} {threshold:.{decimals}f}"
    return Condition(feature=str(info["feature"]), operator=operator, threshold=float(threshold),
                     raw_feature=info["raw_feature"], raw_threshold=raw_threshold, text=text)


@dataclass(frozen=True)
class Rule:
    """The conjunction of conditions that leads to one leaf, and what the leaf predicts."""

    leaf: int
    conditions: tuple[Condition, ...]
    n_samples: int
    probabilities: tuple[float, ...]
    predicted_class: Any
    probability: float  # of the target class (classes_[1] for a binary tree)

    @property
    def text(self) -> str:
        return " and ".join(c.text for c in self.conditions) or "(all rows)"


def _node_probabilities(tree: DecisionTreeClassifier, node: int) -> np.ndarray:
    value = np.asarray(tree.tree_.value[node][0], dtype=float)
    return value / value.sum()


@dataclass(frozen=True)
class TreeRules:
    """A classification tree as rules (one per leaf, left to right) plus its node table.

    ``text`` is the tree in :func:`sklearn.tree.export_text` layout with the transformed feature
    names; ``readable_text`` is the same layout with the tests in raw units.
    """

    rules: tuple[Rule, ...]
    nodes: pd.DataFrame
    classes: tuple[Any, ...]
    target_class: Any
    text: str
    readable_text: str

    def to_frame(self) -> pd.DataFrame:
        """One row per leaf: its rule, support and predicted probability of the target class."""
        return pd.DataFrame({
            "leaf": [r.leaf for r in self.rules],
            "rule": [r.text for r in self.rules],
            "n_conditions": [len(r.conditions) for r in self.rules],
            "n_samples": [r.n_samples for r in self.rules],
            "probability": [r.probability for r in self.rules],
            "predicted_class": [r.predicted_class for r in self.rules],
        })

    def __len__(self) -> int:
        return len(self.rules)


def _export_lines(tree: DecisionTreeClassifier, label, leaf_label, *, spacing: int,
                  max_depth: int) -> str:
    """export_text's recursion with pluggable labels (``label(node, left) -> str``)."""
    t = tree.tree_
    out = []

    def depth_below(node: int) -> int:
        if t.children_left[node] == -1:
            return 1
        return 1 + max(depth_below(t.children_left[node]), depth_below(t.children_right[node]))

    def walk(node: int, depth: int) -> None:
        indent = ("|" + " " * spacing) * depth
        indent = indent[:-spacing] + "-" * spacing
        is_leaf = t.children_left[node] == -1
        if depth <= max_depth + 1:
            if not is_leaf:
                out.append(f"{indent} {label(node, True)}\n")
                walk(t.children_left[node], depth + 1)
                out.append(f"{indent} {label(node, False)}\n")
                walk(t.children_right[node], depth + 1)
            else:
                out.append(f"{indent}{leaf_label(node)}\n")
        elif depth_below(node) == 1:
            out.append(f"{indent}{leaf_label(node)}\n")
        else:
            out.append(f"{indent} truncated branch of depth {depth_below(node)}\n")

    walk(0, 1)
    return "".join(out)


def _target_index(classes: list, target_class: Any) -> int:
    if target_class is None:
        return 1 if len(classes) == 2 else 0
    if target_class not in classes:
        raise ValueError(f"target_class {target_class!r} is not one of the model's classes {classes}")
    return classes.index(target_class)


def tree_rules(model: Any, feature_names: Any = None, *, target_class: Any = None,
               decimals: int = 2, spacing: int = 3, max_depth: int = 10) -> TreeRules:
    """Read a fitted classification tree as if-then rules, one per leaf.

    Each rule is the conjunction of the tests from the root to a leaf: at node ``k`` a row goes
    left if ``z[feature_k] <= threshold_k`` and right otherwise (scikit-learn's convention). For
    a pipeline the tests are also given in raw units: a standardised feature's threshold becomes
    ``threshold * scale + center``; a one-hot test ``purpose=car <= 0.5`` reads
    ``purpose != car``. ``text`` equals ``sklearn.tree.export_text(tree, feature_names=...,
    decimals=..., spacing=..., max_depth=...)`` with the transformed names.
    """
    _, tree, features = _tree_estimator(model, feature_names)
    decimals = check_positive_int(decimals, name="decimals", minimum=0)
    spacing = check_positive_int(spacing, name="spacing")
    max_depth = check_positive_int(max_depth, name="max_depth", minimum=0)
    classes = class_labels(tree)
    target = _target_index(classes, target_class)
    t = tree.tree_
    names = list(features["feature"])
    parent = np.full(t.node_count, -1)
    went_left = np.zeros(t.node_count, dtype=bool)
    for node in range(t.node_count):
        for child, left in ((t.children_left[node], True), (t.children_right[node], False)):
            if child != -1:
                parent[child], went_left[child] = node, left

    def condition(node: int, left: bool) -> Condition:
        return _condition(features, int(t.feature[node]), float(t.threshold[node]), left, decimals)

    rules, rows = [], []
    depth = np.zeros(t.node_count, dtype=int)
    for node in range(t.node_count):
        if parent[node] >= 0:
            depth[node] = depth[parent[node]] + 1
        probabilities = _node_probabilities(tree, node)
        is_leaf = t.children_left[node] == -1
        rows.append({"node": node, "parent": int(parent[node]), "depth": int(depth[node]),
                     "is_leaf": bool(is_leaf),
                     "feature": None if is_leaf else names[t.feature[node]],
                     "threshold": np.nan if is_leaf else float(t.threshold[node]),
                     "test": None if is_leaf else condition(node, True).text,
                     "edge": None if parent[node] < 0 else condition(parent[node], went_left[node]).text,
                     "n_samples": int(t.n_node_samples[node]),
                     "weight": float(t.weighted_n_node_samples[node]),
                     "probability": float(probabilities[target]),
                     "predicted_class": classes[int(np.argmax(probabilities))]})
    # rules, left to right (depth-first, left child first, as export_text prints them)
    stack = [(0, ())]
    while stack:
        node, path = stack.pop()
        if t.children_left[node] == -1:
            probabilities = _node_probabilities(tree, node)
            rules.append(Rule(leaf=node, conditions=path, n_samples=int(t.n_node_samples[node]),
                              probabilities=tuple(float(p) for p in probabilities),
                              predicted_class=classes[int(np.argmax(probabilities))],
                              probability=float(probabilities[target])))
            continue
        stack.append((t.children_right[node], path + (condition(node, False),)))
        stack.append((t.children_left[node], path + (condition(node, True),)))
    nodes = pd.DataFrame(rows)

    def leaf_label(node: int) -> str:
        return f" class: {classes[int(np.argmax(_node_probabilities(tree, node)))]}"

    def label(node: int, left: bool) -> str:
        op = "<=" if left else "> "
        return f"{names[t.feature[node]]} {op} {_fmt(t.threshold[node], decimals)}"

    def readable(node: int, left: bool) -> str:
        return condition(node, left).text

    kwargs = {"spacing": spacing, "max_depth": max_depth}
    return TreeRules(rules=tuple(rules), nodes=nodes, classes=tuple(classes),
                     target_class=classes[target],
                     text=_export_lines(tree, label, leaf_label, **kwargs),
                     readable_text=_export_lines(tree, readable, leaf_label, **kwargs))


@dataclass(frozen=True)
class PathStep:
    """One internal node a row passes: the test, the row's value and the branch taken."""

    node: int
    depth: int
    feature: str
    threshold: float
    value: float          # the row's transformed value
    raw_feature: str | None
    raw_value: Any        # the row's value in raw units
    condition: Condition  # the test that held (the branch the row took)
    n_samples: int
    probability: float    # share of the target class among training rows at this node


@dataclass(frozen=True)
class DecisionPath:
    """The root-to-leaf path of one row, with the leaf's class probabilities."""

    steps: tuple[PathStep, ...]
    leaf: int
    leaf_n_samples: int
    probabilities: tuple[float, ...]
    classes: tuple[Any, ...]
    target_class: Any
    probability: float
    root_probability: float

    def to_frame(self) -> pd.DataFrame:
        """One row per node on the path (the leaf last, with no test)."""
        rows = [{"step": i, "node": s.node, "depth": s.depth, "feature": s.feature,
                 "raw_feature": s.raw_feature, "raw_value": s.raw_value, "value": s.value,
                 "threshold": s.threshold, "direction": s.condition.operator,
                 "test": s.condition.text, "n_samples": s.n_samples, "probability": s.probability}
                for i, s in enumerate(self.steps)]
        rows.append({"step": len(self.steps), "node": self.leaf, "depth": len(self.steps),
                     "feature": None, "raw_feature": None, "raw_value": None, "value": np.nan,
                     "threshold": np.nan, "direction": None, "test": "leaf",
                     "n_samples": self.leaf_n_samples, "probability": self.probability})
        return pd.DataFrame(rows)

    @property
    def text(self) -> str:
        tests = " and ".join(s.condition.text for s in self.steps) or "(root is a leaf)"
        return f"{tests} -> P({self.target_class}) = {self.probability:.3f}"


def decision_path(model: Any, x: pd.DataFrame, *, target_class: Any = None,
                  decimals: int = 2) -> DecisionPath:
    """The tests one row passes from the root of a fitted tree (or tree pipeline) to its leaf.

    Uses ``tree.decision_path``; at each internal node the row goes left iff its transformed
    value is ``<= threshold``. The leaf's class shares are the tree's ``predict_proba`` for the
    row; ``raw_value`` is the row's value of the raw feature behind the tested column.
    """
    preprocess, tree, features = _tree_estimator(model)
    x = check_one_row(x, model)
    decimals = check_positive_int(decimals, name="decimals", minimum=0)
    classes = class_labels(tree)
    target = _target_index(classes, target_class)
    Z = transform(preprocess, x)
    nodes = tree.decision_path(Z).indices  # node ids increase along a path
    t = tree.tree_
    steps = []
    for depth, node in enumerate(nodes[:-1]):
        j = int(t.feature[node])
        value = float(Z[0, j])
        left = value <= t.threshold[node]
        raw = features.iloc[j]["raw_feature"]
        raw_value = x.iloc[0][raw] if raw in x.columns else value
        if isinstance(raw_value, np.generic):
            raw_value = raw_value.item()
        steps.append(PathStep(node=int(node), depth=depth, feature=str(features.iloc[j]["feature"]),
                              threshold=float(t.threshold[node]), value=value, raw_feature=raw,
                              raw_value=raw_value,
                              condition=_condition(features, j, float(t.threshold[node]), left, decimals),
                              n_samples=int(t.n_node_samples[node]),
                              probability=float(_node_probabilities(tree, node)[target])))
    leaf = int(nodes[-1])
    probabilities = _node_probabilities(tree, leaf)
    return DecisionPath(steps=tuple(steps), leaf=leaf, leaf_n_samples=int(t.n_node_samples[leaf]),
                        probabilities=tuple(float(p) for p in probabilities),
                        classes=tuple(classes), target_class=classes[target],
                        probability=float(probabilities[target]),
                        root_probability=float(_node_probabilities(tree, 0)[target]))


@dataclass(frozen=True)
class TreeRefits:
    """The same tree specification refitted on bootstrap resamples: how much its rules move."""

    frame: pd.DataFrame = field(repr=False)
    random_state: int | None  # the int seed, None when a generator was passed

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()


def refit_trees(model: Any, X: pd.DataFrame, y: Any, *, n_refits: int = 8, random_state: RandomStateLike = 0,
                x: pd.DataFrame | None = None, resample: bool = True) -> TreeRefits:
    """Refit a tree pipeline ``n_refits`` times and record its root test, its second-level tests,
    its size and (if the row ``x`` is given) its predicted probability.

    With ``resample=True`` refit ``k`` trains on a bootstrap resample of ``(X, y)`` drawn from
    ``random_state`` (an int seeds a ``RandomState``); the trees then differ the way they would
    with another sample of applicants. With ``resample=False`` every refit uses all of ``(X, y)``
    and only the tree's own ``random_state`` changes (``random_state + k`` modulo 2**32 for an int seed), which
    only breaks ties.
    """
    _tree_estimator(model)
    X = check_rows(X, model)
    y = check_target(y, X)
    if pd.unique(y).size < 2:
        raise ValueError(f"y has only the class {pd.unique(y).tolist()}; a tree needs both classes to split")
    n_refits = check_positive_int(n_refits, name="n_refits")
    if x is not None:
        x = check_one_row(x, model)
    rng = as_legacy_random_state(random_state)
    seed = int(random_state) if isinstance(random_state, (int, np.integer)) else None
    # without resampling the stream only seeds the trees (a generator gives the first seed)
    first_state = seed if seed is not None or resample else int(rng.randint(0, 2**31 - 1))
    step = model.steps[-1][0] if isinstance(model, Pipeline) else None
    rows = []
    for k in range(n_refits):
        refit = clone(model)
        if resample:
            idx = rng.randint(0, len(X), len(X))
            Xk, yk = X.iloc[idx], y[idx]
        else:
            Xk, yk = X, y
            key = f"{step}__random_state" if step else "random_state"
            refit.set_params(**{key: derived_seed(first_state, k)})
        refit.fit(Xk, yk)
        rules = tree_rules(refit)
        nodes = rules.nodes
        second = nodes.loc[(nodes["depth"] == 1) & ~nodes["is_leaf"], "test"].tolist()
        record = {"refit": k, "root_test": nodes.loc[0, "test"] or "(a single leaf)",
                  "second_tests": " | ".join(second), "n_leaves": len(rules),
                  "features_used": ", ".join(sorted({c.raw_feature or c.feature for r in rules.rules
                                                     for c in r.conditions}))}
        if x is not None:
            record["row_probability"] = float(refit.predict_proba(x)[0, 1])
        rows.append(record)
    return TreeRefits(frame=pd.DataFrame(rows), random_state=seed)
