"""Phase deadlines follow the transitions in their own transaction; managers' changes are
audited (SPEC §5), on SQLite and PostgreSQL."""

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from tests.chain import assert_chain_intact
from tests.factories import World, drive, make_org, make_world, new_case
from tests.reminder_support import reminders_of
from workflow.access.actor import Actor
from workflow.audit.writer import case_chain
from workflow.core.errors import Conflict, InvalidInput, NotFound, RequirementsUnmet
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.phase_rules import end_of_day
from workflow.deadlines.service import add_deadline, move_deadline, set_deadline_status
from workflow.models import AuditEvent, Case, Deadline, DeadlineStatus, Organisation, Reminder
from workflow.proposals.service import add_participant, record_signature
from workflow.transitions.engine import apply_trigger


def deadlines_of(session: Session, case: Case) -> list[Deadline]:
    session.expire_all()
    return list(
        session.execute(
            select(Deadline).where(col(Deadline.case_id) == case.id).order_by(col(Deadline.id))
        ).scalars()
    )


def by_kind(deadlines: list[Deadline], status: str = "open") -> dict[str, list[Deadline]]:
    found: dict[str, list[Deadline]] = {}
    for d in deadlines:
        if d.status == status:
            found.setdefault(d.kind, []).append(d)
    return found


def actions(session: Session, case: Case) -> list[str]:
    assert case.id is not None
    return [e.action for e in assert_chain_intact(session, case_chain(case.id))]


def show_interest(session: Session, world: World, case: Case, *orgs: Organisation) -> None:
    """The manager adds `orgs` to the case as interested parties, now on the world's clock."""
    work = UnitOfWork(session)
    for org in orgs:
        add_participant(
            work,
            case.id or 0,
            world.manager,
            organisation_id=org.id or 0,
            role="interested",
            now=world.clock,
        )
    work.commit()


def interested_case(session: Session) -> tuple[World, Case]:
    """A case in `need` whose two companies have shown interest."""
    world = make_world(session)
    case = new_case(session, world.lead)
    show_interest(session, world, case, world.company, world.rival)
    return world, case


def test_entering_match_creates_its_deadlines_in_the_transition(session: Session) -> None:
    world, case = interested_case(session)
    case = drive(session, world, case, "match")
    submission = datetime.fromisoformat(case.call["submission_deadline"])
    open_ = by_kind(deadlines_of(session, case))
    assert {d.responsible_organisation_id for d in open_["submission"]} == {
        world.company.id,
        world.rival.id,
    }
    assert all(d.due_at == submission and not d.escalates for d in open_["submission"])
    [assessment] = open_["assessment"]
    assert assessment.due_at == submission + timedelta(days=14)
    assert assessment.responsible_organisation_id == world.lead.id
    assert all(d.phase == "match" for ds in open_.values() for d in ds)
    # Deadlines, reminders and the transition share one transaction: the deadline events
    # come right before the transition event of the same commit.
    trail = actions(session, case)
    assert trail[-4:] == ["deadline.created"] * 3 + ["case.transition"]
    assert all(reminders_of(session, d) for ds in open_.values() for d in ds)


def test_a_refused_transition_creates_no_deadlines(session: Session) -> None:
    world, case = interested_case(session)
    work = UnitOfWork(session)
    with pytest.raises(RequirementsUnmet):
        apply_trigger(work, case.id or 0, "advance", world.manager, now=world.tick())
    assert deadlines_of(session, case) == []
    assert session.execute(select(func.count()).select_from(Reminder)).scalar_one() == 0


def test_leaving_match_cancels_open_deadlines_and_agreement_asks_for_signatures(
    session: Session,
) -> None:
    world, case = interested_case(session)
    case = drive(session, world, case, "agreement")
    all_ = deadlines_of(session, case)
    # RoligRum proposed (its submission deadline was met); SenseCare never did.
    assert [d.responsible_organisation_id for d in by_kind(all_, "met")["submission"]] == [
        world.company.id
    ]
    cancelled = by_kind(all_, "cancelled")
    assert [d.responsible_organisation_id for d in cancelled["submission"]] == [world.rival.id]
    assert len(cancelled["assessment"]) == 1
    assert all(
        "left phase match" in (d.closed_reason or "") for ds in cancelled.values() for d in ds
    )
    for ds in cancelled.values():
        for d in ds:
            assert {r.status for r in reminders_of(session, d)} <= {"cancelled"}
    signatures = by_kind(all_)["signature"]
    assert {d.responsible_organisation_id for d in signatures} == {world.lead.id, world.company.id}
    entered = case.phase_entered_at
    assert all(d.due_at == entered + timedelta(days=30) for d in signatures)


