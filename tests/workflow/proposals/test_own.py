"""A partner's own steps: interest, edit and withdraw a proposal, sign as itself (issue 14),
on SQLite and PostgreSQL, with the audit chain checked after each."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from tests.chain import assert_chain_intact
from tests.factories import World, drive, make_org, make_world, new_case
from workflow.audit.writer import case_chain
from workflow.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RequirementsUnmet
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import (
    AuditEvent,
    Case,
    Deadline,
    DeadlineStatus,
    Participant,
    Proposal,
    Signature,
)
from workflow.proposals.own import (
    awaits_own_signature,
    edit_proposal,
    show_interest,
    sign_agreement,
    withdraw_proposal,
)
from workflow.proposals.service import assess_proposal, submit_proposal
from workflow.transitions.engine import apply_trigger


def match_case(session: Session) -> tuple[World, Case]:
    """A case whose call is open for 40 days from the world's clock."""
    world = make_world(session)
    case = drive(session, world, new_case(session, world.lead), "match")
    session.commit()
    return world, case


def events(session: Session, case: Case) -> list[AuditEvent]:
    assert case.id is not None
    return assert_chain_intact(session, case_chain(case.id))


def submission_deadlines(session: Session, case: Case, org_id: int) -> list[Deadline]:
    session.expire_all()
    return list(
        session.execute(
            select(Deadline).where(
                col(Deadline.case_id) == case.id,
                col(Deadline.kind) == "submission",
                col(Deadline.responsible_organisation_id) == org_id,
            )
        ).scalars()
    )


def edit_as_owner(
    work: UnitOfWork, world: World, case: Case, proposal_id: int, title: str, summary: str
) -> Proposal:
    """The proposing company edits its proposal, a tick of the world's clock later."""
    return edit_proposal(
        work,
        case.id or 0,
        proposal_id,
        world.partner(world.company),
        title=title,
        summary=summary,
        now=world.tick(),
    )


def propose(session: Session, world: World, case: Case, title: str = "Sanserum") -> int:
    work = UnitOfWork(session)
    proposal = submit_proposal(
        work,
        case.id or 0,
        world.partner(world.company),
        organisation_id=world.company.id or 0,
        title=title,
        summary="Lys og lyd",
        now=world.tick(timedelta(hours=1)),
    )
    work.commit()
    return proposal.id or 0


def test_showing_interest_makes_the_company_a_bidder_with_its_own_deadline(
    session: Session,
) -> None:
    world, case = match_case(session)
    version = case.version
    work = UnitOfWork(session)
    show_interest(work, case.id or 0, world.partner(world.company), now=world.tick())
    work.commit()
    role = session.execute(
        select(col(Participant.role)).where(
            col(Participant.case_id) == case.id,
            col(Participant.organisation_id) == world.company.id,
        )
    ).scalar_one()
    assert role == "interested"
    [deadline] = submission_deadlines(session, case, world.company.id or 0)
    assert deadline.status == DeadlineStatus.OPEN.value
    assert deadline.due_at == datetime.fromisoformat(case.call["submission_deadline"])
    added = [e for e in events(session, case) if e.action == "participant.added"]
    assert added[-1].actor_name == world.partner(world.company).name
    assert session.get(Case, case.id).version == version + 1  # type: ignore[union-attr]

    # A second time changes nothing.
    show_interest(work, case.id or 0, world.partner(world.company), now=world.tick())
    work.commit()
    assert len(submission_deadlines(session, case, world.company.id or 0)) == 1
    assert len([e for e in events(session, case) if e.action == "participant.added"]) == 1


def test_interest_after_the_deadline_or_from_a_municipality_is_refused(session: Session) -> None:
    world, case = match_case(session)
    late = world.clock + timedelta(days=41)
    work = UnitOfWork(session)
    with pytest.raises(Conflict, match="deadline has passed"):
        show_interest(work, case.id or 0, world.partner(world.company), now=late)
    session.rollback()
    with pytest.raises(Forbidden):
        show_interest(work, case.id or 0, world.partner(world.adopter), now=world.clock)
    session.rollback()
    assert submission_deadlines(session, case, world.company.id or 0) == []


def test_a_company_edits_its_proposal_before_the_deadline_and_the_change_is_audited(
    session: Session,
) -> None:
    world, case = match_case(session)
    proposal_id = propose(session, world, case)
    work = UnitOfWork(session)
    edited = edit_as_owner(work, world, case, proposal_id, "  Sanserum 2.0 ", "Lys, lyd og duft")
    work.commit()
    assert (edited.title, edited.summary) == ("Sanserum 2.0", "Lys, lyd og duft")
    assert edited.updated_at == world.clock
    [event] = [e for e in events(session, case) if e.action == "proposal.edited"]
    assert '"before":{"summary":"Lys og lyd","title":"Sanserum"}' in event.data


