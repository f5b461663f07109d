"""The pages "Behovskatalog" (the need catalogue) and a need with its "Lignende behov".

They ask `workflow.needs.catalogue` exactly as `GET /needs` does, so a page never shows more
than the API: companies are refused, and a need not shared is found only by its own case's
municipalities (who also get the button that shares it).
"""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep
from api.web.auth import FormDep, PageForbidden, PageNotFound, UserDep
from api.web.knowledge.knowledge_pages import others_did
from api.web.list_query import PAGE_SIZE, ListQueryDep, offered, page_count
from api.web.needs.join_view import JoinForm, join_box
from api.web.render import language_of, render, see_other
from states import PHASES, TERMINAL
from states.sections import Area
from workflow.access.organisations import organisation_names
from workflow.access.policy import Action, may
from workflow.access.scope import can_see
from workflow.core.errors import Forbidden
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case
from workflow.needs.catalogue import (
    NeedFilter,
    NeedHit,
    may_use_catalogue,
    search_needs,
    set_shared,
    similar_needs,
)

router = APIRouter()


@dataclass(frozen=True, slots=True)
class NeedRow:
    """A need as a line of the catalogue."""

    id: int
    title: str
    state: str
    area: str | None
    description: str
    lead_name: str


def _rows(db: SessionDep, hits: list[NeedHit]) -> list[NeedRow]:
    names = organisation_names(db, {h.case.lead_municipality_id for h in hits})
    return [
        NeedRow(
            h.case.id or 0,
            h.case.title,
            h.case.state,
            h.case.need.get("area"),
            str(h.case.need.get("description") or ""),
            names.get(h.case.lead_municipality_id, ""),
        )
        for h in hits
    ]


@router.get("/needs", response_class=HTMLResponse)
def catalogue_page(
    request: Request,
    user: UserDep,
    db: SessionDep,
    query: ListQueryDep,
) -> HTMLResponse:
    """Behovskatalog: the needs every municipality shares, searched in Danish."""
    if not may_use_catalogue(db, user.actor):
        raise PageForbidden()
    areas = [a.value for a in Area]
    states = [s.value for s in (*PHASES, *TERMINAL)]
    filters = NeedFilter(
        q=query.words(),
        area=offered(query.area, areas),
        state=offered(query.state, states),
    )
    hits, total = search_needs(db, user.actor, filters, limit=PAGE_SIZE, offset=query.offset)
    return render(
        request,
        "needs.html",
        {
            "rows": _rows(db, hits),
            "total": total,
            "filters": filters,
            "areas": areas,
            "states": states,
            "page": query.page_number,
            "pages": page_count(total),
            "active": "needs",
        },
        user=user,
    )


def need_case(db: SessionDep, user: UserDep, case_id: int) -> Case:
    """The need, when shared or when the user sees its case; the page is 404 otherwise."""
    if not may_use_catalogue(db, user.actor):
        raise PageForbidden()
    case = db.get(Case, case_id) if 0 < case_id < 2**31 else None
    if case is None or (case.shared_at is None and not can_see(db, user.actor, case)):
        raise PageNotFound()
    return case


@router.get("/needs/{case_id}", response_class=HTMLResponse)
def need_page(request: Request, user: UserDep, db: SessionDep, case_id: int) -> HTMLResponse:
    """A need with the shared needs most like it ("Lignende behov")."""
    return render_need_page(request, user, db, need_case(db, user, case_id))


def render_need_page(
    request: Request,
    user: UserDep,
    db: SessionDep,
    case: Case,
    join_form: JoinForm | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The need page; `join_form` is a refused join form to show again (`api.web.join_pages`)."""
    names = organisation_names(db, {case.lead_municipality_id})
    lead = may(user.actor, Action.SHARE_NEED, case)
    return render(
        request,
        "need.html",
        {
            "case": case,
            "lead_name": names.get(case.lead_municipality_id, ""),
            "similar": _rows(db, similar_needs(db, user.actor, case)),
            "others_did": others_did(db, user.actor, case, language_of(request)),
            "join": join_box(db, user.actor, case, join_form),
            "sees_case": can_see(db, user.actor, case),
            "may_share": lead,
            "active": "needs",
        },
        status_code=status_code,
        user=user,
    )


@router.post("/needs/{case_id}/share")
def share_page(
    request: Request, user: UserDep, db: SessionDep, form: FormDep, case_id: int
) -> RedirectResponse:
    """ "Del behovet med andre kommuner" (or stop sharing), then back to the need."""
    case = need_case(db, user, case_id)
    if not can_see(db, user.actor, case):
        raise PageNotFound()
    try:
        work = UnitOfWork(db)
        set_shared(work, user.actor, case_id, form.get("shared") == "1", utcnow())
    except Forbidden as exc:
        raise PageForbidden() from exc
    work.commit()
    return see_other(f"/needs/{case_id}")
