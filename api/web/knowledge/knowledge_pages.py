"""The pages "Videnbibliotek" (the knowledge library), one library case, and the rows of
"Det har andre gjort" shown beside a new need.

They ask `workflow.knowledge.library` exactly as `GET /knowledge` does, so a page never shows
more than the API: a company is refused, a case outside the library is 404.
"""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.deps import SessionDep
from api.schemas.common import MAX_ID
from api.web.auth import PageForbidden, PageNotFound, UserDep
from api.web.list_query import PAGE_SIZE, ListQueryDep, offered, page_count
from api.web.render import language_of, render
from states import CaseState
from states.sections import Area, Outcome
from workflow.access.actor import Actor
from workflow.access.policy import Action
from workflow.access.scope import can_see
from workflow.core.errors import Forbidden, NotFound
from workflow.core.formatting import format_number
from workflow.knowledge import library
from workflow.models import Case
from workflow.needs.catalogue import may_use_catalogue
from workflow.needs.coowners import name_list, publishers

router = APIRouter()


@dataclass(frozen=True, slots=True)
class CriterionRow:
    """A success criterion as the page writes it: numbers the language's way."""

    metric: str
    baseline: str
    target: str
    result: str
    effect: str
    reached: bool | None


@dataclass(frozen=True, slots=True)
class LibraryRow:
    """A case as a line of the library."""

    id: int
    title: str
    state: str
    cancelled_from: str | None
    area: str | None
    outcome: str | None
    publishers: str
    effects: list[CriterionRow]


def _measure(value: object, unit: str | None, lang: str) -> str:
    if value is None or value == "":
        return "–"
    text = (
        format_number(value, lang)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )
    return f"{text} {unit}" if unit else text


def _percent(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    return f"{sign}{format_number(value, lang)} %"


def criterion_rows(results: list[library.CriterionResult], lang: str) -> list[CriterionRow]:
    """The criteria with their numbers and effects written for `lang`."""
    return [
        CriterionRow(
            r.metric,
            _measure(r.baseline, r.unit, lang),
            _measure(r.target, r.unit, lang),
            _measure(r.result, r.unit, lang),
            _percent(r.effect_percent, lang),
            r.target_reached,
        )
        for r in results
    ]


def library_rows(db: Session, hits: list[library.KnowledgeHit], lang: str) -> list[LibraryRow]:
    """The hits as lines of the library (or of "Det har andre gjort")."""
    named = publishers(db, [h.case for h in hits])
    rows = []
    for hit in hits:
        case = hit.case
        assert case.id is not None
        rows.append(
            LibraryRow(
                case.id,
                case.title,
                case.state,
                case.cancelled_from,
                case.need.get("area"),
                library.outcome_of(case),
                name_list([m.name for m in named.get(case.id, [])], lang),
                criterion_rows(library.criteria_of(case), lang),
            )
        )
    return rows


def others_did(db: Session, actor: Actor, case: Case, lang: str) -> list[LibraryRow] | None:
    """ "Det har andre gjort" for a need: finished cases with similar needs; None when the
    actor may not read the library (the box is then not shown at all)."""
    if not may_use_catalogue(db, actor, Action.READ_KNOWLEDGE):
        return None
    return library_rows(db, library.similar_knowledge(db, actor, case), lang)


@router.get("/knowledge", response_class=HTMLResponse)
def library_page(
    request: Request,
    user: UserDep,
    db: SessionDep,
    query: ListQueryDep,
    outcome: str = "",
) -> HTMLResponse:
    """Videnbibliotek: every municipality's scaled, completed and stopped pilots, searched in
    Danish. Unreadable filters are left off, as on the other list pages."""
    lang = language_of(request)
    areas = [a.value for a in Area]
    states = list(library.LIBRARY_STATES)
    outcomes = [o.value for o in Outcome]
    filters = library.KnowledgeFilter(
        q=query.words(),
        area=offered(query.area, areas),
        state=offered(query.state, states),
        outcome=offered(outcome, outcomes),
    )
    try:
        hits, total = library.search_library(
            db, user.actor, filters, limit=PAGE_SIZE, offset=query.offset
        )
    except Forbidden as exc:
        raise PageForbidden() from exc
    return render(
        request,
        "knowledge.html",
        {
            "rows": library_rows(db, hits, lang),
            "total": total,
            "filters": filters,
            "areas": areas,
            "states": states,
            "outcomes": outcomes,
            "page": query.page_number,
            "pages": page_count(total),
            "active": "knowledge",
        },
        user=user,
    )


@router.get("/knowledge/{case_id}", response_class=HTMLResponse)
def entry_page(request: Request, user: UserDep, db: SessionDep, case_id: int) -> HTMLResponse:
    """One case of the library: need, solution, results, report, summary, adoption."""
    lang = language_of(request)
    if not 0 < case_id <= MAX_ID:
        raise PageNotFound()
    try:
        entry = library.get_entry(db, user.actor, case_id)
    except Forbidden as exc:
        raise PageForbidden() from exc
    except NotFound as exc:
        raise PageNotFound() from exc
    return render(
        request,
        "knowledge_entry.html",
        {
            "entry": entry,
            "case": entry.case,
            "published_by": name_list([m.name for m in entry.publishers], lang),
            "criteria": criterion_rows(entry.criteria, lang),
            "cancelled_from": (
                CaseState(entry.case.cancelled_from).label(lang)
                if entry.case.cancelled_from
                else None
            ),
            "sees_case": can_see(db, user.actor, entry.case),
            "active": "knowledge",
        },
        user=user,
    )
