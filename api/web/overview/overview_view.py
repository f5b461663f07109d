""" "Mit overblik": what needs the signed-in person now, and the counts in the navigation.

Four kinds of work, each read for the person's organisation and role only:
- deadlines the organisation is responsible for (soonest first, overdue ones marked);
- proposals waiting for this person's assessment (those who assess: managers and admins);
- signatures awaited: a selected company's own, or, for the lead municipality, every party
  that has not signed a case in `agreement` yet;
- cases whose next step waits on a requirement the person can fill (managers: any of the
  case's data; staff: the need), for the organisation's own cases.

The first three are cheap queries and make up the count shown in the navigation on every
page. The fourth evaluates each case's requirements (the same check the case page makes), so
it is read only on the overview page itself, for the most recently changed cases.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select
from sqlmodel import Session, col

from api.web.forms import editable_sections
from api.web.partner.partner_view import DeadlineItem, my_deadlines, open_calls
from api.web.render import NavCounts
from states import PHASES, REQUIREMENTS, CaseState, Trigger
from workflow.access.actor import Actor
from workflow.access.organisations import organisation_names
from workflow.access.policy import competes
from workflow.access.scope import visible_cases_clause
from workflow.models import Assessment, Case, Proposal, Role, Signature
from workflow.proposals.own import awaiting_signatures
from workflow.transitions.engine import trigger_statuses

ASSESSING_ROLES = frozenset({Role.MANAGER.value, Role.ADMIN.value})
"""Who scores proposals (SPEC §4: `POST .../assessments` is the manager's)."""
MUNICIPAL_ROLES = frozenset({Role.MANAGER.value, Role.STAFF.value})
REQUIREMENT_CASES = 50
"""How many of the organisation's cases the overview checks for requirements to fill."""
LIST_LIMIT = 200
"""At most this many items per kind; the count still says how many there are."""


def fillable(code: str, state: CaseState, editable: tuple[str, ...]) -> bool:
    """Whether a form the person may use now can meet requirement `code`: every input it reads
    is a field of a section they may edit (or the clock). Requirements that read proposals or
    signatures have lists of their own on the page, and those that read a closed section wait on
    time or on the companies, so neither is "a requirement I can fill"."""
    defined = next((r for r in REQUIREMENTS.get(state, []) if r.code == code), None)
    if defined is None:
        return False
    fields = [read for read in defined.reads if read != "now"]
    return bool(fields) and all(read.split(".", 1)[0] in editable for read in fields)


@dataclass(slots=True)
class AssessItem:
    """A proposal waiting for the person's assessment."""

    case_id: int
    case_title: str
    proposal_id: int
    proposal_title: str
    organisation: str
    deadline: datetime | None


@dataclass(slots=True)
class SignatureItem:
    """A case in `agreement` waiting for signatures."""

    case_id: int
    case_title: str
    awaiting: list[str]
    own: bool
    """True when it waits for the person's own organisation (a partner signs itself)."""


@dataclass(slots=True)
class RequirementItem:
    """A case whose next step waits on requirements the person can fill."""

    case_id: int
    case_title: str
    state: str
    messages: list[str]


@dataclass(slots=True)
class Overview:
    """Everything on the overview page."""

    deadlines: list[DeadlineItem] = field(default_factory=list)
    to_assess: list[AssessItem] = field(default_factory=list)
    signatures: list[SignatureItem] = field(default_factory=list)
    requirements: list[RequirementItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        """The count in the navigation: the items that wait on the person."""
        return len(self.deadlines) + len(self.to_assess) + len(self.signatures)


def to_assess(db: Session, actor: Actor) -> list[AssessItem]:
    """Proposals in visible cases in `match` that this person has not assessed yet."""
    if actor.role not in ASSESSING_ROLES:
        return []
    assessed = exists().where(
        col(Assessment.proposal_id) == col(Proposal.id),
        col(Assessment.assessor) == actor.name,
    )
    rows = db.execute(
        select(Proposal, Case)
        .join(Case, col(Case.id) == col(Proposal.case_id))
        .where(
            col(Case.state) == CaseState.MATCH.value,
            visible_cases_clause(actor),
            col(Proposal.withdrawn_at).is_(None),
            ~assessed,
        )
        .order_by(col(Case.id), col(Proposal.id))
        .limit(LIST_LIMIT)
    ).all()
    names = organisation_names(db, {p.organisation_id for p, _ in rows})
    items = []
    for proposal, case in rows:
        deadline = case.call.get("submission_deadline")
        items.append(
            AssessItem(
                case_id=case.id or 0,
                case_title=case.title,
                proposal_id=proposal.id or 0,
                proposal_title=proposal.title,
                organisation=names.get(proposal.organisation_id, ""),
                deadline=datetime.fromisoformat(deadline) if isinstance(deadline, str) else None,
            )
        )
    return items


def signatures(db: Session, actor: Actor) -> list[SignatureItem]:
    """Cases in `agreement` that wait for a signature this person gives or follows up."""
    org_id = actor.organisation_id
    if org_id is None or actor.role not in {Role.PARTNER.value, *MUNICIPAL_ROLES}:
        return []
    query = select(Case).where(
        col(Case.state) == CaseState.AGREEMENT.value, visible_cases_clause(actor)
    )
    if not competes(actor):
        query = query.where(col(Case.lead_municipality_id) == org_id)
    cases = list(db.execute(query.order_by(col(Case.id)).limit(LIST_LIMIT)).scalars())
    awaiting = awaiting_signatures(db, [c.id or 0 for c in cases])
    if competes(actor):
        return [
            SignatureItem(c.id or 0, c.title, [], own=True)
            for c in cases
            if org_id in awaiting.get(c.id or 0, set())
        ]
    signed_by_lead = set(
        db.execute(
            select(col(Signature.case_id)).where(
                col(Signature.case_id).in_([c.id for c in cases]),
                col(Signature.organisation_id) == org_id,
            )
        ).scalars()
    )
    names = organisation_names(db, {o for orgs in awaiting.values() for o in orgs} | {org_id})
    items = []
    for case in cases:
        wanted = sorted(awaiting.get(case.id or 0, set()))
        if case.id not in signed_by_lead:
            wanted.insert(0, org_id)
        if wanted:
            items.append(
                SignatureItem(
                    case.id or 0, case.title, [names.get(o, "") for o in wanted], own=False
                )
            )
    return items


def requirements(db: Session, actor: Actor, language: str, now: datetime) -> list[RequirementItem]:
    """The organisation's own running cases whose `advance` waits on something this person
    can fill in (staff: the need; managers: any section)."""
    if actor.role not in MUNICIPAL_ROLES or actor.organisation_id is None:
        return []
    cases = db.execute(
        select(Case)
        .where(
            col(Case.lead_municipality_id) == actor.organisation_id,
            col(Case.state).in_([p.value for p in PHASES]),
            col(Case.on_hold).is_(False),
        )
        .order_by(col(Case.updated_at).desc(), col(Case.id).desc())
        .limit(REQUIREMENT_CASES)
    ).scalars()
    items = []
    for case in cases:
        advance = next(
            (s for s in trigger_statuses(db, case, now) if s.trigger is Trigger.ADVANCE), None
        )
        if advance is None:
            continue
        unmet = [
            u
            for u in advance.unmet
            if fillable(u.code, CaseState(case.state), editable_sections(case, actor))
        ]
        if unmet:
            items.append(
                RequirementItem(
                    case.id or 0, case.title, case.state, [u.message(language) for u in unmet]
                )
            )
    return items


def gather(db: Session, actor: Actor, language: str, now: datetime, *, full: bool) -> Overview:
    """The overview; `full` adds the (costlier) requirement check."""
    return Overview(
        deadlines=my_deadlines(db, actor, now, language),
        to_assess=to_assess(db, actor),
        signatures=signatures(db, actor),
        requirements=requirements(db, actor, language, now) if full else [],
    )


def nav_counts(db: Session, actor: Actor, now: datetime) -> NavCounts:
    """The numbers beside "Mit overblik", "Mine frister" and (partners) "Åbne opslag"."""
    overview = gather(db, actor, "da", now, full=False)
    calls = len(open_calls(db, actor, now, "da")) if competes(actor) else None
    return NavCounts(overview=overview.count, deadlines=len(overview.deadlines), calls=calls)
