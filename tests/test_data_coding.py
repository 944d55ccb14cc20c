"""The credit data's real coding (Groemping 2019), its label's meaning, and the dictionary's rules.

Each test here would have caught one of the errors of issue 20: the UCI documentation's code
descriptions, "loan denied" as the meaning of ``y = 1``, and dictionary flags that let advice
change a symptom or a feature computed from others.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xaibook import data

# The corrected code table of the South German Credit data (Groemping 2019; UCI "South German
# Credit", the code table of its R read-in script), keyed by *its* numeric codes and worded as in
# xaibook.data. The rows below are from its SouthGermanCredit.asc, matched to german.data by
# duration, amount and age (each triple is unique in both files).
SGC_TABLE = {
    "checking_account": {1: "no checking account", 2: "< 0 DM", 3: "0-200 DM",
                         4: ">= 200 DM or salary account"},
    "credit_history": {0: "past delays", 1: "critical / credits elsewhere",
                       2: "no credits / all repaid", 3: "existing repaid so far",
                       4: "all repaid at this bank"},
    "purpose": {0: "others", 1: "car (new)", 2: "car (used)", 3: "furniture/equipment",
                4: "radio/TV", 5: "domestic appliances", 6: "repairs", 7: "education",
                8: "vacation", 9: "retraining", 10: "business"},
    "savings_account": {1: "unknown / none", 2: "< 100 DM", 3: "100-500 DM", 4: "500-1000 DM",
                        5: ">= 1000 DM"},
    "employment_since": {1: "unemployed", 2: "< 1 year", 3: "1-4 years", 4: "4-7 years",
                         5: ">= 7 years"},
    "installment_rate": {1: 1, 2: 2, 3: 3, 4: 4},  # 1 = >= 35% of disposable income ... 4 = < 20%
    "personal_status_sex": {1: "male: divorced/separated",
                            2: "female: non-single, or male: single",
                            3: "male: married/widowed", 4: "female: single"},
    "other_debtors": {1: "none", 2: "co-applicant", 3: "guarantor"},
    "residence_since": {1: 1, 2: 2, 3: 3, 4: 4},
    "property": {1: "unknown / none", 2: "car or other",
                 3: "building society savings / life insurance", 4: "real estate"},
    "other_installment_plans": {1: "bank", 2: "stores", 3: "none"},
    "housing": {1: "for free", 2: "rent", 3: "own"},
    "existing_credits": {1: "1", 2: "2-3", 3: "4-5", 4: ">= 6"},
    "job": {1: "unemployed / unskilled non-resident", 2: "unskilled resident",
            3: "skilled employee / official", 4: "manager / self-employed / highly qualified"},
    "people_liable": {1: "3 or more", 2: "0-2"},
    "telephone": {1: "no", 2: "yes (in own name)"},
    "foreign_worker": {1: "yes", 2: "no"},
}
SGC_COLUMNS = [
    "checking_account", "duration_months", "credit_history", "purpose", "credit_amount",
    "savings_account", "employment_since", "installment_rate", "personal_status_sex",
    "other_debtors", "residence_since", "property", "age", "other_installment_plans", "housing",
    "existing_credits", "job", "people_liable", "telephone", "foreign_worker", "good",
]
# german.data row label, then the row of SouthGermanCredit.asc (credit_risk 1 = good).
SGC_ROWS = {
    926: "1 18 4 2 1049 1 2 4 2 1 4 2 21 3 1 1 3 2 1 2 1",
    892: "1 12 4 0 2171 1 3 4 3 1 4 2 38 1 2 2 2 2 1 1 1",
    752: "2 12 2 9 841 2 4 2 2 1 4 1 23 3 1 1 2 2 1 2 1",
    347: "2 24 2 3 3758 3 1 1 2 1 4 4 23 3 1 1 1 2 1 2 1",
    83: "1 24 2 10 1755 1 5 4 2 3 4 1 58 3 2 1 2 2 2 2 1",
    658: "2 30 0 9 4221 1 3 2 2 1 1 3 28 3 2 2 3 2 1 2 1",
    181: "2 36 3 9 4455 1 3 2 1 1 2 1 30 2 2 2 4 2 2 2 0",
    157: "1 12 1 8 339 1 5 4 4 1 1 3 45 1 2 1 2 2 1 2 1",
    889: "4 28 1 1 7824 5 2 3 3 3 4 1 40 1 1 2 3 1 2 2 1",
    756: "3 6 4 0 1299 1 3 1 3 1 1 1 74 3 2 3 1 1 1 1 1",
    26: "4 6 0 3 426 1 5 4 4 1 4 3 39 3 2 1 2 2 1 2 1",
    247: "4 6 0 0 1204 2 3 4 3 1 1 4 35 1 1 1 3 2 1 1 1",
    55: "4 6 1 0 783 5 3 1 3 3 2 1 26 2 2 1 2 1 1 2 1",
    293: "3 42 4 1 4796 1 5 4 3 1 4 4 56 3 3 1 3 2 1 2 1",
}


def _sgc_rows() -> pd.DataFrame:
    rows = {label: [int(v) for v in line.split()] for label, line in SGC_ROWS.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=SGC_COLUMNS)


@pytest.mark.parametrize("column", sorted(SGC_TABLE))
def test_decoding_matches_the_corrected_code_table(column):
    ds, sgc = data.load_credit(), _sgc_rows()
    for label, row in sgc.iterrows():
        # the match is the same loan: the three numbers agree
        assert (ds.X.loc[label, ["duration_months", "credit_amount", "age"]].tolist()
                == row[["duration_months", "credit_amount", "age"]].tolist())
        assert ds.X.loc[label, column] == SGC_TABLE[column][row[column]], (label, column)
        assert ds.y.loc[label] == 1 - row["good"]


def test_every_corrected_category_is_a_category_of_the_table():
    ds = data.load_credit()
    for column, table in SGC_TABLE.items():
        if column in ds.categorical_features:
            assert set(ds.X[column]) <= set(table.values()), column


def test_the_corrections_that_change_conclusions():
    ds = data.load_credit()
    X, y = ds.X, ds.y
    # no checking account is the riskiest status, a salary account / >= 200 DM the safest
    bad_rate = y.groupby(X["checking_account"]).mean()
    assert bad_rate.idxmax() == "no checking account" and bad_rate.idxmin() == ">= 200 DM or salary account"
    # 37 foreign workers, not 963
    assert (X["foreign_worker"] == "yes").sum() == 37
    # single women are in the data (A94); A92 mixes non-single women with single men
    assert (X["personal_status_sex"] == "female: single").sum() == 92
    assert (X["personal_status_sex"] == "female: non-single, or male: single").sum() == 310
    # dependants and existing credits are bands, not counts
    assert set(X["people_liable"]) == {"0-2", "3 or more"}
    assert set(X["existing_credits"]) == {"1", "2-3", "4-5", ">= 6"}
    assert {"people_liable", "existing_credits"} <= set(ds.categorical_features)
    # instalment rate: a score whose 1 is the heaviest burden
    assert "1 = 35% or more (heaviest burden)" in ds.dictionary.loc["installment_rate", "description"]
    assert "education" not in set(X["purpose"])  # the code table's empty level (A47)


def test_provenance_lists_every_code_with_both_meanings():
    provenance = (Path(data.__file__).parent / "datasets" / "PROVENANCE.md").read_text()
    for column, codes in data.CREDIT_CODES.items():
        for code, meaning in codes.items():
            old = data.CREDIT_CODES_UCI[column][code]
            assert f"| `{column}` | {code} | {meaning} | {old} |" in provenance, (column, code)


def test_label_says_what_the_data_record():
    ds = data.load_credit()
    words = " ".join([ds.positive_label, ds.negative_label, ds.description]).lower()
    assert "denied" not in ds.positive_label.lower() and "granted" in words
    assert "repaid" in ds.positive_label.lower()
    assert "oversampled" in ds.description.lower()
    assert "granted" in (data.load_credit.__doc__ or "") and "denied" not in (data.load_credit.__doc__ or "")


# --- the dictionary's rules ---------------------------------------------------------------------

@pytest.mark.parametrize("case", data.CASES)
def test_protected_features_are_immutable_and_never_actionable(case):
    d = data.load_case(case).dictionary
    assert d.loc[d["protected"], "immutable"].all()
    assert not d.loc[d["protected"], "actionable"].any()
    assert not (d["immutable"] & d["actionable"]).any()


def test_symptoms_and_derived_features_are_not_levers():
    heart, credit = data.load_heart(), data.load_credit()
    # test results measure the disease itself
    for feature in ("max_heart_rate", "st_depression", "exercise_angina", "chest_pain_type",
                    "major_vessels", "thal"):
        assert heart.dictionary.loc[feature, "immutable"], feature
    # y is disease present now: a risk factor treated today does not change it (issue 25, item 20)
    assert heart.actionable_features == []
    for feature in ("resting_bp", "cholesterol", "fasting_blood_sugar"):
        assert not heart.dictionary.loc[feature, ["immutable", "actionable"]].any(), feature
    # the instalment rate follows from amount, duration and income
    assert not credit.dictionary.loc["installment_rate", "actionable"]
    # opening an account changes the record, not the risk (gaming; issue 25, item 20)
    assert not credit.dictionary.loc["checking_account", ["immutable", "actionable"]].any()
    assert set(credit.actionable_features) == {
        "duration_months", "purpose", "credit_amount", "savings_account", "other_debtors"}
    assert set(credit.immutable_features) == {"credit_history", "personal_status_sex", "age",
                                              "foreign_worker"}


def test_the_rules_are_documented_where_the_flags_are_read():
    doc = data.Dataset.__doc__
    for flag in ("protected", "immutable", "actionable"):
        assert f"``{flag}``" in doc
    provenance = (Path(data.__file__).parent / "datasets" / "PROVENANCE.md").read_text()
    for flag in ("protected", "immutable", "actionable"):
        assert f"**{flag}**" in provenance


def test_code_table_agrees_with_the_decoded_data():
    table, ds = data.credit_code_table(), data.load_credit()
    assert set(table["column"]) == set(data.CREDIT_CODES)
    for _, row in table.iterrows():
        decoded = ds.X[row["column"]] == row["meaning"]
        assert decoded.sum() == row["n"], (row["column"], row["code"])
        if row["n"]:
            assert ds.y[decoded].mean() == pytest.approx(row["bad_rate"])
    # the variables whose meaning the correction changes, and those it leaves alone
    changed = set(table.loc[table["changed"], "column"])
    assert {"checking_account", "credit_history", "purpose", "savings_account",
            "personal_status_sex", "property", "housing", "foreign_worker"} <= changed
    assert not {"employment_since", "other_debtors", "other_installment_plans", "job",
                "telephone"} & changed


# --- the whole-file comparison with the corrected file (issue 25, item 27) ----------------------

def test_whole_file_comparison_with_the_corrected_file():
    """Independent of ``south_german_comparison``: the fixture rows above, decoded with the test's
    own code table, agree with german.data; and the function's counts are the ones PROVENANCE.md
    and chapter 1 report (990 matched rows; 34, 10 and 1 disagreements, nothing else)."""
    table = data.south_german_comparison().set_index("column")["n_differ"]
    assert data.south_german_comparison().attrs == {"n_matched": 990, "n_rows": 1000}
    assert table.to_dict() == {c: {"other_installment_plans": 34, "foreign_worker": 10,
                                   "housing": 1}.get(c, 0) for c in table.index}
    assert "checking_account" in table.index and "bad_risk" in table.index
    # the function decodes the bundled file as the test's table does (14 rows, every column)
    decoded = data._south_german_decoded()
    credit = data.load_credit().X
    for label, row in _sgc_rows().iterrows():
        match = decoded[(decoded["duration_months"] == row["duration_months"])
                        & (decoded["credit_amount"] == row["credit_amount"])
                        & (decoded["age"] == row["age"])]
        assert len(match) == 1, label
        for column, codes in SGC_TABLE.items():
            expected = codes[row[column]]
            assert str(match[column].iloc[0]) == str(expected), (label, column)
            assert str(credit.loc[label, column]) == str(expected), (label, column)
    provenance = (Path(data.__file__).parent / "datasets" / "PROVENANCE.md").read_text()
    assert "40 rows" not in provenance.split("(An earlier")[0]
