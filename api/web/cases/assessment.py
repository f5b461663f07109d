"""The assessment page: every proposal of a call side by side, scored, totalled and decided.

Managers who run the case score each published criterion 0-10 with a rationale and a
conflict-of-interest declaration ("Gem vurdering"), and select or reject each proposal with a
rationale; auditors and admins read the same page. Scores and decisions are written by
`assess_proposal` and `decide_proposal`, the functions the API uses. Partners never reach the
page: it shows competitors' proposals.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlmodel import Session, col

from api.deps import SessionDep
from api.schemas.common import Id
from api.web.auth import FormDep, PageNotFound, UserDep
from api.web.cases.case_view import Flash
from api.web.form_input import Submitted
from api.web.render import WebUser, language_of, render, see_other
from api.web.rights import may_manage, require_manage
from states import CaseState
from states.sections import CallSection
from workflow.access.organisations import organisation_names
from workflow.access.policy import sees_scores
from workflow.access.scope import get_visible_case
from workflow.cases.facts import parse_section
from workflow.core.errors import Conflict, InvalidInput, NotFound
from workflow.core.formatting import LOCALES
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Assessment, Case, Decision, Proposal
from workflow.proposals.reviews import read_reviews
from workflow.proposals.service import SCORE_RANGE, assess_proposal, decide_proposal
from workflow.public.calls import PublicCriterion

router = APIRouter()

MAX_RATIONALE = 20_000


def format_number(value: float, language: str) -> str:
    """A number with one decimal, the local way (`7,5` in Danish)."""
    return format_decimal(value, format="0.0", locale=LOCALES.get(language, "da_DK"))


@dataclass(slots=True)
class ProposalColumn:
    """One proposal: its average score per criterion, weighted total and decision."""

    id: int
    title: str
    organisation: str
    scores: list[str]
    total: str | None
    assessments: list[Assessment]
    decision: Decision | None
    unassessed: bool
    form: dict[str, Any] = field(default_factory=dict)


def criteria_of(case: Case) -> list[PublicCriterion]:
    """The published criteria of the case's call."""
    call = parse_section(CallSection, case.call)
    return [PublicCriterion(c.name, c.weight) for c in call.criteria or []]


def _counted(assessments: list[Assessment]) -> list[Assessment]:
    """Each assessor's newest assessment without a declared conflict of interest."""
    newest: dict[str, Assessment] = {}
    for a in assessments:
        if not a.conflict_of_interest:
            newest[a.assessor] = a
    return list(newest.values())


def columns(
    db: Session, case: Case, criteria: list[PublicCriterion], language: str
) -> list[ProposalColumn]:
    """Every proposal of the case with its averages and weighted total (0-10)."""
    proposals = list(
        db.execute(
            select(Proposal).where(col(Proposal.case_id) == case.id).order_by(col(Proposal.id))
        ).scalars()
    )
    reviews = read_reviews(db, [p.id for p in proposals])
    names = organisation_names(db, {p.organisation_id for p in proposals})
    weight_sum = sum(c.weight for c in criteria)
    result: list[ProposalColumn] = []
    for p in proposals:
        counted = _counted(reviews.assessments.get(p.id or 0, []))
        averages: list[float | None] = []
        for c in criteria:
            values = [a.scores[c.name] for a in counted if isinstance(a.scores.get(c.name), int)]
            averages.append(sum(values) / len(values) if values else None)
        complete = bool(criteria) and all(v is not None for v in averages) and weight_sum > 0
        total = (
            sum((v or 0) * c.weight for v, c in zip(averages, criteria, strict=True)) / weight_sum
            if complete
            else None
        )
        result.append(
            ProposalColumn(
                id=p.id or 0,
                title=p.title,
                organisation=names.get(p.organisation_id, ""),
                scores=["—" if v is None else format_number(v, language) for v in averages],
                total=None if total is None else format_number(total, language),
                assessments=reviews.assessments.get(p.id or 0, []),
                decision=reviews.decisions.get(p.id or 0),
                unassessed=not counted,
            )
        )
    return result


def _visible(db: Session, user: WebUser, case_id: int) -> Case:
    case = get_visible_case(db, user.actor, case_id)
    if not sees_scores(user.actor):
        raise PageNotFound()  # a partner must not learn even that competitors exist
    return case


