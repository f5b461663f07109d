"""The fast check of whole segments accepts exactly what the reference check accepts.

Verification reads each chain in segments and checks them with bulk operations
(`workflow.audit.rows`); whatever it does not accept is decided event by event. These tests
cover what the segments add: long chains read in several segments, times the database writes
in a shorter form, fields holding the separators, and forgeries that an encoding built in the
database (rather than the reference encoding) would accept.
"""

import hashlib
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session

from tests.audit_support import EVENTS, KEY, attacker, events_of, overwrite, set_head, tell_story
from tests.factories import DatabaseTarget, make_org, new_case
from workflow.access.actor import Actor
from workflow.audit import rows as audit_rows
from workflow.audit import writer as audit
from workflow.audit.rows import _times
from workflow.audit.verify import VerifyReport, verify_and_checkpoint, verify_log
from workflow.audit.writer import encode_event
from workflow.core.unit_of_work import UnitOfWork


def _broken(report: VerifyReport) -> tuple[str, int | None]:
    assert report.first_broken is not None, report.as_dict()
    return report.first_broken.problem, report.first_broken.seq


def _long_case(db: DatabaseTarget, events: int) -> int:
    """A case whose chain holds `events` events besides its creation."""
    with Session(db.engine, expire_on_commit=False) as session:
        lead = make_org(session)
        case = new_case(session, lead)
        assert case.id is not None
        actor = Actor("Anne Projektleder", "manager", lead.id)
        work = UnitOfWork(session)
        for i in range(events):
            audit.record(work, actor, "test.note", {"i": i}, case_id=case.id)
        work.commit()
        return case.id


def test_a_long_chain_is_read_and_checked_in_segments(
    db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_rows, "SEGMENT", 7)
    case_id = _long_case(db, 40)
    report = verify_log(db.engine, KEY)
    assert report.ok, report.as_dict()
    checkpoint = verify_and_checkpoint(db.engine, KEY).checkpoint
    assert checkpoint is not None and checkpoint.events == report.events_checked
    with attacker(db) as conn:
        overwrite(conn, audit.case_chain(case_id), 30, data='{"i":0}')
    report = verify_log(db.engine, KEY)
    assert _broken(report) == ("hash-mismatch", 30)
    assert report.broken_chains == 1


def test_a_long_chain_rewritten_after_its_first_segment_is_caught_by_the_checkpoint(
    db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_rows, "SEGMENT", 7)
    case_id = _long_case(db, 40)
    verify_and_checkpoint(db.engine, KEY)
    chain = audit.case_chain(case_id)
    with attacker(db) as conn:
        overwrite(conn, chain, 20, data="{}")
        _rehash_from(conn, chain, 20)
    assert _broken(verify_log(db.engine, KEY)) == ("checkpoint-mismatch", 41)


def test_a_gap_between_segments_of_a_long_chain_is_found(
    db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_rows, "SEGMENT", 7)
    case_id = _long_case(db, 40)
    with attacker(db) as conn:
        conn.execute(
            EVENTS.delete().where(
                EVENTS.c.case_id == case_id, EVENTS.c.seq.between(15, 21)
            )  # one whole segment
        )
    report = verify_log(db.engine, KEY)
    assert _broken(report) == ("seq-gap", 22)
    assert report.first_broken is not None and "seq 15–21 is missing" in (
        report.first_broken.detail
    )


def test_times_the_database_shortens_are_padded_to_microseconds() -> None:
    written = [b"2026-11-23T10:00:00", b"2026-11-23T10:00:00.5", b"2026-11-23T10:00:00.123456"]
    assert _times(b"\x1e".join(written), 3) == [
        b"2026-11-23T10:00:00.000000",
        b"2026-11-23T10:00:00.500000",
        b"2026-11-23T10:00:00.123456",
    ]
    assert _times(b"2026-11-23T10:00:00.5 BC", 1) is None
    assert _times(b"2026-11-23T10:00:00.000000", 2) is None


def test_events_at_whole_seconds_and_round_microseconds_verify(db: DatabaseTarget) -> None:
    tell_story(db)
    with Session(db.engine) as session:
        work = UnitOfWork(session)
        for micro in (0, 500_000, 120_000, 3):
            at = datetime(2026, 11, 23, 10, 0, 0, micro, tzinfo=UTC)
            audit.record(work, Actor("Revisor", "auditor", None), "test.note", {}, at=at)
        work.commit()
    report = verify_log(db.engine, KEY)
    assert report.ok, report.as_dict()


def test_fields_holding_the_separators_still_verify(db: DatabaseTarget) -> None:
    tell_story(db)
    with Session(db.engine) as session:
        odd = "Navn\x1emed\x1fadskillere"
        actor = Actor(odd, "manager", None)
        # No actor can hold an odd role any more (`Role`), but a stored row may carry one.
        object.__setattr__(actor, "role", "manager\x1f")
        work = UnitOfWork(session)
        audit.record(work, actor, "test\x1enote", {"k": odd})
        work.commit()
    report = verify_log(db.engine, KEY)
    assert report.ok, report.as_dict()


