"""Bad input is a 422 with nothing stored, never a 500 (issue 15, findings 4, 5, 6 and 12)."""

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.api_helpers import ApiClient
from workflow.models import ApiToken, AuditEvent, Organisation


def counts(api: ApiClient) -> tuple[int, int, int]:
    """Organisations, tokens and audit events stored."""
    with api.db.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (Organisation, ApiToken, AuditEvent)
        )


@pytest.mark.parametrize(
    "name",
    ["\u001c", " \u001f\u001e ", "Furesø\x00Kommune", "Fure\u0007sø", "\t\n", "x" * 201],
    ids=["file-separator", "separators-only", "nul", "bell", "whitespace", "too-long"],
)
def test_a_name_is_validated_after_cleaning_and_nothing_is_stored(
    api: ApiClient, name: str
) -> None:
    before = counts(api)
    body = {"name": name, "kind": "company", "email": "a@example.dk"}
    response = api.post("/organisations", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    token = api.post("/tokens", json={"name": name, "role": "auditor"})
    assert token.status_code == 422, token.text
    assert counts(api) == before


def test_a_name_is_stored_trimmed(api: ApiClient) -> None:
    created = api.org("  Furesø Kommune\u001c ")
    assert created["name"] == "Furesø Kommune"
    assert api.get(f"/organisations/{created['id']}").json()["name"] == "Furesø Kommune"


def test_a_signatory_name_with_a_control_character_is_refused(api: ApiClient) -> None:
    lead = api.org("Furesø Kommune")
    body: dict[str, Any] = {
        "organisation_id": lead["id"],
        "signatory_name": "\u001c",
        "signed_at": "2026-01-05T10:00:00+01:00",
    }
    case = api.post("/cases", token=api.token("manager", lead), json={"title": "Rolige dage"})
    response = api.post(f"/cases/{case.json()['id']}/signatures", json=body)
    assert response.status_code == 422, response.text


# --- dates (finding 4) and times in queries (finding 12) ------------------------------------


@pytest.mark.parametrize(
    "section, value",
    [
        ({"call": {"submission_deadline": "9999-12-31T23:30:00Z"}}, "far future"),
        ({"call": {"submission_deadline": "1999-12-31T23:30:00+01:00"}}, "last century"),
        ({"call": {"submission_deadline": 1_900_000_000}}, "a number"),
        ({"pilot": {"start_date": "2101-01-01"}}, "a day after 2100"),
        (
            {
                "scale": {
                    "adopting_municipalities": [{"name": "R", "letter_of_intent_at": "0001-01-01"}]
                }
            },
            "nested",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_dates_outside_2000_2100_are_refused_and_nothing_changes(
    api: ApiClient, section: dict[str, Any], value: str
) -> None:
    lead = api.org("Furesø Kommune")
    manager = api.token("manager", lead)
    case = api.post("/cases", token=manager, json={"title": "Rolige dage"}).json()
    before = api.get(f"/cases/{case['id']}", token=manager)
    response = api.patch(
        f"/cases/{case['id']}", token=manager, json=section, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 422, response.text
    after = api.get(f"/cases/{case['id']}", token=manager)
    assert after.headers["etag"] == before.headers["etag"]
    assert after.json() == before.json()


def test_the_bounds_themselves_are_accepted(api: ApiClient) -> None:
    lead = api.org("Furesø Kommune")
    manager = api.token("manager", lead)
    case = api.post("/cases", token=manager, json={"title": "Rolige dage"}).json()
    patch = {"call": {"submission_deadline": "2100-12-31T23:59:00+01:00"}}
    response = api.patch(
        f"/cases/{case['id']}", token=manager, json=patch, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    patch = {"call": {"submission_deadline": "2000-01-01T00:00:00+00:00"}}
    response = api.patch(
        f"/cases/{case['id']}", token=manager, json=patch, headers={"If-Match": '"2"'}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "query",
    ["until=0.5", "since=1700000000", "until=9999-12-31T00:00:00Z", "since=yesterday", "casee=1"],
)
def test_audit_filters_refuse_what_is_not_a_time_or_not_a_filter(
    api: ApiClient, query: str
) -> None:
    response = api.get(f"/audit?{query}")
    assert response.status_code == 422, response.text
    assert api.get("/audit?since=2026-01-01T00:00:00&until=2026-12-31T00:00:00Z").status_code == 200


# --- the smaller findings (12) --------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("DELETE", "/api/v1/cases", "GET, POST"),
        ("PUT", "/api/v1/cases/1", "GET, PATCH"),
        ("DELETE", "/ui/cases/1/transitions", "POST"),
    ],
)
def test_a_405_lists_every_method_of_the_path(
    api: ApiClient, method: str, path: str, allowed: str
) -> None:
    response = api.client.request(method, path, follow_redirects=False)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed


def test_readyz_names_no_database_host_port_or_name(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflow.core.db import get_engine
    from workflow.core.settings import get_settings

    # A local address where nothing listens: the check fails at once, without the network.
    monkeypatch.setenv("OPI_DATABASE_URL", "postgresql+psycopg://opi@127.0.0.1:9/opi_prod")
    get_settings.cache_clear()
    get_engine.cache_clear()
    response = api.client.get("/readyz")
    assert response.status_code == 503
    assert "127.0.0.1" not in response.text and "opi_prod" not in response.text


def test_hsts_is_sent_over_https_only(api: ApiClient) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    plain = api.client.get("/healthz")
    assert "strict-transport-security" not in plain.headers
    secure = TestClient(create_app(), base_url="https://opi.example.dk")
    for path in ("/healthz", "/ui/login"):
        answer = secure.get(path)
        assert answer.headers["strict-transport-security"] == "max-age=31536000", path
