"""What `/metrics` reads from the database, and the one-runner lock of the checkpoint job
(issue 15, findings 14 and 15), on SQLite and PostgreSQL."""

from datetime import timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from notifications.scheduler import run_audit_checkpoint
from tests.factories import NOW, DatabaseTarget
from tests.reminder_support import add_due_deadline, make_scene, make_settings
from workflow.models import AuditCheckpoint, Reminder, ReminderStatus
from workflow.ops.exclusive import exclusive
from workflow.ops.metrics import DatabaseCollector


def gauges(engine: Engine, now: object) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample the database collector gives at `now`."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(engine, now))  # type: ignore[arg-type]
    text = generate_latest(registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_reminders_by_status_and_the_sweep_lag(db: DatabaseTarget, session: Session) -> None:
    scene = make_scene(session)
    add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=6), now=NOW)
    oldest = session.execute(
        select(func.min(col(Reminder.next_attempt_at))).where(
            col(Reminder.status) == ReminderStatus.PENDING.value
        )
    ).scalar_one()
    pending = session.execute(
        select(func.count()).select_from(Reminder).where(col(Reminder.status) == "pending")
    ).scalar_one()
    session.commit()
    assert oldest is not None and pending >= 1

    before_due = gauges(db.engine, oldest - timedelta(seconds=1))
    assert before_due[("opi_reminder_sweep_lag_seconds", ())] == 0
    later = gauges(db.engine, oldest + timedelta(minutes=5))
    assert later[("opi_reminder_sweep_lag_seconds", ())] == 300
    assert later[("opi_reminders", (("status", "pending"),))] == pending
    assert later[("opi_reminders", (("status", "sent"),))] == 0
    assert later[("opi_database_up", ())] == 1


def test_audit_ages_appear_after_the_first_verification(
    db: DatabaseTarget, session: Session
) -> None:
    make_scene(session)  # some audited events to verify
    session.commit()
    before = gauges(db.engine, NOW)
    assert ("opi_audit_checkpoint_age_seconds", ()) not in before
    assert ("opi_audit_verification_age_seconds", ()) not in before

    assert run_audit_checkpoint(db.engine, make_settings(audit_key="k" * 32)) is True
    at = session.execute(select(func.max(col(AuditCheckpoint.at)))).scalar_one()
    session.commit()
    assert at is not None
    after = gauges(db.engine, at + timedelta(minutes=10))
    assert 600 <= after[("opi_audit_checkpoint_age_seconds", ())] < 660
    assert 590 <= after[("opi_audit_verification_age_seconds", ())] < 660


def test_a_job_lock_has_one_holder_at_a_time(db: DatabaseTarget) -> None:
    with exclusive(db.engine, "audit-checkpoint") as first:
        assert first is True
        with exclusive(db.engine, "audit-checkpoint") as second:
            assert second is False
        with exclusive(db.engine, "another-job") as other:
            assert other is True
    with exclusive(db.engine, "audit-checkpoint") as again:
        assert again is True


def test_a_checkpoint_run_skips_its_turn_while_another_runs(
    db: DatabaseTarget, session: Session
) -> None:
    make_scene(session)
    session.commit()
    settings = make_settings(audit_key="k" * 32)
    with exclusive(db.engine, "audit-checkpoint"):
        assert run_audit_checkpoint(db.engine, settings) is True
    written = session.execute(select(func.count()).select_from(AuditCheckpoint)).scalar_one()
    session.commit()
    assert written == 0
    assert run_audit_checkpoint(db.engine, settings) is True
    written = session.execute(select(func.count()).select_from(AuditCheckpoint)).scalar_one()
    assert written == 1
