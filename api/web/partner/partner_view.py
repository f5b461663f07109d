"""What the partner pages show: open calls, the organisation's proposals and its deadlines.

Every query here is scoped to the signed-in organisation: a company reads its own proposals
(never a competitor's, nor their number or ids) and the deadlines it is responsible for
(`workflow.deadlines.service.visible_deadlines`). The published call of a case in `match` is
public to every partner (SPEC §4), so the list of open calls needs no participation.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from api.web.deadlines.deadline_view import DeadlineRow
from api.web.i18n import translate
from states import CaseState
from states.sections import CallSection
from workflow.access.actor import Actor
from workflow.cases.facts import parse_section
from workflow.core.formatting import format_relative
from workflow.deadlines.service import localized_title, visible_deadlines
from workflow.models import (
    Case,
    Deadline,
    DeadlineStatus,
    Organisation,
    Participant,
    Proposal,
)
from workflow.needs.coowners import name_list, publishers
from workflow.proposals.own import PROPOSING_KINDS, awaits_own_signature
from workflow.proposals.reviews import latest_decisions
from workflow.public.calls import PublicCriterion


def relative_time(moment: datetime, now: datetime, language: str) -> str:
    """ "om 2 dage" / "for 3 timer siden" (Babel's CLDR wording, in the page's language)."""
    return format_relative(moment, now, language)


@dataclass(slots=True)
class OwnProposal:
    """One of the organisation's proposals, with its latest decision."""

    id: int
    case_id: int
    case_title: str
    case_state: str
    title: str
    summary: str
    submitted_at: datetime
    updated_at: datetime | None
    withdrawn_at: datetime | None
    decision: str | None
    editable: bool = False


@dataclass(slots=True)
class CallView:
    """A published call a partner may bid on."""

    case_id: int
    case_title: str
    municipality: str
    title: str
    text: str
    criteria: list[PublicCriterion]
    deadline: datetime
    time_left: str
    interested: bool
    proposals: list[OwnProposal] = field(default_factory=list)

    @property
    def active_proposal(self) -> OwnProposal | None:
        """The organisation's proposal that still counts (not withdrawn), if any."""
        return next((p for p in self.proposals if p.withdrawn_at is None), None)


@dataclass(slots=True)
class DeadlineItem:
    """One open deadline of the organisation, across its cases."""

    id: int
    case_id: int
    case_title: str
    title: str
    due_at: datetime
    overdue: bool
    time_left: str


def call_of(case: Case) -> CallSection:
    """The case's call section, read as the guards read it."""
    return parse_section(CallSection, case.call)


def is_open_call(case: Case, now: datetime) -> bool:
    """A case in `match` whose submission deadline lies ahead."""
    deadline = call_of(case).submission_deadline
    return case.state == CaseState.MATCH.value and deadline is not None and deadline > now


def own_proposals(
    db: Session, actor: Actor, now: datetime, *, case_id: int | None = None
) -> list[OwnProposal]:
    """The organisation's proposals (one case's, or all), newest first."""
    if actor.organisation_id is None:
        return []
    query = (
        select(Proposal, Case)
        .join(Case, col(Case.id) == col(Proposal.case_id))
        .where(col(Proposal.organisation_id) == actor.organisation_id)
        .order_by(col(Proposal.submitted_at).desc(), col(Proposal.id).desc())
    )
    if case_id is not None:
        query = query.where(col(Proposal.case_id) == case_id)
    rows = db.execute(query).all()
    latest = latest_decisions(db, [p.id for p, _ in rows])
    return [
        OwnProposal(
            id=p.id or 0,
            case_id=c.id or 0,
            case_title=c.title,
            case_state=c.state,
            title=p.title,
            summary=p.summary,
            submitted_at=p.submitted_at,
            updated_at=p.updated_at,
            withdrawn_at=p.withdrawn_at,
            decision=latest.get(p.id or 0),
            editable=p.withdrawn_at is None and is_open_call(c, now),
        )
        for p, c in rows
    ]


def _call_view(
    case: Case, municipality: str, interested: bool, now: datetime, language: str
) -> CallView | None:
    call = call_of(case)
    deadline = call.submission_deadline
    if deadline is None:
        return None
    return CallView(
        case_id=case.id or 0,
        case_title=case.title,
        municipality=municipality,
        title=call.title or case.title,
        text=call.text or "",
        criteria=[PublicCriterion(c.name, c.weight) for c in call.criteria or []],
        deadline=deadline,
        time_left=relative_time(deadline, now, language),
        interested=interested,
    )


def open_calls(db: Session, actor: Actor, now: datetime, language: str) -> list[CallView]:
    """Every call open for proposals now, across municipalities, closing soonest first."""
    cases = [
        c
        for c in db.execute(
            select(Case).where(col(Case.state) == CaseState.MATCH.value).order_by(col(Case.id))
        ).scalars()
        if is_open_call(c, now)
    ]
    return _with_own(db, actor, cases, now, language)


