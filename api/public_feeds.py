"""The open calls as an Atom feed (RFC 4287) and as an iCalendar feed of their submission
deadlines (RFC 5545), so that companies, calendars and aggregators find them without an
account.

Both are built with libraries that escape for us: Atom with `xml.etree.ElementTree`, the
calendar with `icalendar` (which escapes commas, semicolons and newlines and folds long lines).
Each entry and event has an id that stays the same for the life of the case, so a reader
replaces an entry instead of duplicating it.
"""

from collections.abc import Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from icalendar import Calendar, Event

from states.text import Text
from workflow.core.formatting import format_moment
from workflow.core.timeutil import isoformat_z
from workflow.public.calls import PublicCall

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
CALENDAR_TYPE = "text/calendar; charset=utf-8"
PRODUCT_ID = "-//opi-workflow//open calls//DA"
UID_DOMAIN = "opi-workflow"

FEED_TITLE = Text("Åbne opslag", "Open calls")
FEED_SUBTITLE = Text(
    "Kommunernes åbne opslag om offentlig-privat innovation. Alle virksomheder kan byde.",
    "The municipalities' open calls for public-private innovation. Every company may bid.",
)
PUBLISHER = Text("OPI-sagsstyring", "OPI case management")
DEADLINE = Text("Frist for forslag", "Submission deadline")
PUBLISHED_BY = Text("Offentliggjort af", "Published by")
CRITERIA = Text("Tildelingskriterier", "Assessment criteria")
CALENDAR_NAME = Text("Åbne opslag: frister for forslag", "Open calls: submission deadlines")
AND = Text("og", "and")


def publishers(call: PublicCall, lang: str) -> str:
    """ "Furesø, Allerød og Randers Kommune" style: the names joined, the last with "og"."""
    names = [m.name for m in call.municipalities]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {AND.pick(lang)} {names[-1]}"


def _summary(call: PublicCall, lang: str) -> str:
    deadline = format_moment(call.submission_deadline, lang)
    return f"{DEADLINE.pick(lang)}: {deadline}. {PUBLISHED_BY.pick(lang)} {publishers(call, lang)}."


def _content(call: PublicCall, lang: str) -> str:
    lines = [call.text, "", f"{CRITERIA.pick(lang)}:"]
    lines += [f"- {c.name}: {c.weight} %" for c in call.criteria]
    lines += ["", _summary(call, lang)]
    return "\n".join(lines)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def atom_feed(
    calls: Sequence[PublicCall],
    *,
    self_url: str,
    page_url: str,
    call_url: dict[int, str],
    now: datetime,
    lang: str,
) -> bytes:
    """The feed's bytes: one entry per open call, its text in `lang`.

    The feed's `updated` is the latest publication among its calls (now when there is none);
    an entry's `updated` is when its call was published, since a published call is frozen.
    """
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": lang})
    _add(feed, "id", self_url)
    _add(feed, "title", FEED_TITLE.pick(lang))
    _add(feed, "subtitle", FEED_SUBTITLE.pick(lang))
    latest = max((c.published_at for c in calls), default=now)
    _add(feed, "updated", isoformat_z(latest))
    _add(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _add(feed, "link", rel="alternate", href=page_url, type="text/html")
    _add(_add(feed, "author"), "name", PUBLISHER.pick(lang))
    _add(feed, "generator", "opi-workflow")
    for call in calls:
        url = call_url[call.id]
        entry = _add(feed, "entry")
        _add(entry, "id", url)
        _add(entry, "title", call.title)
        _add(entry, "updated", isoformat_z(call.published_at))
        _add(entry, "published", isoformat_z(call.published_at))
        _add(entry, "link", rel="alternate", href=url, type="text/html")
        for municipality in call.municipalities:
            _add(_add(entry, "author"), "name", municipality.name)
        _add(entry, "summary", _summary(call, lang), type="text")
        _add(entry, "content", _content(call, lang), type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def deadline_calendar(
    calls: Sequence[PublicCall], *, call_url: dict[int, str], now: datetime, lang: str
) -> bytes:
    """The calendar's bytes: one event at each open call's submission deadline."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME.pick(lang))
    for call in calls:
        url = call_url[call.id]
        event = Event()
        event.add("uid", f"call-{call.id}-submission-deadline@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("dtstart", call.submission_deadline)
        event.add("summary", f"{DEADLINE.pick(lang)}: {call.title}")
        event.add("description", f"{PUBLISHED_BY.pick(lang)} {publishers(call, lang)}.\n\n{url}")
        event.add("url", url)
        event.add("last-modified", call.published_at)
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
