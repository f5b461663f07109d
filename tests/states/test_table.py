"""Every (state, trigger) pair of SPEC §2, allowed or refused, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from states import CaseState, Trigger
from states.table import TRANSITIONS, allowed_triggers
from tests.factories import DatabaseTarget, World, drive, make_ready, make_world, new_case
from workflow.core.errors import InvalidTransition
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent, Case
from workflow.transitions.engine import apply_trigger

# What each pair must do: the resulting state, or None when it must be refused.
EXPECTED: dict[tuple[CaseState, Trigger], CaseState | None] = {}
for _state in CaseState:
    for _trigger in Trigger:
        EXPECTED[(_state, _trigger)] = None
_PHASES = ["need", "match", "agreement", "pilot", "scale"]
for _i, _name in enumerate(_PHASES):
    _s = CaseState(_name)
    EXPECTED[(_s, Trigger.ADVANCE)] = (
        CaseState(_PHASES[_i + 1]) if _i + 1 < len(_PHASES) else CaseState.COMPLETED
    )
    EXPECTED[(_s, Trigger.CANCEL)] = CaseState.CANCELLED
    EXPECTED[(_s, Trigger.PAUSE)] = _s
    EXPECTED[(_s, Trigger.RESUME)] = _s
for _name in ("match", "agreement", "pilot"):
    EXPECTED[(CaseState(_name), Trigger.SEND_BACK)] = CaseState(_PHASES[_PHASES.index(_name) - 1])
EXPECTED[(CaseState.CANCELLED, Trigger.REOPEN)] = CaseState.PILOT  # cancelled from pilot below


def _pair_id(pair: tuple[CaseState, Trigger]) -> str:
    state, trigger = pair
    dest = EXPECTED[pair]
    return f"{state} --{trigger}--> {dest if dest else 'refused'}"


PAIRS = list(EXPECTED)


def _case_in(session: Session, world: World, state: CaseState) -> Case:
    case = new_case(session, world.lead)
    session.commit()
    if state is CaseState.CANCELLED:
        case = drive(session, world, case, "pilot")
        return drive(session, world, case, "cancelled")
    return drive(session, world, case, state.value)


def test_table_matches_the_specification() -> None:
    table = {(r.source, r.trigger) for r in TRANSITIONS}
    assert table == {pair for pair, dest in EXPECTED.items() if dest is not None}
    assert allowed_triggers(CaseState.COMPLETED) == ()
    assert allowed_triggers(CaseState.CANCELLED) == (Trigger.REOPEN,)


@pytest.mark.parametrize("pair", PAIRS, ids=[_pair_id(p) for p in PAIRS])
def test_pair(db: DatabaseTarget, pair: tuple[CaseState, Trigger]) -> None:
    state, trigger = pair
    expected = EXPECTED[pair]
    with Session(db.engine, expire_on_commit=False) as session:
        world = make_world(session)
        case = _case_in(session, world, state)
        assert case.id is not None
        assert case.state == state.value
        if trigger is Trigger.ADVANCE and expected is not None:
            make_ready(session, world, case)
        work = UnitOfWork(session)
        if trigger is Trigger.RESUME and expected is not None:
            case = apply_trigger(
                work, case.id, "pause", world.manager, reason="Sommerferie", now=world.tick()
            )
        version = case.version
        reason = "Begrundelse" if trigger.needs_reason else None

        def fire() -> Case:
            """The trigger, fired at the version the case is at."""
            assert case.id is not None
            return apply_trigger(
                work,
                case.id,
                trigger.value,
                world.manager,
                reason=reason,
                expected_version=version,
                now=world.tick(),
            )

        if expected is None:
            with pytest.raises(InvalidTransition):
                fire()
            session.expire_all()
            stored = session.get(Case, case.id)
            assert stored is not None
            assert (stored.state, stored.version) == (state.value, version)
            last = (
                session.execute(
                    select(AuditEvent)
                    .where(col(AuditEvent.case_id) == case.id)
                    .order_by(col(AuditEvent.seq).desc())
                )
                .scalars()
                .first()
            )
            assert last is not None and last.action == "case.transition_refused"
            return
        result = fire()
        assert result.state == expected.value
        assert result.version == version + 1
        assert result.on_hold is (trigger is Trigger.PAUSE)
