"""Success criteria with numbers, and adopting municipalities named by their id alone (issue 17)."""

import pytest
from pydantic import ValidationError

from states.sections import AdoptingMunicipality, SuccessCriterion, as_number, effect_percent


def test_a_success_criterion_takes_numbers_and_keeps_them_numbers() -> None:
    criterion = SuccessCriterion.model_validate(
        {
            "metric": "Uro-episoder pr. uge",
            "baseline": 12,
            "target": 6,
            "result": 7.5,
            "unit": "episoder",
        }
    )
    assert criterion.model_dump(mode="json", exclude_none=True) == {
        "metric": "Uro-episoder pr. uge",
        "baseline": 12,
        "target": 6,
        "result": 7.5,
        "unit": "episoder",
    }
    assert criterion.effect_percent == -37.5


def test_a_success_criterion_still_takes_text() -> None:
    criterion = SuccessCriterion.model_validate(
        {"metric": "Tryghed (1-5)", "baseline": "2,8", "target": "hver anden uge"}
    )
    assert (criterion.baseline, criterion.target) == ("2,8", "hver anden uge")
    assert criterion.effect_percent is None  # no result measured yet


@pytest.mark.parametrize("value", [True, float("nan"), float("inf"), [1], {"n": 1}])
def test_a_measure_that_is_neither_number_nor_text_is_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        SuccessCriterion.model_validate({"metric": "m", "baseline": value, "target": 1})


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2,8", 2.8),
        ("2.8", 2.8),
        ("1.234,5", 1234.5),
        (" 14 ", 14.0),
        ("abc", None),
        ("", None),
        ("nan", None),
        ("inf", None),
        (True, None),
        (3, 3.0),
    ],
)
def test_as_number_reads_danish_and_english_numbers(text: object, number: float | None) -> None:
    assert as_number(text) == number


def test_effect_in_percent_of_the_baseline() -> None:
    assert effect_percent(14, 7) == -50.0
    assert effect_percent("2,8", "4,0") == 42.9
    assert effect_percent(0, 5) is None  # no percent of nothing
    assert effect_percent(-4, -2) == 50.0


def test_an_adopting_municipality_by_its_organisation_id_alone() -> None:
    adopter = AdoptingMunicipality.model_validate({"organisation_id": 7})
    assert adopter.name is None and adopter.organisation_id == 7


def test_an_adopting_municipality_needs_a_name_or_an_id() -> None:
    with pytest.raises(ValidationError, match="name or an organisation_id"):
        AdoptingMunicipality.model_validate({"letter_of_intent_at": "2027-01-01"})