def test_signing_meets_that_partys_signature_deadline(session: Session) -> None:
    world, case = interested_case(session)
    case = drive(session, world, case, "agreement")
    work = UnitOfWork(session)
    record_signature(
        work,
        case.id or 0,
        world.manager,
        organisation_id=world.lead.id or 0,
        signatory_name="Borgmester",
        signed_at=world.clock,
        now=world.clock,
    )
    work.commit()
    signatures = [d for d in deadlines_of(session, case) if d.kind == "signature"]
    status = {d.responsible_organisation_id: d.status for d in signatures}
    assert status == {world.lead.id: "met", world.company.id: "open"}
    met = next(d for d in signatures if d.status == "met")
    assert {r.status for r in reminders_of(session, met)} == {"cancelled"}
    assert actions(session, case)[-2:] == ["deadline.met", "agreement.signed"]


def test_pilot_and_scale_deadlines(session: Session) -> None:
    world, case = interested_case(session)
    case = drive(session, world, case, "pilot")
    pilot = {d.kind: d for ds in by_kind(deadlines_of(session, case)).values() for d in ds}
    assert pilot["baseline_measurement"].due_at == end_of_day(date(2027, 2, 1))
    assert pilot["midterm_evaluation"].due_at == end_of_day(date(2027, 4, 16))
    assert pilot["final_evaluation"].due_at == end_of_day(date(2027, 7, 30))
    assert {d.responsible_organisation_id for d in pilot.values()} == {world.lead.id}
    # Every signature deadline was met on signing, so leaving agreement cancelled none of them.
    assert not by_kind(deadlines_of(session, case), "cancelled").get("signature")

    case = drive(session, world, case, "scale")
    entered = case.phase_entered_at
    scale = {d.kind: d.due_at for ds in by_kind(deadlines_of(session, case)).values() for d in ds}
    assert scale == {
        "knowledge_sharing": entered + timedelta(days=60),
        "adoption_follow_up": entered + timedelta(days=180),
    }
    case = drive(session, world, case, "completed")
    assert by_kind(deadlines_of(session, case)) == {}


def test_pause_keeps_deadlines_cancel_closes_them_and_reopen_recreates_them(
    session: Session,
) -> None:
    world, case = interested_case(session)
    case = drive(session, world, case, "scale")
    before = [d.id for d in deadlines_of(session, case) if d.status == "open"]
    work = UnitOfWork(session)
    apply_trigger(work, case.id or 0, "pause", world.manager, reason="Budget", now=world.tick())
    assert [d.id for d in deadlines_of(session, case) if d.status == "open"] == before
    apply_trigger(work, case.id or 0, "resume", world.manager, now=world.tick())
    apply_trigger(work, case.id or 0, "cancel", world.manager, reason="Stop", now=world.tick())
    assert not by_kind(deadlines_of(session, case))
    apply_trigger(work, case.id or 0, "reopen", world.manager, reason="Igen", now=world.tick())
    reopened = by_kind(deadlines_of(session, case))
    assert set(reopened) == {"knowledge_sharing", "adoption_follow_up"}
    assert not set(before) & {d.id for ds in reopened.values() for d in ds}


def test_interest_shown_during_match_gets_a_submission_deadline(session: Session) -> None:
    world = make_world(session)
    case = drive(session, world, new_case(session, world.lead), "match")
    assert "submission" not in by_kind(deadlines_of(session, case))
    late_comer = make_org(session, "Viden A/S", "knowledge_institution")
    show_interest(
        session, world, case, world.rival, late_comer, world.adopter
    )  # adopter: a municipality
    submission = by_kind(deadlines_of(session, case))["submission"]
    assert {d.responsible_organisation_id for d in submission} == {world.rival.id, late_comer.id}


# --- what managers do ------------------------------------------------------------------


def manager_case(session: Session) -> tuple[World, Case, datetime]:
    world = make_world(session)
    case = drive(session, world, new_case(session, world.lead), "match")
    return world, case, world.tick()


def add_custom(
    work: UnitOfWork,
    case: Case,
    actor: Actor,
    now: datetime,
    *,
    title: str = "Frist",
    days: int = 10,
    responsible: Organisation | None = None,
    **options: str,
) -> Deadline:
    """`actor` adds a deadline of their own to the case, due `days` after `now`."""
    return add_deadline(
        work,
        case.id or 0,
        actor,
        title=title,
        due_at=now + timedelta(days=days),
        responsible_organisation_id=responsible.id if responsible else None,
        now=now,
        **options,
    )


