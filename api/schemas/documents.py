"""Documents on cases and proposals, as the API shows them."""

from datetime import datetime

from pydantic import BaseModel, Field

from api.schemas.common import Strict
from states.documents import DocumentKind


class DocumentVersionPublic(BaseModel):
    """One upload of a document."""

    id: int = Field(description="The version's id, which a signature may name.")
    n: int = Field(description="The version's number, from 1.")
    sha256: str = Field(description="SHA-256 of the bytes, as in the audit event of the upload.")
    size: int = Field(description="Bytes.")
    media_type: str = Field(description="The type found in the content (not the name's).")
    file_name: str
    uploaded_by: str
    uploaded_at: datetime


class DocumentPublic(BaseModel):
    """A document with every version, oldest first."""

    id: int
    case_id: int
    proposal_id: int | None
    kind: DocumentKind
    title: str
    created_by: str
    created_at: datetime
    deletion_requested_at: datetime | None
    deletion_requested_by: str | None
    deletion_reason: str | None
    versions: list[DocumentVersionPublic]


class DeletionRequest(Strict):
    """`POST /documents/{did}/deletion-request`: documents are never destroyed here; the
    request marks the document, with the reason, for those who keep the case's retention."""

    reason: str = Field(min_length=1, max_length=2000)
