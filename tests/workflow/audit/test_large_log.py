"""A larger log (thousands of events) is verified and exported in many small batches."""

import json

import pytest
from sqlmodel import Session

from tests.audit_support import KEY, attacker, overwrite
from tests.factories import NOW, DatabaseTarget, make_org, new_case
from workflow.access.actor import Actor
from workflow.audit import query as audit_query
from workflow.audit import stream as audit_stream
from workflow.audit import writer as audit
from workflow.audit.query import AuditFilter, export
from workflow.audit.verify import verify_and_checkpoint, verify_log
from workflow.core.unit_of_work import UnitOfWork

CASES, EVENTS_PER_CASE = 30, 100
NAMES = ("Anne Projektleder", "Søren Æblerød", 'Quote "Q" Back\\slash', "Zoë\u2028Line")


@pytest.fixture
def large(db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch) -> DatabaseTarget:
    """3,000+ events over 30 cases, read back 97 rows at a time."""
    with Session(db.engine, expire_on_commit=False) as session:
        lead = make_org(session)
        session.commit()
        work = UnitOfWork(session)
        for n in range(CASES):
            case = new_case(session, lead)
            assert case.id is not None
            for i in range(EVENTS_PER_CASE - 1):
                actor = Actor(NAMES[i % len(NAMES)], "manager", lead.id if i % 3 else None)
                note = f"Notat {i} — æøå ✓\x85\u2029"
                data = {"i": i, "note": note, "nested": {"n": n, "x": [1.5, None]}}
                audit.record(work, actor, "test.note", data, case_id=case.id, at=NOW)
            work.commit()
    monkeypatch.setattr(audit_stream, "BATCH", 97)
    monkeypatch.setattr(audit_query, "CHUNK_CHARS", 1000)
    return db


def test_a_large_log_verifies_in_batches(large: DatabaseTarget) -> None:
    report = verify_log(large.engine, KEY)
    assert report.ok, report.as_dict()
    assert report.events_checked == CASES * EVENTS_PER_CASE
    assert report.cases_checked == CASES
    outcome = verify_and_checkpoint(large.engine, KEY)
    assert outcome.created and outcome.checkpoint is not None
    assert outcome.checkpoint.events == CASES * EVENTS_PER_CASE


def test_tampering_deep_in_a_large_log_is_found(large: DatabaseTarget) -> None:
    with attacker(large) as conn:
        overwrite(conn, audit.case_chain(CASES), EVENTS_PER_CASE - 1, data='{"i":0}')
    report = verify_log(large.engine, KEY)
    assert report.first_broken is not None
    assert (report.first_broken.case_id, report.first_broken.seq) == (CASES, EVENTS_PER_CASE - 1)
    assert report.events_checked == CASES * EVENTS_PER_CASE
    assert report.broken_chains == 1


def test_a_large_export_streams_in_pieces(large: DatabaseTarget) -> None:
    pieces = list(export(large.engine, AuditFilter(), "jsonl"))
    assert len(pieces) > 100
    lines = "".join(pieces).splitlines()
    assert len(lines) == CASES * EVENTS_PER_CASE
    assert {json.loads(line)["actor_name"] for line in lines} == set(NAMES)
