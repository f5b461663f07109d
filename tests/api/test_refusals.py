"""Every refusal path of the API, each an RFC 9457 problem with the status SPEC §4 names."""

from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from tests.api_helpers import ApiClient, World, create_case, drive, etag_of, trigger
from tests.factories import EMPTY_NEED_UNMET
from workflow.models import AuditEvent, Case

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int, type_end: str | None = None) -> dict[str, Any]:
    """The response is a problem+json of `status` (and `type` ending in `type_end`)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    if type_end is not None:
        assert body["type"].endswith(type_end), body["type"]
    return body


@pytest.fixture
def world(api: ApiClient) -> World:
    """The usual cast of organisations and tokens."""
    return api.world()


# --- 401 -----------------------------------------------------------------------------------


AUTHORIZATIONS = [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Bearer not-a-token"]


def test_missing_or_invalid_token_is_401(api: ApiClient) -> None:
    for authorization in AUTHORIZATIONS:
        headers = {} if authorization is None else {"Authorization": authorization}
        for method, path in (("GET", "/cases"), ("POST", "/cases"), ("GET", "/organisations")):
            response = api.request(method, path, token=None, headers=headers, json={"title": "x"})
            assert_problem(response, 401, "/unauthorized")


# --- 403 -----------------------------------------------------------------------------------


def test_roles_not_allowed_are_403(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    cid, etag = case["id"], f'"{case["version"]}"'
    refused = [
        (world.manager, "POST", "/tokens", {"name": "x", "role": "admin"}),
        (world.manager, "POST", "/organisations", {"name": "X", "kind": "company",
                                                   "email": "x@example.dk"}),
        (world.auditor, "POST", "/cases", {"title": "Revisor"}),
        (world.partner, "POST", "/cases", {"title": "Partner"}),
        (world.staff, "POST", f"/cases/{cid}/transitions", {"trigger": "cancel", "reason": "x"}),
        (world.auditor, "POST", f"/cases/{cid}/transitions", {"trigger": "cancel", "reason": "x"}),
        (world.staff, "POST", f"/cases/{cid}/participants",
         {"organisation_id": world.adopter["id"], "role": "municipality"}),
        (world.auditor, "PATCH", f"/cases/{cid}", {"need": {"description": "x"}}),
        (world.staff, "PATCH", f"/cases/{cid}", {"call": {"title": "x"}}),
        (world.staff, "PATCH", f"/cases/{cid}", {"title": "Ny titel"}),
        (world.manager, "POST", f"/cases/{cid}/proposals", {"title": "x"}),
        (world.staff, "GET", f"/cases/{cid}/proposals", None),
    ]  # fmt: skip
    for token, method, path, body in refused:
        response = api.request(method, path, token=token, json=body, headers={"If-Match": etag})
        assert_problem(response, 403, "/forbidden")
    # Staff may change the need.
    response = api.patch(
        f"/cases/{cid}",
        token=world.staff,
        json={"need": {"description": "Uro om eftermiddagen"}},
        headers={"If-Match": etag},
    )
    assert response.status_code == 200, response.text


def test_only_municipalities_lead_and_only_companies_propose(api: ApiClient, world: World) -> None:
    company_manager = api.token("manager", world.company)
    assert_problem(api.post("/cases", token=company_manager, json={"title": "x"}), 403)
    institution = api.org("DTU Sundhedsteknologi", "knowledge_institution")
    researcher = api.token("partner", institution)
    case = drive(api, world, create_case(api, world), "match")
    response = api.post(f"/cases/{case['id']}/proposals", token=researcher, json={"title": "x"})
    assert_problem(response, 403)


# --- 404 -----------------------------------------------------------------------------------


def test_out_of_scope_cases_answer_404_like_missing_ones(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    cid = case["id"]
    etag = {"If-Match": f'"{case["version"]}"'}
    get = [("GET", f"/cases/{cid}", None), ("GET", f"/cases/{cid}/proposals", None)]
    manager_writes = [
        ("PATCH", f"/cases/{cid}", {"need": {"description": "x"}}),
        ("POST", f"/cases/{cid}/transitions", {"trigger": "cancel", "reason": "x"}),
        ("POST", f"/cases/{cid}/participants", {"organisation_id": 1, "role": "partner"}),
    ]
    partner_writes = [("POST", f"/cases/{cid}/proposals", {"title": "x"})]
    for token, requests in (
        (world.outsider_manager, get + manager_writes),
        (world.partner, get + partner_writes),  # a case in need is no published call
    ):
        for method, path, body in requests:
            out_of_scope = api.request(method, path, token=token, json=body, headers=etag)
            missing = api.request(
                method, path.replace(f"/{cid}", "/4242"), token=token, json=body, headers=etag
            )
            assert_problem(out_of_scope, 404, "/not-found")
            assert_problem(missing, 404, "/not-found")
            assert out_of_scope.json()["title"] == missing.json()["title"]
    assert api.get("/cases", token=world.outsider_manager).json() == {"items": [], "total": 0}
    assert_problem(api.get("/organisations/4242"), 404)


# --- 409 -------------------------------------------------------------------------------------


def test_advance_with_unmet_requirements_lists_every_code(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    response = trigger(api, case["id"], world.manager, "advance")
    body = assert_problem(response, 409, "/requirements-unmet")
    codes = [u["code"] for u in body["unmet"]]
    assert codes == list(EMPTY_NEED_UNMET)
    assert all(u["message"] for u in body["unmet"])
    assert body["unmet"][0]["message"].startswith("Behovet mangler")  # Danish by default

    english = api.post(
        f"/cases/{case['id']}/transitions",
        token=world.manager,
        json={"trigger": "advance"},
        headers={"If-Match": f'"{case["version"]}"', "Accept-Language": "en-GB,en;q=0.9"},
    )
    assert english.json()["unmet"][0]["message"].startswith("The need has no owner")

    with Session(api.db.engine) as session:
        refusals = session.execute(
            select(AuditEvent).where(
                col(AuditEvent.case_id) == case["id"],
                col(AuditEvent.action) == "case.transition_refused",
            )
        ).scalars().all()  # fmt: skip
        assert len(refusals) == 2
        stored = session.get(Case, case["id"])
        assert stored is not None and stored.state == "need" and stored.version == 1


UNAVAILABLE = [
    ([], "reopen", "Igen"),
    ([], "resume", None),
    ([], "send_back", "Tilbage"),
    ([("pause", "Afventer budget")], "advance", None),
    ([("pause", "Afventer budget")], "pause", "Igen"),
    ([("cancel", "Ingen midler")], "advance", None),
    ([("cancel", "Ingen midler")], "cancel", "Igen"),
]


def test_trigger_not_available_is_invalid_transition(api: ApiClient, world: World) -> None:
    for setup, name, reason in UNAVAILABLE:
        case = create_case(api, world)
        for step, why in setup:
            assert trigger(api, case["id"], world.manager, step, why).status_code == 200
        response = trigger(api, case["id"], world.manager, name, reason)
        assert_problem(response, 409, "/invalid-transition")


def test_late_proposal_is_409(api: ApiClient, world: World) -> None:
    case = drive(api, world, create_case(api, world), "match")
    api.clock.advance(days=41)
    response = api.post(f"/cases/{case['id']}/proposals", token=world.partner, json={"title": "x"})
    body = assert_problem(response, 409, "/conflict")
    assert "deadline" in body["detail"]


def test_proposal_outside_match_is_409(api: ApiClient, world: World) -> None:
    case = drive(api, world, create_case(api, world), "agreement")
    # The selected company takes part in the case, so it sees it, but the call is closed.
    response = api.post(f"/cases/{case['id']}/proposals", token=world.partner, json={"title": "x"})
    assert_problem(response, 409)


# --- 412 / 428 ----------------------------------------------------------------------------------


def test_stale_or_foreign_if_match_is_412(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    for if_match in ('"7"', 'W/"1"', "garbage", '"x"', '"2", "3"'):
        for method, path, body in (
            ("PATCH", f"/cases/{case['id']}", {"need": {"description": "x"}}),
            ("POST", f"/cases/{case['id']}/transitions", {"trigger": "cancel", "reason": "x"}),
        ):
            response = api.request(
                method, path, token=world.manager, json=body, headers={"If-Match": if_match}
            )
            assert_problem(response, 412, "/stale-version")
            assert response.headers["etag"] == '"1"'
    assert etag_of(api, case["id"], world.manager) == '"1"'


def test_if_match_lists_and_star_follow_rfc_9110(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    path = f"/cases/{case['id']}"
    ok = api.patch(path, token=world.manager, json={"title": "A"}, headers={"If-Match": '"9", "1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    star = api.patch(path, token=world.manager, json={"title": "B"}, headers={"If-Match": "*"})
    assert star.status_code == 200 and star.headers["etag"] == '"3"'


def test_missing_if_match_is_428(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    for method, path, body in (
        ("PATCH", f"/cases/{case['id']}", {"need": {"description": "x"}}),
        ("POST", f"/cases/{case['id']}/transitions", {"trigger": "cancel", "reason": "x"}),
    ):
        for headers in ({}, {"If-Match": ""}):
            response = api.request(method, path, token=world.manager, json=body, headers=headers)
            assert_problem(response, 428, "/if-match-required")


# --- 422 / 400 ------------------------------------------------------------------------------------

BAD_CASE_BODIES = [
    {},
    {"title": ""},
    {"title": "   "},
    {"title": 42},
    {"title": "x" * 301},
    {"title": "x", "need": {"legal_track": "handshake"}},
    {"title": "x", "need": {"owner_email": "not-an-email"}},
    {"title": "x", "need": {"unknown_field": 1}},
    {"title": "x", "need": "not an object"},
    {"title": "x", "lead_municipality_id": 5},
    {"title": "nul\u0000byte"},
    {"title": "x", "need": {"description": "nul\u0000byte"}},
    ["not", "an", "object"],
    None,
]


def test_invalid_case_bodies_are_422(api: ApiClient, world: World) -> None:
    for body in BAD_CASE_BODIES:
        response = api.post("/cases", token=world.manager, json=body)
        assert response.status_code == 422, (body, response.text)
        assert_problem(response, 422)
    assert api.get("/cases", token=world.manager).json()["total"] == 0


def test_invalid_patch_bodies_are_422(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    bad = [
        {"call": {"criteria": [{"name": "effekt"}]}},
        {"call": {"criteria": [{"name": "effekt", "weight": 101}]}},
        {"call": {"submission_deadline": "2027-01-01T00:00:00"}},  # no time zone
        {"call": {"submission_deadline": "tomorrow"}},
        {"call": {"min_proposals": 10**40}},
        {"pilot": {"start_date": "2027-02-30"}},
        {"scale": {"purchase_route": "barter"}},
        {"state": "completed"},
        {"version": 99},
        {"title": None},
    ]
    for body in bad:
        response = api.patch(
            f"/cases/{case['id']}", token=world.manager, json=body, headers={"If-Match": '"1"'}
        )
        assert_problem(response, 422)
    assert etag_of(api, case["id"], world.manager) == '"1"'


def test_other_invalid_input_is_422(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    etag = {"If-Match": '"1"'}
    cid = case["id"]
    cases = [
        ("POST", f"/cases/{cid}/transitions", {"trigger": "fly"}, etag),
        ("POST", f"/cases/{cid}/transitions", {"trigger": "cancel"}, etag),  # reason needed
        ("POST", f"/cases/{cid}/transitions", {"trigger": "cancel", "reason": "   "}, etag),
        ("POST", f"/cases/{cid}/transitions", {"trigger": "cancel", "reason": "x" * 5001}, etag),
        ("POST", f"/cases/{cid}/participants", {"organisation_id": 10**30, "role": "partner"}, {}),
        ("POST", f"/cases/{cid}/participants", {"organisation_id": 4242, "role": "partner"}, {}),
        ("POST", f"/cases/{cid}/participants", {"organisation_id": 1, "role": "lead"}, {}),
        ("POST", f"/cases/{cid}/participants", {"organisation_id": "1; drop", "role": "x"}, {}),
        ("POST", "/organisations", {"name": "X", "kind": "alien", "email": "x@example.dk"}, {}),
        ("POST", "/organisations", {"name": "X", "kind": "company", "email": "x"}, {}),
        ("POST", "/organisations", {"name": "X", "kind": "company", "email": "x@example.dk",
                                    "cvr": "123"}, {}),
        ("POST", "/organisations", {"name": "X", "kind": "company", "email": "x@example.dk",
                                    "webhook_url": "ftp://example.dk/hook"}, {}),
        ("POST", "/tokens", {"name": "x", "role": "emperor"}, {}),
        ("POST", "/tokens", {"name": "x", "role": "manager"}, {}),  # needs an organisation
        ("POST", "/tokens", {"name": "x", "role": "manager", "organisation_id": 4242}, {}),
        ("GET", "/cases?state=limbo", None, {}),
        ("GET", "/cases?limit=0", None, {}),
        ("GET", "/cases?limit=100000", None, {}),
        ("GET", "/cases?offset=-1", None, {}),
        ("GET", f"/cases?offset={10**20}", None, {}),
        ("GET", f"/cases?municipality_id={10**20}", None, {}),
        ("GET", "/cases?overdue=perhaps", None, {}),
        ("GET", "/cases?stat=match", None, {}),  # a typo must not silently list everything
        ("GET", "/cases?state=need&state=match", None, {}),
        ("GET", "/organisations?=x", None, {}),
        ("GET", f"/cases/{10**20}", None, {}),
        ("GET", "/cases/0", None, {}),
        ("GET", "/cases/abc", None, {}),
    ]  # fmt: skip
    for method, path, body, headers in cases:
        response = api.request(method, path, json=body, headers=headers)
        assert response.status_code == 422, (method, path, body, response.text)
        assert_problem(response, 422)


def test_malformed_json_is_a_4xx_problem(api: ApiClient, world: World) -> None:
    for raw in (b"{", b'{"title": }', b"\xff\xfe\x00", b"[" * 100_000, b"nul"):
        response = api.post(
            "/cases",
            token=world.manager,
            content=raw,
            headers={"Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (raw[:10], response.text)
        assert response.headers["content-type"].startswith(PROBLEM)


def test_wrong_content_type_is_a_4xx_problem(api: ApiClient, world: World) -> None:
    response = api.post(
        "/cases", token=world.manager, content=b"title=x", headers={"Content-Type": "text/plain"}
    )
    assert_problem(response, 422)


def test_merge_patch_media_type_is_accepted(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    response = api.patch(
        f"/cases/{case['id']}",
        token=world.manager,
        content=b'{"need": {"description": "Uro"}}',
        headers={"If-Match": '"1"', "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["need"]["description"] == "Uro"


# --- 413 ------------------------------------------------------------------------------------


def test_oversized_bodies_are_413(
    api: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflow.core.settings import get_settings

    monkeypatch.setenv("OPI_MAX_BODY_BYTES", "2000")
    get_settings.cache_clear()
    big = {"title": "x", "need": {"description": "y" * 5000}}
    assert_problem(api.post("/cases", token=world.manager, json=big), 413)
    with_key = api.post("/cases", token=world.manager, json=big, headers={"Idempotency-Key": "k"})
    assert_problem(with_key, 413)

    def chunks() -> Any:
        for _ in range(10):
            yield b" " * 500
        yield b'{"title": "x"}'

    # No Content-Length: counted as it streams in.
    streamed = api.post(
        "/cases",
        token=world.manager,
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert_problem(streamed, 413)
    case = create_case(api, world)  # a small body still passes
    patch = api.patch(
        f"/cases/{case['id']}", token=world.manager, json=big, headers={"If-Match": '"1"'}
    )
    assert_problem(patch, 413)
    get_settings.cache_clear()
