"""Reason codes for adverse-action notices: the principal reasons a model rated someone a bad risk.

A lender that takes adverse action on a credit application must give the applicant "a statement of
specific reasons" (US: Equal Credit Opportunity Act, Regulation B, 12 CFR 1002.9(a)(2) and (b)(2);
its official interpretation lets the creditor pick the principal reasons by a method it can
justify, and shows two: the characteristics on which the applicant's score fell furthest below the
average score of all applicants, or of the applicants at or just above the passing score). The
reasons are *characteristics the applicant recognises* ("no checking account at this bank", "loan
duration of 48 months"), not model columns, and in practice no more than four.

This module turns the book's explanation methods into such reasons:

``method="scorecard"``
    "points below the maximum" for an additive (logistic) scorecard: a characteristic's points
    are its share of the favourable log-odds, ``-s * sum_c beta_c z_c(x)`` over the model columns
    ``c`` it makes (``s = +1`` when the model's positive class is the adverse one); the reason's
    strength is the best points any reference applicant gets on that characteristic minus the
    applicant's. The industry rule for scorecards.
``method="shap"``
    interventional Shapley values (Lundberg & Lee 2017) of the log-odds (or probability) of the
    adverse class, measured from ``X_reference`` as background, summed per characteristic. For an
    additive model on the log-odds scale they are exact: ``phi_j = s * sum_c beta_c (z_c(x) -
    mean z_c)``. Tree models use interventional TreeSHAP, other models KernelSHAP.
``method="lime"``
    LIME's weights (Ribeiro et al. 2016) for the adverse class's probability, summed per
    characteristic.
``method="counterfactual"``
    the share of the applicant's counterfactuals (Wachter et al. 2017; the search of
    :mod:`xaibook.counterfactual`) that change the characteristic: what would have had to differ.

Theory ties the first two together (tested in ``tests/test_reasons.py``). For a model additive on
the log-odds scale, the Shapley value of characteristic ``j`` against a single background row
``b`` is ``points_j(b) - points_j(x)`` (with ``s`` folded in). So:

* with the *best-scoring synthetic applicant* ``b*`` (each characteristic at its maximum points)
  as the background, SHAP reasons **equal** the points below the maximum, value for value;
* with any background ``B``, ``phi_j = PBM_j - c_j`` where ``c_j = max points_j - mean_B
  points_j`` is a per-characteristic constant: the two reason lists coincide exactly when the
  ``c_j`` are equal across characteristics (the best attainable score sits the same distance
  above the average on every characteristic), and in general they can differ. Regulation B's two
  example methods are exactly the SHAP rule with the background "all applicants" or "applicants
  at the passing score".

A reason is *adverse* when its contribution is positive (it pushes towards the adverse class);
only adverse characteristics are reasons, strongest first, at most ``n_reasons`` of them.
Characteristics named in ``exclude`` (protected characteristics a lender may not give or use as
reasons) are skipped and the next reason moves up: suppressing a reason hides it from the letter,
it does not remove it from the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from xaibook._validation import (
    check_fitted_model,
    check_frame,
    check_int_seed,
    check_model_input,
    check_name_list,
    check_positive_int,
    check_random_state,
)
from xaibook.pipeline import feature_groups, split_model, transform

__all__ = [
    "METHODS", "CREDIT_PHRASES", "Reason", "ReasonCodes", "characteristic_groups", "reason_codes", "letters",
    "reason_codes_table", "letters_frame", "reason_sentence", "reason_overlap", "reasons_agreement",
    "best_applicant", "scorecard_points", "is_additive", "near_cutoff", "share_naming", "reason_counts",
    "changed_letters", "shares_by_group", "refit_letters", "change_sentences", "refit_without",
]

#: The rules :func:`reason_codes` knows.
METHODS = ("shap", "lime", "counterfactual", "scorecard")

#: How a reason reads in a letter to a credit applicant, per characteristic of the credit case
#: study (``{value}`` is the applicant's value). Characteristics missing here read
#: "<characteristic>: <value>".
CREDIT_PHRASES: dict[str, str] = {
    "checking_account": "Checking account at this bank: {value}",
    "duration_months": "Loan duration of {value} months",
    "credit_history": "Credit history: {value}",
    "purpose": "Purpose of the loan: {value}",
    "credit_amount": "Loan amount of {value} DM",
    "savings_account": "Savings or bonds: {value}",
    "employment_since": "Time in present employment: {value}",
    "installment_rate": "Instalment burden score {value} (1 = 35% or more of disposable income, 4 = under 20%)",
    "personal_status_sex": "Sex and marital status: {value}",
    "other_debtors": "Co-applicant or guarantor: {value}",
    "residence_since": "Time at present residence, score {value} (1 = under 1 year, 4 = 7 years or more)",
    "property": "Most valuable property: {value}",
    "age": "Age: {value} years",
    "other_installment_plans": "Other instalment plans: {value}",
    "housing": "Housing: {value}",
    "existing_credits": "Number of credits at this bank: {value}",
    "job": "Type of job: {value}",
    "people_liable": "Number of people dependent on the applicant: {value}",
    "telephone": "Telephone in own name: {value}",
    "foreign_worker": "Foreign worker: {value}",
}

_UNITS = {
    "scorecard": "points below the maximum (log-odds)",
    "shap": "Shapley value ({scale} of the adverse class)",
    "lime": "LIME weight (probability of the adverse class)",
    "counterfactual": "share of counterfactuals that change it",
}


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reason:
    """One principal reason: the raw ``feature`` (characteristic), the applicant's ``value``, its
    ``contribution`` towards the adverse outcome (positive; units in :attr:`ReasonCodes.units`) and
    the ``sentence`` a letter would print."""

    feature: str
    value: str
    contribution: float
    sentence: str


@dataclass(frozen=True, eq=False)
class ReasonCodes:
    """The principal reasons for one applicant's adverse rating, strongest first.

    ``reasons`` lists at most ``n_reasons`` adverse characteristics (positive contribution), after
    removing ``excluded`` ones. ``contributions`` holds every characteristic's signed contribution
    (positive: towards the adverse class), excluded ones included, strongest adverse first.
    ``prediction`` is the model's probability of ``adverse_class`` for the applicant and
    ``adverse`` whether the model's own decision (``predict``) is the adverse class.
    """

    reasons: tuple[Reason, ...]
    method: str
    contributions: pd.Series
    prediction: float
    adverse: bool
    adverse_class: Any
    excluded: tuple[str, ...]
    units: str
    applicant: Any = None
    message: str = ""
    feature_names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "reasons", tuple(self.reasons))
        object.__setattr__(self, "excluded", tuple(self.excluded))
        object.__setattr__(self, "contributions", self.contributions.copy())
        object.__setattr__(self, "feature_names", tuple(str(f) for f in self.contributions.index))
        object.__setattr__(self, "prediction", float(self.prediction))

    def __len__(self) -> int:
        return len(self.reasons)

    def __repr__(self) -> str:
        names = ", ".join(r.feature for r in self.reasons) or "none"
        return (f"ReasonCodes(method={self.method!r}, applicant={self.applicant!r}, "
                f"P(adverse)={self.prediction:.3f}, reasons=[{names}])")

    @property
    def features(self) -> list[str]:
        """The reasons' characteristics, strongest first."""
        return [r.feature for r in self.reasons]

    def to_frame(self) -> pd.DataFrame:
        """One row per reason: ``rank`` (1 = strongest), ``feature``, ``value``, ``contribution``, ``sentence``."""
        return pd.DataFrame({
            "rank": np.arange(1, len(self.reasons) + 1),
            "feature": [r.feature for r in self.reasons],
            "value": [r.value for r in self.reasons],
            "contribution": [r.contribution for r in self.reasons],
            "sentence": [r.sentence for r in self.reasons],
        })

    def ranking(self) -> list[str]:
        """Every characteristic, most adverse first (excluded ones included)."""
        return self.contributions.index.tolist()


