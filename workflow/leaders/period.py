"""The period an overview covers, and its months, in Copenhagen time.

Leaders think in calendar months of their own time zone: "marts" runs from midnight on
1 March in Copenhagen, which is 23:00 UTC the day before. The bounds are worked out here, in
Python, and handed to the SQL as plain UTC timestamps, so no database needs to know about
time zones or month arithmetic (SQLite knows neither).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from states.dates import MAX_YEAR, MIN_YEAR
from workflow.core.errors import InvalidInput

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MAX_MONTHS = 120
"""The longest period asked for at once (ten years): every month is a row of the monthly
figures, and a chart of more months is unreadable anyway."""
DEFAULT_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Month:
    """One calendar month of the period: `label` `2026-03`, its UTC bounds [start, end)."""

    label: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Period:
    """The days [`start`, `end`) in Copenhagen time: `end` is the first day not included."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        """Midnight at the start, Copenhagen time, as UTC."""
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        """Midnight at the end (excluded), Copenhagen time, as UTC."""
        return local_midnight(self.end)

    def months(self) -> list[Month]:
        """Every calendar month the period touches, each cut to the period."""
        months: list[Month] = []
        year, month = self.start.year, self.start.month
        while date(year, month, 1) < self.end:
            following = (year + month // 12, month % 12 + 1)
            first = max(date(year, month, 1), self.start)
            last = min(date(*following, 1), self.end)
            months.append(
                Month(f"{year:04d}-{month:02d}", local_midnight(first), local_midnight(last))
            )
            year, month = following
        return months


def local_midnight(day: date) -> datetime:
    """The start of `day` in Copenhagen, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=COPENHAGEN).astimezone(UTC)


def default_period(now: datetime) -> Period:
    """The last twelve calendar months, this one included (up to its end)."""
    today = now.astimezone(COPENHAGEN).date()
    year, month = today.year, today.month
    start_index = year * 12 + (month - 1) - (DEFAULT_MONTHS - 1)
    end_index = year * 12 + month
    return Period(
        date(start_index // 12, start_index % 12 + 1, 1),
        date(end_index // 12, end_index % 12 + 1, 1),
    )


def make_period(start: date | None, end: date | None, now: datetime) -> Period:
    """The period from `from`/`to` as given (either may be left out), checked.

    Refused (`InvalidInput`, a 422 on the API): `from` not before `to`, a year outside
    2000-2100, a period longer than `MAX_MONTHS` months.
    """
    default = default_period(now)
    if start is None and end is not None:
        start = months_before(end, DEFAULT_MONTHS)
    period = Period(start or default.start, end or default.end)
    for name, day in (("from", period.start), ("to", period.end)):
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise InvalidInput(f"'{name}' must lie in the years {MIN_YEAR}-{MAX_YEAR}.")
    if period.start >= period.end:
        raise InvalidInput("'from' must be before 'to' ('to' is the first day not included).")
    if len(period.months()) > MAX_MONTHS:
        raise InvalidInput(f"The period may span at most {MAX_MONTHS} months.")
    return period


def months_before(day: date, months: int) -> date:
    """The first day of the month `months` months before `day`'s (not before 2000)."""
    index = day.year * 12 + (day.month - 1) - months
    year = max(MIN_YEAR, index // 12)
    return date(year, index % 12 + 1, 1) if year == index // 12 else date(MIN_YEAR, 1, 1)