def call_view(
    db: Session, actor: Actor, case: Case, now: datetime, language: str
) -> CallView | None:
    """One case's call as a partner sees it (None when the case has no dated call)."""
    views = _with_own(db, actor, [case], now, language)
    return views[0] if views else None


def _with_own(
    db: Session, actor: Actor, cases: list[Case], now: datetime, language: str
) -> list[CallView]:
    named = publishers(db, cases)
    ids = [c.id for c in cases]
    taking_part: set[int] = set()
    if ids and actor.organisation_id is not None:
        taking_part = set(
            db.execute(
                select(col(Participant.case_id)).where(
                    col(Participant.organisation_id) == actor.organisation_id,
                    col(Participant.case_id).in_(ids),
                )
            ).scalars()
        )
    mine: dict[int, list[OwnProposal]] = {}
    if ids:
        for p in own_proposals(db, actor, now):
            mine.setdefault(p.case_id, []).append(p)
    views = []
    for case in cases:
        publishing = name_list([m.name for m in named.get(case.id or 0, [])], language)
        view = _call_view(case, publishing, case.id in taking_part, now, language)
        if view is not None:
            view.proposals = mine.get(view.case_id, [])
            views.append(view)
    views.sort(key=lambda v: (v.deadline, v.case_id))
    return views


def my_deadlines(db: Session, actor: Actor, now: datetime, language: str) -> list[DeadlineItem]:
    """The open deadlines the actor's organisation is responsible for, soonest first."""
    if actor.organisation_id is None:
        return []
    rows = db.execute(
        visible_deadlines(actor)
        .where(
            col(Deadline.status) == DeadlineStatus.OPEN.value,
            col(Deadline.responsible_organisation_id) == actor.organisation_id,
        )
        .order_by(col(Deadline.due_at), col(Deadline.id))
    ).scalars()
    deadlines = list(rows)
    titles = dict(
        db.execute(
            select(col(Case.id), col(Case.title)).where(
                col(Case.id).in_({d.case_id for d in deadlines})
            )
        ).all()
    )
    return [
        DeadlineItem(
            id=d.id or 0,
            case_id=d.case_id,
            case_title=titles.get(d.case_id, ""),
            title=localized_title(d, language),
            due_at=d.due_at,
            overdue=d.due_at < now,
            time_left=relative_time(d.due_at, now, language),
        )
        for d in deadlines
    ]


@dataclass(slots=True)
class PartnerBox:
    """What a partner can do on a case page: bid on its call, or sign its agreement."""

    call: CallView | None
    call_open: bool
    bids: bool
    """Whether the organisation bids at all (a company or knowledge institution)."""
    sign: bool
    """Whether the agreement waits for the organisation's own signature."""


def partner_box(db: Session, actor: Actor, case: Case, now: datetime, language: str) -> PartnerBox:
    """The partner's part of the case page."""
    org = db.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    bids = org is not None and org.kind in PROPOSING_KINDS
    call = (
        call_view(db, actor, case, now, language) if case.state == CaseState.MATCH.value else None
    )
    return PartnerBox(
        call=call,
        call_open=is_open_call(case, now),
        bids=bids,
        sign=bids and awaits_own_signature(db, case, actor.organisation_id or 0),
    )


def call_deadline_row(case: Case, now: datetime, language: str) -> DeadlineRow | None:
    """The call's own submission deadline as a row of the case's deadline list.

    A company that has not shown interest has no deadline of its own yet, and used to read
    "Ingen åbne frister" on a call closing in two minutes. The call's deadline is public, so
    it is shown to every partner while the call is open.
    """
    deadline = call_of(case).submission_deadline
    if not is_open_call(case, now) or deadline is None:
        return None
    return DeadlineRow(
        id=0,
        title=translate(language, "deadline.call"),
        due_at=deadline,
        status=DeadlineStatus.OPEN.value,
        overdue=False,
        responsible=None,
    )


def call_deadlines(
    db: Session, case_ids: list[int], now: datetime, language: str
) -> dict[int, tuple[datetime, str, bool]]:
    """The open calls' own deadlines among `case_ids`, as the board's "next deadline"
    (due, title, overdue) for a company that has none of its own there yet."""
    if not case_ids:
        return {}
    cases = db.execute(
        select(Case).where(col(Case.id).in_(case_ids), col(Case.state) == CaseState.MATCH.value)
    ).scalars()
    found: dict[int, tuple[datetime, str, bool]] = {}
    for case in cases:
        deadline = call_of(case).submission_deadline
        if deadline is not None and deadline > now:
            found[case.id or 0] = (deadline, translate(language, "deadline.call"), False)
    return found
