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
