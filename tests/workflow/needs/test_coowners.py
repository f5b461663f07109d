"""How the municipalities publishing a call are named ("offentliggjort af Furesø, Allerød og
Randers Kommune")."""

import pytest

from workflow.needs.coowners import name_list


@pytest.mark.parametrize(
    ("names", "lang", "expected"),
    [
        (["Furesø Kommune"], "da", "Furesø Kommune"),
        (["Furesø Kommune", "Allerød Kommune"], "da", "Furesø og Allerød Kommune"),
        (
            ["Furesø Kommune", "Allerød Kommune", "Randers Kommune"],
            "da",
            "Furesø, Allerød og Randers Kommune",
        ),
        (
            ["Furesø Kommune", "Allerød Kommune", "Randers Kommune"],
            "en",
            "Furesø, Allerød and Randers Kommune",
        ),
        (["Furesø Kommune", "Region Hovedstaden"], "da", "Furesø Kommune og Region Hovedstaden"),
        (
            ["Københavns Kommune", "Frederiksberg Kommune"],
            "en",
            "Københavns and Frederiksberg Kommune",
        ),
        ([], "da", ""),
        ([" Kommune", "Furesø Kommune"], "da", " Kommune og Furesø Kommune"),
    ],
)
def test_names_are_joined_the_language_s_way(names: list[str], lang: str, expected: str) -> None:
    assert name_list(names, lang) == expected
