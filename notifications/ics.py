"""An organisation's open deadlines as an iCalendar feed (RFC 5545), for calendar clients.

The feed holds the deadlines the organisation is responsible for and, for a lead
municipality, every open deadline of the cases it leads. Each deadline is an event at its due
time; its `SEQUENCE` is the deadline's revision, so clients replace a moved deadline instead of
showing it twice.
"""

from datetime import datetime

from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlmodel import Session, col

from notifications.content import WHAT_IS_DUE
from notifications.links import case_page_url
from states.text import Text, language
from workflow.core.settings import Settings
from workflow.deadlines.service import localized_title
from workflow.models import Case, Deadline, DeadlineStatus, Organisation

PRODUCT_ID = "-//opi-workflow//deadlines//EN"
UID_DOMAIN = "opi-workflow"
CALENDAR_NAME = Text("OPI-frister", "OPI deadlines")


def open_deadlines_for(session: Session, organisation_id: int) -> list[tuple[Deadline, Case]]:
    """Open deadlines the organisation is responsible for or whose case it leads."""
    rows = session.execute(
        select(Deadline, Case)
        .join(Case, col(Case.id) == col(Deadline.case_id))
        .where(
            col(Deadline.status) == DeadlineStatus.OPEN.value,
            or_(
                col(Deadline.responsible_organisation_id) == organisation_id,
                col(Case.lead_municipality_id) == organisation_id,
            ),
        )
        .order_by(col(Deadline.due_at), col(Deadline.id))
    )
    return [(deadline, case) for deadline, case in rows.all()]


def organisation_calendar(
    session: Session, organisation: Organisation, settings: Settings, now: datetime
) -> bytes:
    """The feed's bytes, text in the organisation's language."""
    assert organisation.id is not None
    lang = language(organisation.language)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = CALENDAR_NAME.pick(lang)
    calendar.add("x-wr-calname", f"{name}: {organisation.name}")
    for deadline, case in open_deadlines_for(session, organisation.id):
        assert case.id is not None
        title = localized_title(deadline, lang)
        what = WHAT_IS_DUE.get(deadline.kind)
        event = Event()
        event.add("uid", f"deadline-{deadline.id}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("dtstart", deadline.due_at)
        event.add("summary", f"{title} – {case.title}")
        lines = [what.pick(lang)] if what else []
        page = case_page_url(settings, case.id, deadline.id)  # people open it: the page
        event.add("description", "\n".join([*lines, page]))
        event.add("url", page)
        event.add("sequence", deadline.revision)
        event.add("last-modified", deadline.updated_at)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
