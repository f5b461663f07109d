"""What is reminded and when: holds, closed deadlines, missed windows, weekly escalations,
acknowledge links and leases (SPEC §5), on SQLite and PostgreSQL."""

import json
import re
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from notifications import claims, links
from notifications.sweep import sweep
from tests.factories import NOW, DatabaseTarget
from tests.reminder_support import (
    Scene,
    add_due_deadline,
    api_client,
    bearer,
    close_deadline,
    make_settings,
    move_due_deadline,
    reminders_of,
    smtp_server,
    token_for,
)
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent, DeadlineStatus
from workflow.transitions.engine import apply_trigger


def status_by_rung(session: Session, deadline: object) -> dict[str, str]:
    return {
        f"{r.rung}@{r.recipient_organisation_id}": r.status
        for r in reminders_of(session, deadline)  # type: ignore[arg-type]
    }


def test_nothing_is_reminded_while_the_case_is_on_hold(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    deadline = add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=9))
    work = UnitOfWork(session)
    apply_trigger(work, scene.case_id, "pause", scene.manager, reason="Afventer budget", now=NOW)
    with smtp_server() as (inbox, port):
        settings = make_settings(smtp_port=port)
        on_hold = sweep(db.engine, settings, now=NOW + timedelta(days=8, hours=1))
        assert (on_hold.claimed, inbox.count()) == (0, 0)
        assert set(status_by_rung(session, deadline).values()) == {"pending"}
        apply_trigger(work, scene.case_id, "resume", scene.manager, now=NOW + timedelta(days=8))
        resumed = sweep(db.engine, settings, now=NOW + timedelta(days=8, hours=1))
    # The 7-day and 1-day windows both passed while on hold: one reminder, not two.
    assert resumed.sent == 1 and inbox.count() == 1
    company = scene.company_da.id
    assert status_by_rung(session, deadline)[f"pre7@{company}"] == "skipped"
    assert status_by_rung(session, deadline)[f"pre1@{company}"] == "sent"


def test_met_cancelled_and_moved_deadlines_are_not_reminded(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    met = add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=5))
    cancelled = add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=5))
    moved = add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=5))
    later = NOW + timedelta(hours=1)
    close_deadline(session, scene, met, DeadlineStatus.MET, now=later)
    close_deadline(session, scene, cancelled, DeadlineStatus.CANCELLED, "Overflødig", now=later)
    move_due_deadline(session, scene, moved, NOW + timedelta(days=30), "Mere tid", now=later)
    with smtp_server() as (inbox, port):
        result = sweep(db.engine, make_settings(smtp_port=port), now=NOW + timedelta(days=6))
    assert (result.sent, inbox.count()) == (0, 0)
    for deadline in (met, cancelled):
        assert set(status_by_rung(session, deadline).values()) == {"cancelled"}
    rows = reminders_of(session, moved)
    assert {r.status for r in rows if r.revision == 1} == {"cancelled"}
    assert {r.status for r in rows if r.revision == 2} == {"pending"}


def test_missed_windows_are_coalesced_into_one_reminder(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    deadline = add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=20))
    # No sweep ran for 24 days: 7 days before, 1 day before, due date and first escalation.
    with smtp_server() as (inbox, port):
        result = sweep(db.engine, make_settings(smtp_port=port), now=NOW + timedelta(days=24))
    company, lead = scene.company_da.id, scene.lead.id
    assert status_by_rung(session, deadline) == {
        f"pre7@{company}": "skipped",
        f"pre1@{company}": "skipped",
        f"due@{company}": "sent",  # the company's latest missed reminder, once
        f"due@{lead}": "skipped",
        f"esc1@{lead}": "sent",  # the manager's, once
        f"esc2@{lead}": "pending",
    }
    assert (result.sent, inbox.count()) == (2, 2)
    overdue = {str(m["To"]): str(m["Subject"]) for m in inbox.messages}
    assert all(subject.startswith("Overskredet frist") for subject in overdue.values())


