"""Dates, times and numbers as people read them, in Danish or English, written by Babel.

Mail and web pages both format through here, so a due date reads the same in a reminder and
on the case page. Times are shown in Copenhagen, where the municipalities are. Formatting never
raises: a value too far from today to convert (year 9999, say) is shown as stored rather than
failing a page or a mail.
"""

from datetime import date, datetime
from functools import lru_cache

from babel.core import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.dates import format_timedelta
from babel.numbers import format_decimal

from states.text import Text, language
from workflow.core.timeutil import COPENHAGEN

LOCALES = {"da": Locale.parse("da_DK"), "en": Locale.parse("en_GB")}
"""British English: day before month, as a Danish reader of the English pages expects. Parsed
once: Babel given a locale's name parses it again on every call, which doubled a date's cost."""
_FULL = Text("{day} kl. {clock}", "{day} at {clock} (Copenhagen time)")
_SHORT = Text("{day} kl. {clock}", "{day} {clock}")
_DATE_FORMAT = Text("short", "medium")
"""`23.11.2026` reads well in Danish; English `23/11/2026` is ambiguous, so `23 Nov 2026`."""


def _locale(lang: str | None) -> Locale:
    return LOCALES[language(lang)]


def local_time(moment: datetime) -> datetime:
    """`moment` in Copenhagen time (a naive value is taken as Copenhagen already).

    At the ends of the calendar the conversion can overflow; the moment is then kept as it is.
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=COPENHAGEN)
    try:
        return moment.astimezone(COPENHAGEN)
    except (OverflowError, ValueError):
        return moment


@lru_cache(maxsize=1024)
def format_moment(moment: datetime, lang: str | None) -> str:
    """A due time in full, as a mail says it.

    `mandag den 7. december 2026 kl. 12.00`; `Monday, 7 December 2026 at 12:00 (Copenhagen
    time)`. Remembered: a sweep writes the same due time into the mail of every recipient of
    a deadline, and deadlines of one kind often fall due together.
    """
    local, loc = local_time(moment), _locale(lang)
    day, clock = babel_date(local, "full", locale=loc), babel_time(local, "short", locale=loc)
    return _FULL.pick(lang).format(day=day, clock=clock)


def format_datetime(moment: datetime, lang: str | None) -> str:
    """A timestamp, short, as the pages list it: `23.11.2026 kl. 10.00`, `23 Nov 2026 10:00`."""
    local, loc = local_time(moment), _locale(lang)
    day, clock = _short_date(local, lang), babel_time(local, "short", locale=loc)
    return _SHORT.pick(lang).format(day=day, clock=clock)


def format_date(day: date, lang: str | None) -> str:
    """A date, short: `23.11.2026` in Danish, `23 Nov 2026` in English."""
    if isinstance(day, datetime):
        day = local_time(day).date()
    return _short_date(day, lang)


def _short_date(day: date, lang: str | None) -> str:
    return babel_date(day, _DATE_FORMAT.pick(lang), locale=_locale(lang))


def format_number(number: int | float, lang: str | None) -> str:
    """A number with the language's separators: `1.234,5` in Danish, `1,234.5` in English."""
    return format_decimal(number, locale=_locale(lang))


def format_size(size: int, lang: str | None) -> str:
    """A file's size as people read it: `812 B`, `3,4 kB`, `12,1 MB` (decimal units)."""
    for unit, factor in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= factor:
            return f"{format_decimal(round(size / factor, 1), locale=_locale(lang))} {unit}"
    return f"{size} B"


def format_relative(moment: datetime, now: datetime, lang: str | None) -> str:
    """How far `moment` lies from `now` in words, as a deadline's time left reads:
    `om 2 dage`, `for 3 timer siden`; `in 2 days`, `3 hours ago`."""
    return format_timedelta(moment - now, locale=_locale(lang), add_direction=True)