def test_editing_or_withdrawing_after_the_deadline_is_refused_and_changes_nothing(
    session: Session,
) -> None:
    world, case = match_case(session)
    proposal_id = propose(session, world, case)
    late = world.clock + timedelta(days=41)
    actor = world.partner(world.company)
    work = UnitOfWork(session)
    with pytest.raises(Conflict, match="deadline has passed"):
        edit_proposal(work, case.id or 0, proposal_id, actor, title="Ny", summary="", now=late)
    session.rollback()
    with pytest.raises(Conflict, match="deadline has passed"):
        withdraw_proposal(work, case.id or 0, proposal_id, actor, now=late)
    session.rollback()
    session.expire_all()
    actions = [e.action for e in events(session, case)]
    assert "proposal.edited" not in actions and "proposal.withdrawn" not in actions


def test_a_competitor_cannot_touch_a_proposal_it_does_not_own(session: Session) -> None:
    world, case = match_case(session)
    proposal_id = propose(session, world, case)
    rival = world.partner(world.rival)
    work = UnitOfWork(session)
    with pytest.raises(NotFound):
        edit_proposal(work, case.id or 0, proposal_id, rival, title="Mit", summary="")
    session.rollback()
    with pytest.raises(NotFound):
        withdraw_proposal(work, case.id or 0, proposal_id, rival, now=world.clock)
    session.rollback()
    with pytest.raises(InvalidInput):
        edit_as_owner(work, world, case, proposal_id, "   ", "")


def test_a_withdrawn_proposal_no_longer_counts_and_the_deadline_comes_back(
    session: Session,
) -> None:
    world, case = match_case(session)
    work = UnitOfWork(session)
    show_interest(work, case.id or 0, world.partner(world.company), now=world.tick())
    work.commit()
    proposal_id = propose(session, world, case)
    [met] = submission_deadlines(session, case, world.company.id or 0)
    assert met.status == DeadlineStatus.MET.value
    withdrawn = withdraw_proposal(
        work, case.id or 0, proposal_id, world.partner(world.company), now=world.tick()
    )
    work.commit()
    assert withdrawn.withdrawn_at == world.clock
    deadlines = submission_deadlines(session, case, world.company.id or 0)
    assert [d.status for d in deadlines] == ["met", "open"]
    assert "proposal.withdrawn" in [e.action for e in events(session, case)]

    # Nothing may be assessed on it, and after the deadline no proposal counts.
    with pytest.raises(Conflict, match="withdrawn"):
        assess_proposal(
            work,
            case.id or 0,
            proposal_id,
            world.manager,
            scores={"Effekt": 5},
            rationale="-",
            conflict_of_interest=False,
            now=world.clock,
        )
    session.rollback()
    after = world.clock + timedelta(days=41)
    with pytest.raises(RequirementsUnmet) as refused:
        apply_trigger(work, case.id or 0, "advance", world.manager, now=after)
    assert "call.min_proposals" in [u.code for u in refused.value.unmet]


def test_the_selected_company_signs_as_itself(session: Session) -> None:
    world, case = match_case(session)
    case = drive(session, world, case, "agreement")
    company = world.partner(world.company)
    assert awaits_own_signature(session, case, world.company.id or 0)
    assert not awaits_own_signature(session, case, world.rival.id or 0)

    work = UnitOfWork(session)
    with pytest.raises(Conflict):
        sign_agreement(
            work, case.id or 0, world.partner(world.rival), signatory_name="X", now=world.clock
        )
    session.rollback()
    signature = sign_agreement(
        work, case.id or 0, company, signatory_name="Lone Berg", now=world.tick()
    )
    work.commit()
    assert signature.organisation_id == world.company.id
    assert signature.recorded_by == company.name
    [event] = [e for e in events(session, case) if e.action == "agreement.signed"]
    assert event.actor_role == "partner" and event.actor_organisation_id == world.company.id
    assert '"signatory_name":"Lone Berg"' in event.data
    signature_deadline = session.execute(
        select(Deadline).where(
            col(Deadline.case_id) == case.id,
            col(Deadline.kind) == "signature",
            col(Deadline.responsible_organisation_id) == world.company.id,
        )
    ).scalar_one()
    assert signature_deadline.status == DeadlineStatus.MET.value

    # Signing twice is refused; the one signature stays.
    with pytest.raises(Conflict):
        sign_agreement(work, case.id or 0, company, signatory_name="Igen", now=world.tick())
    session.rollback()
    count = session.execute(select(Signature).where(col(Signature.case_id) == case.id)).all()
    assert len(count) == 1


def test_a_municipality_cannot_sign_through_the_partner_door(session: Session) -> None:
    world, case = match_case(session)
    case = drive(session, world, case, "agreement")
    other = make_org(session, "Aarhus Kommune")
    session.commit()
    work = UnitOfWork(session)
    with pytest.raises(Forbidden):
        sign_agreement(
            work,
            case.id or 0,
            world.partner(other),
            signatory_name="Borgmester",
            now=world.clock,
        )