# --------------------------------------------------------------------------------------------
# Characteristics: model-input columns grouped under what the applicant recognises
# --------------------------------------------------------------------------------------------
def characteristic_groups(columns: Sequence[str], groups: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """For each model-input column, the characteristic (raw field) it stands for.

    ``groups`` maps a characteristic to the columns it stands for; columns it does not name stand
    for themselves, except one-hot columns named ``"<field>=<category>"`` (the book's convention),
    which default to ``<field>``. A column may belong to one characteristic only.
    """
    columns = [str(c) for c in check_name_list(columns, name="columns")]
    owner = {c: (c.split("=", 1)[0] if "=" in c and c.split("=", 1)[0] else c) for c in columns}
    if groups is None:
        return owner
    if not isinstance(groups, Mapping):
        raise TypeError("groups must map a characteristic's name to the list of model-input columns it "
                        f"stands for, e.g. {{'loan terms': ['duration_months', 'credit_amount']}}; got "
                        f"{type(groups).__name__}")
    seen: dict[str, str] = {}
    for name, members in groups.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"group names must be non-empty strings, got {name!r}")
        if isinstance(members, str) or not isinstance(members, Sequence) or not len(members):
            raise TypeError(f"groups[{name!r}] must be a non-empty list of column names, got {members!r}")
        for column in members:
            if column not in owner:
                raise ValueError(f"groups[{name!r}] names {column!r}, which is not a column of X_reference "
                                 f"(columns: {columns})")
            if column in seen:
                raise ValueError(f"column {column!r} is in two groups, {seen[column]!r} and {name!r}: a column "
                                 "may stand for one characteristic only")
            seen[column] = name
    return {c: seen.get(c, owner[c]) for c in columns}


def _group(values: pd.Series, owner: Mapping[str, str]) -> pd.Series:
    """Sum per characteristic (in order of first appearance)."""
    order = list(dict.fromkeys(owner[c] for c in values.index))
    return values.groupby(values.index.map(owner), sort=False).sum().reindex(order)


