"""The knowledge library: every case in `scale` or `completed`, and every pilot cancelled with
its lessons, open to the people of every municipality (issue 17).

Municipalities "stand very much alone although they must solve the same problems": a case's
results are what another municipality needs before it starts its own. An entry shows the need,
the solution chosen, the pilot's success criteria with their numbers and the effect computed
here (never typed in), the evaluation report, the knowledge summary, who adopted the solution
and how it will be bought. Companies never read it: a later purchase must not favour anyone
(SPEC §1), and the library names the selected companies.

Which cancelled cases count: those cancelled from `pilot` or `scale`, the ones that ran a
pilot; their lessons are the cancellation's reason (SPEC §3: "a failed pilot is closed with
cancel, its lessons in the reason"). A case cancelled before its pilot taught nothing measured.

Search is the need catalogue's (`workflow.needs.catalogue.search_page`): its guarded Danish
text search, so any text is safe, and its one-statement ranked page; on PostgreSQL the GIN
index on `cases.need_vector` (migration 0017) finds the library's cases as it finds the
catalogue's.
"""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlmodel import Session, col

from states import CaseState
from states.sections import (
    Evaluation,
    PilotSection,
    ScaleSection,
    SuccessCriterion,
    as_number,
    effect_percent,
)
from workflow.access.actor import Actor
from workflow.access.organisations import organisation_names
from workflow.access.policy import Action
from workflow.cases.facts import parse_section
from workflow.core.errors import Forbidden, NotFound
from workflow.models import (
    AuditEvent,
    Case,
    Organisation,
    Participant,
    ParticipantRole,
    Proposal,
)
from workflow.needs.catalogue import NeedFilter, may_use_catalogue, search_page
from workflow.needs.coowners import CO_OWNER_ROLE, NamedMunicipality, publishers
from workflow.needs.similar import similar_cases
from workflow.proposals.reviews import latest_decisions

FINISHED_STATES = (CaseState.SCALE.value, CaseState.COMPLETED.value)
"""Cases whose pilot succeeded (fully or partly) and whose results are being shared."""
LESSON_PHASES = (CaseState.PILOT.value, CaseState.SCALE.value)
"""A case cancelled from one of these phases ran a pilot: its lessons belong in the library."""
LIBRARY_STATES = (*FINISHED_STATES, CaseState.CANCELLED.value)


@dataclass(frozen=True, slots=True)
class KnowledgeFilter(NeedFilter):
    """The library's search text and filters, all optional: the catalogue's, where
    `municipality_id` is the lead municipality or a co-owner, and the pilot's outcome."""

    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """A success criterion with its numbers and the effect computed from them.

    `effect_percent` is the change from baseline to the measured result in percent of the
    baseline, `target_percent` the change the target asked for; both are None where a value
    is missing, is not a number, or the baseline is zero (no percent of nothing).
    `target_reached` says whether the result got at least as far as the target in the
    target's direction (lower is better when the target is below the baseline).
    """

    metric: str
    baseline: int | float | str
    target: int | float | str
    result: int | float | str | None
    unit: str | None
    effect_percent: float | None
    target_percent: float | None
    target_reached: bool | None


@dataclass(frozen=True, slots=True)
class Solution:
    """A selected proposal: the solution the pilot tried."""

    organisation: NamedMunicipality
    title: str
    summary: str


@dataclass(frozen=True, slots=True)
class Adopter:
    """A municipality adopting the solution: registered (with its id) or named only."""

    organisation_id: int | None
    name: str
    letter_of_intent_at: date | None


@dataclass(frozen=True, slots=True)
class KnowledgeHit:
    """A library case found, with its relevance (None when the list is not a search)."""

    case: Case
    rank: float | None


@dataclass(frozen=True, slots=True)
class KnowledgeEntry:
    """Everything the library shows of one case."""

    case: Case
    publishers: list[NamedMunicipality]
    """The lead municipality first, then the co-owners."""
    criteria: list[CriterionResult]
    evaluation: Evaluation
    pilot: PilotSection
    scale: ScaleSection
    solutions: list[Solution]
    adopters: list[Adopter]
    lessons: str | None
    """Why the case was cancelled, for a cancelled one."""


def in_library() -> ColumnElement[bool]:
    """A WHERE clause on `Case`: the cases the library holds."""
    return or_(
        col(Case.state).in_(FINISHED_STATES),
        and_(
            col(Case.state) == CaseState.CANCELLED.value,
            col(Case.cancelled_from).in_(LESSON_PHASES),
        ),
    )


def holds(case: Case) -> bool:
    """The single-row form of `in_library`."""
    return case.state in FINISHED_STATES or (
        case.state == CaseState.CANCELLED.value and case.cancelled_from in LESSON_PHASES
    )


def require_library(session: Session, actor: Actor) -> None:
    """`Forbidden` unless `actor` may read the library: the people of a municipality, admins
    and auditors (policy `Action.READ_KNOWLEDGE`)."""
    if not may_use_catalogue(session, actor, Action.READ_KNOWLEDGE):
        raise Forbidden("Only the people of a municipality may read the knowledge library.")


def criterion_result(criterion: SuccessCriterion) -> CriterionResult:
    """`criterion` with its effect and whether the target was reached."""
    return CriterionResult(
        metric=criterion.metric,
        baseline=criterion.baseline,
        target=criterion.target,
        result=criterion.result,
        unit=criterion.unit,
        effect_percent=effect_percent(criterion.baseline, criterion.result),
        target_percent=effect_percent(criterion.baseline, criterion.target),
        target_reached=target_reached(criterion.baseline, criterion.target, criterion.result),
    )