def test_a_manager_adds_a_deadline_with_reminders_and_an_audit_event(session: Session) -> None:
    world, case, now = manager_case(session)
    work = UnitOfWork(session)
    title = "Informationsmøde for virksomheder"
    deadline = add_custom(work, case, world.manager, now, title=title, calendar="any")
    work.commit()
    assert (deadline.kind, deadline.phase, deadline.status) == ("custom", "match", "open")
    assert {r.rung for r in reminders_of(session, deadline)} == {"pre7", "pre1", "due", "esc1"}
    last = assert_chain_intact(session, case_chain(case.id or 0))[-1]
    assert last.action == "deadline.created"
    assert json.loads(last.data)["title"] == "Informationsmøde for virksomheder"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"title": " "}, InvalidInput),
        ({"due_at_days": -1}, InvalidInput),
        ({"responsible": "outsider"}, InvalidInput),
    ],
    ids=["blank-title", "due-in-the-past", "responsible-outside-the-case"],
)
def test_bad_deadlines_are_refused(
    session: Session, change: dict[str, object], error: type[Exception]
) -> None:
    world, case, now = manager_case(session)
    outsider = make_org(session, "Fremmed ApS", "company")
    work = UnitOfWork(session)
    with pytest.raises(error):
        add_custom(
            work,
            case,
            world.manager,
            now,
            title=str(change.get("title", "Frist")),
            days=int(change.get("due_at_days", 5)),  # type: ignore[call-overload]
            responsible=outsider if change.get("responsible") else None,
        )


def test_a_completed_case_takes_no_deadlines_and_strangers_see_none(session: Session) -> None:
    world, case, now = manager_case(session)
    stranger = make_org(session, "Gladsaxe Kommune")
    from tests.factories import manager_of

    work = UnitOfWork(session)
    with pytest.raises(NotFound):
        add_custom(work, case, manager_of(stranger, "Ukendt"), now, days=3)
    work.rollback()
    apply_trigger(work, case.id or 0, "cancel", world.manager, reason="Stop", now=now)
    with pytest.raises(Conflict):
        add_custom(work, case, world.manager, now, days=3)


def test_moving_a_deadline_needs_a_reason_and_starts_a_fresh_ladder(session: Session) -> None:
    world, case, now = manager_case(session)
    work = UnitOfWork(session)
    deadline = add_custom(work, case, world.manager, now, responsible=world.lead)
    work.commit()

    def move(reason: str) -> Deadline:
        later = now + timedelta(days=20)
        return move_deadline(
            work, deadline.id or 0, world.manager, due_at=later, reason=reason, now=now
        )

    with pytest.raises(InvalidInput):
        move("  ")
    work.rollback()
    moved = move("Leverandøren har bedt om mere tid")
    work.commit()
    assert (moved.revision, moved.due_at) == (2, now + timedelta(days=20))
    rows = reminders_of(session, moved)
    assert {r.status for r in rows if r.revision == 1} == {"cancelled"}
    assert {r.status for r in rows if r.revision == 2} == {"pending"}
    assert all("-r2-" in r.dedup_key for r in rows if r.revision == 2)
    event = assert_chain_intact(session, case_chain(case.id or 0))[-1]
    data = json.loads(event.data)
    assert (event.action, data["reason"]) == ("deadline.moved", "Leverandøren har bedt om mere tid")
    assert data["before"] != data["after"]


def test_marking_met_and_cancelling(session: Session) -> None:
    world, case, now = manager_case(session)
    work = UnitOfWork(session)
    first, second = (
        add_custom(work, case, world.manager, now, title=title) for title in ("Første", "Anden")
    )
    work.commit()
    set_deadline_status(work, first.id or 0, world.manager, status=DeadlineStatus.MET, now=now)
    with pytest.raises(InvalidInput):
        set_deadline_status(
            work, second.id or 0, world.manager, status=DeadlineStatus.CANCELLED, now=now
        )
    set_deadline_status(
        work,
        second.id or 0,
        world.manager,
        status=DeadlineStatus.CANCELLED,
        reason="Ikke længere nødvendig",
        now=now,
    )
    work.commit()
    with pytest.raises(Conflict):
        set_deadline_status(work, first.id or 0, world.manager, status=DeadlineStatus.MET)
    for d in (first, second):
        assert {r.status for r in reminders_of(session, d)} == {"cancelled"}
    events = session.execute(
        select(AuditEvent.action)
        .where(col(AuditEvent.case_id) == case.id)
        .order_by(col(AuditEvent.seq).desc())
        .limit(2)
    ).scalars()
    assert list(events) == ["deadline.cancelled", "deadline.met"]
