"""Who may see what (SPEC §4 scoping). Out-of-scope cases are reported as missing.

The API and the web pages both ask here, so a partner sees the same on either: a company that
only bid (or none, for a case in `match`) sees the published call, never the municipality's
internal data; no partner learns which other companies bid, nor sees their proposals.
"""

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import ColumnElement, Select, exists, false, or_, select, true
from sqlmodel import Session, col

from states import CaseState
from workflow.access.actor import Actor
from workflow.access.policy import Action, competes, require, sees_all
from workflow.core.errors import NotFound
from workflow.core.id_lists import among
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case, Participant, ParticipantRole, Proposal
from workflow.transitions.locking import lock_case


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
    if sees_all(actor):
        return true()
    if actor.organisation_id is None:
        return false()
    takes_part = exists().where(
        col(Participant.case_id) == Case.id,
        col(Participant.organisation_id) == actor.organisation_id,
    )
    if competes(actor):
        # Partners also see every published call, i.e. every case in match.
        return or_(takes_part, col(Case.state) == CaseState.MATCH.value)
    return takes_part


def visible_case_ids(actor: Actor) -> Select[int | None]:
    """A subquery of the ids of the cases `actor` may see."""
    return select(col(Case.id)).where(visible_cases_clause(actor))


def can_see(session: Session, actor: Actor, case: Case) -> bool:
    """Whether `actor` may see `case` at all."""
    if sees_all(actor):
        return True
    if competes(actor) and case.state == CaseState.MATCH.value:
        return True
    if actor.organisation_id is not None and actor.organisation_id == case.lead_municipality_id:
        return True  # the lead municipality takes part in every case it leads
    assert case.id is not None
    return is_participant(session, case.id, actor.organisation_id)


def get_visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    """The case, or `NotFound` when it does not exist or lies outside the actor's scope."""
    case = session.get(Case, case_id)
    if case is None or not can_see(session, actor, case):
        raise NotFound(f"Case {case_id} was not found.")
    return case


def case_for(session: Session, actor: Actor, case_id: int, action: Action) -> Case:
    """The case `actor` means to do `action` on: 403 when the role may never do it, 404 when
    the case is out of scope, then 403 when the case is not the actor's to do it on. The first
    check comes before the case is read, so a role that may never do it learns nothing of
    which cases exist."""
    require(actor, action)
    case = get_visible_case(session, actor, case_id)
    require(actor, action, case)
    return case


def lock_visible_case(work: UnitOfWork, actor: Actor, case_id: int) -> Case:
    """The case locked for writing (`workflow.transitions.locking.lock_case`), or `NotFound`
    when it does not exist or lies outside the actor's scope, as `get_visible_case` answers."""
    try:
        case = lock_case(work, case_id)
    except NotFound:
        case = None
    if case is None or not can_see(work.session, actor, case):
        raise NotFound(f"Case {case_id} was not found.")
    return case


def partner_roles(session: Session, actor: Actor, case_ids: Sequence[int]) -> dict[int, str]:
    """A partner's organisation's participant role in each of `case_ids` where it has one.

    Only a partner's view depends on it (`full_view`): for anyone else it is empty.
    """
    if not competes(actor) or actor.organisation_id is None or not case_ids:
        return {}
    rows = session.execute(
        select(col(Participant.case_id), col(Participant.role)).where(
            col(Participant.organisation_id) == actor.organisation_id,
            among(col(Participant.case_id), case_ids),
        )
    ).all()
    return {case_id: role for case_id, role in rows}


def full_view(actor: Actor, participant_role: str | None) -> bool:
    """Whether `actor`, already known to see a case, sees its internal data.

    `participant_role` is the actor's organisation's role in the case, if any.
    """
    if not competes(actor):
        return True
    return participant_role is not None and participant_role != ParticipantRole.INTERESTED.value


def sees_internals(session: Session, actor: Actor, case: Case) -> bool:
    """Whether `actor` sees the whole case rather than its published call alone."""
    assert case.id is not None
    return full_view(actor, partner_roles(session, actor, [case.id]).get(case.id))


class TakesPart(Protocol):
    """A participant: a stored `Participant` or a `workflow.cases.relations.CaseParticipant`."""

    @property
    def organisation_id(self) -> int: ...

    @property
    def role(self) -> str: ...


def hides_participant(actor: Actor, participant: TakesPart) -> bool:
    """Companies that only bid stay hidden from other partners (equal treatment)."""
    return (
        competes(actor)
        and participant.role == ParticipantRole.INTERESTED.value
        and participant.organisation_id != actor.organisation_id
    )


def proposals_clause(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on `Proposal`: a partner sees its own organisation's proposals only."""
    if competes(actor):
        return col(Proposal.organisation_id) == actor.organisation_id
    return true()


def may_see_proposal(actor: Actor, proposal: Proposal) -> bool:
    """The single-row form of `proposals_clause`."""
    return not competes(actor) or proposal.organisation_id == actor.organisation_id
