"""The rights table driven through the real API and the real pages, role by role.

Each role (with a lead and a participating municipality told apart, and a municipality with
no part in the case) tries every guarded action once; the expected answer is written out from
SPEC §4's table and README's rights table: `ok` (the action reached the workflow: 2xx, or a
409 when the case's state refuses it), `403` (the role or municipality may not), `404` (the
case lies outside the caller's scope). `tests/workflow/access/test_policy.py` holds the same
table for the policy itself.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import ADMIN_TOKEN, ApiClient, World, patch_case, trigger
from tests.factories import ready_call, ready_need
from tests.web_support import csrf_of, signed_in_client

OK, FORBIDDEN, MISSING = "ok", "403", "404"


@dataclass
class Scene:
    """Two cases led by Furesø, in `need` and in `match`, that Aarhus and RoligRum take part in."""

    world: World
    need_case: int
    match_case: int
    proposal: int
    deadline: int
    knowledge: int
    tokens: dict[str, str]
    criteria: list[str]


def _scene(api: ApiClient) -> Scene:
    w = api.world()
    aarhus = api.org("Aarhus Kommune")
    knowledge = api.org("Aarhus Universitet", "knowledge_institution")
    cases = []
    for _ in range(2):
        created = api.post(
            "/cases", token=w.manager, json={"title": "Rolige dage", "need": ready_need()}
        )
        assert created.status_code == 201, created.text
        cid = created.json()["id"]
        for org, role in ((aarhus, "municipality"), (w.company, "partner")):
            added = api.post(
                f"/cases/{cid}/participants",
                token=w.manager,
                json={"organisation_id": org["id"], "role": role},
            )
            assert added.status_code == 201, added.text
        cases.append(cid)
    need_case, match_case = cases
    patch_case(api, match_case, {"call": ready_call(api.clock.now)}, w.manager)
    assert trigger(api, match_case, w.manager, "advance").status_code == 200
    proposal = api.post(
        f"/cases/{match_case}/proposals",
        token=w.partner,
        json={"title": "Sanserum", "summary": "…"},
    )
    assert proposal.status_code == 201, proposal.text
    deadline = api.post(
        f"/cases/{match_case}/deadlines",
        token=w.manager,
        json={"title": "Møde", "due_at": (api.clock.now + timedelta(days=20)).isoformat()},
    )
    assert deadline.status_code == 201, deadline.text
    tokens = {
        "admin": ADMIN_TOKEN,
        "manager": w.manager,
        "staff": w.staff,
        "other_manager": api.token("manager", aarhus),
        "other_staff": api.token("staff", aarhus),
        "partner": w.partner,
        "auditor": w.auditor,
        "outsider_manager": w.outsider_manager,
    }
    criteria = [c["name"] for c in ready_call(api.clock.now)["criteria"]]
    return Scene(
        w,
        need_case,
        match_case,
        proposal.json()["id"],
        deadline.json()["id"],
        knowledge["id"],
        tokens,
        criteria,
    )


def _etag(api: ApiClient, case_id: int) -> str:
    return api.get(f"/cases/{case_id}").headers["etag"]


Probe = Callable[[ApiClient, Scene, str], httpx.Response]


def _patch(section: dict[str, Any]) -> Probe:
    def probe(api: ApiClient, s: Scene, token: str) -> httpx.Response:
        return api.patch(
            f"/cases/{s.need_case}",
            token=token,
            json=section,
            headers={"If-Match": _etag(api, s.need_case)},
        )

    return probe


API_PROBES: dict[str, Probe] = {
    "read_case": lambda api, s, t: api.get(f"/cases/{s.match_case}", token=t),
    "create_case": lambda api, s, t: api.post("/cases", token=t, json={"title": "Ny sag"}),
    "edit_need": _patch({"need": {"description": "Et skarpere behov."}}),
    "edit_title": _patch({"title": "Ny titel"}),
    "trigger": lambda api, s, t: api.post(
        f"/cases/{s.match_case}/transitions",
        token=t,
        json={"trigger": "resume"},  # not on hold: allowed callers get 409, none changes it
        headers={"If-Match": _etag(api, s.match_case)},
    ),
    "add_participant": lambda api, s, t: api.post(
        f"/cases/{s.need_case}/participants",
        token=t,
        json={"organisation_id": s.knowledge, "role": "knowledge_partner"},
    ),
    "submit_proposal": lambda api, s, t: api.post(
        f"/cases/{s.match_case}/proposals", token=t, json={"title": "Endnu et", "summary": "…"}
    ),
    "read_proposals": lambda api, s, t: api.get(f"/cases/{s.match_case}/proposals", token=t),
    "read_proposal": lambda api, s, t: api.get(
        f"/cases/{s.match_case}/proposals/{s.proposal}", token=t
    ),
    "assess": lambda api, s, t: api.post(
        f"/cases/{s.match_case}/proposals/{s.proposal}/assessments",
        token=t,
        json={
            "scores": dict.fromkeys(s.criteria, 7),
            "rationale": "Vurderet.",
            "conflict_of_interest": False,
        },
    ),
    "decide": lambda api, s, t: api.post(
        f"/cases/{s.match_case}/proposals/{s.proposal}/decision",
        token=t,
        json={"decision": "selected", "rationale": "Bedst."},
    ),
    "sign": lambda api, s, t: api.post(  # the case is in match: allowed callers get 409
        f"/cases/{s.match_case}/signatures",
        token=t,
        json={
            "organisation_id": s.world.lead["id"],
            "signatory_name": "Borgmester",
            "signed_at": api.clock.now.isoformat(),
        },
    ),
    "add_deadline": lambda api, s, t: api.post(
        f"/cases/{s.match_case}/deadlines",
        token=t,
        json={"title": "Statusmøde", "due_at": (api.clock.now + timedelta(days=9)).isoformat()},
    ),
    "move_deadline": lambda api, s, t: api.patch(
        f"/deadlines/{s.deadline}",
        token=t,
        json={"due_at": (api.clock.now + timedelta(days=30)).isoformat(), "reason": "Flyttet."},
    ),
    "upload_document": lambda api, s, t: api.post(
        f"/cases/{s.match_case}/documents",
        token=t,
        data={"kind": "other", "title": "Notat"},
        files={"file": ("notat.txt", b"Notat.\n", "text/plain")},
    ),
    "upload_proposal_document": lambda api, s, t: api.post(
        f"/cases/{s.match_case}/proposals/{s.proposal}/documents",
        token=t,
        data={"kind": "proposal", "title": "Bilag"},
        files={"file": ("bilag.txt", b"Bilag.\n", "text/plain")},
    ),
    "read_documents": lambda api, s, t: api.get(f"/cases/{s.match_case}/documents", token=t),
    "read_reminders": lambda api, s, t: api.get(f"/cases/{s.match_case}/notifications", token=t),
    "read_case_audit": lambda api, s, t: api.get(f"/cases/{s.match_case}/audit", token=t),
    "read_audit": lambda api, s, t: api.get("/audit", token=t),
    "create_organisation": lambda api, s, t: api.post(
        "/organisations",
        token=t,
        json={"name": "Ny ApS", "kind": "company", "email": "ny@example.dk"},
    ),
    "create_token": lambda api, s, t: api.post(
        "/tokens", token=t, json={"name": "Revisor", "role": "auditor"}
    ),
    "read_overview": lambda api, s, t: api.get("/overview", token=t),
    "read_lead_overview": lambda api, s, t: api.get(
        "/overview", token=t, params={"municipality_id": s.world.lead["id"]}
    ),
}

_ = OK
X = FORBIDDEN
N = MISSING
# Columns: admin, lead manager, lead staff, participating municipality's manager and staff,
# the participating company's partner, auditor, a manager of a municipality with no part.
ROLES = (
    "admin",
    "manager",
    "staff",
    "other_manager",
    "other_staff",
    "partner",
    "auditor",
    "outsider_manager",
)
API_TABLE: dict[str, tuple[str, ...]] = {
    # admin, manager, staff, other_manager, other_staff, partner, auditor, outsider_manager
    "read_case": (_, _, _, _, _, _, _, N),
    "create_case": (X, _, _, _, _, X, X, _),
    "edit_need": (_, _, _, X, X, X, X, N),
    "edit_title": (_, _, X, X, X, X, X, N),
    "trigger": (_, _, X, X, X, X, X, N),
    "add_participant": (_, _, X, X, X, X, X, N),
    "submit_proposal": (X, X, X, X, X, _, X, X),
    "read_proposals": (_, _, X, _, X, _, _, N),
    "read_proposal": (_, _, X, _, X, _, _, N),
    "assess": (_, _, X, X, X, X, X, N),
    "decide": (_, _, X, X, X, X, X, N),
    "sign": (_, _, X, X, X, X, X, N),
    "add_deadline": (_, _, X, X, X, X, X, N),
    "move_deadline": (_, _, X, X, X, X, X, N),
    "upload_document": (_, _, _, X, X, X, X, N),
    "upload_proposal_document": (X, X, X, X, X, _, X, X),
    "read_documents": (_, _, _, _, _, _, _, N),
    "read_reminders": (_, _, X, _, X, X, _, N),
    "read_case_audit": (_, _, X, _, X, X, _, N),
    "read_audit": (_, _, X, _, X, X, _, _),
    "create_organisation": (_, X, X, X, X, X, X, X),
    "create_token": (_, X, X, X, X, X, X, X),
    "read_overview": (_, _, _, _, _, X, _, _),  # a municipality's people: their own
    "read_lead_overview": (_, _, _, X, X, X, _, X),
}


def _outcome(response: httpx.Response, ok: Callable[[int], bool]) -> str:
    """OK where `ok` says the status means the action was let through (done, or refused on
    its merits), the status where access was refused, and anything else as unexpected."""
    status = response.status_code
    if ok(status):
        return OK
    if status in (403, 404):
        return str(status)
    return f"unexpected {status}: {response.text[:300]}"


def _api_ok(status: int) -> bool:
    return status < 300 or status == 409


@pytest.mark.parametrize("who", ROLES)
def test_api_rights(api: ApiClient, who: str) -> None:
    scene = _scene(api)
    token = scene.tokens[who]
    found = {
        name: _outcome(probe(api, scene, token), _api_ok) for name, probe in API_PROBES.items()
    }
    expected = {name: row[ROLES.index(who)] for name, row in API_TABLE.items()}
    assert found == expected


# --- the same on the pages -----------------------------------------------------------------


def _signed_in(api: ApiClient, token: str) -> tuple[TestClient, str]:
    client = signed_in_client(api.client.app, token, "/ui/cases")
    page = client.get("/ui/cases")
    return client, csrf_of(page.text)  # the sign-out form carries the session's CSRF token


def _version(api: ApiClient, case_id: int) -> str:
    return _etag(api, case_id).strip('"')


WebProbe = Callable[[ApiClient, Scene, TestClient, str], httpx.Response]


def _need_case_form(
    api: ApiClient, s: Scene, c: TestClient, csrf: str, action: str, fields: dict[str, str]
) -> httpx.Response:
    """Post a form of the need case's page, with the session's CSRF token and the case's
    current version, as the page would."""
    version = _version(api, s.need_case)
    return c.post(
        f"/ui/cases/{s.need_case}/{action}", data={"csrf_token": csrf, "version": version, **fields}
    )


WEB_PROBES: dict[str, WebProbe] = {
    "case_page": lambda api, s, c, csrf: c.get(f"/ui/cases/{s.need_case}"),
    "edit_need": lambda api, s, c, csrf: _need_case_form(
        api, s, c, csrf, "sections/need", {"f.description": "Et skarpere behov."}
    ),
    "edit_call": lambda api, s, c, csrf: _need_case_form(
        api, s, c, csrf, "sections/call", {"f.title": "Nyt opslag"}
    ),
    "trigger": lambda api, s, c, csrf: _need_case_form(
        api, s, c, csrf, "transitions", {"trigger": "resume"}
    ),
    "proposal_page": lambda api, s, c, csrf: c.get(
        f"/ui/cases/{s.match_case}/proposals/{s.proposal}"
    ),
    "audit_page": lambda api, s, c, csrf: c.get("/ui/audit"),
    "leaders_page": lambda api, s, c, csrf: c.get("/ui/leaders"),
}

WEB_TABLE: dict[str, tuple[str, ...]] = {
    # admin, manager, staff, other_manager, other_staff, partner, auditor, outsider_manager
    "case_page": (_, _, _, _, _, _, _, N),
    "edit_need": (_, _, _, X, X, X, X, N),
    "edit_call": (_, _, X, X, X, X, X, N),
    "trigger": (_, _, X, X, X, X, X, N),
    "proposal_page": (_, _, N, _, N, _, _, N),
    "audit_page": (_, _, X, _, X, X, _, _),
    "leaders_page": (_, _, _, _, _, X, _, _),
}


def _page_ok(status: int) -> bool:
    return status < 400 or status in (409, 422)


@pytest.mark.parametrize(
    ("table", "probes"), [(API_TABLE, API_PROBES), (WEB_TABLE, WEB_PROBES)], ids=["api", "web"]
)
def test_the_table_covers_every_probe(
    table: dict[str, tuple[str, ...]], probes: dict[str, object]
) -> None:
    assert set(table) == set(probes)
    assert all(len(row) == len(ROLES) for row in table.values())


@pytest.mark.parametrize("who", ROLES)
def test_page_rights(api: ApiClient, who: str) -> None:
    scene = _scene(api)
    client, csrf = _signed_in(api, scene.tokens[who])
    found = {
        name: _outcome(probe(api, scene, client, csrf), _page_ok)
        for name, probe in WEB_PROBES.items()
    }
    expected = {name: row[ROLES.index(who)] for name, row in WEB_TABLE.items()}
    assert found == expected
