"""Open calls as anyone may read them (equal treatment: a published call is open to every
company, registered or not).

An *open call* is a case in `match` whose submission deadline lies ahead: exactly the cases
that take proposals now (`workflow.proposals.own.call_is_open`), on hold or not, since the
deadline and the rules do not change while a case is paused. A case in `need` is unpublished,
a cancelled one is withdrawn, and a call whose deadline passed is closed: none of them is here,
and asking for one by id is "not found" (never "forbidden", which would confirm it exists).

What is shown is the call section alone (title, text, criteria and weights, the submission
deadline, the minimum number of proposals), when it was published and the publishing
municipalities: the lead first, then the co-owners who joined its need (`workflow.needs`).
Never the case's title, its need or anything else internal.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import String, select
from sqlmodel import Session, col

from states import CaseState
from states.dates import Moment
from states.sections import CallSection
from workflow.access.organisations import organisation_names
from workflow.cases.facts import parse_section
from workflow.core.errors import NotFound
from workflow.models import Case, Organisation, Participant, ParticipantRole

_MOMENT: TypeAdapter[datetime] = TypeAdapter(Moment)


@dataclass(frozen=True, slots=True)
class PublicMunicipality:
    """A municipality that publishes a call."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class PublicCriterion:
    """A published assessment criterion and its weight in per cent."""

    name: str
    weight: int


@dataclass(frozen=True, slots=True)
class PublicCall:
    """One open call, as the public sees it."""

    id: int
    title: str
    text: str
    criteria: tuple[PublicCriterion, ...]
    submission_deadline: datetime
    min_proposals: int | None
    published_at: datetime
    municipalities: tuple[PublicMunicipality, ...]


def _deadline(value: object) -> datetime | None:
    """The stored submission deadline, or None when there is none (or it is unreadable)."""
    if not isinstance(value, str):
        return None
    try:
        return _MOMENT.validate_python(value)
    except ValidationError:
        return None


def _open_ids(session: Session, now: datetime) -> list[int]:
    """The ids of the open calls, closing soonest first (then by id).

    Only the id and the deadline of the cases in `match` are read: the deadline is JSON text,
    compared as a time here rather than as text in SQL, where offsets would compare wrongly.
    """
    deadline_text = col(Case.call)["submission_deadline"].as_string()
    rows = session.execute(
        select(col(Case.id), deadline_text.cast(String)).where(
            col(Case.state) == CaseState.MATCH.value
        )
    ).all()
    dated = [(d, case_id) for case_id, text in rows if (d := _deadline(text)) and d > now]
    return [case_id for _, case_id in sorted(dated)]


def _publishers(session: Session, cases: Sequence[Case]) -> dict[int, list[PublicMunicipality]]:
    """Each case's publishing municipalities: its lead, then its co-owners by name."""
    ids = [c.id for c in cases if c.id is not None]
    co_owners = session.execute(
        select(col(Participant.case_id), col(Organisation.id), col(Organisation.name))
        .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
        .where(
            col(Participant.case_id).in_(ids),
            col(Participant.role) == ParticipantRole.MUNICIPALITY.value,
        )
        .order_by(col(Organisation.name), col(Organisation.id))
    ).all()
    leads = organisation_names(session, {c.lead_municipality_id for c in cases})
    result = {
        c.id: [PublicMunicipality(c.lead_municipality_id, leads.get(c.lead_municipality_id, ""))]
        for c in cases
        if c.id is not None
    }
    for case_id, org_id, name in co_owners:
        if org_id not in {m.id for m in result[case_id]}:
            result[case_id].append(PublicMunicipality(org_id, name))
    return result


def _public(case: Case, municipalities: list[PublicMunicipality]) -> PublicCall | None:
    call = parse_section(CallSection, case.call)
    if case.id is None or call.submission_deadline is None:
        return None
    return PublicCall(
        id=case.id,
        title=call.title or "",
        text=call.text or "",
        criteria=tuple(PublicCriterion(c.name, c.weight) for c in call.criteria or []),
        submission_deadline=call.submission_deadline,
        min_proposals=call.min_proposals,
        published_at=case.phase_entered_at,
        municipalities=tuple(municipalities),
    )


def _load(session: Session, ids: list[int]) -> list[PublicCall]:
    if not ids:
        return []
    cases = {c.id: c for c in session.execute(select(Case).where(col(Case.id).in_(ids))).scalars()}
    publishers = _publishers(session, list(cases.values()))
    calls = [_public(cases[i], publishers[i]) for i in ids if i in cases]
    return [c for c in calls if c is not None]


def open_calls(
    session: Session, now: datetime, *, limit: int | None = None, offset: int = 0
) -> tuple[list[PublicCall], int]:
    """One page of the open calls, closing soonest first, and how many there are in all."""
    ids = _open_ids(session, now)
    page = ids[offset:] if limit is None else ids[offset : offset + limit]
    return _load(session, page), len(ids)


def open_call(session: Session, case_id: int, now: datetime) -> PublicCall:
    """One open call; `NotFound` for any case that is not one (unpublished, cancelled,
    closed, or no case at all), so the answer tells nothing about the case."""
    case = session.get(Case, case_id)
    deadline = _deadline(case.call.get("submission_deadline")) if case is not None else None
    if case is None or case.state != CaseState.MATCH.value or deadline is None or deadline <= now:
        raise NotFound(f"Call {case_id} was not found.")
    calls = _load(session, [case_id])
    if not calls:
        raise NotFound(f"Call {case_id} was not found.")
    return calls[0]
