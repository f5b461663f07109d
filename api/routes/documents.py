"""Documents on cases and proposals (issue 19): multipart upload, scoped lists, streamed bytes.

An upload is received into a temporary file while it is hashed and counted (past
`OPI_DOCUMENT_MAX_BYTES`: 413 at once), checked (not empty, clamd when `OPI_CLAMD_SOCKET` is
set, type from the content) and only then stored and recorded; whatever is refused leaves
nothing behind but, for malware, the audit event of the refusal.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from sqlmodel import Session
from starlette.datastructures import UploadFile as StarletteUpload

from api.deps import CurrentActor, Now, SessionDep, strict_query
from api.http.replies import commit_reply, json_response
from api.routes.cases import CaseId
from api.routes.params import id_path
from api.routes.proposals import ProposalId
from api.routes.writes import Write
from api.schemas.common import MAX_ID, Page, problem_responses
from api.schemas.documents import DeletionRequest, DocumentPublic, DocumentVersionPublic
from states.documents import DocumentKind
from workflow.access.actor import Actor
from workflow.access.policy import Action, download_audited, require
from workflow.access.scope import get_visible_case
from workflow.core.db import get_engine
from workflow.core.errors import MalwareFound, NotFound
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.documents import service
from workflow.documents.intake import check_content, clean_file_name, receive
from workflow.documents.storage import DocumentStore, store_for
from workflow.documents.visibility import get_visible_document, visible_documents
from workflow.models import Document

router = APIRouter(tags=["documents"], dependencies=[Depends(strict_query)])

DocumentId = Annotated[int, id_path("The document's id.")]
UPLOAD_RESPONSES = {
    201: {"description": "Stored: the document with every version."},
    **problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
}


def document_store() -> DocumentStore:
    """The configured store (`OPI_DOCUMENTS_STORE`, `OPI_DOCUMENTS_DIR`)."""
    return store_for(get_settings(), get_engine())


def documents_public(session: Session, documents: list[Document]) -> list[DocumentPublic]:
    """Documents with their versions, as the API shows them."""
    versions = service.versions_of(session, [d.id or 0 for d in documents])
    return [
        DocumentPublic.model_validate(
            {
                **d.model_dump(),
                "versions": [
                    DocumentVersionPublic.model_validate(v, from_attributes=True)
                    for v in versions[d.id or 0]
                ],
            }
        )
        for d in documents
    ]


def store_upload(
    session: Session,
    actor: Actor,
    case_id: int,
    upload: service.Upload,
    file: StarletteUpload,
    now: datetime,
    proposal_id: int | None = None,
) -> tuple[UnitOfWork, Document]:
    """Receive, check, store and record an upload; the pages use it too. Returns the unit of
    work to commit. Malware is refused (`MalwareFound`) after its refusal is committed."""
    service.check_upload(upload)
    file_name = clean_file_name(file.filename)
    settings = get_settings()
    store = document_store()
    received = receive(file.file, file_name, store.spool_dir(), settings.document_max_bytes)
    try:
        media_type, malware = check_content(received, settings.clamd_socket)
        work = UnitOfWork(session)
        if malware is not None:
            service.record_refusal(
                work, actor, case_id, received, malware, proposal_id=proposal_id, now=now
            )
            work.commit()
            raise MalwareFound(
                f"The file contains malware ({malware}); it was not stored.", malware=malware
            )
        document, _ = service.add_document(
            work,
            store,
            actor,
            case_id,
            upload,
            received,
            media_type,
            proposal_id=proposal_id,
            now=now,
        )
        return work, document
    finally:
        received.discard()


KindForm = Annotated[DocumentKind, Form(description="What the document is.")]
TitleForm = Annotated[str, Form(max_length=300, description="The document's title.")]
ReplacesForm = Annotated[
    int | None,
    Form(ge=1, le=MAX_ID, description="Add the file as a new version of this document."),
]
FileForm = Annotated[UploadFile, File(description="The file (PDF, Office, image, UTF-8 text).")]


@dataclass(frozen=True, slots=True)
class UploadForm:
    """An upload's form, as both upload routes take it: the file and what it is."""

    file: UploadFile
    upload: service.Upload


async def upload_form(
    file: FileForm, kind: KindForm, title: TitleForm, replaces: ReplacesForm = None
) -> UploadForm:
    """The upload form's fields, read once for both upload routes (`async`: no I/O)."""
    return UploadForm(file, service.Upload(kind.value, title, replaces))


UploadDep = Annotated[UploadForm, Depends(upload_form)]


def _upload_reply(
    session: Session,
    actor: Actor,
    case_id: int,
    form: UploadForm,
    request: Request,
    now: datetime,
    proposal_id: int | None = None,
) -> JSONResponse:
    """Store the upload, commit, and answer 201 with the document and its address."""
    work, document = store_upload(session, actor, case_id, form.upload, form.file, now, proposal_id)
    public = documents_public(session, [document])[0]
    return commit_reply(
        work, request, public, 201, {"Location": f"/api/v1/documents/{document.id}"}
    )


