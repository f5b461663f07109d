"""Tampering with the audit log is caught in every form, on SQLite and PostgreSQL.

Each test tampers the way an attacker with database access would (around the append-only
triggers, see `tests.audit_support.attacker`) and checks that verification names the case, the
event and what is wrong.
"""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlmodel import Session

from tests.audit_support import (
    EVENTS,
    KEY,
    Story,
    attacker,
    events_of,
    hash_of,
    insert_event,
    overwrite,
    rewrite_chain,
    set_head,
    tell_story,
)
from tests.chain import assert_chain_intact
from tests.factories import DatabaseTarget
from workflow.audit.verify import VerifyReport, verify_and_checkpoint, verify_log
from workflow.audit.writer import case_chain
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent


def _verify(db: DatabaseTarget) -> VerifyReport:
    return verify_log(db.engine, KEY)


def _broken(report: VerifyReport) -> dict[str, Any]:
    assert not report.ok
    assert report.first_broken is not None
    return report.first_broken.as_dict()


def _where(story: Story, seq: int) -> Any:
    return (EVENTS.c.chain == story.chain) & (EVENTS.c.seq == seq)


def _first_break(db: DatabaseTarget, problem: str, case_id: int, seq: int) -> None:
    """Verification finds the log broken, first by `problem` at event `seq` of `case_id`."""
    broken = _broken(_verify(db))
    assert (broken["problem"], broken["case_id"], broken["seq"]) == (problem, case_id, seq)


def _checkpoint_mismatch(db: DatabaseTarget, story: Story, seq: int, checkpoint_id: int) -> str:
    """Verification finds the story's chain disagreeing with checkpoint `checkpoint_id` at
    event `seq`; what it says of it."""
    broken = _broken(_verify(db))
    assert broken == {
        "problem": "checkpoint-mismatch",
        "chain": story.chain,
        "case_id": story.case_id,
        "seq": seq,
        "checkpoint_id": checkpoint_id,
        "detail": broken["detail"],
    }
    detail: str = broken["detail"]
    return detail


@pytest.fixture
def story(db: DatabaseTarget) -> Story:
    """The story's log, checked to verify before each test tampers with it."""
    told = tell_story(db)
    report = _verify(db)
    assert report.ok, report.as_dict()
    return told


@pytest.fixture
def checkpoint_id(db: DatabaseTarget, story: Story) -> int:
    """A checkpoint of the story's log, taken before the test tampers with it; its id."""
    checkpoint = verify_and_checkpoint(db.engine, KEY).checkpoint
    assert checkpoint is not None and checkpoint.id is not None
    return checkpoint.id


def test_an_untampered_log_verifies_completely(db: DatabaseTarget, story: Story) -> None:
    report = _verify(db)
    with Session(db.engine) as session:
        total = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    assert report.as_dict() == {
        "ok": True,
        "cases_checked": 2,
        "chains_checked": 3,
        "events_checked": total,
        "broken_chains": 0,
        "first_broken": None,
        "checkpoint": None,
        "invalid_checkpoints": [],
    }


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", '{"title":"Forfalsket"}'),
        ("actor_name", "Mallory"),
        ("actor_role", "admin"),
        ("actor_organisation_id", None),
        ("action", "case.deleted"),
        ("at", datetime(2020, 1, 1, tzinfo=UTC)),
    ],
)
def test_a_changed_field_is_a_hash_mismatch(
    db: DatabaseTarget, story: Story, column: str, value: Any
) -> None:
    with attacker(db) as conn:
        overwrite(conn, story.chain, 3, **{column: value})
    assert _broken(_verify(db)) | {"detail": ""} == {
        "problem": "hash-mismatch",
        "chain": story.chain,
        "case_id": story.case_id,
        "seq": 3,
        "checkpoint_id": None,
        "detail": "",
    }


