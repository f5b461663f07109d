"""Reminder mails lead people to the pages (issue 14 item 5): "Se sagen" opens the case page
(sign-in first, then back), and the acknowledge page acknowledges only when its button is
pressed, never on a GET (mail scanners follow links). On SQLite and PostgreSQL."""

import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from sqlalchemy import func, select
from sqlmodel import Session, col

from notifications import facts, links
from notifications.content import gather, render_mail
from notifications.facts import CaseFacts, DeadlineFacts, OrganisationFacts
from tests import web_support
from tests.web_support import WebApp, csrf_of
from workflow.access.actor import Actor
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.service import add_deadline
from workflow.models import (
    AuditEvent,
    Case,
    Deadline,
    DeadlineAcknowledgement,
    Organisation,
    Reminder,
)

web = web_support.web  # the pages' fixture: the app on the test database with its world


def company_deadline(web: WebApp, language: str = "da") -> tuple[Deadline, Organisation]:
    """A deadline in the open call's case that SenseCare is responsible for, with reminders."""
    with Session(web.db.engine, expire_on_commit=False) as s:
        company = s.execute(
            select(Organisation).where(col(Organisation.name) == "SenseCare Nordic A/S")
        ).scalar_one()
        company.language = language
        case = s.get(Case, web.world.match_case_id)
        assert case is not None
        manager = Actor("Mette Madsen", "manager", case.lead_municipality_id)
        work = UnitOfWork(s)
        deadline = add_deadline(
            work,
            case.id or 0,
            manager,
            title="Lever testdata",
            due_at=utcnow() + timedelta(days=10),
            responsible_organisation_id=company.id,
        )
        work.commit()
        return deadline, company


def mail_text(web: WebApp, deadline: Deadline, company: Organisation) -> str:
    """The plain text of the first reminder to the company, as the sweep would render it."""
    with Session(web.db.engine) as s:
        reminder = (
            s.execute(
                select(Reminder).where(
                    col(Reminder.deadline_id) == deadline.id,
                    col(Reminder.recipient_organisation_id) == company.id,
                )
            )
            .scalars()
            .first()
        )
        assert reminder is not None and deadline.id is not None and company.id is not None
        [facts_of_deadline] = facts.load(s, DeadlineFacts, {deadline.id}).values()
        [case] = facts.load(s, CaseFacts, {deadline.case_id}).values()
        [party] = facts.load(s, OrganisationFacts, {company.id}).values()
        content = gather(reminder, facts_of_deadline, case, party, party, get_settings(), utcnow())
    return render_mail(content).text


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def acknowledgements(web: WebApp) -> tuple[int, int]:
    with Session(web.db.engine) as s:
        acks = s.execute(select(func.count()).select_from(DeadlineAcknowledgement)).scalar_one()
        events = s.execute(
            select(func.count()).where(col(AuditEvent.action) == "reminder.acknowledged")
        ).scalar_one()
    return acks, events


def test_se_sagen_opens_the_case_page_after_signing_in(web: WebApp) -> None:
    deadline, company = company_deadline(web)
    text = mail_text(web, deadline, company)
    case_link = re.search(r"^(http\S+/ui/cases/\S+)$", text, re.MULTILINE)
    assert case_link is not None, text
    assert "/api/v1/" not in text
    url = urlsplit(case_link.group(1))
    assert (url.path, url.fragment) == (f"/ui/cases/{deadline.case_id}", f"deadline-{deadline.id}")

    client = web.client()
    first = client.get(url.path)
    assert first.status_code == 303
    login = first.headers["location"]
    assert login == f"/ui/login?next=%2Fui%2Fcases%2F{deadline.case_id}"
    form = client.get(login)
    assert f'value="/ui/cases/{deadline.case_id}"' in form.text  # the way back is kept
    signed = client.post(
        "/ui/login",
        data={
            "csrf_token": csrf_of(form.text),
            "token": web.world.tokens["partner_b"],
            "next": f"/ui/cases/{deadline.case_id}",
        },
    )
    assert signed.headers["location"] == f"/ui/cases/{deadline.case_id}"
    page = client.get(signed.headers["location"])
    assert page.status_code == 200 and f'id="deadline-{deadline.id}"' in page.text


def test_following_the_acknowledge_link_changes_nothing_until_the_button_is_pressed(
    web: WebApp,
) -> None:
    """Regression: a GET on the link acknowledged, so a mail scanner stopped the reminders."""
    deadline, company = company_deadline(web)
    text = mail_text(web, deadline, company)
    link = re.search(r"^(http\S+/ui/reminders/ack\?token=\S+)$", text, re.MULTILINE)
    assert link is not None, text
    client = web.client()
    for _ in range(2):  # a scanner, then the person
        page = client.get(path_of(link.group(1)))
        assert page.status_code == 200
        assert "Kvittér for påmindelsen" in page.text and 'data-testid="ack-button"' in page.text
        assert 'href="/ui/static/web.css"' in page.text  # styled like the other pages
    assert acknowledgements(web) == (0, 0)
    # The old API address, followed with GET, leads to the page and changes nothing either.
    token = urlsplit(link.group(1)).query.removeprefix("token=")
    old = client.get(f"/api/v1/reminders/ack?token={token}")
    assert old.status_code == 303 and old.headers["location"].startswith("/ui/reminders/ack?")
    assert acknowledgements(web) == (0, 0)

    pressed = client.post("/ui/reminders/ack", data={"token": unquote(token)})
    assert pressed.status_code == 200
    assert "Tak. Kvitteringen for" in pressed.text
    assert acknowledgements(web) == (1, 1)
    again = client.post("/ui/reminders/ack", data={"token": unquote(token)})
    assert "Der er allerede kvitteret" in again.text
    assert acknowledgements(web) == (1, 1)


def test_the_acknowledge_page_speaks_the_recipients_language(web: WebApp) -> None:
    deadline, company = company_deadline(web, language="en")
    token = links.ack_token(get_settings(), deadline.id or 0, 1, company.id or 0)
    client = web.client()
    page = client.get("/ui/reminders/ack", params={"token": token})
    assert '<html lang="en">' in page.text
    assert "Acknowledge the reminder" in page.text and "Lever testdata" in page.text
    done = client.post("/ui/reminders/ack", data={"token": token})
    assert "Thank you." in done.text


def test_a_forged_or_expired_acknowledge_link_is_refused_on_the_page(web: WebApp) -> None:
    deadline, company = company_deadline(web)
    settings = get_settings()
    expired = links.ack_token(
        settings, deadline.id or 0, 1, company.id or 0, now=utcnow() - timedelta(days=61)
    )
    forged = links.ack_token(
        settings.model_copy(update={"secret_key": "another"}), deadline.id or 0, 1, 1
    )
    client = web.client()
    old = client.get("/ui/reminders/ack", params={"token": expired})
    assert old.status_code == 400 and "Linket er udløbet" in old.text
    bad = client.post("/ui/reminders/ack", data={"token": forged})
    assert bad.status_code == 400 and "Linket er ikke gyldigt" in bad.text
    assert client.get("/ui/reminders/ack").status_code == 400
    assert acknowledgements(web) == (0, 0)
