"""The numbers of a success criterion as the knowledge library computes them: the effect in
percent, the target's percent and whether the target was reached, careful with zero, missing
values and texts."""

import pytest

from states.sections import SuccessCriterion
from workflow.knowledge.library import criterion_result, target_reached


@pytest.mark.parametrize(
    ("baseline", "target", "result", "effect", "target_percent", "reached"),
    [
        (14, 7, 8.4, -40.0, -50.0, False),  # lower is better, not far enough
        (14, 7, 7, -50.0, -50.0, True),  # exactly the target
        (14, 7, 3, -78.6, -50.0, True),  # beyond it
        (10, 12, 15, 50.0, 20.0, True),  # higher is better
        (10, 12, 9, -10.0, 20.0, False),  # the wrong way
        (0, 5, 4, None, None, False),  # no percent of zero, but the target still answers
        (0, 5, 5, None, None, True),
        (-4, -2, -1, 75.0, 50.0, True),  # a negative baseline: percent of its size
        ("3,5", "4", "4,2", 20.0, 14.3, True),  # Danish decimal commas are numbers
        ("1.234,5", "1000", "1000", -19.0, -19.0, True),  # "1.000" alone reads as 1.0
        (14, 7, None, None, -50.0, None),  # not measured yet
        ("hver uge", "sjældent", "aldrig", None, None, None),  # words, not numbers
        (5, 5, 8, 60.0, 0.0, None),  # the target equals the baseline: no direction
    ],
)
def test_criterion_numbers(
    baseline: object,
    target: object,
    result: object,
    effect: float | None,
    target_percent: float | None,
    reached: bool | None,
) -> None:
    criterion = SuccessCriterion.model_validate(
        {"metric": "m", "baseline": baseline, "target": target, "result": result, "unit": "x"}
    )
    computed = criterion_result(criterion)
    assert computed.effect_percent == effect
    assert computed.target_percent == target_percent
    assert computed.target_reached is reached
    assert (computed.baseline, computed.target, computed.result) == (baseline, target, result)


def test_booleans_and_infinities_are_no_numbers() -> None:
    assert target_reached(True, 2, 3) is None
    assert target_reached("inf", 2, 3) is None
    assert target_reached(1, 2, "nan") is None