@router.post(
    "/cases/{case_id}/documents",
    status_code=201,
    response_model=DocumentPublic,
    responses=UPLOAD_RESPONSES,
)
def post_case_document(
    case_id: CaseId,
    form: UploadDep,
    write: Write,
) -> JSONResponse:
    """Upload a document to the case, or a new version of one of its documents (`replaces`);
    the lead municipality's people and admins."""
    write.case(case_id, Action.UPLOAD_DOCUMENT)
    return _upload_reply(write.session, write.actor, case_id, form, write.request, write.now)


@router.post(
    "/cases/{case_id}/proposals/{proposal_id}/documents",
    status_code=201,
    response_model=DocumentPublic,
    responses=UPLOAD_RESPONSES,
)
def post_proposal_document(
    case_id: CaseId,
    proposal_id: ProposalId,
    form: UploadDep,
    write: Write,
) -> JSONResponse:
    """Upload a document to the caller's own company's proposal while the call is open; it
    follows the proposal's confidentiality (no competitor ever sees it)."""
    require(write.actor, Action.UPLOAD_PROPOSAL_DOCUMENT)
    get_visible_case(write.session, write.actor, case_id)
    service.own_proposal(write.session, write.actor, case_id, proposal_id)
    return _upload_reply(
        write.session, write.actor, case_id, form, write.request, write.now, proposal_id
    )


@router.get(
    "/cases/{case_id}/documents",
    response_model=Page[DocumentPublic],
    responses=problem_responses(401, 403, 404, 422),
)
def list_documents(case_id: CaseId, actor: CurrentActor, session: SessionDep) -> JSONResponse:
    """The case's documents the caller may see, each with every version."""
    require(actor, Action.READ_DOCUMENTS)
    case = get_visible_case(session, actor, case_id)
    items = documents_public(session, visible_documents(session, actor, case))
    return json_response(Page[DocumentPublic](items=items, total=len(items)))


def _visible(session: Session, actor: Actor, document_id: int) -> Document:
    require(actor, Action.READ_DOCUMENTS)
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"Document {document_id} was not found.")
    try:
        case = get_visible_case(session, actor, document.case_id)
    except NotFound:
        raise NotFound(f"Document {document_id} was not found.") from None
    return get_visible_document(session, actor, case, document_id)


@router.get(
    "/documents/{document_id}",
    response_model=DocumentPublic,
    responses=problem_responses(401, 403, 404, 422),
)
def get_document(document_id: DocumentId, actor: CurrentActor, session: SessionDep) -> JSONResponse:
    """A document with every version (SHA-256, size, type, uploader)."""
    document = _visible(session, actor, document_id)
    return json_response(documents_public(session, [document])[0])


def content_disposition(file_name: str) -> str:
    """`attachment` with an ASCII fallback name and the real one as RFC 5987 `filename*`."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in file_name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


@router.get(
    "/documents/{document_id}/content",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The bytes, as an attachment.",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(401, 403, 404, 422),
    },
)
def get_document_content(
    document_id: DocumentId,
    actor: CurrentActor,
    session: SessionDep,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Version (default: latest).")
    ] = None,
) -> StreamingResponse:
    """The bytes of a version (the latest by default), streamed; an auditor's download is an
    audit event."""
    document = _visible(session, actor, document_id)
    found = service.version_of(session, document, version)
    if download_audited(actor):
        work = UnitOfWork(session)
        service.record_download(work, actor, document, found, utcnow())
        work.commit()
    session.close()  # the stream reads with its own connection; free this one now
    return StreamingResponse(
        _stream(document_store(), found.sha256),
        media_type=found.media_type,
        headers={
            "Content-Disposition": content_disposition(found.file_name),
            "Content-Length": str(found.size),
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{found.sha256}"',
        },
    )


def _stream(store: DocumentStore, sha256: str) -> Iterator[bytes]:
    yield from store.read(sha256)


@router.post(
    "/documents/{document_id}/deletion-request",
    response_model=DocumentPublic,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
def post_deletion_request(
    document_id: DocumentId,
    body: DeletionRequest,
    actor: CurrentActor,
    session: SessionDep,
    request: Request,
    now: Now,
) -> JSONResponse:
    """Ask for the document's deletion, with the reason: it is marked, never destroyed here
    (the case's retention decides); audited with the SHA-256 of every version."""
    document = _visible(session, actor, document_id)
    work = UnitOfWork(session)
    service.request_deletion(work, actor, document, body.reason, now=now)
    public = documents_public(session, [document])[0]
    return commit_reply(work, request, public)
