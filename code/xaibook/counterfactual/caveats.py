"""Why a counterfactual may be the model's arithmetic rather than advice (chapter 7's caveats).

A counterfactual is valid when the model's decision flips; it is advice only when the change is
one a person could and should make. For the credit case study the chapter flags, per option, the
changes that are not advice: another purpose (another loan, not the same one improved), a larger
amount or a higher monthly payment (the instalment rate is held fixed, so a shorter loan of the
same amount costs more each month), opening an account (the record changes, not the risk), an
overdrawn account, and savings the applicant does not have.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import as_one_row, check_frame, is_number_column

__all__ = ["CREDIT_CAVEAT_COLUMNS", "credit_caveats"]

#: The credit columns the caveats read.
CREDIT_CAVEAT_COLUMNS = ("purpose", "credit_amount", "duration_months", "checking_account", "savings_account")


def _caveats_of(option: pd.Series, x: pd.Series) -> list[str]:
    why = []
    if option["purpose"] != x["purpose"]:
        why.append("another purpose is another loan")
    if option["credit_amount"] > x["credit_amount"]:
        why.append("more than asked for")
    if option["credit_amount"] / option["duration_months"] > x["credit_amount"] / x["duration_months"]:
        why.append("higher monthly payment, instalment rate held fixed")
    if x["checking_account"] == "no checking account" and option["checking_account"] != x["checking_account"]:
        why.append("opens an account: the record changes, not the risk")
    if option["checking_account"] == "< 0 DM":
        why.append("overdrawn")
    if option["savings_account"] != x["savings_account"]:
        why.append("needs savings")
    return why


def credit_caveats(options: pd.DataFrame, original: Any) -> list[str]:
    """One note per row of ``options`` (counterfactuals of the credit applicant ``original``, a
    one-row DataFrame or a Series): its caveats joined by "; ", or "-" when it has none."""
    options = check_frame(options, name="options", min_rows=0)
    x = check_frame(as_one_row(original, name="original"), name="original").iloc[0]
    for name, frame in (("options", options), ("original", x.to_frame().T)):
        missing = [c for c in CREDIT_CAVEAT_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} lacks the credit columns {missing} the caveats read; pass rows of the "
                             "credit case study (data.load_credit().X)")
    for column in ("credit_amount", "duration_months"):
        if not is_number_column(options[column]) or not isinstance(x[column], (int, float, np.number)):
            raise TypeError(f"{column} must hold numbers in options and original (the caveats compare amounts "
                            "and monthly payments), got text")
    if (options["duration_months"] <= 0).any() or x["duration_months"] <= 0:
        raise ValueError("duration_months must be positive (the monthly payment divides by it)")
    return ["; ".join(_caveats_of(option, x)) or "-" for _, option in options.iterrows()]
