"""Requirements that ask for documents, and signatures naming the version they sign."""

import hashlib
import json

from sqlalchemy import select
from sqlmodel import Session, col

from tests.api.documents.support import PDF, TEXT, upload
from tests.api_helpers import ApiClient, create_case, drive, patch_case, trigger
from workflow.models import AuditEvent


def _unmet(api: ApiClient, case_id: int, token: str) -> dict[str, object]:
    case = api.get(f"/cases/{case_id}", token=token).json()
    advance = next(t for t in case["transitions"] if t["trigger"] == "advance")
    return {u["code"]: u.get("details") for u in advance["unmet"]}


def test_personal_data_needs_the_dpa_and_dpia_as_documents(api: ApiClient) -> None:
    w = api.world()
    case = drive(api, w, create_case(api, w), "agreement")
    cid = case["id"]
    patch_case(
        api,
        cid,
        {
            "agreement": {"dpa_signed_at": api.clock.now.isoformat(), "dpia_done": True},
            "pilot": {"personal_data": True, "health_data": True},
        },
        w.manager,
    )
    unmet = _unmet(api, cid, w.manager)
    assert unmet["agreement.dpa"] == {"missing": ["dpa_document", "dpia_document"]}
    dpa = upload(api, f"/cases/{cid}/documents", w.manager, PDF, kind="dpa", title="DBA")
    assert dpa.status_code == 201, dpa.text
    assert _unmet(api, cid, w.manager)["agreement.dpa"] == {"missing": ["dpia_document"]}
    dpia = upload(api, f"/cases/{cid}/documents", w.manager, TEXT, kind="dpia", title="DPIA")
    assert dpia.status_code == 201, dpia.text
    assert "agreement.dpa" not in _unmet(api, cid, w.manager)
    # a deletion request takes the document out of what the guards count
    asked = api.post(
        f"/documents/{dpia.json()['id']}/deletion-request",
        token=w.manager,
        json={"reason": "Forkert version"},
    )
    assert asked.status_code == 200, asked.text
    assert _unmet(api, cid, w.manager)["agreement.dpa"] == {"missing": ["dpia_document"]}


def test_the_evaluation_report_as_a_document(api: ApiClient) -> None:
    w = api.world()
    case = drive(api, w, create_case(api, w), "pilot")
    cid = case["id"]
    api.clock.advance(days=1)
    patch_case(
        api,
        cid,
        {
            "pilot": {
                "ended_at": api.clock.now.isoformat(),
                "evaluation": {"outcome": "partial"},
            }
        },
        w.manager,
    )
    assert "pilot.evaluation" in _unmet(api, cid, w.manager)
    report = upload(
        api, f"/cases/{cid}/documents", w.manager, PDF, kind="evaluation_report", title="Rapport"
    )
    assert report.status_code == 201, report.text
    assert "pilot.evaluation" not in _unmet(api, cid, w.manager)
    api.clock.advance(hours=1)
    assert trigger(api, cid, w.manager, "advance").status_code == 200


def test_a_signature_names_the_version_it_signs(api: ApiClient) -> None:
    w = api.world()
    case = drive(api, w, create_case(api, w), "agreement")
    cid = case["id"]
    doc = upload(api, f"/cases/{cid}/documents", w.manager, PDF, kind="agreement", title="Aftale")
    version_id = doc.json()["versions"][0]["id"]
    body = {
        "organisation_id": w.lead["id"],
        "signatory_name": "Borgmester",
        "signed_at": api.clock.now.isoformat(),
        "document_version_id": version_id,
    }
    signed = api.post(f"/cases/{cid}/signatures", token=w.manager, json=body)
    assert signed.status_code == 201, signed.text
    assert signed.json()["document_version_id"] == version_id
    with Session(api.db.engine) as session:
        data = (
            session.execute(
                select(col(AuditEvent.data))
                .where(col(AuditEvent.case_id) == cid, col(AuditEvent.action) == "agreement.signed")
                .order_by(col(AuditEvent.seq).desc())
            )
            .scalars()
            .first()
        )
    assert data is not None
    assert json.loads(data)["sha256"] == hashlib.sha256(PDF).hexdigest()
    wrong = api.post(
        f"/cases/{cid}/signatures",
        token=w.manager,
        json={**body, "organisation_id": w.company["id"], "document_version_id": 99999},
    )
    assert wrong.status_code == 422
    assert api.get("/audit/verify").json()["ok"] is True
