"""Dates and times a case may hold: ISO 8601 text within years 2000-2100.

A far-future date (`9999-12-31T23:30:00Z`) was stored and then broke every page of its case
(a date past year 9999 cannot be computed or formatted), and numbers were read as Unix times
(`?until=0.5` meant 1970). No OPI project runs outside this century, so every date or time
that comes in is checked against these bounds, and must be written as ISO 8601 text.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

MIN_YEAR = 2000
MAX_YEAR = 2100
_ISO_START = re.compile(r"\s*\d{4}-\d{2}-\d{2}")
D = TypeVar("D", date, datetime)


def iso_text_only(value: Any) -> Any:
    """Refuse numbers (and text that is not an ISO 8601 date) before pydantic reads them as
    Unix times; dates and times given as Python objects pass."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_START.match(value):
        raise ValueError("write a date as ISO 8601 text, e.g. 2026-03-01 or 2026-03-01T09:00+01:00")
    return value


def within_years(value: D) -> D:
    """`value` when its year lies in MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must lie between {MIN_YEAR} and {MAX_YEAR}")
    return value


def in_range(value: date | datetime) -> bool:
    """Whether a stored date or time lies in the accepted years (older rows may not)."""
    return MIN_YEAR <= value.year <= MAX_YEAR


Day = Annotated[date, BeforeValidator(iso_text_only), AfterValidator(within_years)]
"""A calendar date between 2000-01-01 and 2100-12-31."""
Moment = Annotated[AwareDatetime, BeforeValidator(iso_text_only), AfterValidator(within_years)]
"""A time with its UTC offset, in years 2000-2100."""
LooseMoment = Annotated[datetime, BeforeValidator(iso_text_only), AfterValidator(within_years)]
"""A time in years 2000-2100 that may lack an offset (filters read it as UTC)."""
