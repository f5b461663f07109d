"""Writing documents: a new document or version, a deletion request, an audited download.

Each writer checks its rights against the locked case, writes its rows and its audit event in
the caller's unit of work (the event carries the file's SHA-256, so `opi audit verify` proves
which bytes were uploaded, signed or evaluated) and never commits. Documents are never
destroyed: a deletion request marks one for the people who keep the case's retention.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from states import CaseState
from states.documents import DocumentKind
from workflow.access.actor import Actor
from workflow.access.policy import Action, require
from workflow.audit import writer as audit
from workflow.core.errors import Conflict, InvalidInput, NotFound, check_reason
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.documents.intake import Received
from workflow.documents.storage import DocumentStore
from workflow.models import Case, Document, DocumentVersion, Proposal
from workflow.proposals.service import call_deadline, touch_case
from workflow.transitions.locking import lock_case

MAX_TITLE = 300
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class Upload:
    """What the uploader says about a file: its kind, its title, the document it replaces."""

    kind: str
    title: str
    replaces: int | None = None


def parse_kind(kind: str) -> DocumentKind:
    """The kind, or `InvalidInput` naming the kinds there are."""
    try:
        return DocumentKind(kind)
    except ValueError:
        raise InvalidInput(
            f"Unknown document kind {kind!r}.", kinds=[k.value for k in DocumentKind]
        ) from None


def _title(title: str) -> str:
    cleaned = title.strip()
    if not cleaned:
        raise InvalidInput("A document needs a title.", field="title")
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(f"The title is longer than {MAX_TITLE} characters.", field="title")
    if any(unicodedata.category(ch) == "Cc" for ch in cleaned):
        raise InvalidInput("The title contains a control character.", field="title")
    return cleaned


def check_upload(upload: Upload) -> tuple[DocumentKind, str]:
    """The upload's kind and cleaned title, checked before any byte is read."""
    return parse_kind(upload.kind), _title(upload.title)


def _proposal_open(case: Case, proposal: Proposal, now: datetime) -> None:
    """A proposal's documents are part of the proposal: only while the call is open, like the
    proposal itself (a late document is a late proposal)."""
    if proposal.withdrawn_at is not None:
        raise Conflict("The proposal was withdrawn.")
    if case.state != CaseState.MATCH.value:
        raise Conflict("A proposal's documents are accepted only while the call is open.")
    deadline = call_deadline(case)
    if deadline is None or now >= deadline:
        raise Conflict("The submission deadline has passed; late documents are refused.")


def own_proposal(session: Session, actor: Actor, case_id: int, proposal_id: int) -> Proposal:
    """The actor's own company's proposal in the case; `NotFound` for any other (a
    competitor's proposal answers as a missing one does)."""
    proposal = session.get(Proposal, proposal_id)
    if (
        proposal is None
        or proposal.case_id != case_id
        or proposal.organisation_id != actor.organisation_id
    ):
        raise NotFound(f"Proposal {proposal_id} was not found in case {case_id}.")
    return proposal


def add_document(
    work: UnitOfWork,
    store: DocumentStore,
    actor: Actor,
    case_id: int,
    upload: Upload,
    received: Received,
    media_type: str,
    *,
    proposal_id: int | None = None,
    now: datetime | None = None,
) -> tuple[Document, DocumentVersion]:
    """Store the received file as a new document, or as the next version of `upload.replaces`.

    Case documents: the lead municipality's people (`Action.UPLOAD_DOCUMENT`). Proposal
    documents: the proposal's own company, while its call is open.
    """
    now = now or utcnow()
    kind, title = check_upload(upload)
    case = lock_case(work, case_id)
    if proposal_id is None:
        require(actor, Action.UPLOAD_DOCUMENT, case)
    else:
        require(actor, Action.UPLOAD_PROPOSAL_DOCUMENT)
        _proposal_open(case, own_proposal(work.session, actor, case_id, proposal_id), now)
    session = work.session
    if upload.replaces is None:
        document = work.insert(
            Document(
                case_id=case_id,
                proposal_id=proposal_id,
                kind=kind.value,
                title=title,
                organisation_id=actor.organisation_id,
                created_by=actor.name,
                created_at=now,
            )
        )
        n = 1
    else:
        document = _replaced(session, case_id, proposal_id, upload.replaces, kind)
        document.title = title
        n = _last_version(session, document) + 1
    store.put(session, received.sha256, received.path)
    version = work.insert(
        DocumentVersion(
            document_id=document.id or 0,
            n=n,
            sha256=received.sha256,
            size=received.size,
            media_type=media_type,
            file_name=received.file_name,
            uploaded_by=actor.name,
            uploaded_at=now,
        )
    )
    if proposal_id is None:
        # What the guards read changed (the kinds of documents present): a new case version.
        touch_case(work, case, now)
    audit.record(
        work,
        actor,
        "document.uploaded" if n == 1 else "document.replaced",
        {
            "document_id": document.id,
            "proposal_id": proposal_id,
            "kind": kind.value,
            "title": title,
            "version": n,
            "sha256": received.sha256,
            "size": received.size,
            "media_type": media_type,
            "file_name": received.file_name,
        },
        case_id=case_id,
        at=now,
    )
    return document, version


