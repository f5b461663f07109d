"""Unregistered companies asking to take part in an open call, and their approvers (issue 17,
item 5), on both databases: scoping, approve (organisation and user created), decline,
refusals that write nothing, and the audit trail."""

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from tests.api_helpers import ApiClient, World, create_case, drive
from workflow.core.errors import NotFound
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Organisation, OrganisationRequest, User
from workflow.public import requests as requests_module
from workflow.public.requests import CompanyRequestInput, submit_request

REQUEST_KEYS = {
    "id",
    "case_id",
    "company_name",
    "cvr",
    "cvr_registered",
    "contact_name",
    "email",
    "language",
    "status",
    "reason",
    "decided_by",
    "organisation_id",
    "user_id",
    "created_at",
    "decided_at",
}


def _submit(api: ApiClient, case_id: int, cvr: str = "12345678", **fields: str) -> int:
    data = CompanyRequestInput.model_validate(
        {
            "company_name": "Nordlys Robotics ApS",
            "cvr": cvr,
            "contact_name": "Karen Vestergaard",
            "email": "karen@nordlys.example",
            **fields,
        }
    )
    with Session(api.db.engine, expire_on_commit=False) as session:
        work = UnitOfWork(session)
        request = submit_request(work, case_id, data, api.clock.now)
        work.commit()
        assert request.id is not None
        return request.id


