"""Bad uploads: a clear 4xx, nothing half-stored, and the audit chain still verifies."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from api.app import API_PREFIX
from tests.api.documents.support import ELF, HTML, PDF, TEXT, match_case, raw_upload, upload
from tests.api_helpers import ApiClient
from workflow.core.db import get_engine
from workflow.core.settings import get_settings
from workflow.documents.storage import DirectoryStore, store_for
from workflow.models import AuditEvent, Document, DocumentChunk, DocumentVersion


def _stored(api: ApiClient) -> tuple[int, int, int, int]:
    """Documents, versions, chunks and audit events in the database."""
    with Session(api.db.engine) as session:
        return tuple(  # type: ignore[return-value]
            session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Document, DocumentVersion, DocumentChunk, AuditEvent)
        )


def _leftover_files() -> list[Path]:
    """Files in the document directory: the store's files (SQLite) or the spool of uploads in
    progress (PostgreSQL, whose store is the database); `private_documents_dir` sets it."""
    store = store_for(get_settings(), get_engine())
    root = store.root if isinstance(store, DirectoryStore) else store.spool_dir()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture(autouse=True)
def private_documents_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's documents (and uploads in progress) in a directory of its own, so what a
    refused upload leaves behind can be counted on both databases."""
    monkeypatch.setenv("OPI_DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("content", "file_name", "status"),
    [
        (ELF, "rapport.pdf", 415),
        (HTML, "side.txt", 415),
        ("ikke utf-8: \xe6\xf8\xe5\n".encode("latin-1"), "tekst.txt", 415),
        (b"", "tom.pdf", 422),
        (PDF, "../../etc/passwd.pdf", 422),
        (PDF, "mappe\\fil.pdf", 422),
        (PDF, "fil\x07navn.pdf", 422),
        (PDF, "fil\x1bnavn.pdf", 422),
        (PDF, "fil\u202enavn.pdf", 422),
        (PDF, "a" * 10_000 + ".pdf", 400),  # the multipart parser refuses the header itself
        (PDF, "..", 422),
    ],
    ids=[
        "executable",
        "html",
        "latin-1-text",
        "empty",
        "slash",
        "backslash",
        "bell",
        "escape",
        "bidi-override",
        "long",
        "dot-dot",
    ],
)
def test_refused_and_nothing_stored(
    api: ApiClient, content: bytes, file_name: str, status: int
) -> None:
    m = match_case(api)
    before = _stored(api)
    path = f"/cases/{m.case_id}/documents"
    response = raw_upload(api, path, m.world.manager, content, file_name.encode())
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]
    assert _stored(api) == before
    assert _leftover_files() == []
    assert api.get("/audit/verify").json()["ok"] is True


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"kind": "secret_plans", "title": "X"}, 422),
        ({"kind": "other", "title": "   "}, 422),
        ({"kind": "other", "title": "x" * 301}, 422),
        ({"title": "Uden art"}, 422),
    ],
    ids=["unknown-kind", "blank-title", "long-title", "no-kind"],
)
def test_bad_fields(api: ApiClient, data: dict[str, str], status: int) -> None:
    m = match_case(api)
    before = _stored(api)
    response = api.post(
        f"/cases/{m.case_id}/documents",
        token=m.world.manager,
        data=data,
        files={"file": ("a.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == status, response.text
    assert _stored(api) == before


def test_too_large_is_refused_while_it_arrives(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = match_case(api)
    monkeypatch.setenv("OPI_DOCUMENT_MAX_BYTES", "4096")
    get_settings.cache_clear()
    before = _stored(api)
    big = TEXT * (5000 // len(TEXT) + 1)
    response = upload(api, f"/cases/{m.case_id}/documents", m.world.manager, big, file_name="x.txt")
    assert response.status_code == 413, response.text
    # far beyond the limit the body itself is refused before it is parsed
    huge = upload(api, f"/cases/{m.case_id}/documents", m.world.manager, TEXT * 5000)
    assert huge.status_code == 413
    fits = upload(api, f"/cases/{m.case_id}/documents", m.world.manager, TEXT, file_name="x.txt")
    assert fits.status_code == 201, fits.text
    stored = _stored(api)
    assert stored[:2] == (before[0] + 1, before[1] + 1)
    assert [p.name for p in _leftover_files() if p.suffix == ".part"] == []
    assert api.get("/audit/verify").json()["ok"] is True


def test_replacing_needs_a_document_of_the_same_kind_in_the_same_place(api: ApiClient) -> None:
    m = match_case(api)
    path = f"/cases/{m.case_id}/documents"
    did = upload(api, path, m.world.manager, PDF, kind="dpa").json()["id"]
    assert upload(api, path, m.world.manager, PDF, kind="dpia", replaces=did).status_code == 422
    assert upload(api, path, m.world.manager, PDF, kind="dpa", replaces=999).status_code == 422
    own = upload(
        api,
        f"/cases/{m.case_id}/proposals/{m.proposal}/documents",
        m.world.partner,
        PDF,
        kind="proposal",
        replaces=did,
    )
    assert own.status_code == 422


def test_an_interrupted_upload_stores_nothing(api: ApiClient) -> None:
    """The client sends half a multipart body and goes away: nothing is kept."""
    m = match_case(api)
    before = _stored(api)
    boundary = "grænse0123456789".encode().hex()
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHalv\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + PDF
    body_length = len(head) + 100_000
    messages = [
        {"type": "http.request", "body": head, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{API_PREFIX}/cases/{m.case_id}/documents",
        "raw_path": f"{API_PREFIX}/cases/{m.case_id}/documents".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {m.world.manager}".encode()),
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
            (b"content-length", str(body_length).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    import anyio

    anyio.run(api.client.app, scope, receive, send)  # type: ignore[arg-type]
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert starts and 400 <= int(starts[0]["status"]) < 500  # type: ignore[call-overload]
    assert _stored(api) == before
    assert _leftover_files() == []
