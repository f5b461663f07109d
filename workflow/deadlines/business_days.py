"""Danish business days and the 09:00 Copenhagen send time of reminders (SPEC §5).

Public holidays come from the maintained `holidays` library (Denmark's *helligdage*: New
Year's Day, Maundy Thursday, Good Friday, Easter, Ascension, Whitsun, Christmas), so Easter
and the holidays that move with it never need a hand-kept list. Days that many offices close
but that are not public holidays by law (Christmas Eve, Constitution Day) count as business
days.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from workflow.core.timeutil import COPENHAGEN

SEND_TIME = time(9, 0)


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("DK", years=year).items())


def holiday_name(day: date) -> str | None:
    """The name of the Danish public holiday on `day`, if it is one."""
    return _holidays(day.year).get(day)


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a Danish public holiday."""
    return day.weekday() < 5 and holiday_name(day) is None


def business_day_on_or_before(day: date) -> date:
    """`day` itself if it is a business day, else the nearest business day before it."""
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def business_day_on_or_after(day: date) -> date:
    """`day` itself if it is a business day, else the nearest business day after it."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int) -> date:
    """The `count`-th business day after `day` (`day` itself is not counted)."""
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def local_date(moment: datetime) -> date:
    """The calendar date in Copenhagen at `moment`."""
    return moment.astimezone(COPENHAGEN).date()


def send_time_on(day: date) -> datetime:
    """09:00 Copenhagen time on `day`, as an aware UTC datetime (summer time included)."""
    return datetime.combine(day, SEND_TIME, tzinfo=COPENHAGEN).astimezone(UTC)
