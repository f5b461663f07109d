"""Attaching a document from bytes in hand (the demo, the CLI, tests' factories): the same
checks and the same writer as an upload, with no request around it."""

import io
from datetime import datetime

from sqlalchemy import Engine

from workflow.access.actor import Actor
from workflow.core.settings import get_settings
from workflow.core.unit_of_work import UnitOfWork
from workflow.documents import service
from workflow.documents.intake import check_content, clean_file_name, receive
from workflow.documents.storage import store_for
from workflow.models import Document


def attach_bytes(
    work: UnitOfWork,
    actor: Actor,
    case_id: int,
    content: bytes,
    *,
    kind: str,
    title: str,
    file_name: str,
    now: datetime,
    proposal_id: int | None = None,
) -> Document:
    """Store `content` as a new document of the case (checked as an upload is; not scanned)."""
    bind = work.session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    settings = get_settings()
    store = store_for(settings, engine)
    received = receive(
        io.BytesIO(content), clean_file_name(file_name), store.spool_dir(), len(content) or 1
    )
    try:
        media_type, _ = check_content(received, None)
        document, _ = service.add_document(
            work,
            store,
            actor,
            case_id,
            service.Upload(kind, title),
            received,
            media_type,
            proposal_id=proposal_id,
            now=now,
        )
    finally:
        received.discard()
    return document