def _value_text(x: pd.DataFrame, members: list[str]) -> str:
    """The applicant's value of a characteristic, as text (the hot level for one-hot columns)."""
    row = x.iloc[0]
    if all("=" in m for m in members):
        hot = [m.split("=", 1)[1] for m in members if row[m] == 1]
        return ", ".join(hot) if hot else "none of " + ", ".join(m.split("=", 1)[1] for m in members)
    parts = []
    for m in members:
        v = row[m]
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            v = int(v)
        parts.append(str(v) if len(members) == 1 else f"{m} {v}")
    return ", ".join(parts)


def reason_sentence(feature: str, value: str, phrases: Mapping[str, str] | None = None) -> str:
    """The sentence a letter prints for ``feature`` at ``value`` (``phrases`` default: :data:`CREDIT_PHRASES`)."""
    template = (CREDIT_PHRASES if phrases is None else phrases).get(feature, "{feature}: {value}")
    return template.format(feature=feature.replace("_", " "), value=value)


# --------------------------------------------------------------------------------------------
# Scorecard: points per characteristic
# --------------------------------------------------------------------------------------------
def is_additive(model: Any) -> bool:
    """Is ``model``'s log-odds a sum of one term per input column?

    True for a linear classifier (``coef_`` of one row, ``decision_function``) alone or after a
    :class:`~sklearn.compose.ColumnTransformer` (or a pipeline of per-column steps) whose every
    output column can be traced back to one input column (scalers, one-hot encoders, passthrough).
    """
    try:
        preprocess, estimator = split_model(model)
    except (TypeError, ValueError):
        return False
    coef = getattr(estimator, "coef_", None)
    if coef is None or np.ndim(coef) != 2 or np.shape(coef)[0] != 1 or not hasattr(estimator, "decision_function"):
        return False
    if preprocess is None:
        return True
    if not isinstance(preprocess, (ColumnTransformer, Pipeline)):
        return False
    try:
        feature_groups(preprocess, list(getattr(preprocess, "feature_names_in_", [])))
    except (TypeError, ValueError, AttributeError, KeyError):
        return False
    return True


def _adverse_sign(model: Any, adverse_class: Any) -> tuple[Any, float]:
    classes = [c.item() if isinstance(c, np.generic) else c for c in getattr(model, "classes_", [])]
    if len(classes) != 2:
        raise ValueError(f"reason codes need a binary classifier; the model has classes {classes}")
    if adverse_class is None:
        adverse_class = classes[1]
    if adverse_class not in classes:
        raise ValueError(f"adverse_class {adverse_class!r} is not one of the model's classes {classes}")
    return adverse_class, (1.0 if adverse_class == classes[1] else -1.0)


def _column_points(model: Any, X: pd.DataFrame, sign: float) -> pd.DataFrame:
    """Points per model-input column: ``-s * sum_c beta_c z_c`` over the columns ``c`` it makes."""
    preprocess, estimator = split_model(model)
    Z = transform(preprocess, X)
    raw = list(X.columns) if preprocess is None else feature_groups(preprocess, list(X.columns))
    terms = pd.DataFrame(-sign * Z * np.asarray(estimator.coef_, dtype=float)[0], index=X.index)
    return terms.T.groupby([raw[c] for c in range(Z.shape[1])], sort=False).sum().T.reindex(
        columns=list(X.columns), fill_value=0.0)


def scorecard_points(model: Any, X: pd.DataFrame, *, groups: Mapping[str, Sequence[str]] | None = None,
                     adverse_class: Any = None) -> pd.DataFrame:
    """Each row's points per characteristic: its share of the log-odds of the *favourable* class.

    For an additive model (:func:`is_additive`) the log-odds of the model's positive class is
    ``b0 + sum_c beta_c z_c(x)``; characteristic ``j`` scores ``points_j(x) = -s * sum_{c in j}
    beta_c z_c(x)`` (``s = +1`` when the adverse class is the positive class, ``-1`` otherwise),
    so higher points are better and the points add up to the favourable log-odds less its
    intercept. Returns one row per row of ``X`` and one column per characteristic.
    """
    if not is_additive(model):
        raise ValueError(f"method='scorecard' needs a model whose log-odds is additive over its input "
                         f"columns (a logistic regression, possibly after scaling and one-hot encoding); "
                         f"{type(split_model(model)[1]).__name__} is not. Use method='shap' for other models")
    X = check_frame(X, name="X")
    _, sign = _adverse_sign(model, adverse_class)
    owner = characteristic_groups(list(X.columns), groups)
    by_column = _column_points(model, X, sign)
    order = list(dict.fromkeys(owner[c] for c in X.columns))
    return by_column.T.groupby(by_column.columns.map(owner), sort=False).sum().T.reindex(columns=order)