def _count(api: ApiClient, model: type[Any]) -> int:
    with Session(api.db.engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture
def call(api: ApiClient) -> tuple[World, int]:
    """Furesø's case in match: an open call."""
    w = api.world()
    case = drive(api, w, create_case(api, w), "match")
    return w, case["id"]


def _decide(api: ApiClient, token: str, rid: int, **body: Any) -> Any:
    return api.post(f"/organisation-requests/{rid}/decision", token=token, json=body)


def test_requests_are_scoped_to_the_calls_lead(api: ApiClient, call: tuple[World, int]) -> None:
    w, case_id = call
    rid = _submit(api, case_id)
    mine = api.get("/organisation-requests", token=w.manager)
    assert mine.status_code == 200, mine.text
    assert mine.json()["total"] == 1
    item = mine.json()["items"][0]
    assert set(item) == REQUEST_KEYS
    assert item["id"] == rid and item["status"] == "pending" and item["cvr"] == "12345678"
    assert item["cvr_registered"] is False
    assert api.get("/organisation-requests", token=w.auditor).json()["total"] == 1
    assert api.get("/organisation-requests", token=w.outsider_manager).json()["total"] == 0
    for token in (w.staff, w.partner):
        assert api.get("/organisation-requests", token=token).status_code == 403
    assert api.get("/organisation-requests", token=None).status_code == 401
    pending = api.get("/organisation-requests?status=approved", token=w.manager).json()
    assert pending["total"] == 0
    assert api.get("/organisation-requests?status=nope", token=w.manager).status_code == 422


def test_approving_creates_the_company_and_invites_its_contact(
    api: ApiClient, call: tuple[World, int]
) -> None:
    w, case_id = call
    rid = _submit(api, case_id, email="Karen@Nordlys.example")
    approved = _decide(api, w.manager, rid, decision="approve", invite=True)
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved" and body["decided_by"] == "manager Furesø Kommune"
    organisation = api.get(f"/organisations/{body['organisation_id']}", token=w.manager).json()
    assert organisation["kind"] == "company" and organisation["cvr"] == "12345678"
    assert organisation["name"] == "Nordlys Robotics ApS"
    user = api.get(f"/users/{body['user_id']}").json()
    assert user["role"] == "partner" and user["email"] == "karen@nordlys.example"
    assert user["organisation_id"] == body["organisation_id"]
    # decided once only
    again = _decide(api, w.manager, rid, decision="decline", reason="For sent")
    assert again.status_code == 409
    events = api.get(f"/cases/{case_id}/audit", token=w.auditor).json()["items"]
    actions = [e["action"] for e in events]
    assert "organisation_request.created" in actions
    assert "organisation_request.decided" in actions
    created = next(e for e in events if e["action"] == "organisation_request.created")
    assert created["actor_role"] == "public"
    # the contact's name and email never go into the append-only log with the request
    assert "Karen" not in str(created["data"]) and "nordlys.example" not in str(created["data"])
    global_actions = [
        e["action"] for e in api.get("/audit?action=user.invited", token=w.auditor).json()["items"]
    ]
    assert global_actions == ["user.invited"]


def test_declining_needs_a_reason_and_creates_nothing(
    api: ApiClient, call: tuple[World, int]
) -> None:
    w, case_id = call
    rid = _submit(api, case_id)
    organisations = _count(api, Organisation)
    assert _decide(api, w.manager, rid, decision="decline").status_code == 422
    assert _decide(api, w.manager, rid, decision="decline", reason="  ").status_code == 422
    declined = _decide(api, w.manager, rid, decision="decline", reason="Ikke en virksomhed")
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    assert declined.json()["reason"] == "Ikke en virksomhed"
    assert declined.json()["organisation_id"] is None
    assert _count(api, Organisation) == organisations


def test_only_admins_and_the_leads_managers_decide(api: ApiClient, call: tuple[World, int]) -> None:
    w, case_id = call
    rid = _submit(api, case_id)
    for token in (w.staff, w.partner, w.auditor):
        assert _decide(api, token, rid, decision="approve").status_code == 403
    assert _decide(api, w.outsider_manager, rid, decision="approve").status_code == 404
    assert _decide(api, w.manager, 999_999, decision="approve").status_code == 404
    assert _decide(api, w.manager, rid, decision="maybe").status_code == 422
    admin = _decide(api, "opi-test-admin-token", rid, decision="approve")
    assert admin.status_code == 200, admin.text
    assert admin.json()["user_id"] is None  # no invitation unless asked for


def test_a_registered_cvr_or_taken_email_is_refused_whole(
    api: ApiClient, call: tuple[World, int]
) -> None:
    w, case_id = call
    api.org("Nordlys Robotics ApS", "company", cvr="12345678")
    taken = _submit(api, case_id)
    listed = api.get("/organisation-requests", token=w.manager).json()["items"]
    assert listed[0]["cvr_registered"] is True
    organisations, users = _count(api, Organisation), _count(api, User)
    refused = _decide(api, w.manager, taken, decision="approve", invite=True)
    assert refused.status_code == 409, refused.text
    # an invited user with the same email exists already: the organisation is not kept either
    invited = api.post(
        "/users",
        json={"name": "Karen", "email": "karen@other.example", "role": "auditor"},
    )
    assert invited.status_code == 201, invited.text
    users += 1
    rid = _submit(api, case_id, cvr="87654321", email="karen@other.example")
    refused = _decide(api, w.manager, rid, decision="approve", invite=True)
    assert refused.status_code == 409, refused.text
    assert (_count(api, Organisation), _count(api, User)) == (organisations, users)
    statuses = {r["id"]: r["status"] for r in api.get("/organisation-requests").json()["items"]}
    assert statuses == {taken: "pending", rid: "pending"}


def test_requests_only_for_open_calls_and_once_while_pending(
    api: ApiClient, call: tuple[World, int]
) -> None:
    w, case_id = call
    need_case = create_case(api, w)
    with pytest.raises(NotFound):
        _submit(api, need_case["id"])
    first = _submit(api, case_id)
    assert _submit(api, case_id) == first  # the same company again: nothing new
    assert _count(api, OrganisationRequest) == 1
    assert _submit(api, case_id, cvr="11112222") != first
    api.clock.advance(days=41)
    with pytest.raises(NotFound):
        _submit(api, case_id, cvr="33334444")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cvr", "1234567"),
        ("cvr", "123456789"),
        ("cvr", "abcdefgh"),
        ("cvr", "١٢٣٤٥٦٧٨"),  # Arabic-Indic digits are not a CVR number
        ("email", "not an address"),
        ("email", "a@" + "b" * 300 + ".dk"),
        ("company_name", "   "),
        ("company_name", "x" * 201),
        ("contact_name", "Karen\x00"),
    ],
)
def test_the_input_is_bounded_and_validated(field: str, value: str) -> None:
    data = {
        "company_name": "Nordlys Robotics ApS",
        "cvr": "12345678",
        "contact_name": "Karen Vestergaard",
        "email": "karen@nordlys.example",
        field: value,
    }
    with pytest.raises(ValueError):
        CompanyRequestInput.model_validate(data)


def test_a_concurrent_duplicate_loses_to_the_unique_index(
    api: ApiClient, call: tuple[World, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two posts of the same company at once: both see no pending request, the second insert
    hits the partial unique index and answers with the first's request, writing nothing."""
    _, case_id = call
    first = _submit(api, case_id)
    real = requests_module._pending
    calls = iter([None])
    monkeypatch.setattr(
        requests_module,
        "_pending",
        lambda session, cid, cvr: next(calls, None) or real(session, cid, cvr),
    )
    assert _submit(api, case_id) == first
    assert _count(api, OrganisationRequest) == 1
    events = api.get(f"/cases/{case_id}/audit", token=call[0].auditor).json()["items"]
    assert [e["action"] for e in events].count("organisation_request.created") == 1