def test_escalations_repeat_weekly_and_skip_the_weeks_nobody_swept(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    deadline = add_due_deadline(session, scene, scene.lead, due_in=timedelta(days=10))
    due = NOW + timedelta(days=10)
    with smtp_server() as (inbox, port):
        settings = make_settings(smtp_port=port)
        sweep(db.engine, settings, now=due + timedelta(days=3))
        [esc2] = [r for r in reminders_of(session, deadline) if r.rung == "esc2"]
        assert (esc2.status, esc2.send_at) == ("pending", due + timedelta(days=10))
        sweep(db.engine, settings, now=due + timedelta(days=40))  # four weeks later
        rows = {r.rung: r for r in reminders_of(session, deadline)}
        assert rows["esc2"].status == "sent"
        assert "esc3" not in rows  # weeks 3 to 6 were missed: no burst
        assert (rows["esc7"].status, rows["esc7"].send_at) == ("pending", due + timedelta(days=45))
        close_deadline(session, scene, deadline, DeadlineStatus.MET, now=due)
        assert sweep(db.engine, settings, now=due + timedelta(days=60)).claimed == 0
    assert [str(m["Subject"]).split(":")[0] for m in inbox.messages].count("Overskredet frist") == 2


def test_the_ack_link_stops_reminders_before_the_due_date(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    deadline = add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=6))
    company = scene.company_da.id
    with smtp_server() as (inbox, port):
        settings = make_settings(smtp_port=port)
        sweep(db.engine, settings, now=NOW)
    [mail] = inbox.messages
    text = str(mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    url = re.search(r"https://opi\.example\.dk/ui/reminders/ack\?(token=\S+)", text)
    assert url is not None
    api_url = f"/api/v1/reminders/ack?{url.group(1)}"
    with api_client(db, settings, now=NOW + timedelta(hours=2)) as client:
        # A GET (a mail scanner following the link) leads to the page and changes nothing.
        looked = client.get(api_url, follow_redirects=False)
        assert looked.status_code == 303
        assert looked.headers["location"] == f"/ui/reminders/ack?{url.group(1)}"
        assert status_by_rung(session, deadline)[f"pre1@{company}"] == "pending"
        first = client.post(api_url)
        assert first.status_code == 200
        assert first.json() == {
            "outcome": "acknowledged",
            "deadline_id": deadline.id,
            "case_id": scene.case_id,
            "organisation_id": company,
            "reminders_stopped": 1,
        }
        again = client.post(api_url)
        assert again.status_code == 200
        assert again.json()["outcome"] == "already_acknowledged"
    # The 1-day reminder is stopped; the due-date reminder and the escalation still come.
    assert status_by_rung(session, deadline) == {
        f"pre7@{company}": "sent",
        f"pre1@{company}": "cancelled",
        f"due@{company}": "pending",
        f"due@{scene.lead.id}": "pending",
        f"esc1@{scene.lead.id}": "pending",
    }
    events = list(
        session.execute(
            select(AuditEvent).where(col(AuditEvent.action) == "reminder.acknowledged")
        ).scalars()
    )
    session.commit()
    assert len(events) == 1  # following the link twice records it once
    assert (events[0].actor_role, events[0].actor_organisation_id) == ("recipient", company)
    assert json.loads(events[0].data)["deadline_id"] == deadline.id


def test_ack_links_are_signed_and_expire(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    deadline = add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=6))
    settings = make_settings()
    token = links.ack_token(settings, deadline.id or 0, 1, scene.company_da.id or 0, now=NOW)
    forged = links.ack_token(make_settings(secret_key="another-key"), deadline.id or 0, 1, 1)
    with api_client(db, settings, now=NOW + timedelta(days=61)) as client:
        expired = client.post("/api/v1/reminders/ack", params={"token": token})
        assert expired.status_code == 401
        assert expired.headers["content-type"] == "application/problem+json"
        assert expired.json()["type"].endswith("/link-expired")
        bad = client.post("/api/v1/reminders/ack", params={"token": forged})
        assert bad.status_code == 401 and bad.json()["type"].endswith("/invalid-link")
        assert client.get("/api/v1/reminders/ack").status_code == 422
        assert client.post("/api/v1/reminders/ack").status_code == 422
    moved = move_due_deadline(session, scene, deadline, NOW + timedelta(days=9), "Flyttet", NOW)
    assert moved.revision == 2
    with api_client(db, settings, now=NOW + timedelta(days=1)) as client:
        outdated = client.post("/api/v1/reminders/ack", params={"token": token})
        assert outdated.json()["outcome"] == "outdated"
        assert outdated.json()["reminders_stopped"] == 0


def test_case_notifications_are_for_managers_and_auditors_in_scope(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    from tests.factories import make_org

    add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=6))
    other = make_org(session, "Gladsaxe Kommune")
    tokens = {
        "manager": token_for(session, "manager", scene.lead, "Anne"),
        "auditor": token_for(session, "auditor", None, "Revisor"),
        "staff": token_for(session, "staff", scene.lead, "Sagsbehandler"),
        "partner": token_for(session, "partner", scene.company_da, "Virksomhed"),
        "stranger": token_for(session, "manager", other, "Fremmed"),
    }
    path = f"/api/v1/cases/{scene.case_id}/notifications"
    with api_client(db, make_settings()) as client:
        answers = {who: client.get(path, headers=bearer(t)) for who, t in tokens.items()}
        assert client.get(path).status_code == 401
        missing = client.get(
            "/api/v1/cases/999999/notifications", headers=bearer(tokens["manager"])
        )
        assert missing.status_code == 404
    assert {who: r.status_code for who, r in answers.items()} == {
        "manager": 200,
        "auditor": 200,
        "staff": 403,
        "partner": 403,
        "stranger": 404,
    }
    items = answers["manager"].json()["items"]
    assert answers["manager"].json()["total"] == len(items) == 5
    first = items[0]
    assert (first["rung"], first["status"], first["channel"]) == ("pre7", "pending", "email")
    assert first["next_attempt_at"] is not None


def test_an_expired_lease_lets_another_sweeper_take_over(
    db: DatabaseTarget, session: Session, scene: Scene
) -> None:
    add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=6))
    settings = make_settings(lease_seconds=60)
    first = claims.claim(db.engine, "sweeper-a", NOW, settings, 10)
    assert len(first) == 1
    assert claims.claim(db.engine, "sweeper-b", NOW + timedelta(seconds=59), settings, 10) == []
    assert claims.claim(db.engine, "sweeper-b", NOW + timedelta(seconds=61), settings, 10) == first