def best_applicant(model: Any, X_reference: pd.DataFrame, *, groups: Mapping[str, Sequence[str]] | None = None,
                   adverse_class: Any = None) -> pd.DataFrame:
    """The synthetic best-scoring applicant: each characteristic at the values of the reference
    applicant who scores most points on it (one row, the columns of ``X_reference``).

    With this row as SHAP's only background, an additive model's Shapley values equal the points
    below the maximum exactly (see the module docstring).
    """
    X_reference = check_frame(X_reference, name="X_reference")
    points = scorecard_points(model, X_reference, groups=groups, adverse_class=adverse_class)
    owner = characteristic_groups(list(X_reference.columns), groups)
    best = X_reference.iloc[[0]].copy()
    for characteristic in points.columns:
        donor = points[characteristic].to_numpy().argmax()
        members = [c for c in X_reference.columns if owner[c] == characteristic]
        best[members] = X_reference.iloc[[donor]][members].to_numpy()
    return best.set_axis(["best"], axis=0).astype(X_reference.dtypes.to_dict())


# --------------------------------------------------------------------------------------------
# Contributions per method (per model-input column, positive = towards the adverse class)
# --------------------------------------------------------------------------------------------
def _shap_values(model, X, X_reference, adverse_class, sign, scale, random_state, options) -> pd.DataFrame:
    """Shapley values of the adverse class's output, one row per row of ``X``, one column per input column."""
    from xaibook import shapley
    from xaibook.predict import prediction_function

    if scale == "log-odds" and is_additive(model):
        # exact interventional Shapley values of an additive model: phi_c = s beta_c (z_c(x) - mean z_c),
        # i.e. the background's mean points minus the applicant's points on column c
        return _column_points(model, X_reference, sign).mean() - _column_points(model, X, sign)
    if _is_tree_model(model):
        try:
            result = shapley.tree_shap(model, X, X_reference, scale=scale)
            return pd.DataFrame(sign * result.values, index=X.index, columns=list(result.feature_names))
        except ValueError:
            pass        # e.g. log-odds of a forest: fall back to KernelSHAP on the same scale
    f = prediction_function(model, target_class=adverse_class, scale=scale)
    result = shapley.kernel_shap(f, X, X_reference, n_samples=options.get("n_samples", 2048),
                                 random_state=random_state)
    return pd.DataFrame(result.values, index=X.index, columns=list(result.feature_names))


def _is_tree_model(model: Any) -> bool:
    _, estimator = split_model(model)
    name = type(estimator).__name__
    return any(key in name for key in ("Tree", "Forest", "Boosting", "ExtraTrees"))


def _lime_values(model, X, X_reference, adverse_class, random_state, options) -> pd.DataFrame:
    """LIME's weights for the adverse class's probability, one row per row of ``X`` (same seed for each)."""
    from xaibook.predict import prediction_function
    from xaibook.surrogate import lime_tabular

    f = prediction_function(model, target_class=adverse_class)
    settings = {k: v for k, v in options.items() if k in ("n_samples", "kernel_width", "discretize")}
    rows = {}
    for label in X.index:
        result = lime_tabular(f, X_reference, X.loc[[label]], random_state=random_state, **settings)
        rows[label] = pd.Series(result.weights, index=list(result.feature_names))
    return pd.DataFrame(rows).T.reindex(index=X.index, columns=list(X.columns))


def _counterfactual_values(model, X, X_reference, adverse_class, random_state, options, owner):
    """Per row, the share of its counterfactuals that change each characteristic (and a message)."""
    from xaibook.counterfactual import AlreadyDesiredError, counterfactuals

    favourable = [c for c in model.classes_ if c != adverse_class][0]
    favourable = favourable.item() if isinstance(favourable, np.generic) else favourable
    allowed = ("n_counterfactuals", "features_to_vary", "permitted_range", "monotone", "min_probability")
    settings = {"n_counterfactuals": 8, **{k: v for k, v in options.items() if k in allowed}}
    order = list(dict.fromkeys(owner.values()))
    rows, messages = {}, {}
    for label in X.index:
        try:
            result = counterfactuals(model, X.loc[[label]], X_reference, desired_class=favourable,
                                     random_state=random_state, **settings)
        except AlreadyDesiredError:
            rows[label], messages[label] = pd.Series(0.0, index=order), "the model does not rate this applicant adverse"
            continue
        messages[label] = result.message
        if not len(result):
            rows[label] = pd.Series(0.0, index=order)
            continue
        changed = result.changed()
        rows[label] = changed.T.groupby(changed.columns.map(owner), sort=False).any().T.mean().reindex(order)
    return pd.DataFrame(rows).T.reindex(index=X.index).astype(float), messages


