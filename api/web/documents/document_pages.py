"""Documents on the pages: the list with versions and the upload form on the case page and on
a company's own proposal page, and downloads.

The form is a plain multipart form (it works without JavaScript); `static/documents.js` adds
drag-and-drop and a progress bar where scripts run. Uploads go through the API's own
`store_upload`, so the checks, the storage and the audit are the same; a refusal is shown on
the page it came from, in the user's language, beside the file field.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlmodel import Session
from starlette.datastructures import UploadFile

from api.deps import SessionDep
from api.routes.documents import content_disposition as disposition
from api.routes.documents import document_store, store_upload
from api.schemas.common import Id
from api.web.auth import FormDep, PageNotFound, UserDep
from api.web.cases.case_view import CaseOutcome, Flash
from api.web.render import WEB_PREFIX, WebUser, see_other
from workflow.access.policy import Action, download_audited, may
from workflow.access.scope import get_visible_case
from workflow.core.errors import (
    Forbidden,
    InvalidInput,
    MalwareFound,
    NotFound,
    TooLarge,
    Unavailable,
    UnsupportedType,
    WorkflowError,
)
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.documents import service
from workflow.documents.visibility import get_visible_document
from workflow.models import Case, Document

router = APIRouter()


ERROR_KEYS: tuple[tuple[type[WorkflowError], str], ...] = (
    (TooLarge, "doc.err.too_large"),
    (UnsupportedType, "doc.err.type"),
    (MalwareFound, "doc.err.malware"),
    (Unavailable, "doc.err.scanner"),
)


def error_key(exc: WorkflowError) -> str:
    """The page's message for a refused upload."""
    for cls, key in ERROR_KEYS:
        if isinstance(exc, cls):
            return key
    if isinstance(exc, InvalidInput):
        field = exc.extra.get("field")
        if field == "file":
            return "doc.err.empty" if "empty" in exc.detail else "doc.err.name"
        if field in ("title", "kind", "replaces"):
            return f"doc.err.{field}"
    return "doc.err.invalid"


def _upload_from(form: Any) -> tuple[UploadFile | None, service.Upload]:
    file = form.get("file")
    replaces = str(form.get("replaces", "")).strip()
    upload = service.Upload(
        str(form.get("kind", "")),
        str(form.get("title", "")),
        int(replaces) if replaces.isdigit() and len(replaces) < 10 else None,
    )
    return (file if isinstance(file, UploadFile) else None), upload


def _store(
    db: Session, user: WebUser, case: Case, form: Any, proposal_id: int | None
) -> str | None:
    """Store the form's upload; the refusal's message key, or None when stored."""
    file, upload = _upload_from(form)
    try:
        if file is None or not file.filename:
            return "doc.err.no_file"
        work, _ = store_upload(db, user.actor, case.id or 0, upload, file, utcnow(), proposal_id)
        work.commit()
    except (Forbidden, NotFound):
        raise
    except WorkflowError as exc:
        db.rollback()
        return error_key(exc)
    return None


@router.post("/cases/{case_id}/documents", response_class=HTMLResponse)
def upload_case_document(
    request: Request, case_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """Upload a document to the case (the lead municipality's people)."""
    from api.web.cases.case_routes import case_page_response

    case = get_visible_case(db, user.actor, case_id)
    if not may(user.actor, Action.UPLOAD_DOCUMENT, case):
        raise Forbidden("Only the lead municipality's people add documents to the case.")
    error = _store(db, user, case, form, None)
    if error is None:
        return see_other(f"/cases/{case_id}?msg=document_added#documents")
    case = get_visible_case(db, user.actor, case_id)
    outcome = CaseOutcome(Flash("error", error), document_error=error)
    return case_page_response(request, db, case, user, outcome, status_code=_status(error))


@router.post("/cases/{case_id}/proposals/{proposal_id}/documents", response_class=HTMLResponse)
def upload_proposal_document(
    request: Request, case_id: Id, proposal_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """Upload a document to the company's own proposal while the call is open."""
    from api.web.cases.case_routes import proposal_page_response

    case = get_visible_case(db, user.actor, case_id)
    if not may(user.actor, Action.UPLOAD_PROPOSAL_DOCUMENT):
        raise PageNotFound()
    try:
        service.own_proposal(db, user.actor, case_id, proposal_id)
    except NotFound:
        raise PageNotFound() from None
    error = _store(db, user, case, form, proposal_id)
    target = f"{WEB_PREFIX}/cases/{case_id}/proposals/{proposal_id}"
    if error is None:
        return RedirectResponse(f"{target}?msg=document_added#documents", 303)
    page = proposal_page_response(request, case_id, proposal_id, user, db, document_error=error)
    page.status_code = _status(error)
    return page


def _status(key: str) -> int:
    return {"doc.err.too_large": 413, "doc.err.type": 415, "doc.err.scanner": 503}.get(key, 422)


@router.get("/documents/{document_id}/content")
def download(
    document_id: Id, user: UserDep, db: SessionDep, version: int | None = None
) -> StreamingResponse:
    """The bytes of a version (the latest by default), as an attachment."""
    document = db.get(Document, document_id)
    if document is None:
        raise PageNotFound()
    try:
        case = get_visible_case(db, user.actor, document.case_id)
        document = get_visible_document(db, user.actor, case, document_id)
        found = service.version_of(db, document, version)
    except NotFound:
        raise PageNotFound() from None
    if download_audited(user.actor):
        work = UnitOfWork(db)
        service.record_download(work, user.actor, document, found, utcnow())
        work.commit()
    return StreamingResponse(
        document_store().read(found.sha256),
        media_type=found.media_type,
        headers={
            "Content-Disposition": disposition(found.file_name),
            "Content-Length": str(found.size),
            "X-Content-Type-Options": "nosniff",
        },
    )
