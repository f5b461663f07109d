"""The transition engine: refusals, versions, holds, roles and atomicity, on both databases."""

import json

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


def _setup(db: DatabaseTarget) -> tuple[Session, World, Case, int]:
    """A session, a world and a new case in `need`, and the case's id (every test needs it)."""
    session = Session(db.engine, expire_on_commit=False)
    world = make_world(session)
    case = new_case(session, world.lead)
    session.commit()
    assert case.id is not None
    return session, world, case, case.id


def _events(session: Session, case_id: int) -> list[AuditEvent]:
    return assert_chain_intact(session, case_chain(case_id))


def test_refused_advance_lists_every_unmet_code_and_is_audited(db: DatabaseTarget) -> None:
    session, world, _case, case_id = _setup(db)
    work = UnitOfWork(session)
    with pytest.raises(RequirementsUnmet) as refused:
        apply_trigger(work, case_id, "advance", world.manager, expected_version=1)
    expected = set(EMPTY_NEED_UNMET)
    assert {u.code for u in refused.value.unmet} == expected
    session.expire_all()
    stored = session.get(Case, case_id)
    assert stored is not None and (stored.state, stored.version) == ("need", 1)
    last = _events(session, case_id)[-1]
    assert last.action == "case.transition_refused"
    data = json.loads(last.data)
    assert {u["code"] for u in data["unmet"]} == expected
    assert all(u["message_da"] and u["message_en"] for u in data["unmet"])
    assert {r["code"]: r["met"] for r in data["requirements"]} == {c: False for c in expected}
    session.close()


def test_transition_audit_records_requirement_results(db: DatabaseTarget) -> None:
    session, world, case, case_id = _setup(db)
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
    last = _events(session, case_id)[-1]
    data = json.loads(last.data)
    assert last.action == "case.transition"
    assert (data["from"], data["to"], data["trigger"]) == ("need", "match", "advance")
    assert data["reason"] == "Klar til opslag"
    assert all(r["met"] for r in data["requirements"]) and len(data["requirements"]) == 6
    assert last.actor_name == world.manager.name and last.actor_role == "manager"
    session.close()


def test_stale_version_changes_nothing(db: DatabaseTarget) -> None:
    session, world, _case, case_id = _setup(db)
    before = len(_events(session, case_id))
    work = UnitOfWork(session)
    with pytest.raises(StaleVersion) as stale:
        apply_trigger(work, case_id, "cancel", world.manager, reason="x", expected_version=7)
    assert stale.value.current_version == 1
    session.expire_all()
    assert session.get(Case, case_id).state == "need"
    assert len(_events(session, case_id)) == before
    session.close()


@pytest.mark.parametrize("trigger", ["cancel", "pause"])
def test_reason_is_required(db: DatabaseTarget, trigger: str) -> None:
    session, world, _case, case_id = _setup(db)
    for reason in (None, "   "):
        work = UnitOfWork(session)
        with pytest.raises(InvalidInput):
            apply_trigger(work, case_id, trigger, world.manager, reason=reason)
    session.expire_all()
    assert session.get(Case, case_id).version == 1
    session.close()


@pytest.mark.parametrize("role", ["staff", "partner", "auditor"])
def test_only_managers_and_admins_apply_triggers(db: DatabaseTarget, role: str) -> None:
    session, world, _case, case_id = _setup(db)
    actor = Actor("Someone", role, world.lead.id)
    work = UnitOfWork(session)
    with pytest.raises(Forbidden):
        apply_trigger(work, case_id, "cancel", actor, reason="nej")
    session.close()


def test_on_hold_blocks_advance_until_resumed(db: DatabaseTarget) -> None:
    session, world, case, case_id = _setup(db)
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
    session.close()


def test_reopen_returns_to_the_phase_it_was_cancelled_from(db: DatabaseTarget) -> None:
    session, world, case, case_id = _setup(db)
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
    session.close()


def test_unknown_trigger_is_refused_and_audited(db: DatabaseTarget) -> None:
    session, world, _case, case_id = _setup(db)
    work = UnitOfWork(session)
    with pytest.raises(InvalidTransition):
        apply_trigger(work, case_id, "teleport", world.manager)
    assert json.loads(_events(session, case_id)[-1].data)["refusal"] == "invalid-transition"
    session.close()


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


def test_failed_audit_write_leaves_the_case_exactly_as_it_was(db: DatabaseTarget) -> None:
    session, world, case, case_id = _setup(db)
    make_ready(session, world, case)
    session.expire_all()
    before = session.get(Case, case_id)
    assert before is not None
    snapshot = before.model_dump()
    events_before = len(_events(session, case_id))
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
    assert len(_events(session, case_id)) == events_before
    # The deadlines and reminder rows the match phase would have created are gone too.
    for table in (Deadline, Reminder):
        assert session.execute(select(func.count()).select_from(table)).scalar_one() == 0
    # Control: once the database accepts the audit event, the same transition writes them.
    drop = "DROP TRIGGER fail_audit" + (" ON audit_events" if db.backend != "sqlite" else "")
    session.execute(text(drop))
    work.commit()
    apply_trigger(work, case_id, "advance", world.manager, now=world.tick())
    assert session.execute(select(func.count()).select_from(Deadline)).scalar_one() > 0
    session.close()


def test_nul_characters_are_refused_as_invalid_input(db: DatabaseTarget) -> None:
    from tests.factories import patch

    session, world, case, case_id = _setup(db)
    with pytest.raises(InvalidInput, match="NUL"):
        patch(session, case, {"need": {"description": "ro\x00lig"}}, world.manager)
    session.rollback()
    work = UnitOfWork(session)
    with pytest.raises(InvalidInput, match="NUL"):
        apply_trigger(work, case_id, "cancel", world.manager, reason="nej\x00")
    session.close()