def test_a_changed_event_with_its_own_hash_recomputed_breaks_the_next_link(
    db: DatabaseTarget, story: Story
) -> None:
    with attacker(db) as conn:
        event = events_of(conn, story.chain)[2]
        event["data"] = '{"title":"Forfalsket"}'
        overwrite(conn, story.chain, 3, data=event["data"], hash=hash_of(event))
    _first_break(db, "broken-link", story.case_id, 4)


def test_a_deleted_event_is_a_gap_in_seq(db: DatabaseTarget, story: Story) -> None:
    with attacker(db) as conn:
        conn.execute(EVENTS.delete().where(_where(story, 4)))
    broken = _broken(_verify(db))
    assert (broken["problem"], broken["chain"], broken["seq"]) == ("seq-gap", story.chain, 5)
    assert "seq 4 is missing" in broken["detail"]


def test_a_reordered_pair_breaks_the_link(db: DatabaseTarget, story: Story) -> None:
    with attacker(db) as conn:
        overwrite(conn, story.chain, 3, seq=-3)
        overwrite(conn, story.chain, 4, seq=3)
        overwrite(conn, story.chain, -3, seq=4)
    _first_break(db, "broken-link", story.case_id, 3)


def test_a_truncated_tail_disagrees_with_the_chain_head(db: DatabaseTarget, story: Story) -> None:
    with attacker(db) as conn:
        last = len(events_of(conn, story.chain))
        conn.execute(EVENTS.delete().where(_where(story, last)))
        conn.execute(EVENTS.delete().where(_where(story, last - 1)))
    _first_break(db, "head-mismatch", story.case_id, last - 1)


def test_a_truncated_tail_with_its_head_forged_is_caught_by_the_checkpoint(
    db: DatabaseTarget, story: Story, checkpoint_id: int
) -> None:
    with attacker(db) as conn:
        last = len(events_of(conn, story.chain))
        conn.execute(EVENTS.delete().where(_where(story, last)))
        set_head(conn, story.chain)
    assert "tail was removed" in _checkpoint_mismatch(db, story, last, checkpoint_id)


def test_an_inserted_event_breaks_the_link_after_it(db: DatabaseTarget, story: Story) -> None:
    with attacker(db) as conn:
        events = events_of(conn, story.chain)
        for event in reversed(events[3:]):  # make room at seq 4
            conn.execute(
                update(EVENTS).where(EVENTS.c.id == event["id"]).values(seq=event["seq"] + 1)
            )
        forged = {**events[3], "seq": 4, "data": '{"title":"Indsat"}'}
        forged["prev_hash"] = events[2]["hash"]
        forged["hash"] = hash_of(forged)
        insert_event(conn, forged)
    _first_break(db, "broken-link", story.case_id, 5)


def test_an_appended_event_without_its_head_is_caught(db: DatabaseTarget, story: Story) -> None:
    with attacker(db) as conn:
        events = events_of(conn, story.chain)
        forged = {**events[-1], "seq": len(events) + 1, "data": '{"title":"Tilføjet"}'}
        forged["prev_hash"] = events[-1]["hash"]
        forged["hash"] = hash_of(forged)
        insert_event(conn, forged)
    broken = _broken(_verify(db))
    assert (broken["problem"], broken["case_id"]) == ("head-mismatch", story.case_id)


def test_a_chain_rewritten_with_recomputed_hashes_is_caught_by_the_checkpoint(
    db: DatabaseTarget, story: Story, checkpoint_id: int
) -> None:
    with attacker(db) as conn:
        cp_seq = len(events_of(conn, story.chain))
        overwrite(conn, story.chain, 2, actor_name="Mallory")
        rewrite_chain(conn, story.chain, from_seq=2)
    with Session(db.engine) as session:
        assert_chain_intact(session, story.chain)  # the chain alone shows nothing
    assert "rewritten" in _checkpoint_mismatch(db, story, cp_seq, checkpoint_id)


def test_an_event_moved_to_another_case_is_caught(db: DatabaseTarget, story: Story) -> None:
    with attacker(db) as conn:
        overwrite(conn, story.chain, 3, case_id=story.other_id)
    report = _verify(db)
    broken = _broken(report)
    assert (broken["problem"], broken["case_id"], broken["seq"]) == (
        "seq-gap",
        story.case_id,
        4,
    )
    assert report.broken_chains == 2  # the other case holds an event of a foreign chain