def _contribution_frame(method, model, X, X_reference, *, adverse_class, sign, scale, random_state, options,
                        owner, groups):
    """Every row's contribution per characteristic (positive: towards the adverse class), and messages."""
    messages: dict = {}
    if method == "scorecard":
        best = scorecard_points(model, X_reference, groups=groups, adverse_class=adverse_class).max()
        return best - scorecard_points(model, X, groups=groups, adverse_class=adverse_class), messages
    if method == "counterfactual":
        return _counterfactual_values(model, X, X_reference, adverse_class, random_state, options, owner)
    if method == "shap":
        values = _shap_values(model, X, X_reference, adverse_class, sign, scale, random_state, options)
    else:
        values = _lime_values(model, X, X_reference, adverse_class, random_state, options)
    values = values.reindex(columns=list(X.columns)).fillna(0.0)
    order = list(dict.fromkeys(owner[c] for c in X.columns))
    return values.T.groupby(values.columns.map(owner), sort=False).sum().T.reindex(columns=order), messages


# --------------------------------------------------------------------------------------------
# The public entry point
# --------------------------------------------------------------------------------------------
def _check_rows(X: pd.DataFrame, X_reference: pd.DataFrame) -> pd.DataFrame:
    if list(X.columns) != list(X_reference.columns):
        missing = [c for c in X_reference.columns if c not in X.columns]
        extra = [c for c in X.columns if c not in X_reference.columns]
        raise ValueError("x and X_reference must have the same columns in the same order"
                         + (f"; x lacks {missing}" if missing else "") + (f"; x has extra {extra}" if extra else "")
                         + ("" if missing or extra else "; reorder x's columns as X_reference's"))
    if not X.index.is_unique:
        raise ValueError("the applicants' index labels must be unique: each letter is addressed by its label")
    return X


def _check_exclude(exclude: Any, characteristics: list[str]) -> tuple[str, ...]:
    if exclude is None:
        return ()
    if isinstance(exclude, str):
        exclude = [exclude]
    exclude = list(exclude)
    unknown = [e for e in exclude if e not in characteristics]
    if unknown:
        raise ValueError(f"exclude names {unknown}, which are not characteristics of this model "
                         f"(characteristics: {characteristics})")
    return tuple(exclude)


def reason_codes(model: Any, x: Any, X_reference: pd.DataFrame, *, method: str = "shap", n_reasons: int = 4,
                 groups: Mapping[str, Sequence[str]] | None = None, exclude: Sequence[str] | str | None = None,
                 random_state: Any = 0, adverse_class: Any = None, scale: str = "log-odds",
                 phrases: Mapping[str, str] | None = None, options: Mapping[str, Any] | None = None) -> ReasonCodes:
    """The principal reasons why ``model`` rates applicant ``x`` as ``adverse_class``.

    ``model`` is a fitted binary classifier (a scikit-learn pipeline that takes the raw columns of
    ``X_reference``); ``adverse_class`` defaults to its positive class (``classes_[1]``: "bad
    risk" in the credit case study). ``X_reference`` is the reference population (the training
    applicants): SHAP's background, LIME's sampling distribution, the counterfactual search's
    scales and values, the scorecard's maximum points. ``method`` is one of :data:`METHODS` (see the
    module docstring). ``groups`` maps a characteristic to the model-input columns it stands for
    (default: :func:`characteristic_groups`); contributions of a characteristic's columns are
    summed, which is exact for Shapley values and LIME weights (both additive). ``exclude`` names
    characteristics that may not be given as reasons. ``scale`` is the output scale SHAP explains
    (``"log-odds"``, on which a logistic model is additive, or ``"probability"``); ``phrases`` maps a
    characteristic to its sentence template (default :data:`CREDIT_PHRASES`); ``options`` go to
    the underlying method (``n_samples`` for KernelSHAP and LIME, ``kernel_width`` for LIME,
    ``features_to_vary``, ``permitted_range``, ``monotone``, ``n_counterfactuals`` for counterfactuals).
    """
    if isinstance(x, pd.Series):
        x = x.to_frame().T.infer_objects()
    x = check_frame(x, name="x")
    if len(x) != 1:
        raise ValueError(f"x must be one applicant (a one-row DataFrame or a Series), got {len(x)} rows; "
                         "use reason_codes_table for many applicants")
    return letters(model, x, X_reference, method=method, n_reasons=n_reasons, groups=groups, exclude=exclude,
                    random_state=random_state, adverse_class=adverse_class, scale=scale, phrases=phrases,
                    options=options)[0]


