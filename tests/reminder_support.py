"""Real loopback servers and small builders shared by the deadline and reminder tests.

An `aiosmtpd` SMTP server that keeps (or refuses) what it receives, a threaded HTTP server
that records webhooks, an API client over the test database, and a case set up in a phase.
This module holds no tests itself.
"""

import asyncio
import email
import email.policy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session, col

from api.app import create_app
from api.deps import get_now, get_session
from tests.factories import NOW, DatabaseTarget, make_org, manager_of, new_case
from tests.loopback import free_port, serving
from workflow.access.actor import Actor
from workflow.access.tokens import create_token
from workflow.core.settings import Settings, get_settings
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.service import add_deadline, move_deadline, set_deadline_status
from workflow.models import Case, Deadline, DeadlineStatus, Organisation, Reminder


class Inbox:
    """An aiosmtpd handler keeping every message it accepts (or refusing them all)."""

    def __init__(self, refuse: bool = False, delay: float = 0.0) -> None:
        self.refuse = refuse
        self.delay = delay
        self.messages: list[EmailMessage] = []
        self.refused = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Accept and parse the message, or refuse it with a permanent error."""
        if self.refuse:
            with self._lock:
                self.refused += 1
            return "554 5.7.1 Refused by the test server"
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow server, so a batch takes a while
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def message_ids(self) -> list[str]:
        """The `Message-ID` of every message received, repeats included."""
        with self._lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def count(self) -> int:
        """How many messages arrived."""
        with self._lock:
            return len(self.messages)


@contextmanager
def smtp_server(refuse: bool = False, delay: float = 0.0) -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on 127.0.0.1 for the length of the block: its inbox and port."""
    inbox = Inbox(refuse=refuse, delay=delay)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@dataclass
class WebhookCall:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """A loopback HTTP server recording every POST; answers `status`."""

    status: int = 204
    calls: list[WebhookCall] = field(default_factory=list)
    port: int = 0

    def url(self, path: str = "/hook") -> str:
        """The address of `path` on this receiver."""
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def webhook_receiver(status: int = 204) -> Iterator[WebhookReceiver]:
    """A webhook receiver on 127.0.0.1 for the length of the block."""
    receiver = WebhookReceiver(status=status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.calls.append(WebhookCall(self.path, dict(self.headers.items()), body))
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    with serving(server):
        yield receiver


def make_settings(**overrides: Any) -> Settings:
    """Settings for a test: fast retries, the `any` calendar unless told otherwise."""
    values: dict[str, Any] = {
        "environment": "test",
        "reminder_calendar": "any",
        "retry_base_seconds": 60,
        "max_attempts": 3,
        "lease_seconds": 60,
        "smtp_host": "127.0.0.1",
        "smtp_port": 1,
        "mail_from": "frister@opi.example.dk",
        "base_url": "https://opi.example.dk",
        "secret_key": "test-secret-key",
        "delivery_timeout": 10,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Scene:
    """A municipality leading a case, a Danish and an English company, and a manager."""

    lead: Organisation
    company_da: Organisation
    company_en: Organisation
    case: Case
    manager: Actor

    @property
    def case_id(self) -> int:
        """The case's id."""
        assert self.case.id is not None
        return self.case.id


def make_scene(session: Session, **lead_fields: Any) -> Scene:
    """A case in `need` led by Furesø, with two companies taking part as partners."""
    from workflow.proposals.service import add_participant

    lead = make_org(session, "Furesø Kommune", email="opi@furesoe.example.dk", **lead_fields)
    company_da = make_org(session, "RoligRum ApS", "company", email="kontakt@roligrum.example")
    company_en = make_org(
        session, "SenseCare Nordic A/S", "company", email="hello@sensecare.example", language="en"
    )
    case = new_case(session, lead)
    manager = manager_of(lead)
    work = UnitOfWork(session)
    for company in (company_da, company_en):
        add_participant(
            work, case.id or 0, manager, organisation_id=company.id or 0, role="partner", now=NOW
        )
    work.commit()
    return Scene(lead, company_da, company_en, case, manager)


def add_due_deadline(
    session: Session,
    scene: Scene,
    responsible: Organisation,
    *,
    due_in: timedelta,
    now: datetime = NOW,
    title: str = "Lever testdata",
    calendar: str = "any",
) -> Deadline:
    """A manager's deadline due `due_in` after `now`, committed."""
    work = UnitOfWork(session)
    deadline = add_deadline(
        work,
        scene.case_id,
        scene.manager,
        title=title,
        due_at=now + due_in,
        responsible_organisation_id=responsible.id,
        now=now,
        calendar=calendar,
    )
    work.commit()
    return deadline


def close_deadline(
    session: Session,
    scene: Scene,
    deadline: Deadline,
    status: DeadlineStatus,
    reason: str | None = None,
    *,
    now: datetime,
) -> None:
    """The manager marks `deadline` met or cancels it (with a reason), committed."""
    work = UnitOfWork(session)
    set_deadline_status(
        work, deadline.id or 0, scene.manager, status=status, reason=reason, now=now
    )
    work.commit()


def move_due_deadline(
    session: Session, scene: Scene, deadline: Deadline, due_at: datetime, reason: str, now: datetime
) -> Deadline:
    """The manager moves `deadline` to `due_at` (any day of the week), committed; the new
    revision."""
    work = UnitOfWork(session)
    moved = move_deadline(
        work, deadline.id or 0, scene.manager, due_at=due_at, reason=reason, now=now, calendar="any"
    )
    work.commit()
    return moved


def reminders_of(session: Session, deadline: Deadline) -> list[Reminder]:
    """The deadline's outbox rows, oldest first. Ends the read transaction: on SQLite every
    transaction holds the write lock, and the sweep under test must be able to write."""
    rows = list(
        session.execute(
            select(Reminder)
            .where(col(Reminder.deadline_id) == deadline.id)
            .order_by(col(Reminder.id))
            .execution_options(populate_existing=True)
        ).scalars()
    )
    session.commit()
    return rows


def token_for(session: Session, role: str, organisation: Organisation | None, name: str) -> str:
    """A bearer token of `role` for `organisation`, committed."""
    work = UnitOfWork(session)
    _, secret = create_token(
        work,
        Actor(name="test-admin", role="admin"),
        name=name,
        role=role,
        organisation_id=organisation.id if organisation else None,
    )
    work.commit()
    return secret


@contextmanager
def api_client(
    db: DatabaseTarget, settings: Settings, now: datetime | None = None
) -> Iterator[TestClient]:
    """A TestClient whose requests use the test database, `settings` and (if given) `now`."""
    app = create_app()

    def session_override() -> Iterator[Session]:
        with Session(db.engine, expire_on_commit=False) as session:
            yield session

    app.dependency_overrides[get_session] = session_override
    app.dependency_overrides[get_settings] = lambda: settings
    if now is not None:
        app.dependency_overrides[get_now] = lambda: now
    with TestClient(app) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for `token`."""
    return {"Authorization": f"Bearer {token}"}