def target_reached(baseline: object, target: object, result: object) -> bool | None:
    """Whether `result` is at or beyond `target`, seen from `baseline`; None when any of them
    is not a number or the target does not differ from the baseline (no direction)."""
    before, goal, after = as_number(baseline), as_number(target), as_number(result)
    if before is None or goal is None or after is None or goal == before:
        return None
    return (after - goal) * (goal - before) >= 0


def criteria_of(case: Case) -> list[CriterionResult]:
    """The case's success criteria with their computed effects."""
    pilot = parse_section(PilotSection, case.pilot)
    return [criterion_result(c) for c in pilot.success_criteria or []]


def outcome_of(case: Case) -> str | None:
    """The pilot's evaluated outcome, if recorded."""
    evaluation = parse_section(PilotSection, case.pilot).evaluation
    return evaluation.outcome if evaluation else None


def _filtered(query: Select[Any], filters: KnowledgeFilter) -> Select[Any]:
    query = query.where(in_library())
    if filters.area:
        query = query.where(col(Case.need)["area"].as_string() == filters.area)
    if filters.state:
        query = query.where(col(Case.state) == filters.state)
    if filters.outcome:
        query = query.where(
            col(Case.pilot)[("evaluation", "outcome")].as_string() == filters.outcome
        )
    if filters.municipality_id is not None:
        query = query.where(
            col(Case.id).in_(
                select(col(Participant.case_id)).where(
                    col(Participant.organisation_id) == filters.municipality_id,
                    col(Participant.role).in_([ParticipantRole.LEAD.value, CO_OWNER_ROLE]),
                )
            )
        )
    return query


def search_library(
    session: Session, actor: Actor, filters: KnowledgeFilter, *, limit: int, offset: int
) -> tuple[list[KnowledgeHit], int]:
    """The library's cases matching `filters`, best first (latest finished first without
    `q`), and the number of them."""
    require_library(session, actor)
    latest = (col(Case.phase_entered_at), col(Case.id))
    found, total = search_page(
        session, _filtered(select(Case), filters), filters.q, latest, limit=limit, offset=offset
    )
    return [KnowledgeHit(case, rank) for case, rank in found], total


def similar_knowledge(
    session: Session, actor: Actor, case: Case, *, limit: int = 5
) -> list[KnowledgeHit]:
    """ "Det har andre gjort": the library's cases whose needs are most like `case`'s (title
    and description), best first; the case itself is never among them."""
    require_library(session, actor)
    query = _filtered(select(Case), KnowledgeFilter()).where(col(Case.id) != case.id)
    return [KnowledgeHit(c, s) for c, s in similar_cases(session, query, case, limit=limit)]


def get_entry(session: Session, actor: Actor, case_id: int) -> KnowledgeEntry:
    """One library case in full, or `NotFound` when it is not in the library."""
    require_library(session, actor)
    case = session.get(Case, case_id)
    if case is None or not holds(case):
        raise NotFound(f"Case {case_id} is not in the knowledge library.")
    assert case.id is not None
    pilot = parse_section(PilotSection, case.pilot)
    return KnowledgeEntry(
        case=case,
        publishers=publishers(session, [case])[case.id],
        criteria=[criterion_result(c) for c in pilot.success_criteria or []],
        evaluation=pilot.evaluation or Evaluation(),
        pilot=pilot,
        scale=parse_section(ScaleSection, case.scale),
        solutions=_solutions(session, case.id),
        adopters=_adopters(session, parse_section(ScaleSection, case.scale)),
        lessons=_lessons(session, case) if case.state == CaseState.CANCELLED.value else None,
    )


def _solutions(session: Session, case_id: int) -> list[Solution]:
    """The selected proposals (the latest decision on each counts), oldest first."""
    rows = session.execute(
        select(Proposal, col(Organisation.name))
        .join(Organisation, col(Organisation.id) == col(Proposal.organisation_id))
        .where(col(Proposal.case_id) == case_id, col(Proposal.withdrawn_at).is_(None))
        .order_by(col(Proposal.id))
    ).all()
    latest = latest_decisions(session, [p.id for p, _ in rows])
    return [
        Solution(NamedMunicipality(p.organisation_id, name), p.title, p.summary)
        for p, name in rows
        if latest.get(p.id or 0) == "selected"
    ]


def _adopters(session: Session, scale: ScaleSection) -> list[Adopter]:
    """The adopting municipalities, a registered one by its current name."""
    listed = scale.adopting_municipalities or []
    ids = {a.organisation_id for a in listed if a.organisation_id is not None}
    names = organisation_names(session, ids)
    return [
        Adopter(
            a.organisation_id,
            names.get(a.organisation_id or 0) or a.name or "",
            a.letter_of_intent_at,
        )
        for a in listed
    ]


def _lessons(session: Session, case: Case) -> str | None:
    """The reason given when the case was cancelled: its latest transition, from the audit
    log (the reason lives only there, hash-chained with the rest)."""
    data = session.execute(
        select(col(AuditEvent.data))
        .where(col(AuditEvent.case_id) == case.id, col(AuditEvent.action) == "case.transition")
        .order_by(col(AuditEvent.seq).desc())
        .limit(1)
    ).scalar_one_or_none()
    if data is None:
        return None
    event = json.loads(data)
    reason = event.get("reason") if event.get("trigger") == "cancel" else None
    return reason if isinstance(reason, str) else None
