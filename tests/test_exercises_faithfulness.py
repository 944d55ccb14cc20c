"""Checkers of chapter 11's exercises: the expected answers come from the cached studies."""

from xaibook import faithfulness as fa
from xaibook.exercises import faithfulness as exercises


def test_irrelevant_mass_leader():
    study = fa.planted_study()
    chosen = study[(study["model"] == "boosting") & (study["correlation"] == fa.CORRELATIONS[-1])
                   & (study["metric"] == "irrelevant_mass") & (study["method"] != "random")]
    answer = chosen.groupby("method")["value"].mean().idxmax()
    assert exercises.check_irrelevant_mass_leader(answer)
    assert not exercises.check_irrelevant_mass_leader("random")
    assert not exercises.check_irrelevant_mass_leader(3)


def test_credit_best_deletion():
    credit = fa.credit_study()
    areas = credit[credit["metric"] == "deletion_area"].groupby("method")["value"].mean()
    assert exercises.check_credit_best_deletion(areas.idxmin())
    assert not exercises.check_credit_best_deletion(areas.idxmax())


def test_sanity_similarity():
    value = fa.sanity_study().summary().loc["TreeSHAP", "rank_correlation"]
    assert exercises.check_sanity_similarity(value)
    assert not exercises.check_sanity_similarity(value + 0.1)
