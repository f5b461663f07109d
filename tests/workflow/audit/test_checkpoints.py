"""Signed checkpoints: written on demand and by the scheduler, never over a broken log."""

import hashlib
import hmac
import logging

import pytest
from sqlmodel import Session, col, select

from notifications.scheduler import build_scheduler, run_audit_checkpoint
from tests.audit_support import KEY, attacker, events_of, overwrite, set_head, tell_story
from tests.factories import DatabaseTarget
from workflow.access.actor import SYSTEM_CHECKPOINT, SYSTEM_CLI
from workflow.audit.checkpoints import signed_message
from workflow.audit.verify import verify_and_checkpoint, verify_log
from workflow.audit.writer import record
from workflow.core.settings import Settings
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditCheckpoint, AuditCheckpointHead, AuditEvent, AuditHead


def _checkpoints(db: DatabaseTarget) -> list[AuditCheckpoint]:
    with Session(db.engine) as session:
        return list(session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.id))))


def test_a_checkpoint_signs_every_chains_head_and_length(db: DatabaseTarget) -> None:
    tell_story(db)
    outcome = verify_and_checkpoint(db.engine, KEY)
    assert outcome.created and outcome.report.ok and outcome.checkpoint is not None
    with Session(db.engine) as session:
        row = session.get(AuditCheckpoint, outcome.checkpoint.id)
        assert row is not None
        heads = session.exec(
            select(AuditCheckpointHead).where(AuditCheckpointHead.checkpoint_id == row.id)
        ).all()
        live = {h.chain: (h.seq, h.hash) for h in session.exec(select(AuditHead)) if h.seq}
        total = len(session.exec(select(AuditEvent)).all())
    assert row.actor_name == SYSTEM_CHECKPOINT.name == "system:audit-checkpoint"
    assert {h.chain: (h.seq, h.hash) for h in heads} == live
    assert all(h.length == h.seq for h in heads)
    assert (row.chains, row.events) == (len(live), total)
    message = signed_message(row.at, row.actor_name, row.chains, row.events, row.digest)
    assert row.mac == hmac.new(KEY.encode(), message, hashlib.sha256).hexdigest()
    report = verify_log(db.engine, KEY)
    assert report.ok and report.checkpoint is not None
    assert report.checkpoint.id == row.id


def test_an_unchanged_log_gets_no_new_checkpoint(db: DatabaseTarget) -> None:
    tell_story(db)
    first = verify_and_checkpoint(db.engine, KEY)
    again = verify_and_checkpoint(db.engine, KEY)
    assert first.created and not again.created
    assert again.checkpoint == first.checkpoint
    with Session(db.engine) as session:
        work = UnitOfWork(session)
        record(work, SYSTEM_CLI, "test.note", {"n": 1})
        work.commit()
    third = verify_and_checkpoint(db.engine, KEY)
    assert first.checkpoint is not None
    assert third.created and third.checkpoint is not None
    assert [c.id for c in _checkpoints(db)] == [first.checkpoint.id, third.checkpoint.id]


def test_an_empty_log_can_be_checkpointed(db: DatabaseTarget) -> None:
    outcome = verify_and_checkpoint(db.engine, KEY)
    assert outcome.created and outcome.checkpoint is not None
    assert (outcome.checkpoint.chains, outcome.checkpoint.events) == (0, 0)
    assert verify_log(db.engine, KEY).ok


def test_a_broken_log_is_never_signed(db: DatabaseTarget) -> None:
    story = tell_story(db)
    with attacker(db) as conn:
        overwrite(conn, story.chain, 2, actor_name="Mallory")
    outcome = verify_and_checkpoint(db.engine, KEY)
    assert not outcome.created and outcome.checkpoint is None
    assert outcome.report.first_broken is not None
    assert outcome.report.first_broken.problem == "hash-mismatch"
    assert _checkpoints(db) == []


def test_the_scheduled_job_writes_checkpoints_as_the_system_actor(
    db: DatabaseTarget, caplog: pytest.LogCaptureFixture
) -> None:
    story = tell_story(db)
    settings = Settings(audit_key=KEY)
    assert run_audit_checkpoint(db.engine, settings) is True
    assert run_audit_checkpoint(db.engine, settings) is True  # nothing new: nothing written
    assert [c.actor_name for c in _checkpoints(db)] == ["system:audit-checkpoint"]
    with attacker(db) as conn:
        conn.exec_driver_sql(
            f"DELETE FROM audit_events WHERE chain = '{story.chain}' AND seq = "
            f"{len(events_of(conn, story.chain))}"
        )
        set_head(conn, story.chain)
    with caplog.at_level(logging.ERROR, logger="notifications.scheduler"):
        assert run_audit_checkpoint(db.engine, settings) is False
    assert "checkpoint-mismatch" in caplog.text
    assert len(_checkpoints(db)) == 1


def test_the_scheduler_runs_checkpoints_at_the_configured_interval() -> None:
    scheduler = build_scheduler(Settings(checkpoint_seconds=900))
    job = scheduler.get_job("audit-checkpoint")
    assert job is not None and job.func is run_audit_checkpoint
    assert job.trigger.interval.total_seconds() == 900


def test_verifying_one_case_compares_only_its_chain(db: DatabaseTarget) -> None:
    story = tell_story(db)
    verify_and_checkpoint(db.engine, KEY)
    with attacker(db) as conn:  # truncate the *other* case's chain
        conn.exec_driver_sql(
            f"DELETE FROM audit_events WHERE case_id = {story.other_id} AND seq > 0"
        )
    assert verify_log(db.engine, KEY, case_id=story.case_id).ok
    other = verify_log(db.engine, KEY, case_id=story.other_id)
    assert other.first_broken is not None and other.first_broken.case_id == story.other_id
    assert not verify_log(db.engine, KEY).ok
