"""The sweep delivers reminders over real loopback SMTP and HTTP servers, retries failures
and ends them as failed, visibly (SPEC §5)."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from notifications import webhook
from notifications.sweep import sweep
from tests.chain import assert_chain_intact
from tests.factories import NOW, DatabaseTarget
from tests.reminder_support import (
    Scene,
    add_due_deadline,
    api_client,
    bearer,
    make_settings,
    reminders_of,
    smtp_server,
    token_for,
    webhook_receiver,
)
from workflow.audit.writer import case_chain
from workflow.core.settings import get_settings
from workflow.models import AuditEvent, Organisation


def parts(message: EmailMessage) -> dict[str, str]:
    """The content types of a multipart mail and their decoded text."""
    assert message.is_multipart()
    found: dict[str, str] = {}
    for part in message.walk():
        if not part.is_multipart():
            assert isinstance(part, EmailMessage)
            found[part.get_content_type()] = str(part.get_content())
    return found


def test_reminders_are_multipart_mail_in_each_recipients_language(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    da = add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=6))
    en = add_due_deadline(
        session, scene, scene.company_en, due_in=timedelta(days=6), title="Deliver test data"
    )
    with smtp_server() as (inbox, port):
        result = sweep(db.engine, make_settings(smtp_port=port), now=NOW)
    assert (result.claimed, result.sent) == (2, 2)
    by_to = {str(m["To"]): m for m in inbox.messages}
    assert set(by_to) == {
        "RoligRum ApS <kontakt@roligrum.example>",
        "SenseCare Nordic A/S <hello@sensecare.example>",
    }

    danish = by_to["RoligRum ApS <kontakt@roligrum.example>"]
    [row_da] = [r for r in reminders_of(session, da) if r.rung == "pre7"]
    assert danish["Message-ID"] == f"<{row_da.dedup_key}@opi.example.dk>"
    assert danish["Subject"] == "Frist om 6 dage: Lever testdata – Rolige dage på plejehjemmet"
    assert danish["Content-Language"] == "da"
    assert danish["From"] == "frister@opi.example.dk"
    assert danish.get_content_type() == "multipart/alternative"
    body = parts(danish)
    assert set(body) == {"text/plain", "text/html"}
    for text in body.values():
        assert "Rolige dage på plejehjemmet" in text
        assert "Lever testdata" in text
        # People get the pages (sign-in first when needed), never the JSON API.
        assert f"https://opi.example.dk/ui/cases/{scene.case_id}#deadline-" in text
        assert "https://opi.example.dk/ui/reminders/ack?token=" in text
        assert "/api/v1/" not in text
    assert "udløber" in body["text/plain"] and "Kvittér for påmindelsen" in body["text/html"]
    assert "<table" in body["text/html"]

    english = by_to["SenseCare Nordic A/S <hello@sensecare.example>"]
    [row_en] = [r for r in reminders_of(session, en) if r.rung == "pre7"]
    assert english["Message-ID"] == f"<{row_en.dedup_key}@opi.example.dk>"
    assert english["Subject"] == "Due in 6 days: Deliver test data – Rolige dage på plejehjemmet"
    assert english["Content-Language"] == "en"
    body = parts(english)
    assert "is due" in body["text/plain"] and "Acknowledge this reminder" in body["text/html"]

    assert {r.status for r in (row_da, row_en)} == {"sent"}
    assert all(r.attempts == 1 and r.sent_at == NOW for r in (row_da, row_en))
    sent = [
        e
        for e in assert_chain_intact(session, case_chain(scene.case_id))
        if e.action == "reminder.sent"
    ]
    assert {json.loads(e.data)["dedup_key"] for e in sent} == {row_da.dedup_key, row_en.dedup_key}
    assert all(r.lease_owner is None and r.lease_until is None for r in (row_da, row_en))
    assert [json.loads(e.data)["attempts"] for e in sent] == [1, 1]
    assert {e.actor_name for e in sent} == {"system:reminder-sweep"}


def test_on_the_due_date_both_the_responsible_party_and_the_manager_hear(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    deadline = add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=9))
    with smtp_server() as (inbox, port):
        settings = make_settings(smtp_port=port)
        sweep(db.engine, settings, now=NOW + timedelta(days=9))
    rows = {
        (r.rung, r.recipient_organisation_id): r.status for r in reminders_of(session, deadline)
    }
    company, lead = scene.company_da.id, scene.lead.id
    assert rows == {
        ("pre7", company): "skipped",  # missed windows, coalesced into the due-date reminder
        ("pre1", company): "skipped",
        ("due", company): "sent",
        ("due", lead): "sent",
        ("esc1", lead): "pending",
    }
    assert sorted(str(m["To"]) for m in inbox.messages) == [
        "Furesø Kommune <opi@furesoe.example.dk>",
        "RoligRum ApS <kontakt@roligrum.example>",
    ]
    assert all(str(m["Subject"]).startswith("Frist i dag") for m in inbox.messages)


def test_webhooks_are_signed_with_the_organisations_secret(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    secret = "whsec-furesø-test"
    with webhook_receiver() as receiver, smtp_server() as (inbox, port):
        lead = session.get(Organisation, scene.lead.id)
        assert lead is not None
        lead.webhook_url, lead.webhook_secret = receiver.url("/opi/hooks"), secret
        session.commit()
        deadline = add_due_deadline(session, scene, scene.lead, due_in=timedelta(days=6))
        result = sweep(db.engine, make_settings(smtp_port=port), now=NOW)
    assert result.sent == 2
    [call] = receiver.calls
    [hook_row] = [
        r for r in reminders_of(session, deadline) if r.channel == "webhook" and r.rung == "pre7"
    ]
    assert call.path == "/opi/hooks"
    assert call.headers["Content-Type"] == "application/json"
    assert call.headers["Idempotency-Key"] == hook_row.dedup_key
    assert call.headers["X-OPI-Signature"].startswith("sha256=")
    assert webhook.verify(secret, call.body, call.headers["X-OPI-Signature"])
    assert not webhook.verify("another-secret", call.body, call.headers["X-OPI-Signature"])
    payload = call.json()
    assert payload["event"] == "deadline.reminder"
    assert payload["dedup_key"] == hook_row.dedup_key
    assert payload["case"]["id"] == scene.case_id
    assert payload["deadline"]["id"] == deadline.id
    assert payload["deadline"]["title"] == "Lever testdata"
    assert payload["acknowledge_url"].startswith("https://opi.example.dk/api/v1/reminders/ack?")
    # The email channel went out as well.
    assert inbox.count() == 1


def test_a_refusing_smtp_server_makes_reminders_retry_then_fail_visibly(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    deadline = add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=6))
    settings = make_settings(max_attempts=3, retry_base_seconds=60)
    with smtp_server(refuse=True) as (inbox, port):
        settings = make_settings(max_attempts=3, retry_base_seconds=60, smtp_port=port)
        first = sweep(db.engine, settings, now=NOW)
        assert (first.retried, first.failed) == (1, 0)
        [row] = [r for r in reminders_of(session, deadline) if r.status != "cancelled"][:1]
        assert (row.status, row.attempts, row.next_attempt_at) == (
            "pending",
            1,
            NOW + timedelta(seconds=60),
        )
        assert "554" in (row.last_error or "")
        assert sweep(db.engine, settings, now=NOW + timedelta(seconds=30)).claimed == 0
        second = sweep(db.engine, settings, now=NOW + timedelta(seconds=61))
        assert second.retried == 1  # next wait doubles: 120 s
        assert sweep(db.engine, settings, now=NOW + timedelta(seconds=150)).claimed == 0
        third = sweep(db.engine, settings, now=NOW + timedelta(seconds=190))
        assert third.failed == 1
        assert inbox.refused == 3

    token = token_for(session, "manager", scene.lead, "Anne")
    auditor = token_for(session, "auditor", None, "Revisor")
    with api_client(db, settings) as client:
        for who in (token, auditor):
            response = client.get(
                f"/api/v1/cases/{scene.case_id}/notifications", headers=bearer(who)
            )
            assert response.status_code == 200
            [failed] = [i for i in response.json()["items"] if i["status"] == "failed"]
            assert failed["attempts"] == 3
            assert failed["next_attempt_at"] is None
            assert "554" in failed["last_error"]
            assert failed["dedup_key"] == row.dedup_key
    events = session.execute(
        select(AuditEvent).where(
            col(AuditEvent.case_id) == scene.case_id, col(AuditEvent.action) == "reminder.failed"
        )
    ).scalars()
    [event] = list(events)
    data = json.loads(event.data)
    assert (data["dedup_key"], data["attempts"]) == (row.dedup_key, 3)
    assert "554" in data["error"] and event.actor_name == "system:reminder-sweep"


def test_a_failing_webhook_does_not_stop_the_rest_of_the_batch(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    with webhook_receiver(status=500) as receiver, smtp_server() as (inbox, port):
        lead = session.get(Organisation, scene.lead.id)
        assert lead is not None
        lead.webhook_url, lead.webhook_secret = receiver.url(), "s3cret"
        session.commit()
        add_due_deadline(session, scene, scene.lead, due_in=timedelta(days=6))
        add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=6))
        result = sweep(db.engine, make_settings(smtp_port=port), now=NOW)
    assert (result.claimed, result.sent, result.retried, result.errors) == (3, 2, 1, [])
    assert len(receiver.calls) == 1 and inbox.count() == 2


def test_tests_get_no_scheduler_and_the_served_app_runs_one(
    db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app, create_served_app

    with TestClient(create_app()) as client:
        assert getattr(client.app.state, "scheduler", None) is None  # type: ignore[attr-defined]
    monkeypatch.setenv("OPI_DATABASE_URL", db.url)
    monkeypatch.setenv("OPI_SWEEP_SECONDS", "3600")
    monkeypatch.setenv("OPI_CHECKPOINT_SECONDS", "3600")
    get_settings.cache_clear()
    try:
        app = create_served_app()
        with TestClient(app):
            scheduler = app.state.scheduler
            assert scheduler.running
            job = scheduler.get_job("reminder-sweep")
            assert job.trigger.interval == timedelta(seconds=3600)
        assert not scheduler.running
    finally:
        get_settings.cache_clear()


def worker_env(db: DatabaseTarget, smtp_port: int, **extra: str) -> dict[str, str]:
    """The environment of an `opi worker` process on the test database."""
    return {
        **os.environ,
        "OPI_ENVIRONMENT": "test",
        "OPI_DATABASE_URL": db.url,
        "OPI_SMTP_HOST": "127.0.0.1",
        "OPI_SMTP_PORT": str(smtp_port),
        "OPI_MAIL_FROM": "frister@opi.example.dk",
        "OPI_REMINDER_CALENDAR": "any",
        **extra,
    }


def opi_command(*args: str) -> list[str]:
    """`opi ...` run with this interpreter."""
    return [sys.executable, "-c", "from api.cli import main; raise SystemExit(main())", *args]


def test_opi_worker_once_sweeps_and_exits(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    from workflow.core.timeutil import utcnow

    now = utcnow()
    add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=6), now=now)
    with smtp_server() as (inbox, port):
        done = subprocess.run(
            opi_command("worker", "--once"),
            env=worker_env(db, port),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert re.search(r"1 claimed, 1 sent", done.stdout)
    assert inbox.count() == 1


def test_a_dropped_smtp_connection_is_reopened() -> None:
    from aiosmtpd.controller import Controller

    from notifications import mailer
    from tests.reminder_support import Inbox, free_port

    port, inbox = free_port(), Inbox()
    connection = mailer.SmtpConnection(make_settings(smtp_port=port))
    first = mailer.OutgoingMail(
        "frister@opi.example.dk", "a@example.dk", b"Subject: 1\r\n\r\nx\r\n"
    )
    second = mailer.OutgoingMail(
        "frister@opi.example.dk", "a@example.dk", b"Subject: 2\r\n\r\ny\r\n"
    )
    for mail in (first, second):
        server = Controller(inbox, hostname="127.0.0.1", port=port)
        server.start()
        try:
            connection.send(mail)  # the second reuses a connection the server has dropped
        finally:
            server.stop()
    connection.close()
    assert [str(m["Subject"]) for m in inbox.messages] == ["1", "2"]