def letters(model: Any, X: pd.DataFrame, X_reference: pd.DataFrame, *, method: str = "shap", n_reasons: int = 4,
            groups: Mapping[str, Sequence[str]] | None = None, exclude: Sequence[str] | str | None = None,
            random_state: Any = 0, adverse_class: Any = None, scale: str = "log-odds",
            phrases: Mapping[str, str] | None = None, options: Mapping[str, Any] | None = None) -> list[ReasonCodes]:
    """:func:`reason_codes` for every row of ``X``: one :class:`ReasonCodes` per row, in ``X``'s order.

    The contributions are computed in one batch where the method allows (the scorecard, SHAP);
    LIME and the counterfactual search run row by row, each row with the same ``random_state``,
    so a row's letter does not depend on which other rows are in ``X``.
    """
    X = check_frame(X, name="X")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if scale not in ("log-odds", "probability"):
        raise ValueError(f"scale must be 'log-odds' or 'probability', got {scale!r}")
    check_fitted_model(model)
    if not hasattr(model, "predict_proba"):
        raise ValueError(f"model ({type(model).__name__}) has no predict_proba: reason codes need a classifier's "
                         "probabilities")
    n_reasons = check_positive_int(n_reasons, name="n_reasons")
    check_random_state(random_state)
    if options is not None and not isinstance(options, Mapping):
        raise TypeError(f"options must be a dict of the underlying method's settings, got {type(options).__name__}")
    options = dict(options or {})
    X_reference = check_frame(X_reference, name="X_reference")
    X = _check_rows(X, X_reference)
    check_model_input(model, X_reference, name="X_reference")
    check_model_input(model, X, name="x")
    adverse_class, sign = _adverse_sign(model, adverse_class)
    owner = characteristic_groups(list(X_reference.columns), groups)
    excluded = _check_exclude(exclude, list(dict.fromkeys(owner.values())))
    frame, messages = _contribution_frame(method, model, X, X_reference, adverse_class=adverse_class, sign=sign,
                                          scale=scale, random_state=random_state, options=options, owner=owner,
                                          groups=groups)
    members = {g: [c for c in X.columns if owner[c] == g] for g in frame.columns}
    index = list(model.classes_).index(adverse_class)
    probability = np.asarray(model.predict_proba(X), dtype=float)[:, index]
    decisions = [d.item() if isinstance(d, np.generic) else d for d in model.predict(X)]
    units = _UNITS[method].format(scale=scale)
    letters = []
    for position, label in enumerate(X.index):
        x = X.loc[[label]]
        by_group = frame.loc[label].astype(float).sort_values(ascending=False, kind="stable").rename("contribution")
        chosen = [g for g, value in by_group.items() if value > 0 and g not in excluded][:n_reasons]
        reasons = []
        for characteristic in chosen:
            value = _value_text(x, members[characteristic])
            reasons.append(Reason(characteristic, value, float(by_group[characteristic]),
                                  reason_sentence(characteristic, value, phrases)))
        message = messages.get(label, "") or ("" if reasons else
                                               "no characteristic pushes this applicant towards the adverse class")
        letters.append(ReasonCodes(reasons=tuple(reasons), method=method, contributions=by_group,
                                   prediction=probability[position], adverse=decisions[position] == adverse_class,
                                   adverse_class=adverse_class, excluded=excluded, units=units, applicant=label,
                                   message=message))
    return letters


def reason_codes_table(model: Any, X: pd.DataFrame, X_reference: pd.DataFrame, **settings: Any) -> pd.DataFrame:
    """:func:`letters` for every row of ``X`` as one long table (:func:`letters_frame`)."""
    return letters_frame(letters(model, X, X_reference, **settings))


def letters_frame(letters: Sequence[ReasonCodes]) -> pd.DataFrame:
    """Many letters in long format: ``applicant``, ``rank``, ``feature``, ``value``, ``contribution``,
    ``sentence`` (an applicant with no reason has no rows)."""
    columns = ["applicant", "rank", "feature", "value", "contribution", "sentence"]
    frames = []
    for letter in letters:
        if not isinstance(letter, ReasonCodes):
            raise TypeError(f"letters must be ReasonCodes results, got {type(letter).__name__}")
        frames.append(letter.to_frame().assign(applicant=letter.applicant))
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


# --------------------------------------------------------------------------------------------
# Do the reasons agree?
# --------------------------------------------------------------------------------------------
def _reason_set(value: Any, k: int | None) -> list[str]:
    if isinstance(value, ReasonCodes):
        features = value.features
    elif isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"expected a ReasonCodes result or a list of characteristics, got {type(value).__name__}")
    else:
        features = [str(v) for v in value]
    return features if k is None else features[:k]


def reason_overlap(a: Any, b: Any, *, k: int | None = None) -> float:
    """Share of the top-``k`` reasons two letters have in common (Krishna et al.'s feature
    agreement, applied to the adverse reasons): ``|A_k ∩ B_k| / k``.

    ``a`` and ``b`` are :class:`ReasonCodes` results or lists of characteristics, strongest first;
    ``k`` defaults to the longer list's length. Two empty letters agree (1.0).
    """
    if k is not None:
        k = check_positive_int(k, name="k")
    A, B = _reason_set(a, k), _reason_set(b, k)
    size = k if k is not None else max(len(A), len(B))
    if size == 0:
        return 1.0
    return len(set(A) & set(B)) / size


