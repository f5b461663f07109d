"""Dates, times and numbers for people, in Danish and English, by Babel; never an exception."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from api.web.forms import format_date as page_date
from api.web.forms import format_datetime as page_datetime
from notifications.content import ReminderContent
from workflow.core.formatting import format_date, format_datetime, format_moment, format_number

WINTER = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # 12.00 in Copenhagen
SUMMER = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)  # 12.00 in Copenhagen (summer time)


def test_a_due_time_in_full_with_danish_and_english_names() -> None:
    assert format_moment(WINTER, "da") == "mandag den 7. december 2026 kl. 12.00"
    assert format_moment(WINTER, "en") == "Monday, 7 December 2026 at 12:00 (Copenhagen time)"
    assert format_moment(SUMMER, "da") == "tirsdag den 1. juni 2027 kl. 12.00"


def test_short_forms_for_the_pages() -> None:
    assert format_datetime(WINTER, "da") == "07.12.2026 kl. 12.00"
    assert format_datetime(WINTER, "en") == "7 Dec 2026 12:00"
    assert format_date(date(2026, 11, 23), "da") == "23.11.2026"
    assert format_date(date(2026, 11, 23), "en") == "23 Nov 2026"
    assert format_date(WINTER, "da") == "07.12.2026"


def test_an_unknown_language_reads_danish() -> None:
    assert format_moment(WINTER, "fr") == format_moment(WINTER, "da")
    assert format_number(1234567.5, None) == "1.234.567,5"
    assert format_number(1234567.5, "en") == "1,234,567.5"


def test_mail_and_pages_write_a_date_the_same_way() -> None:
    content = ReminderContent(
        **{name: "" for name in ReminderContent.__dataclass_fields__}  # type: ignore[arg-type]
        | {"due_at": WINTER, "language": "da", "case_state": "need", "rung": "due"}
    )
    assert content.template_vars()["due"] == format_moment(WINTER, "da")
    assert page_datetime(WINTER.isoformat(), "en") == format_datetime(WINTER, "en")
    assert page_date("2026-11-23", "da") == format_date(date(2026, 11, 23), "da")


@pytest.mark.parametrize(
    "moment",
    [
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),  # past year 9999 in Copenhagen
        datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=5))),  # before year 1 in UTC
        datetime(9999, 12, 31, 23, 59),  # naive
    ],
    ids=["far-future", "far-past", "naive"],
)
@pytest.mark.parametrize("lang", ["da", "en"])
def test_formatting_never_raises_at_the_ends_of_the_calendar(moment: datetime, lang: str) -> None:
    for text in (format_moment(moment, lang), format_datetime(moment, lang)):
        assert str(moment.year) in text
    assert page_datetime(moment.isoformat(), lang)
