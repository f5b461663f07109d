""" "Ny sag": a manager or staff member starts a case with its title and need.

The need's fields are the need section's generated form (`api.web.forms`), so the page asks
for exactly what the schema holds; the case is created by `workflow.cases.service.create_case`,
the function `POST /api/v1/cases` uses.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.web.auth import FormDep, PageForbidden, UserDep
from api.web.form_input import Submitted
from api.web.forms import errors_from_validation, field_views, parse_section_form
from api.web.render import WebUser, language_of, render, see_other
from api.web.rights import may_start_case
from workflow.cases.service import create_case
from workflow.core.errors import InvalidInput
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Organisation

router = APIRouter()

MAX_TITLE = 300


def _page(
    request: Request,
    user: WebUser,
    form: Any = None,
    *,
    title_error: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = language_of(request)
    return render(
        request,
        "new_case.html",
        {
            "title_value": str(form.get("title", "")) if form is not None else "",
            "title_error": title_error,
            "title_max": MAX_TITLE,
            "fields": field_views("need", {}, language, errors, submitted=form),
            "has_errors": bool(title_error or errors),
            "active": "board",
        },
        status_code=status_code,
        user=user,
    )


@router.get("/cases/new", response_class=HTMLResponse)
def new_case_form(request: Request, user: UserDep, db: SessionDep) -> HTMLResponse:
    """The empty "Ny sag" form."""
    if not may_start_case(db, user):
        raise PageForbidden()
    return _page(request, user)


@router.post("/cases/new", response_class=HTMLResponse)
def new_case(request: Request, user: UserDep, db: SessionDep, form: FormDep) -> Response:
    """Create the case led by the user's municipality; the form again, as typed, if refused."""
    if not may_start_case(db, user):
        raise PageForbidden()
    typed = Submitted.of("new", form, ["title"])
    title = typed.text("title", max_length=MAX_TITLE)
    need, errors = parse_section_form("need", form)
    if not typed.ok or errors:
        return _page(
            request,
            user,
            form,
            title_error=typed.errors.get("title"),
            errors=errors,
            status_code=422,
        )
    org = db.get(Organisation, user.actor.organisation_id)
    assert org is not None and org.id is not None  # may_start_case checked it
    try:
        work = UnitOfWork(db)
        case = create_case(
            work,
            user.actor,
            title=title,
            need={k: v for k, v in need.items() if v is not None},
            lead_municipality_id=org.id,
        )
        case_id = case.id
        work.commit()
    except InvalidInput as exc:
        db.rollback()
        mapped = errors_from_validation("need", list(exc.extra.get("errors", [])))
        return _page(
            request,
            user,
            form,
            title_error=None if mapped else "form.invalid",
            errors=mapped,
            status_code=422,
        )
    return see_other(f"/cases/{case_id}?msg=created")