def reasons_agreement(letters: Mapping[str, Sequence[Any]], *, k: int = 4) -> pd.DataFrame:
    """Mean top-``k`` reason overlap between every pair of methods, over the same applicants.

    ``letters`` maps a method's name to its results for the same applicants, in the same order
    (:class:`ReasonCodes` or lists of characteristics). Returns a methods x methods frame.
    """
    if not isinstance(letters, Mapping) or len(letters) < 2:
        raise ValueError("letters must map at least two methods' names to their reason lists")
    lengths = {name: len(v) for name, v in letters.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"every method must have letters for the same applicants; got counts {lengths}")
    first = [v.applicant for v in next(iter(letters.values())) if isinstance(v, ReasonCodes)]
    for name, values in letters.items():
        applicants = [v.applicant for v in values if isinstance(v, ReasonCodes)]
        if applicants and first and applicants != first:
            raise ValueError(f"letters[{name!r}] are for other applicants (or in another order) than the "
                             "first method's: pass every method's letters for the same applicants, in order")
    k = check_positive_int(k, name="k")
    names = list(letters)
    table = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            value = float(np.mean([reason_overlap(p, q, k=k) for p, q in zip(letters[a], letters[b])]))
            table.loc[a, b] = table.loc[b, a] = value
    return table


# --------------------------------------------------------------------------------------------
# Measuring letters over many applicants (chapter 10's labs)
# --------------------------------------------------------------------------------------------
def _check_letters(letters: Any, name: str = "letters") -> list[ReasonCodes]:
    if isinstance(letters, ReasonCodes) or isinstance(letters, (str, bytes)) or not isinstance(letters, Sequence):
        raise TypeError(f"{name} must be a list of ReasonCodes results (one per applicant)")
    for letter in letters:
        if not isinstance(letter, ReasonCodes):
            raise TypeError(f"{name} must hold ReasonCodes results, got {type(letter).__name__}")
    return list(letters)


def _names(features: Any, name: str) -> set[str]:
    if isinstance(features, str):
        return {features}
    if not isinstance(features, (Sequence, set, frozenset)):
        raise TypeError(f"{name} must be a list of characteristics, got {type(features).__name__}")
    return {str(f) for f in features}


def near_cutoff(model: Any, X: pd.DataFrame, *, threshold: float = 0.5, width: float = 0.1,
                adverse_class: Any = None) -> pd.DataFrame:
    """The rows of ``X`` the model rates favourable, but only just: ``threshold - width <= P(adverse) <
    threshold``. Regulation B's "applicants whose total score was at or slightly above the minimum
    passing score", a background for SHAP reasons (comment 9(b)(2)-5)."""
    X = check_frame(X, name="X")
    check_fitted_model(model)
    for value, label in ((threshold, "threshold"), (width, "width")):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 < value < 1:
            raise ValueError(f"{label} must be a probability strictly between 0 and 1, got {value!r}")
    adverse_class, _ = _adverse_sign(model, adverse_class)
    p = np.asarray(model.predict_proba(X), dtype=float)[:, list(model.classes_).index(adverse_class)]
    rows = X[(p >= threshold - width) & (p < threshold)]
    if rows.empty:
        raise ValueError(f"no row of X has P(adverse) in [{threshold - width:.3g}, {threshold:.3g}): widen width")
    return rows


def share_naming(letters: Sequence[ReasonCodes], features: Any, *, top: int | None = None) -> float:
    """Share of ``letters`` naming at least one of ``features`` among their first ``top`` reasons (default: all)."""
    letters = _check_letters(letters)
    names = _names(features, "features")
    if top is not None:
        top = check_positive_int(top, name="top")
    if not letters:
        raise ValueError("letters is empty")
    return float(np.mean([bool(names & set(letter.features[:top])) for letter in letters]))


def reason_counts(letters: Sequence[ReasonCodes]) -> pd.DataFrame:
    """How often each characteristic is a reason: ``letters`` (named anywhere in the letter) and
    ``principal`` (named first), largest first."""
    letters = _check_letters(letters)
    anywhere = pd.Series([f for letter in letters for f in letter.features], dtype=object).value_counts()
    first = pd.Series([letter.features[0] for letter in letters if letter.reasons], dtype=object).value_counts()
    frame = pd.DataFrame({"letters": anywhere, "principal": first}).fillna(0).astype(int)
    return frame.sort_values(["letters", "principal"], ascending=False, kind="stable").rename_axis("feature")


def changed_letters(before: Sequence[ReasonCodes], after: Sequence[ReasonCodes]) -> pd.DataFrame:
    """Per applicant, whether two letters differ: ``changed`` (another set or order of reasons) and
    ``principal_changed`` (another first reason). Both lists must be for the same applicants, in order."""
    before, after = _check_letters(before, "before"), _check_letters(after, "after")
    if [b.applicant for b in before] != [a.applicant for a in after]:
        raise ValueError("before and after must hold letters for the same applicants, in the same order")
    return pd.DataFrame({
        "changed": [b.features != a.features for b, a in zip(before, after)],
        "principal_changed": [b.features[:1] != a.features[:1] for b, a in zip(before, after)],
    }, index=pd.Index([b.applicant for b in before], name="applicant"))


