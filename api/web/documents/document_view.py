"""What the pages show of a case's (or a proposal's) documents: the rows of the list and the
upload form's choices, for the partial `_documents.html`."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from api.web.render import WEB_PREFIX, WebUser
from states.documents import DOCUMENT_KIND_LABELS, DocumentKind
from workflow.access.actor import Actor
from workflow.documents import service
from workflow.documents.visibility import visible_documents
from workflow.models import Case, Document, DocumentVersion


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A document as the pages list it."""

    document: Document
    kind_label: str
    versions: list[DocumentVersion]


def document_rows(
    db: Session, actor: Actor, case: Case, language: str, proposal_id: int | None = None
) -> list[DocumentRow]:
    """The documents of the case (or of one of its proposals) that `actor` sees."""
    documents = [d for d in visible_documents(db, actor, case) if d.proposal_id == proposal_id]
    versions = service.versions_of(db, [d.id or 0 for d in documents])
    return [
        DocumentRow(
            d, DOCUMENT_KIND_LABELS[DocumentKind(d.kind)].pick(language), versions[d.id or 0]
        )
        for d in documents
    ]


def kind_options(language: str, *, proposal: bool) -> list[tuple[str, str]]:
    """The kinds offered in the upload form (a proposal's: the proposal and other material)."""
    kinds = (
        (DocumentKind.PROPOSAL, DocumentKind.OTHER)
        if proposal
        else tuple(k for k in DocumentKind if k is not DocumentKind.PROPOSAL)
    )
    return [(k.value, DOCUMENT_KIND_LABELS[k].pick(language)) for k in kinds]


def documents_context(
    db: Session,
    user: WebUser,
    case: Case,
    language: str,
    *,
    proposal_id: int | None = None,
    may_upload: bool,
    error: str | None = None,
) -> dict[str, Any]:
    """What the documents partial (`_documents.html`) needs."""
    rows = document_rows(db, user.actor, case, language, proposal_id)
    base = f"{WEB_PREFIX}/cases/{case.id}"
    return {
        "documents": rows,
        "documents_upload": may_upload,
        "documents_action": f"{base}/proposals/{proposal_id}/documents"
        if proposal_id
        else f"{base}/documents",
        "documents_kinds": kind_options(language, proposal=proposal_id is not None),
        "documents_error": error,
        "documents_replaceable": [
            (r.document.id, r.document.title)
            for r in rows
            if r.document.deletion_requested_at is None
        ],
    }
