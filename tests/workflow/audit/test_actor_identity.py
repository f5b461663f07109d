"""Who acted is part of each event's hash (issue 15 finding 10; issue 16 item 6): the token's
stable id, the person and how they signed in. Events from before the log recorded them still
verify, and the fast check never accepts what the reference check refuses."""

import hashlib
from json.encoder import encode_basestring
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session

from tests.audit_support import EVENTS, KEY, attacker, events_of, rewrite_chain, set_head
from tests.factories import DatabaseTarget, make_org, new_case
from workflow.access.actor import Actor
from workflow.audit import writer as audit
from workflow.audit.verify import verify_log
from workflow.audit.writer import case_chain, encode_event
from workflow.core.unit_of_work import UnitOfWork

ANNE = Actor("Anne Projektleder", "manager", None, token_id=7, user_id=3, via="token")


def _case_with_notes(db: DatabaseTarget, actor: Actor, notes: int = 3) -> str:
    with Session(db.engine, expire_on_commit=False) as session:
        lead = make_org(session)
        case = new_case(session, lead)
        assert case.id is not None
        work = UnitOfWork(session)
        for i in range(notes):
            audit.record(work, actor, "test.note", {"i": i}, case_id=case.id)
        work.commit()
        return case_chain(case.id)


def _problem(db: DatabaseTarget) -> tuple[str, int | None] | None:
    report = verify_log(db.engine, KEY)
    if report.first_broken is None:
        return None
    return report.first_broken.problem, report.first_broken.seq


def test_every_event_records_the_token_the_person_and_the_method(db: DatabaseTarget) -> None:
    chain = _case_with_notes(db, ANNE)
    with db.engine.connect() as conn:
        notes = [e for e in events_of(conn, chain) if e["action"] == "test.note"]
    assert {(e["actor_token_id"], e["actor_user_id"], e["actor_via"]) for e in notes} == {
        (7, 3, "token")
    }
    assert _problem(db) is None


@pytest.mark.parametrize(
    "column, value",
    [("actor_token_id", 8), ("actor_user_id", 4), ("actor_via", "oidc"), ("actor_via", None)],
)
def test_changing_who_acted_breaks_the_hash(db: DatabaseTarget, column: str, value: Any) -> None:
    chain = _case_with_notes(db, ANNE)
    with attacker(db) as conn:
        target = events_of(conn, chain)[2]
        conn.execute(update(EVENTS).where(EVENTS.c.id == target["id"]).values({column: value}))
    assert _problem(db) == ("hash-mismatch", 3)


def test_events_written_before_the_log_recorded_the_method_still_verify(
    db: DatabaseTarget,
) -> None:
    """Rows as migration 0008 finds them: no token, user or method, hashed without them."""
    chain = _case_with_notes(db, ANNE)
    with attacker(db) as conn:
        conn.execute(
            update(EVENTS)
            .where(EVENTS.c.chain == chain)
            .values(actor_token_id=None, actor_user_id=None, actor_via=None)
        )
        rewrite_chain(conn, chain)
        old_style = events_of(conn, chain)[1]
    expected = encode_event(
        encode_basestring(chain),
        old_style["seq"],
        audit.isoformat_z(old_style["at"]),
        old_style["actor_name"],
        old_style["actor_role"],
        old_style["actor_organisation_id"],
        old_style["action"],
        old_style["data"],
        encode_basestring(old_style["prev_hash"]),
    )
    assert b'"token"' not in expected
    assert hashlib.sha256(expected).hexdigest() == old_style["hash"]
    assert _problem(db) is None


def test_an_old_event_whose_name_splits_like_a_new_key_is_not_accepted(db: DatabaseTarget) -> None:
    """The fast check joins an event's actor fields with separators. An older event (no
    method) whose name holds three of them splits into as many fields as a newer event's key;
    a hash over the bytes that misreading builds must not pass."""
    chain = _case_with_notes(db, Actor("Anne", "manager", 5), notes=1)
    with attacker(db) as conn:
        target = events_of(conn, chain)[-1]
        name = "Anne\x1fmanager\x1f5\x1fnull"
        misread = encode_event(
            encode_basestring(chain),
            target["seq"],
            audit.isoformat_z(target["at"]),
            "Anne",
            "manager",
            5,
            target["action"],
            target["data"],
            encode_basestring(target["prev_hash"]),
            audit.identity_text(None, 5, "5"),  # what the 7 fields would be read as
        )
        conn.execute(
            update(EVENTS)
            .where(EVENTS.c.id == target["id"])
            .values(
                actor_name=name,
                actor_role="5",
                actor_token_id=None,
                actor_user_id=None,
                actor_via=None,
                hash=hashlib.sha256(misread).hexdigest(),
            )
        )
        set_head(conn, chain)
    assert _problem(db) == ("hash-mismatch", target["seq"])