def shares_by_group(letters: Sequence[ReasonCodes], groups: pd.Series, features: Any, *,
                    top: int | None = None) -> pd.DataFrame:
    """Per group, how many letters there are (``n``) and the share that name at least one of ``features``
    among their first ``top`` reasons (default: all).

    ``groups`` gives each applicant's group, indexed by applicant (e.g. ``X["foreign_worker"]``).
    """
    letters = _check_letters(letters)
    if not isinstance(groups, pd.Series):
        raise TypeError("groups must be a pandas Series of each applicant's group, indexed by applicant")
    missing = [letter.applicant for letter in letters if letter.applicant not in groups.index]
    if missing:
        raise ValueError(f"groups has no group for applicants {missing[:5]}")
    names = _names(features, "features")
    if top is not None:
        top = check_positive_int(top, name="top")
    frame = pd.DataFrame({"group": [groups[letter.applicant] for letter in letters],
                          "named": [bool(names & set(letter.features[:top])) for letter in letters]})
    table = frame.groupby("group", sort=True)["named"].agg(n="size", share="mean")
    return table.rename_axis(groups.name or "group")


def refit_letters(model: Any, X_train: pd.DataFrame, y_train: Any, X: pd.DataFrame, *, n_refits: int = 5,
                  random_state: int = 0, **settings: Any) -> list[list[ReasonCodes]]:
    """The letters of ``X`` from ``n_refits`` refits of ``model`` on bootstrap resamples of the training data.

    Each refit is ``sklearn.base.clone(model)`` fitted on a resample drawn with its own seed (derived
    from ``random_state``); its letters use ``X_train`` as reference data. ``settings`` go to
    :func:`letters`. Compare each refit's letters with the original model's through
    :func:`changed_letters` or :func:`reason_overlap`: reasons that move with a refit are reasons
    about the sample, not about the applicant.
    """
    from sklearn.base import clone

    X_train = check_frame(X_train, name="X_train")
    y = np.asarray(y_train)
    if y.shape != (len(X_train),):
        raise ValueError(f"y_train must have one label per row of X_train ({len(X_train)}), got shape {y.shape}")
    n_refits = check_positive_int(n_refits, name="n_refits")
    random_state = check_int_seed(random_state, why="each refit's seed is derived from it")
    seeds = np.random.SeedSequence(random_state).generate_state(n_refits)
    out = []
    for seed in seeds:
        rows = np.random.default_rng(int(seed)).integers(0, len(X_train), len(X_train))
        refit = clone(model).fit(X_train.iloc[rows], y[rows])
        out.append(letters(refit, X, X_train, **settings))
    return out


def refit_without(model: Any, X_train: pd.DataFrame, y_train: Any, features: Any) -> Pipeline:
    """``model`` refitted on ``X_train`` without the characteristics ``features`` (for instance the
    protected ones a lender may not use): a ``sklearn.base.clone`` of the pipeline whose
    ColumnTransformer drops ``features`` from its transformers' column lists, with the same
    transformers, estimator and settings. The refit model takes rows without those columns.
    """
    from sklearn.base import clone

    X_train = check_frame(X_train, name="X_train")
    drop = _names(features, "features")
    unknown = sorted(drop - set(X_train.columns))
    if unknown:
        raise ValueError(f"features {unknown} are not columns of X_train")
    keep = [c for c in X_train.columns if c not in drop]
    if not keep:
        raise ValueError("features names every column of X_train: nothing would be left to fit on")
    steps = getattr(model, "steps", None)
    if not steps or not isinstance(steps[0][1], ColumnTransformer):
        raise TypeError(f"model must be a Pipeline whose first step is a ColumnTransformer, got {type(model).__name__}")
    refit = clone(model)
    preprocess = refit.steps[0][1]
    for _, _, columns in preprocess.transformers:
        if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
            raise TypeError("the ColumnTransformer must select its columns by lists of names to drop some of them")
    preprocess.set_params(transformers=[(name, transformer, [c for c in columns if c not in drop])
                                        for name, transformer, columns in preprocess.transformers])
    return refit.fit(X_train[keep], y_train)


def change_sentences(result: Any, *, phrases: Mapping[str, str] | None = None) -> list[str]:
    """Each counterfactual of ``result`` (a :class:`~xaibook.counterfactual.CounterfactualResult`) as
    one line of a letter: the characteristics it changes, at their new values, in the applicant's
    words (``phrases`` as in :func:`reason_sentence`), joined by "and"."""
    from xaibook.counterfactual import CounterfactualResult

    if not isinstance(result, CounterfactualResult):
        raise TypeError(f"result must be a CounterfactualResult (xaibook.counterfactual.counterfactuals), "
                        f"got {type(result).__name__}")
    changed = result.changed()
    lines = []
    for position in range(len(result)):
        row = result.counterfactuals.iloc[position]
        parts = []
        for feature in result.feature_names:
            if changed.iloc[position][feature]:
                value = row[feature]
                if isinstance(value, (float, np.floating)) and float(value).is_integer():
                    value = int(value)
                parts.append(reason_sentence(feature, str(value), phrases))
        lines.append(" and ".join(parts))
    return lines