def _replaced(
    session: Session, case_id: int, proposal_id: int | None, document_id: int, kind: DocumentKind
) -> Document:
    document = session.get(Document, document_id)
    if document is None or document.case_id != case_id or document.proposal_id != proposal_id:
        raise InvalidInput(
            f"Document {document_id} is not a document here to replace.", field="replaces"
        )
    if document.deletion_requested_at is not None:
        raise Conflict("The document's deletion was requested; upload a new document instead.")
    if document.kind != kind.value:
        raise InvalidInput(
            f"A new version keeps the document's kind ({document.kind}).", field="kind"
        )
    return document


def _last_version(session: Session, document: Document) -> int:
    last = session.execute(
        select(func.max(col(DocumentVersion.n))).where(
            col(DocumentVersion.document_id) == document.id
        )
    ).scalar_one()
    return int(last or 0)


def versions_of(session: Session, document_ids: Sequence[int]) -> dict[int, list[DocumentVersion]]:
    """Every version of each document, oldest first."""
    found: dict[int, list[DocumentVersion]] = {i: [] for i in document_ids}
    if not document_ids:
        return found
    rows = session.execute(
        select(DocumentVersion)
        .where(col(DocumentVersion.document_id).in_(document_ids))
        .order_by(col(DocumentVersion.document_id), col(DocumentVersion.n))
    ).scalars()
    for row in rows:
        found[row.document_id].append(row)
    return found


def version_of(session: Session, document: Document, n: int | None) -> DocumentVersion:
    """Version `n` of the document (the latest when None); `NotFound` when there is none."""
    query = select(DocumentVersion).where(col(DocumentVersion.document_id) == document.id)
    if n is None:
        query = query.order_by(col(DocumentVersion.n).desc()).limit(1)
    else:
        query = query.where(col(DocumentVersion.n) == n)
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Document {document.id} has no version {n}.")
    return found


def request_deletion(
    work: UnitOfWork,
    actor: Actor,
    document: Document,
    reason: str,
    *,
    now: datetime | None = None,
) -> Document:
    """Mark the document for deletion with the reason; its bytes and versions stay (the
    case's retention decides). Case documents: the lead municipality's people; a proposal's:
    its own company."""
    now = now or utcnow()
    check_reason(reason, required=True, what="A deletion request", max_length=MAX_REASON)
    case = lock_case(work, document.case_id)
    if document.proposal_id is None:
        require(actor, Action.UPLOAD_DOCUMENT, case)
    else:
        require(actor, Action.UPLOAD_PROPOSAL_DOCUMENT)
        own_proposal(work.session, actor, document.case_id, document.proposal_id)
    if document.deletion_requested_at is not None:
        raise Conflict("The document's deletion was already requested.")
    document.deletion_requested_at = now
    document.deletion_requested_by = actor.name
    document.deletion_reason = reason.strip()
    if document.proposal_id is None:
        touch_case(work, case, now)
    versions = versions_of(work.session, [document.id or 0])[document.id or 0]
    audit.record(
        work,
        actor,
        "document.deletion_requested",
        {
            "document_id": document.id,
            "proposal_id": document.proposal_id,
            "reason": reason.strip(),
            "sha256": [v.sha256 for v in versions],
        },
        case_id=document.case_id,
        at=now,
    )
    return document


def record_download(
    work: UnitOfWork, actor: Actor, document: Document, version: DocumentVersion, now: datetime
) -> None:
    """The audit event of an audited download (`workflow.access.policy.download_audited`)."""
    audit.record(
        work,
        actor,
        "document.downloaded",
        {"document_id": document.id, "version": version.n, "sha256": version.sha256},
        case_id=document.case_id,
        at=now,
    )


def record_refusal(
    work: UnitOfWork,
    actor: Actor,
    case_id: int,
    received: Received,
    signature: str,
    *,
    proposal_id: int | None,
    now: datetime,
) -> None:
    """The audit event of an upload refused for malware: what was sent and what clamd found;
    the file itself is not kept."""
    audit.record(
        work,
        actor,
        "document.refused",
        {
            "proposal_id": proposal_id,
            "sha256": received.sha256,
            "size": received.size,
            "file_name": received.file_name,
            "malware": signature,
        },
        case_id=case_id,
        at=now,
    )
