"""What a reminder says: gathered from the database, rendered from Jinja2 templates.

Mail is written in the recipient organisation's language (Danish or English), as plain text
and HTML from `notifications/templates/`; webhooks carry the same facts as JSON.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifications import links
from notifications.facts import CaseFacts, DeadlineFacts, OrganisationFacts, ReminderFacts
from states import CaseState
from states.text import Text, language
from workflow.core.formatting import format_moment
from workflow.core.settings import Settings
from workflow.deadlines.business_days import local_date
from workflow.deadlines.service import title_in

WHAT_IS_DUE: dict[str, Text] = {
    "submission": Text(
        "Indsend jeres forslag til opslaget inden fristen; forslag efter fristen afvises.",
        "Submit your proposal to the call before the deadline; late proposals are refused.",
    ),
    "assessment": Text(
        "Vurdér alle indkomne forslag efter de offentliggjorte kriterier, "
        "og begrund beslutningerne.",
        "Assess every proposal against the published criteria and record the reason for each "
        "decision.",
    ),
    "signature": Text("Underskriv samarbejdsaftalen.", "Sign the collaboration agreement."),
    "baseline_measurement": Text(
        "Gennemfør baselinemålingen, før afprøvningen starter.",
        "Carry out the baseline measurement before the pilot starts.",
    ),
    "midterm_evaluation": Text(
        "Gennemfør midtvejsevalueringen af afprøvningen.",
        "Carry out the mid-term evaluation of the pilot.",
    ),
    "final_evaluation": Text(
        "Aflever slutevalueringen af afprøvningen.",
        "Deliver the final evaluation of the pilot.",
    ),
    "knowledge_sharing": Text(
        "Del resultater og erfaringer fra afprøvningen med andre kommuner.",
        "Share the pilot's results and lessons with other municipalities.",
    ),
    "adoption_follow_up": Text(
        "Følg op på, om andre kommuner tager løsningen i brug.",
        "Follow up on whether other municipalities adopt the solution.",
    ),
}

_env = Environment(
    loader=PackageLoader("notifications", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,  # templates ship with the package; never stat them per mail
)


@dataclass(frozen=True, slots=True)
class ReminderContent:
    """Everything a reminder tells its recipient, whatever the channel."""

    dedup_key: str
    rung: str
    recipient_role: str
    language: str
    recipient_name: str
    recipient_email: str
    case_id: int
    case_title: str
    case_state: str
    deadline_id: int
    deadline_kind: str
    deadline_title: str
    deadline_revision: int
    due_at: datetime
    responsible_organisation_id: int | None
    responsible_name: str
    overdue: bool
    days_left: int
    """Whole days from today to the due date, in Copenhagen (0 on the day itself)."""
    what_is_due: str
    case_url: str
    """The case in the API, for programs (the webhook)."""
    ack_url: str
    """Where a program POSTs the acknowledgement (the webhook)."""
    page_url: str
    """The case's page at the deadline, for people (the mail's "Se sagen")."""
    ack_page_url: str
    """The acknowledge page with its button, for people (the mail)."""

    def template_vars(self) -> dict[str, Any]:
        """The variables the mail templates read."""
        return {
            "c": self,
            "due": format_moment(self.due_at, self.language),
            "state": CaseState(self.case_state).label(self.language),
            "escalation": self.rung.startswith("esc"),
            "what": self.what_is_due,
        }


def gather(
    reminder: ReminderFacts,
    deadline: DeadlineFacts,
    case: CaseFacts,
    recipient: OrganisationFacts,
    responsible: OrganisationFacts | None,
    settings: Settings,
    now: datetime,
) -> ReminderContent:
    """The content of `reminder`, from rows the sweep has already loaded."""
    responsible_id = deadline.responsible_organisation_id or case.lead_municipality_id
    lang = language(recipient.language)
    title = title_in(deadline.kind, deadline.title, lang)
    what = WHAT_IS_DUE.get(deadline.kind)
    token = links.ack_token(
        settings, deadline.id, deadline.revision, reminder.recipient_organisation_id, now=now
    )
    return ReminderContent(
        dedup_key=reminder.dedup_key,
        rung=reminder.rung,
        recipient_role=reminder.recipient_role,
        language=lang,
        recipient_name=recipient.name,
        recipient_email=recipient.email,
        case_id=case.id,
        case_title=case.title,
        case_state=case.state,
        deadline_id=deadline.id,
        deadline_kind=deadline.kind,
        deadline_title=title,
        deadline_revision=deadline.revision,
        due_at=deadline.due_at,
        responsible_organisation_id=responsible_id,
        responsible_name=responsible.name if responsible else "",
        overdue=now > deadline.due_at,
        days_left=(local_date(deadline.due_at) - local_date(now)).days,
        what_is_due=what.pick(lang) if what else title,
        case_url=links.case_url(settings, case.id),
        ack_url=links.ack_url(settings, token),
        page_url=links.case_page_url(settings, case.id, deadline.id),
        ack_page_url=links.ack_page_url(settings, token),
    )


@dataclass(frozen=True, slots=True)
class RenderedMail:
    """A reminder mail's subject and its two bodies."""

    subject: str
    text: str
    html: str


def one_line(value: str) -> str:
    """`value` on one line, its runs of white space one space each: a subject or a header
    holds names and titles that come from users, and a line break in a header would forge
    new headers."""
    return " ".join(value.split())


def render_mail(content: ReminderContent) -> RenderedMail:
    """The mail in the recipient's language."""
    lang = content.language
    variables = content.template_vars()
    subject = _env.get_template(f"subject.{lang}.txt").render(variables)
    return RenderedMail(
        subject=one_line(subject),
        text=_env.get_template(f"reminder.{lang}.txt").render(variables),
        html=_env.get_template(f"reminder.{lang}.html").render(variables),
    )


def webhook_payload(content: ReminderContent) -> dict[str, Any]:
    """The JSON body of a reminder webhook: the same facts as the mail, machine-readable."""
    return {
        "event": "deadline.reminder",
        "dedup_key": content.dedup_key,
        "rung": content.rung,
        "recipient_role": content.recipient_role,
        "language": content.language,
        "case": {
            "id": content.case_id,
            "title": content.case_title,
            "state": content.case_state,
            "url": content.case_url,
            "page_url": content.page_url,
        },
        "deadline": {
            "id": content.deadline_id,
            "kind": content.deadline_kind,
            "title": content.deadline_title,
            "due_at": content.due_at.isoformat(),
            "revision": content.deadline_revision,
            "responsible_organisation_id": content.responsible_organisation_id,
            "overdue": content.overdue,
        },
        "acknowledge_url": content.ack_url,
    }