def test_a_time_before_the_year_1000_is_checked_with_the_reference_encoding(
    db: DatabaseTarget,
) -> None:
    """The database writes the year 44 as `0044`, `isoformat_z` as `44`: a hash forged over
    the database's form must not pass."""
    story = tell_story(db)
    with attacker(db) as conn:
        last = events_of(conn, story.chain)[-1]
        at = datetime(44, 3, 15, 12, 0, tzinfo=UTC)
        forged = _hash(last, "0044-03-15T12:00:00.000000Z")
        conn.execute(update(EVENTS).where(EVENTS.c.id == last["id"]).values(at=at, hash=forged))
        set_head(conn, story.chain)
    assert _broken(verify_log(db.engine, KEY)) == ("hash-mismatch", last["seq"])


def test_a_time_before_christ_is_reported_not_crashed_on(pg_db: DatabaseTarget) -> None:
    story = tell_story(pg_db)
    with attacker(pg_db) as conn:
        last = events_of(conn, story.chain)[-1]
        forged = _hash(last, "0044-03-15T12:00:00.000000Z")
        conn.exec_driver_sql(
            f"UPDATE audit_events SET at = '0044-03-15 12:00:00+00 BC', hash = '{forged}' "
            f"WHERE id = {last['id']}"
        )
        conn.exec_driver_sql(
            f"UPDATE audit_heads SET hash = '{forged}' WHERE chain = '{story.chain}'"
        )
    assert _broken(verify_log(pg_db.engine, KEY)) == ("hash-mismatch", last["seq"])


def test_a_prev_hash_carrying_more_than_the_link_is_a_broken_link(db: DatabaseTarget) -> None:
    """`prev_hash` = the right link plus text that looks like the rest of the event, with the
    hash recomputed over the bytes an encoding without escaping would build."""
    story = tell_story(db)
    with attacker(db) as conn:
        if db.backend == "postgresql":  # the attacker widens the column first
            conn.exec_driver_sql("ALTER TABLE audit_events ALTER COLUMN prev_hash TYPE text")
        last = events_of(conn, story.chain)[-1]
        injected = last["prev_hash"] + f'","seq":{last["seq"]},"data":{{}}'
        spliced = {**last, "prev_hash": injected}
        forged = hashlib.sha256(_unescaped_bytes(spliced)).hexdigest()
        conn.execute(
            update(EVENTS).where(EVENTS.c.id == last["id"]).values(prev_hash=injected, hash=forged)
        )
        set_head(conn, story.chain)
    assert _broken(verify_log(db.engine, KEY)) == ("broken-link", last["seq"])


def _hash(event: dict[str, Any], at_text: str) -> str:
    """The event's hash with its time written as `at_text`."""
    return hashlib.sha256(
        encode_event(
            encode_basestring(event["chain"]),
            event["seq"],
            at_text,
            event["actor_name"],
            event["actor_role"],
            event["actor_organisation_id"],
            event["action"],
            event["data"],
            encode_basestring(event["prev_hash"]),
        )
    ).hexdigest()


def _unescaped_bytes(event: dict[str, Any]) -> bytes:
    """The event's canonical bytes with chain and prev_hash spliced in without escaping."""
    full = encode_event(
        '"<chain>"',
        event["seq"],
        audit.isoformat_z(event["at"]),
        event["actor_name"],
        event["actor_role"],
        event["actor_organisation_id"],
        event["action"],
        event["data"],
        '"<prev>"',
    )
    return full.replace(b"<chain>", event["chain"].encode()).replace(
        b"<prev>", event["prev_hash"].encode()
    )


def _rehash_from(conn: Any, chain: str, from_seq: int) -> None:
    """Recompute hashes and links from `from_seq` on, and the head (a careful attacker)."""
    from tests.audit_support import rewrite_chain

    rewrite_chain(conn, chain, from_seq)


def test_a_checkpoint_head_naming_another_case_makes_the_checkpoint_invalid(
    db: DatabaseTarget,
) -> None:
    story = tell_story(db)
    checkpoint = verify_and_checkpoint(db.engine, KEY).checkpoint
    assert checkpoint is not None
    with attacker(db) as conn:
        conn.exec_driver_sql(
            f"UPDATE audit_checkpoint_heads SET case_id = {story.other_id} "
            f"WHERE checkpoint_id = {checkpoint.id} AND chain = '{story.chain}'"
        )
    report = verify_log(db.engine, KEY)
    assert [c.detail for c in report.invalid_checkpoints] == [
        f"Checkpoint {checkpoint.id}: its head '{story.chain}' names case {story.other_id}."
    ]
