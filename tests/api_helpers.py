"""Fixtures and helpers for tests that drive the HTTP API in-process, on SQLite and PostgreSQL.

Registered for every test module by `pytest_plugins` in `tests/conftest.py`, so any test can ask
for them by name:

- `api` (`ApiClient`): a `fastapi.testclient.TestClient` on a fresh app (`create_app()`)
  whose database is the parametrised `db` fixture, so a test using `api` runs once on SQLite
  and once on PostgreSQL. The process-wide settings and engine (`get_settings`,
  `get_engine`, both `lru_cache`d) are pointed at the test database for the test's length
  and restored after it, so everything in-process (routes, middleware, `session_scope()`)
  uses it. The bootstrap admin token is `ADMIN_TOKEN`. The lifespan is not run, so no
  scheduler starts.
- `api.clock` (`Clock`): the time every route sees (the `api.deps.get_now` dependency is
  overridden). It starts at `NOW` and only moves when a test calls `api.clock.advance(...)`.
- `api.request(method, path, token=..., **httpx_kwargs)` and `get/post/patch` shortcuts:
  `path` is relative to `/api/v1`, `token` defaults to the admin token (`None` sends no
  `Authorization` header).
- `api.org(name, kind)` creates an organisation and returns its JSON; `api.token(role, org)`
  creates a token for it and returns the bearer string; `api.world()` builds the usual cast
  (lead municipality with manager, staff, and partner tokens for two companies, an adopting
  municipality and an auditor).

Example::

    def test_something(api: ApiClient) -> None:
        lead = api.org("Furesø Kommune")
        manager = api.token("manager", lead["id"])
        created = api.post("/cases", token=manager, json={"title": "Rolige dage"})
        assert created.status_code == 201
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from api.app import API_PREFIX, create_app
from api.deps import get_now
from states import REQUIREMENTS, CaseState
from states.ready import ready_sections
from tests.factories import NOW, DatabaseTarget
from workflow.core.db import get_engine
from workflow.core.settings import get_settings

ADMIN_TOKEN = "opi-test-admin-token"


@dataclass
class Clock:
    """The API's notion of now in a test: fixed until advanced."""

    now: datetime = NOW

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by `timedelta(**delta)` and return the new time."""
        self.now += timedelta(**delta)
        return self.now


@dataclass
class World:
    """Organisations and their tokens for a typical OPI story."""

    lead: dict[str, Any]
    company: dict[str, Any]
    rival: dict[str, Any]
    adopter: dict[str, Any]
    manager: str
    staff: str
    partner: str
    rival_partner: str
    auditor: str
    outsider_manager: str
    """A manager of a municipality with no part in the story's cases."""


@dataclass
class ApiClient:
    """A test client on the API with the helpers above."""

    client: TestClient
    db: DatabaseTarget
    clock: Clock = field(default_factory=Clock)

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = ADMIN_TOKEN,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request to `/api/v1{path}` as the holder of `token`."""
        all_headers = dict(headers or {})
        if token is not None:
            all_headers.setdefault("Authorization", f"Bearer {token}")
        return self.client.request(method, API_PREFIX + path, headers=all_headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET `path`."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """POST `path`."""
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        """PATCH `path` (send `json=` and an `If-Match` header)."""
        return self.request("PATCH", path, **kwargs)

    def org(self, name: str, kind: str = "municipality", **fields: Any) -> dict[str, Any]:
        """Create an organisation as admin and return it."""
        body = {"name": name, "kind": kind, "email": f"kontakt{len(name)}@example.dk", **fields}
        response = self.post("/organisations", json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def token(self, role: str, organisation: dict[str, Any] | None = None) -> str:
        """Create a token for `role` (in `organisation`) as admin and return it."""
        body = {
            "name": f"{role} {organisation['name'] if organisation else ''}".strip(),
            "role": role,
            "organisation_id": organisation["id"] if organisation else None,
        }
        response = self.post("/tokens", json=body)
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    def world(self) -> World:
        """Furesø leads; two companies compete; Randers adopts; Gladsaxe is an outsider."""
        lead = self.org("Furesø Kommune")
        company = self.org("RoligRum ApS", "company")
        rival = self.org("SenseCare Nordic A/S", "company", language="en")
        adopter = self.org("Randers Kommune")
        outsider = self.org("Gladsaxe Kommune")
        return World(
            lead=lead,
            company=company,
            rival=rival,
            adopter=adopter,
            manager=self.token("manager", lead),
            staff=self.token("staff", lead),
            partner=self.token("partner", company),
            rival_partner=self.token("partner", rival),
            auditor=self.token("auditor"),
            outsider_manager=self.token("manager", outsider),
        )


@pytest.fixture
def api(db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiClient]:
    """The API in-process on the parametrised test database (see the module docstring)."""
    monkeypatch.setenv("OPI_DATABASE_URL", db.url)
    monkeypatch.setenv("OPI_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("OPI_ENVIRONMENT", "test")
    get_settings.cache_clear()
    get_engine.cache_clear()
    app = create_app()
    clock = Clock()
    app.dependency_overrides[get_now] = lambda: clock.now
    client = TestClient(app)
    try:
        yield ApiClient(client, db, clock)
    finally:
        client.close()
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()


# --- driving a case through its phases over HTTP -------------------------------------------


def etag_of(api: ApiClient, case_id: int, token: str) -> str:
    """The case's current `ETag`."""
    response = api.get(f"/cases/{case_id}", token=token)
    assert response.status_code == 200, response.text
    return response.headers["etag"]