def test_a_deleted_chain_is_caught(db: DatabaseTarget, story: Story) -> None:
    verify_and_checkpoint(db.engine, KEY)
    with attacker(db) as conn:
        conn.execute(EVENTS.delete().where(EVENTS.c.case_id == story.other_id))
        conn.exec_driver_sql(
            f"DELETE FROM audit_heads WHERE chain = '{case_chain(story.other_id)}'"
        )
    report = _verify(db)
    broken = _broken(report)
    assert (broken["problem"], broken["case_id"], broken["seq"]) == (
        "checkpoint-mismatch",
        story.other_id,
        1,
    )
    assert "was deleted" in broken["detail"]
    assert report.cases_checked == 1


def test_an_emptied_table_is_caught(pg_db: DatabaseTarget) -> None:
    tell_story(pg_db)
    verify_and_checkpoint(pg_db.engine, KEY)
    with attacker(pg_db) as conn:
        conn.exec_driver_sql("TRUNCATE audit_events")
    report = _verify(pg_db)
    assert (report.events_checked, report.broken_chains) == (0, 3)
    assert _broken(report)["chain"] == "global"


def test_a_checkpoint_with_altered_heads_is_reported_and_an_older_one_used(
    db: DatabaseTarget, story: Story
) -> None:
    older = verify_and_checkpoint(db.engine, KEY).checkpoint
    with Session(db.engine, expire_on_commit=False) as session:
        tell_story_more(session, story)
    newer = verify_and_checkpoint(db.engine, KEY).checkpoint
    assert older is not None and newer is not None and newer.id != older.id
    with attacker(db) as conn:
        overwrite(conn, story.chain, 2, actor_name="Mallory")
        rewrite_chain(conn, story.chain, from_seq=2)
        # ...and make the newest checkpoint agree with the rewritten chain.
        last = events_of(conn, story.chain)[-1]
        conn.exec_driver_sql(
            f"UPDATE audit_checkpoint_heads SET hash = '{last['hash']}' "
            f"WHERE checkpoint_id = {newer.id} AND chain = '{story.chain}'"
        )
    report = _verify(db)
    assert [c.id for c in report.invalid_checkpoints] == [newer.id]
    assert report.checkpoint is not None and report.checkpoint.id == older.id
    broken = _broken(report)
    assert (broken["problem"], broken["checkpoint_id"]) == ("checkpoint-mismatch", older.id)


def test_a_checkpoint_signed_with_another_key_is_reported(db: DatabaseTarget, story: Story) -> None:
    forged = verify_and_checkpoint(db.engine, "a key the attacker chose").checkpoint
    assert forged is not None
    report = _verify(db)
    broken = _broken(report)
    assert broken["problem"] == "checkpoint-invalid"
    assert "HMAC does not verify" in broken["detail"]
    assert report.checkpoint is None and report.broken_chains == 0
    # The next genuine checkpoint is still written, and the forged one stays reported.
    genuine = verify_and_checkpoint(db.engine, KEY)
    assert genuine.created and genuine.checkpoint is not None
    report = _verify(db)
    assert report.checkpoint is not None and report.checkpoint.id == genuine.checkpoint.id
    assert [c.id for c in report.invalid_checkpoints] == [forged.id]
    assert _broken(report)["checkpoint_id"] == forged.id


def tell_story_more(session: Session, story: Story) -> None:
    """One more event on the main case, so the next checkpoint differs."""
    from workflow.access.actor import Actor
    from workflow.cases.service import update_case
    from workflow.models import Case

    case = session.get(Case, story.case_id)
    assert case is not None
    manager = Actor("Anne Projektleder", "manager", story.lead_id)
    work = UnitOfWork(session)
    update_case(work, story.case_id, {"title": "Ny titel"}, manager, expected_version=case.version)
    work.commit()