def _page(
    request: Request,
    db: Session,
    case: Case,
    user: WebUser,
    *,
    typed: Submitted | None = None,
    flash: Flash | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = language_of(request)
    criteria = criteria_of(case)
    return render(
        request,
        "assessment.html",
        {
            "case": case,
            "criteria": criteria,
            "columns": columns(db, case, criteria, language),
            "may_assess": may_manage(user, case) and case.state == CaseState.MATCH.value,
            "typed": typed,
            "flash": flash,
        },
        status_code=status_code,
        user=user,
    )


@router.get("/cases/{case_id}/assessment", response_class=HTMLResponse)
def assessment_page(
    request: Request, case_id: Id, user: UserDep, db: SessionDep, msg: str = ""
) -> HTMLResponse:
    """The proposals side by side; the forms when the user runs the case in `match`."""
    case = _visible(db, user, case_id)
    flash = Flash("success", f"msg.{msg}") if msg in ("assessed", "decided") else None
    return _page(request, db, case, user, flash=flash)


@dataclass(frozen=True, slots=True)
class _ManagedProposal:
    """A form posted about one of the case's proposals by someone who manages the case:
    what assessing and deciding need to write it, or to show the page again refused."""

    request: Request
    db: Session
    user: WebUser
    case: Case
    proposal_id: int

    @classmethod
    def of(
        cls, request: Request, db: Session, user: WebUser, case_id: int, proposal_id: int
    ) -> "_ManagedProposal":
        """Once `user` may manage the case and the proposal is one of its own (else 404)."""
        case = _visible(db, user, case_id)
        require_manage(user, case)
        proposal = db.get(Proposal, proposal_id)
        if proposal is None or proposal.case_id != case_id:
            raise PageNotFound()
        return cls(request, db, user, case, proposal_id)

    def refused(self, typed: Submitted, status: int) -> HTMLResponse:
        """The page again (after rolling back), the refused form open with its input."""
        self.db.rollback()
        case = get_visible_case(self.db, self.user.actor, self.case.id or 0)
        flash = Flash("error", typed.message or "msg.invalid")
        return _page(
            self.request, self.db, case, self.user, typed=typed, flash=flash, status_code=status
        )

    def write_or_refuse(
        self, typed: Submitted, write: Callable[[UnitOfWork], object], *, done: str
    ) -> Response:
        """Run `write` in one unit of work and commit, then back to the assessment page at the
        proposal (`msg=done`). Assessing and deciding are refused alike, the form shown again:
        422 when the form is invalid as typed or the workflow finds the input invalid, 409
        when the workflow finds it not possible now."""
        if not typed.ok:
            return self.refused(typed, 422)
        try:
            work = UnitOfWork(self.db)
            write(work)
            work.commit()
        except (Conflict, InvalidInput, NotFound) as exc:
            typed.message = "msg.not_possible" if isinstance(exc, Conflict) else "msg.invalid"
            return self.refused(typed, 409 if isinstance(exc, Conflict) else 422)
        case_id = self.case.id
        return see_other(f"/cases/{case_id}/assessment?msg={done}#proposal-{self.proposal_id}")


def read_scores(typed: Submitted, criteria: list[PublicCriterion]) -> dict[str, int]:
    """The score typed for each criterion (fields `score.<index>`), each a whole 0-10."""
    scores: dict[str, int] = {}
    for i, c in enumerate(criteria):
        value = typed.integer(f"score.{i}", minimum=SCORE_RANGE.start, maximum=SCORE_RANGE.stop - 1)
        if value is not None:
            scores[c.name] = value
    return scores


@router.post("/cases/{case_id}/proposals/{proposal_id}/assessments", response_class=HTMLResponse)
def assess(
    request: Request, case_id: Id, proposal_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """ "Gem vurdering": one assessor's scores, rationale and conflict declaration."""
    posted = _ManagedProposal.of(request, db, user, case_id, proposal_id)
    criteria = criteria_of(posted.case)
    keys = [f"score.{i}" for i in range(len(criteria))] + ["rationale", "conflict"]
    typed = Submitted.of(f"assess-{proposal_id}", form, keys)
    scores = read_scores(typed, criteria)
    rationale = typed.text("rationale", max_length=MAX_RATIONALE)
    return posted.write_or_refuse(
        typed,
        lambda work: assess_proposal(
            work,
            case_id,
            proposal_id,
            user.actor,
            scores=scores,
            rationale=rationale,
            conflict_of_interest=typed.value("conflict") == "1",
        ),
        done="assessed",
    )


@router.post("/cases/{case_id}/proposals/{proposal_id}/decision", response_class=HTMLResponse)
def decide(
    request: Request, case_id: Id, proposal_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """ "Vælg forslag" or "Afvis forslag", with the rationale."""
    posted = _ManagedProposal.of(request, db, user, case_id, proposal_id)
    typed = Submitted.of(f"decide-{proposal_id}", form, ["rationale", "decision"])
    rationale = typed.text("rationale", max_length=MAX_RATIONALE)
    decision = typed.value("decision")
    if decision not in ("selected", "rejected"):
        typed.refuse("decision", "form.choice")
    return posted.write_or_refuse(
        typed,
        lambda work: decide_proposal(
            work, case_id, proposal_id, user.actor, decision=decision, rationale=rationale
        ),
        done="decided",
    )
