"""Taking an organisation out of a case: refused for the lead and for bidders, audited, and
the organisation's open deadlines in the case cancelled with the same reason."""

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from tests.factories import make_world, new_case
from workflow.core.errors import Conflict, InvalidInput, NotFound
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.service import add_deadline
from workflow.models import AuditEvent, Deadline, Participant
from workflow.proposals.service import add_participant, remove_participant


def test_removing_a_participant_cancels_its_deadlines_and_is_audited(session: Session) -> None:
    world = make_world(session)
    case = new_case(session, world.lead, now=world.clock)
    assert case.id is not None
    org = world.adopter.id or 0
    work = UnitOfWork(session)
    add_participant(
        work, case.id, world.manager, organisation_id=org, role="municipality", now=world.tick()
    )
    deadline = add_deadline(
        work,
        case.id,
        world.manager,
        title="Hensigtserklæring",
        due_at=world.clock + timedelta(days=10),
        responsible_organisation_id=org,
        now=world.clock,
    )
    work.commit()
    version = case.version
    remove_participant(
        work, case.id, world.manager, organisation_id=org, reason="Trak sig", now=world.tick()
    )
    work.commit()
    assert (
        session.exec(select(Participant).where(Participant.organisation_id == org)).first() is None
    )
    assert session.get(Deadline, deadline.id).status == "cancelled"  # type: ignore[union-attr]
    assert case.version == version + 1
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert last is not None and last.action == "participant.removed"
    assert json.loads(last.data)["reason"] == "Trak sig"


def test_the_lead_a_stranger_and_a_missing_reason_are_refused(session: Session) -> None:
    world = make_world(session)
    case = new_case(session, world.lead, now=world.clock)
    assert case.id is not None
    lead, stranger = world.lead.id or 0, world.rival.id or 0
    work = UnitOfWork(session)
    with pytest.raises(Conflict):
        remove_participant(work, case.id, world.manager, organisation_id=lead, reason="x")
    work.rollback()
    with pytest.raises(NotFound):
        remove_participant(work, case.id, world.manager, organisation_id=stranger, reason="x")
    work.rollback()
    with pytest.raises(InvalidInput):
        remove_participant(work, case.id, world.manager, organisation_id=stranger, reason=" ")
