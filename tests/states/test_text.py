"""The one bilingual text type and the one Accept-Language negotiation."""

import pytest

from states.text import Text, language, negotiate


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, "da"),
        ("", "da"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("da-DK,da;q=0.9,en;q=0.8", "da"),
        ("en;q=0.5, da", "da"),  # weights decide, not the order
        ("fr, de;q=0.9, en;q=0.3", "en"),  # the best supported one
        ("fr", "da"),
        ("en;q=0", "da"),  # refused outright
        ("en;q=zero", "da"),  # an unreadable weight is no weight
        ("*", "da"),
        ("EN-us", "en"),
    ],
)
def test_accept_language_is_negotiated_by_weight(header: str | None, chosen: str) -> None:
    assert negotiate(header) == chosen


def test_text_picks_danish_unless_english_is_asked_for() -> None:
    text = Text("Frist", "Deadline")
    assert [text.pick(x) for x in ("da", "en", "en-GB", "fr", None)] == [
        "Frist",
        "Deadline",
        "Deadline",
        "Frist",
        "Frist",
    ]
    assert Text("{n} sager", "{n} cases").format(n=3).pick("en") == "3 cases"
    assert language("da_DK") == "da" and language("en_US") == "en"
