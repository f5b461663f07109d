"""Documents over the API, on SQLite (directory store) and PostgreSQL (chunk store)."""

import hashlib
import json
from urllib.parse import quote

from sqlalchemy import func, select
from sqlmodel import Session, col

from tests.api.documents.support import PDF, PNG, TEXT, docx, match_case, upload
from tests.api_helpers import ApiClient, create_case
from workflow.models import AuditEvent, DocumentChunk, DocumentVersion


def _events(api: ApiClient, case_id: int, action: str) -> list[dict[str, object]]:
    with Session(api.db.engine) as session:
        rows = session.execute(
            select(col(AuditEvent.data))
            .where(col(AuditEvent.case_id) == case_id, col(AuditEvent.action) == action)
            .order_by(col(AuditEvent.seq))
        ).scalars()
        return [json.loads(r) for r in rows]


def test_upload_list_download_and_versions(api: ApiClient) -> None:
    m = match_case(api)
    path = f"/cases/{m.case_id}/documents"
    created = upload(api, path, m.world.manager, PDF, kind="agreement", title="Aftaleudkast")
    assert created.status_code == 201, created.text
    doc = created.json()
    assert created.headers["location"] == f"/api/v1/documents/{doc['id']}"
    assert (doc["kind"], doc["title"], doc["proposal_id"]) == ("agreement", "Aftaleudkast", None)
    [v1] = doc["versions"]
    assert v1["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (v1["n"], v1["size"], v1["media_type"]) == (1, len(PDF), "application/pdf")
    assert v1["file_name"] == "bilag.pdf"

    second = upload(
        api,
        path,
        m.world.manager,
        docx(),
        kind="agreement",
        title="Aftale, underskrevet",
        file_name="Aftale – endelig.docx",
        replaces=doc["id"],
    )
    assert second.status_code == 201, second.text
    versions = second.json()["versions"]
    assert [v["n"] for v in versions] == [1, 2]
    assert versions[1]["media_type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )

    listed = api.get(path, token=m.world.manager).json()
    assert listed["total"] == 1
    assert listed["items"][0]["title"] == "Aftale, underskrevet"

    latest = api.get(f"/documents/{doc['id']}/content", token=m.world.manager)
    assert latest.status_code == 200
    assert latest.content == docx()
    disposition = latest.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('Aftale – endelig.docx', safe='')}" in disposition
    first = api.get(f"/documents/{doc['id']}/content?version=1", token=m.world.manager)
    assert (first.content, first.headers["content-type"]) == (PDF, "application/pdf")
    assert api.get(f"/documents/{doc['id']}/content?version=3").status_code == 404

    uploaded = _events(api, m.case_id, "document.uploaded")
    replaced = _events(api, m.case_id, "document.replaced")
    assert [e["sha256"] for e in uploaded] == [hashlib.sha256(PDF).hexdigest()]
    assert [e["sha256"] for e in replaced] == [hashlib.sha256(docx()).hexdigest()]
    assert api.get("/audit/verify").json()["ok"] is True


def test_the_same_bytes_are_stored_once(api: ApiClient) -> None:
    m = match_case(api)
    for title in ("Billede", "Samme billede"):
        response = upload(api, f"/cases/{m.case_id}/documents", m.world.manager, PNG, title=title)
        assert response.status_code == 201, response.text
        assert response.json()["versions"][0]["media_type"] == "image/png"
    sha = hashlib.sha256(PNG).hexdigest()
    with Session(api.db.engine) as session:
        count = session.execute(
            select(func.count()).where(col(DocumentVersion.sha256) == sha)
        ).scalar_one()
    assert count == 2
    for doc in api.get(f"/cases/{m.case_id}/documents").json()["items"]:
        assert api.get(f"/documents/{doc['id']}/content").content == PNG


def test_a_proposals_documents_follow_the_proposal(api: ApiClient) -> None:
    m = match_case(api)
    w = m.world
    own = upload(
        api,
        f"/cases/{m.case_id}/proposals/{m.proposal}/documents",
        w.partner,
        PDF,
        kind="proposal",
        title="Vores forslag",
    )
    assert own.status_code == 201, own.text
    did = own.json()["id"]
    assert own.json()["proposal_id"] == m.proposal
    # The competitor: not by id, not by its content, not in the list, not by its proposal.
    assert api.get(f"/documents/{did}", token=w.rival_partner).status_code == 404
    assert api.get(f"/documents/{did}/content", token=w.rival_partner).status_code == 404
    listed = api.get(f"/cases/{m.case_id}/documents", token=w.rival_partner).json()
    assert listed == {"items": [], "total": 0}
    into_rival = upload(
        api, f"/cases/{m.case_id}/proposals/{m.proposal}/documents", w.rival_partner, PDF
    )
    assert into_rival.status_code == 404
    sneaked = upload(
        api,
        f"/cases/{m.case_id}/proposals/{m.rival_proposal}/documents",
        w.partner,
        TEXT,
        kind="proposal",
        replaces=did,
    )
    assert sneaked.status_code == 404
    # The company, the lead's manager and the auditor see it; staff (no proposals) do not.
    for token in (w.partner, w.manager, w.auditor):
        assert api.get(f"/documents/{did}", token=token).status_code == 200
    assert api.get(f"/documents/{did}", token=w.staff).status_code == 404
    assert api.get(f"/documents/{did}", token=w.outsider_manager).status_code == 404


def test_internal_documents_wait_for_the_published_call(api: ApiClient) -> None:
    w = api.world()
    case = create_case(api, w)
    cid = case["id"]
    added = api.post(
        f"/cases/{cid}/participants",
        token=w.manager,
        json={"organisation_id": w.company["id"], "role": "partner"},
    )
    assert added.status_code == 201, added.text
    doc = upload(api, f"/cases/{cid}/documents", w.manager, TEXT, kind="knowledge", title="Notat")
    assert doc.status_code == 201, doc.text
    did = doc.json()["id"]
    assert api.get(f"/documents/{did}", token=w.partner).status_code == 404
    assert api.get(f"/cases/{cid}/documents", token=w.partner).json()["total"] == 0
    assert api.get(f"/documents/{did}", token=w.staff).status_code == 200
    from tests.api_helpers import drive

    drive(api, w, api.get(f"/cases/{cid}", token=w.manager).json(), "match")
    assert api.get(f"/documents/{did}", token=w.partner).status_code == 200
    # a company that only bids never sees the municipality's documents
    assert api.get(f"/documents/{did}", token=w.rival_partner).status_code == 404


def test_who_may_upload(api: ApiClient) -> None:
    m = match_case(api)
    w = m.world
    path = f"/cases/{m.case_id}/documents"
    assert upload(api, path, w.partner, PDF).status_code == 403
    assert upload(api, path, w.auditor, PDF).status_code == 403
    assert upload(api, path, w.outsider_manager, PDF).status_code in (403, 404)
    assert upload(api, path, w.staff, PDF).status_code == 201
    proposal_path = f"/cases/{m.case_id}/proposals/{m.proposal}/documents"
    assert upload(api, proposal_path, w.manager, PDF).status_code == 403


def test_auditor_downloads_and_deletion_requests_are_audited(api: ApiClient) -> None:
    m = match_case(api)
    w = m.world
    did = upload(api, f"/cases/{m.case_id}/documents", w.manager, PDF).json()["id"]
    assert api.get(f"/documents/{did}/content", token=w.manager).status_code == 200
    assert _events(api, m.case_id, "document.downloaded") == []
    assert api.get(f"/documents/{did}/content", token=w.auditor).content == PDF
    [downloaded] = _events(api, m.case_id, "document.downloaded")
    assert downloaded["sha256"] == hashlib.sha256(PDF).hexdigest()

    refused = api.post(f"/documents/{did}/deletion-request", token=w.partner, json={"reason": "x"})
    assert refused.status_code in (403, 404)
    asked = api.post(
        f"/documents/{did}/deletion-request", token=w.manager, json={"reason": "Forkert fil"}
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["deletion_reason"] == "Forkert fil"
    [event] = _events(api, m.case_id, "document.deletion_requested")
    assert event["sha256"] == [hashlib.sha256(PDF).hexdigest()]
    # never destroyed: the bytes are still there
    assert api.get(f"/documents/{did}/content", token=w.manager).content == PDF
    again = api.post(f"/documents/{did}/deletion-request", token=w.manager, json={"reason": "Igen"})
    assert again.status_code == 409
    assert api.get("/audit/verify").json()["ok"] is True


def test_a_file_of_several_chunks_goes_in_and_out_whole(api: ApiClient) -> None:
    """2.5 MB: three chunks in PostgreSQL, streamed back in order; a file on SQLite."""
    m = match_case(api)
    line = "Linje i en lang evalueringsrapport med æøå.\n".encode()
    big = line * (2_500_000 // len(line))
    created = upload(
        api,
        f"/cases/{m.case_id}/documents",
        m.world.manager,
        big,
        kind="evaluation_report",
        file_name="rapport.txt",
    )
    assert created.status_code == 201, created.text
    version = created.json()["versions"][0]
    assert (version["size"], version["media_type"]) == (len(big), "text/plain; charset=utf-8")
    download = api.get(f"/documents/{created.json()['id']}/content", token=m.world.auditor)
    assert download.content == big
    assert download.headers["content-length"] == str(len(big))
    with Session(api.db.engine) as session:
        chunks = session.execute(
            select(func.count()).where(col(DocumentChunk.sha256) == version["sha256"])
        ).scalar_one()
    assert chunks == (3 if api.db.backend == "postgresql" else 0)
