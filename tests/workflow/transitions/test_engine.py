"""The transition engine: refusals, versions, holds, roles and atomicity, on both databases."""

import json
from collections.abc import Iterator
from typing import NamedTuple

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from tests.chain import assert_chain_intact
from tests.factories import (
    EMPTY_NEED_UNMET,
    DatabaseTarget,
    World,
    drive,
    make_ready,
    make_world,
    new_case,
)
from workflow.access.actor import Actor
from workflow.audit.writer import case_chain
from workflow.core.errors import (
    Forbidden,
    InvalidInput,
    InvalidTransition,
    RequirementsUnmet,
    StaleVersion,
)
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent, Case, Deadline, Reminder
from workflow.transitions.engine import apply_trigger, trigger_statuses


class Started(NamedTuple):
    """A world and a new case in `need`, committed, on a session of their own."""

    session: Session
    world: World
    case: Case
    case_id: int


@pytest.fixture
def started(db: DatabaseTarget) -> Iterator[Started]:
    """`Started` on `db`; the session is closed after the test, however it ends."""
    with Session(db.engine, expire_on_commit=False) as session:
        world = make_world(session)
        case = new_case(session, world.lead)
        session.commit()
        assert case.id is not None
        yield Started(session, world, case, case.id)


def _events(session: Session, case: Case) -> list[AuditEvent]:
    assert case.id is not None
    return assert_chain_intact(session, case_chain(case.id))


def test_refused_advance_lists_every_unmet_code_and_is_audited(started: Started) -> None:
    session, world, case, case_id = started
    work = UnitOfWork(session)
    with pytest.raises(RequirementsUnmet) as refused:
        apply_trigger(work, case_id, "advance", world.manager, expected_version=1)
    expected = set(EMPTY_NEED_UNMET)
    assert {u.code for u in refused.value.unmet} == expected
    session.expire_all()
    stored = session.get(Case, case_id)
    assert stored is not None and (stored.state, stored.version) == ("need", 1)
    last = _events(session, case)[-1]
    assert last.action == "case.transition_refused"
    data = json.loads(last.data)
    assert {u["code"] for u in data["unmet"]} == expected
    assert all(u["message_da"] and u["message_en"] for u in data["unmet"])
    assert {r["code"]: r["met"] for r in data["requirements"]} == {c: False for c in expected}


def test_transition_audit_records_requirement_results(started: Started) -> None:
    session, world, case, case_id = started
    make_ready(session, world, case)
    work = UnitOfWork(session)
    apply_trigger(
        work,
        case_id,
        "advance",
        world.manager,
        reason="Klar til opslag",
        expected_version=case.version,
        now=world.tick(),
    )
    last = _events(session, case)[-1]
    data = json.loads(last.data)
    assert last.action == "case.transition"
    assert (data["from"], data["to"], data["trigger"]) == ("need", "match", "advance")
    assert data["reason"] == "Klar til opslag"
    assert all(r["met"] for r in data["requirements"]) and len(data["requirements"]) == 6
    assert last.actor_name == world.manager.name and last.actor_role == "manager"


def test_stale_version_changes_nothing(started: Started) -> None:
    session, world, case, case_id = started
    before = len(_events(session, case))
    work = UnitOfWork(session)
    with pytest.raises(StaleVersion) as stale:
        apply_trigger(work, case_id, "cancel", world.manager, reason="x", expected_version=7)
    assert stale.value.current_version == 1
    session.expire_all()
    assert session.get(Case, case_id).state == "need"
    assert len(_events(session, case)) == before


@pytest.mark.parametrize("trigger", ["cancel", "pause"])
def test_reason_is_required(started: Started, trigger: str) -> None:
    session, world, _, case_id = started
    for reason in (None, "   "):
        work = UnitOfWork(session)
        with pytest.raises(InvalidInput):
            apply_trigger(work, case_id, trigger, world.manager, reason=reason)
    session.expire_all()
    assert session.get(Case, case_id).version == 1


@pytest.mark.parametrize("role", ["staff", "partner", "auditor"])
def test_only_managers_and_admins_apply_triggers(started: Started, role: str) -> None:
    session, world, _, case_id = started
    actor = Actor("Someone", role, world.lead.id)
    work = UnitOfWork(session)
    with pytest.raises(Forbidden):
        apply_trigger(work, case_id, "cancel", actor, reason="nej")