def patch_case(api: ApiClient, case_id: int, patch: dict[str, Any], token: str) -> dict[str, Any]:
    """Merge-patch the case at its current version; assert success and return the case."""
    response = api.patch(
        f"/cases/{case_id}",
        token=token,
        json=patch,
        headers={"If-Match": etag_of(api, case_id, token)},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def trigger(
    api: ApiClient, case_id: int, token: str, name: str, reason: str | None = None
) -> httpx.Response:
    """POST a transition at the case's current version."""
    return api.post(
        f"/cases/{case_id}/transitions",
        token=token,
        json={"trigger": name, "reason": reason},
        headers={"If-Match": etag_of(api, case_id, token)},
    )


def join_need(api: ApiClient, w: World, case_id: int, token: str) -> None:
    """The municipality whose manager holds `token` asks to join the shared need, and the
    lead's manager accepts: it co-owns the need from now on."""
    asked = api.post(f"/cases/{case_id}/join-requests", token=token, json={})
    assert asked.status_code == 201, asked.text
    decided = api.post(
        f"/cases/{case_id}/join-requests/{asked.json()['id']}/decision",
        token=w.manager,
        json={"decision": "accept"},
    )
    assert decided.status_code == 200, decided.text


def create_case(api: ApiClient, w: World, need: dict[str, Any] | None = None) -> dict[str, Any]:
    """A case in `need` led by the world's lead municipality, created by its manager."""
    response = api.post(
        "/cases", token=w.manager, json={"title": "Rolige dage på plejehjemmet", "need": need or {}}
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def make_ready(api: ApiClient, w: World, case: dict[str, Any]) -> None:
    """Satisfy, over HTTP, every requirement of `advance` out of the case's current state."""
    cid, state, m = case["id"], case["state"], w.manager
    if state in ("need", "pilot", "scale"):
        # The phase's open sections from the requirements' examples; a pilot ends before the
        # manager records it.
        ready = ready_sections(state, api.clock.now)
        if state == "pilot":
            api.clock.advance(days=1)
        patch_case(api, cid, ready, m)
    elif state == "match":
        ids = []
        for token in (w.partner, w.rival_partner):
            response = api.post(
                f"/cases/{cid}/proposals", token=token, json={"title": "Sanserum", "summary": "…"}
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        api.clock.advance(days=41)  # past the call's submission deadline
        criteria = [c["name"] for c in case["call"]["criteria"]]
        for pid, verdict in zip(ids, ("selected", "rejected"), strict=True):
            response = api.post(
                f"/cases/{cid}/proposals/{pid}/assessments",
                token=m,
                json={
                    "scores": dict.fromkeys(criteria, 7),
                    "rationale": "Vurderet mod kriterierne.",
                    "conflict_of_interest": False,
                },
            )
            assert response.status_code == 201, response.text
            response = api.post(
                f"/cases/{cid}/proposals/{pid}/decision",
                token=m,
                json={"decision": verdict, "rationale": "Bedst på effekt og pris."},
            )
            assert response.status_code == 201, response.text
    elif state == "agreement":
        for req in REQUIREMENTS[CaseState.AGREEMENT]:
            for kind in req.documents:  # the DPA and the DPIA, attached as documents
                response = api.post(
                    f"/cases/{cid}/documents",
                    token=m,
                    data={"kind": kind.value, "title": f"{kind.value} (test)"},
                    files={"file": (f"{kind.value}.txt", b"Underskrevet.\n", "text/plain")},
                )
                assert response.status_code == 201, response.text
        for org in (w.lead, w.company):
            response = api.post(
                f"/cases/{cid}/signatures",
                token=m,
                json={
                    "organisation_id": org["id"],
                    "signatory_name": "Underskriver",
                    "signed_at": api.clock.now.isoformat(),
                },
            )
            assert response.status_code == 201, response.text
        patch_case(api, cid, ready_sections(state, api.clock.now), m)
    else:
        raise ValueError(f"nothing to make ready in {state}")


def drive(api: ApiClient, w: World, case: dict[str, Any], target: str) -> dict[str, Any]:
    """Advance the case over HTTP, phase by phase, until it is in `target`."""
    while case["state"] != target:
        make_ready(api, w, case)
        api.clock.advance(hours=1)
        response = trigger(api, case["id"], w.manager, "advance")
        assert response.status_code == 200, response.text
        case = response.json()
    return case
