"""Who may see which case (SPEC §4 scoping). Out-of-scope cases are reported as missing."""

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlmodel import Session, col

from states import CaseState
from workflow.actor import Actor
from workflow.errors import NotFound
from workflow.models import Case, Participant

SEE_ALL_ROLES = frozenset({"admin", "auditor", "system"})


def is_participant(session: Session, case_id: int, organisation_id: int | None) -> bool:
    """Whether the organisation takes part in the case (as lead or otherwise)."""
    if organisation_id is None:
        return False
    return (
        session.execute(
            select(col(Participant.id)).where(
                col(Participant.case_id) == case_id,
                col(Participant.organisation_id) == organisation_id,
            )
        ).first()
        is not None
    )


def visible_cases_clause(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on `Case` selecting what `actor` may see."""
    if actor.role in SEE_ALL_ROLES:
        return true()
    if actor.organisation_id is None:
        return false()
    takes_part = exists().where(
        col(Participant.case_id) == Case.id,
        col(Participant.organisation_id) == actor.organisation_id,
    )
    if actor.role == "partner":
        # Partners also see every published call, i.e. every case in match.
        return or_(takes_part, col(Case.state) == CaseState.MATCH.value)
    return takes_part


def can_see(session: Session, actor: Actor, case: Case) -> bool:
    """Whether `actor` may see `case` at all."""
    if actor.role in SEE_ALL_ROLES:
        return True
    if actor.role == "partner" and case.state == CaseState.MATCH.value:
        return True
    assert case.id is not None
    return is_participant(session, case.id, actor.organisation_id)


def get_visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    """The case, or `NotFound` when it does not exist or lies outside the actor's scope."""
    case = session.get(Case, case_id)
    if case is None or not can_see(session, actor, case):
        raise NotFound(f"Case {case_id} was not found.")
    return case