def test_on_hold_blocks_advance_until_resumed(started: Started) -> None:
    session, world, case, case_id = started
    make_ready(session, world, case)
    work = UnitOfWork(session)
    case = apply_trigger(
        work, case_id, "pause", world.manager, reason="Afventer budget", now=world.tick()
    )
    assert case.on_hold and case.hold_reason == "Afventer budget"
    statuses = {s.trigger.value: s for s in trigger_statuses(session, case, world.clock)}
    assert not statuses["advance"].allowed and statuses["advance"].unmet == []
    assert statuses["resume"].allowed and not statuses["pause"].allowed
    with pytest.raises(InvalidTransition):
        apply_trigger(work, case_id, "advance", world.manager, now=world.tick())
    with pytest.raises(InvalidTransition):
        apply_trigger(work, case_id, "pause", world.manager, reason="igen", now=world.tick())
    case = apply_trigger(work, case_id, "resume", world.manager, now=world.tick())
    assert not case.on_hold
    case = apply_trigger(work, case_id, "advance", world.manager, now=world.tick())
    assert case.state == "match"


def test_reopen_returns_to_the_phase_it_was_cancelled_from(started: Started) -> None:
    session, world, case, case_id = started
    case = drive(session, world, case, "agreement")
    work = UnitOfWork(session)
    case = apply_trigger(
        work, case_id, "cancel", world.manager, reason="Budget frosset", now=world.tick()
    )
    assert (case.state, case.cancelled_from) == ("cancelled", "agreement")
    with pytest.raises(Forbidden):
        apply_trigger(
            work,
            case_id,
            "reopen",
            Actor("Søren", "staff", world.lead.id),
            reason="Ny bevilling",
        )
    case = apply_trigger(
        work, case_id, "reopen", world.manager, reason="Ny bevilling", now=world.tick()
    )
    assert (case.state, case.cancelled_from) == ("agreement", None)


def test_unknown_trigger_is_refused_and_audited(started: Started) -> None:
    session, world, case, case_id = started
    work = UnitOfWork(session)
    with pytest.raises(InvalidTransition):
        apply_trigger(work, case_id, "teleport", world.manager)
    assert json.loads(_events(session, case)[-1].data)["refusal"] == "invalid-transition"


def _fail_transition_audits(db: DatabaseTarget, session: Session) -> None:
    """Make the database itself refuse transition audit events, as a full disk would."""
    if db.backend == "sqlite":
        session.execute(
            text(
                "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events "
                "WHEN NEW.action = 'case.transition' "
                "BEGIN SELECT RAISE(ABORT, 'simulated audit write failure'); END"
            )
        )
    else:
        session.execute(
            text(
                "CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.action = 'case.transition' THEN "
                "RAISE EXCEPTION 'simulated audit write failure'; END IF; RETURN NEW; END $$"
            )
        )
        session.execute(
            text(
                "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events "
                "FOR EACH ROW EXECUTE FUNCTION fail_audit()"
            )
        )
    session.commit()


def test_failed_audit_write_leaves_the_case_exactly_as_it_was(
    db: DatabaseTarget, started: Started
) -> None:
    session, world, case, case_id = started
    make_ready(session, world, case)
    session.expire_all()
    before = session.get(Case, case_id)
    assert before is not None
    snapshot = before.model_dump()
    events_before = len(_events(session, case))
    _fail_transition_audits(db, session)
    work = UnitOfWork(session)
    with pytest.raises(Exception, match="simulated audit write failure"):
        apply_trigger(
            work,
            case_id,
            "advance",
            world.manager,
            expected_version=before.version,
            now=world.tick(),
        )
    session.expire_all()
    after = session.get(Case, case_id)
    assert after is not None and after.model_dump() == snapshot
    assert len(_events(session, case)) == events_before
    # The deadlines and reminder rows the match phase would have created are gone too.
    for table in (Deadline, Reminder):
        assert session.execute(select(func.count()).select_from(table)).scalar_one() == 0
    # Control: once the database accepts the audit event, the same transition writes them.
    drop = "DROP TRIGGER fail_audit" + (" ON audit_events" if db.backend != "sqlite" else "")
    session.execute(text(drop))
    work.commit()
    apply_trigger(work, case_id, "advance", world.manager, now=world.tick())
    assert session.execute(select(func.count()).select_from(Deadline)).scalar_one() > 0


def test_nul_characters_are_refused_as_invalid_input(started: Started) -> None:
    from tests.factories import patch

    session, world, case, case_id = started
    with pytest.raises(InvalidInput, match="NUL"):
        patch(session, case, {"need": {"description": "ro\x00lig"}}, world.manager)
    session.rollback()
    work = UnitOfWork(session)
    with pytest.raises(InvalidInput, match="NUL"):
        apply_trigger(work, case_id, "cancel", world.manager, reason="nej\x00")
