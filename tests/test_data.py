"""The bundled datasets: shapes, dtypes, class balance, checksums, dictionaries and bad input."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xaibook import data

DATA_DIR = Path(data.__file__).parent / "datasets"


@pytest.mark.parametrize("case, rows, features, positives", [
    ("credit", 1000, 20, 300),
    ("heart", 297, 13, 137),
])
def test_shapes_and_class_balance(case, rows, features, positives):
    ds = data.load_case(case)
    assert ds.X.shape == (rows, features)
    assert len(ds.y) == rows and set(ds.y.unique()) == {0, 1}
    assert int(ds.y.sum()) == positives
    assert ds.y.index.equals(ds.X.index)


@pytest.mark.parametrize("case", data.CASES)
def test_no_missing_values_and_meaningful_dtypes(case):
    ds = data.load_case(case)
    assert not ds.X.isna().any().any()
    for column in ds.numeric_features:
        assert pd.api.types.is_numeric_dtype(ds.X[column]), column
    for column in ds.categorical_features:
        assert pd.api.types.is_string_dtype(ds.X[column]), column
        assert not ds.X[column].str.match(r"^A\d+$").any(), f"{column} still holds raw UCI codes"


@pytest.mark.parametrize("case", data.CASES)
def test_dictionary_documents_every_column(case):
    ds = data.load_case(case)
    assert list(ds.dictionary.index) == list(ds.X.columns)
    assert list(ds.dictionary.columns) == list(data.DICTIONARY_COLUMNS)
    assert ds.dictionary["description"].str.len().min() > 10
    assert set(ds.dictionary["kind"]) <= {"numeric", "categorical"}
    for flag in ("protected", "immutable", "actionable"):
        assert ds.dictionary[flag].dtype == bool
    # a feature cannot be both unchangeable and something a person can act on
    assert not (ds.dictionary["immutable"] & ds.dictionary["actionable"]).any()
    assert ds.protected_features, "each case names its protected attributes"


def test_protected_attributes_are_the_expected_ones():
    assert set(data.load_credit().protected_features) == {"personal_status_sex", "age", "foreign_worker"}
    assert set(data.load_heart().protected_features) == {"age", "sex"}


@pytest.mark.parametrize("case", data.CASES)
def test_split_is_fixed_stratified_and_disjoint(case):
    ds = data.load_case(case)
    assert len(ds.X_train) + len(ds.X_test) == len(ds.X)
    assert set(ds.X_train.index).isdisjoint(ds.X_test.index)
    assert abs(ds.y_train.mean() - ds.y_test.mean()) < 0.02
    data._credit.cache_clear(), data._heart.cache_clear()
    again = data.load_case(case)
    assert again.X_train.index.equals(ds.X_train.index)


def test_credit_decoding_follows_the_corrected_code_table():
    ds = data.load_credit()
    first = ds.X.iloc[0]  # raw: A11 6 A34 A43 1169 A65 A75 4 A93 ... 67 ... class 1
    assert first["checking_account"] == "no checking account"  # not "< 0 DM" (UCI's wording)
    assert first["duration_months"] == 6 and first["credit_amount"] == 1169
    assert first["purpose"] == "furniture/equipment" and first["age"] == 67
    assert first["personal_status_sex"] == "male: married/widowed"
    assert ds.y.iloc[0] == 0 and ds.y.iloc[1] == 1
    # single women (A94) are in the data; UCI's 'female: single' code A95 is not a code at all
    assert "female: single" in set(ds.X["personal_status_sex"])


def test_heart_drops_exactly_the_rows_with_missing_values():
    missing = data.heart_missing_values()
    assert len(missing) == 6
    assert missing[["major_vessels", "thal"]].isna().sum().tolist() == [4, 2]
    assert len(data.load_heart().X) == 303 - 6


def test_text_and_image_sets():
    reviews = data.load_reviews()
    assert len(reviews.texts) == 4863 and int(reviews.y.sum()) == 2453
    assert reviews.texts.str.len().min() > 0 and reviews.groups.nunique() == 156
    assert len(reviews.texts_train) + len(reviews.texts_test) == 4863
    faces = data.load_faces()
    assert faces.images.shape == (200, 25, 25) and faces.y.sum() == 100
    assert 0.0 <= faces.images.min() and faces.images.max() <= 1.0
    digits = data.load_digits_images()
    assert digits.images.shape == (1797, 8, 8) and digits.images.max() <= 1.0


def test_checksums_match_files_and_provenance():
    provenance = (DATA_DIR / "PROVENANCE.md").read_text()
    for filename, digest in data.CHECKSUMS.items():
        assert data.data_path(filename).name == filename
        assert digest in provenance, f"PROVENANCE.md does not record the checksum of {filename}"
    stored = {p.name for p in DATA_DIR.iterdir() if p.suffix != ".md"}
    assert stored == set(data.CHECKSUMS), "every bundled file has a checksum, and only those"


def test_corrupted_file_is_detected(tmp_path, monkeypatch):
    copy = tmp_path / "xaibook"
    shutil.copytree(DATA_DIR, copy / "datasets")
    target = copy / "datasets" / "german.data"
    target.write_bytes(target.read_bytes().replace(b"A11", b"A12", 1))
    monkeypatch.setattr(data.resources, "files", lambda package: copy)
    with pytest.raises(data.DataIntegrityError, match="corrupted or was edited"):
        data.data_path("german.data")


def test_missing_file_is_detected(tmp_path, monkeypatch):
    (tmp_path / "datasets").mkdir()
    monkeypatch.setattr(data.resources, "files", lambda package: tmp_path)
    with pytest.raises(data.DataIntegrityError, match="missing"):
        data.data_path("heart_disease.tab")


@pytest.mark.parametrize("bad", ["Credit", "adult", "", None, 3])
def test_unknown_case_name(bad):
    with pytest.raises(ValueError, match=re.escape("choose one of ['credit', 'heart']")):
        data.load_case(bad)


def test_unknown_file_name():
    with pytest.raises(ValueError, match="unknown data file"):
        data.data_path("adult.csv")


def test_frame_appends_target():
    ds = data.load_heart()
    frame = ds.frame()
    assert frame.columns[-1] == "disease" and np.array_equal(frame["disease"], ds.y)
