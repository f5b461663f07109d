"""Organisations and tokens: admins create them, audited; secrets are shown once."""

import hashlib
import json

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from api.cli import main as opi
from tests.api_helpers import ApiClient
from workflow.models import ApiToken, AuditEvent, Organisation


def test_organisation_is_created_audited_and_readable_by_all(api: ApiClient) -> None:
    body = {
        "name": "SenseCare Nordic A/S",
        "kind": "company",
        "email": "kontakt@sensecare.example",
        "language": "en",
        "cvr": "12345678",
        "webhook_url": "https://hooks.sensecare.example/opi",
    }
    created = api.post("/organisations", json=body)
    assert created.status_code == 201, created.text
    org = created.json()
    secret = org.pop("webhook_secret")
    assert secret and len(secret) >= 32
    assert created.headers["location"] == f"/api/v1/organisations/{org['id']}"
    assert {k: org[k] for k in body} == body

    partner = api.token("partner", org)
    auditor = api.token("auditor")
    # Everyone reads the organisation; its webhook address only its own people (and admins).
    for token, seen in ((partner, org), (auditor, {**org, "webhook_url": None})):
        one = api.get(f"/organisations/{org['id']}", token=token)
        assert one.status_code == 200 and one.json() == seen
        listed = api.get("/organisations", token=token)
        assert listed.json() == {"items": [seen], "total": 1}
        assert secret not in one.text + listed.text
        assert "webhook_secret" not in one.text + listed.text

    with Session(api.db.engine) as session:
        stored = session.get(Organisation, org["id"])
        assert stored is not None and stored.webhook_secret == secret
        event = session.execute(
            select(AuditEvent).where(col(AuditEvent.action) == "organisation.created")
        ).scalar_one()
        assert event.actor_name == "bootstrap-admin"
        assert json.loads(event.data)["organisation_id"] == org["id"]
        assert secret not in event.data


def test_organisation_without_webhook_gets_no_secret(api: ApiClient) -> None:
    created = api.post(
        "/organisations",
        json={"name": "Furesø Kommune", "kind": "municipality", "email": "post@furesoe.dk"},
    )
    assert created.status_code == 201
    assert created.json()["webhook_secret"] is None
    assert created.json()["language"] == "da"


def test_organisations_are_paginated(api: ApiClient) -> None:
    for name in ("C Kommune", "A Kommune", "B Kommune"):
        api.org(name)
    page = api.get("/organisations?limit=2&offset=1").json()
    assert page["total"] == 3
    assert [o["name"] for o in page["items"]] == ["B Kommune", "C Kommune"]


def test_token_is_shown_once_stored_hashed_and_audited(api: ApiClient) -> None:
    lead = api.org("Furesø Kommune")
    created = api.post(
        "/tokens",
        json={"name": "Anne Projektleder", "role": "manager", "organisation_id": lead["id"]},
    )
    assert created.status_code == 201
    body = created.json()
    token = body.pop("token")
    assert body["name"] == "Anne Projektleder" and body["role"] == "manager"
    assert api.get("/cases", token=token).status_code == 200
    with Session(api.db.engine) as session:
        row = session.get(ApiToken, body["id"])
        assert row is not None
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        event = session.execute(
            select(AuditEvent).where(
                col(AuditEvent.action) == "token.created",
                col(AuditEvent.data).contains("Anne Projektleder"),
            )
        ).scalar_one()
        assert token not in event.data


def test_admin_and_auditor_tokens_may_have_no_organisation(api: ApiClient) -> None:
    for role in ("admin", "auditor"):
        response = api.post("/tokens", json={"name": role, "role": role})
        assert response.status_code == 201
        assert response.json()["organisation_id"] is None


def test_cli_token_create_prints_a_working_token(
    api: ApiClient, capsys: pytest.CaptureFixture[str]
) -> None:
    lead = api.org("Furesø Kommune")
    assert (
        opi(["token", "create", "--name", "CLI", "--role", "manager", "--org", str(lead["id"])])
        == 0
    )
    token = capsys.readouterr().out.strip()
    assert token.startswith("opi_")
    assert api.get("/cases", token=token).status_code == 200
    assert opi(["token", "create", "--name", "CLI", "--role", "staff"]) == 2  # needs an --org
    assert "must belong to an organisation" in capsys.readouterr().err


def test_a_webhook_address_is_shown_only_to_its_organisation_and_admins(api: ApiClient) -> None:
    # Issue 15, finding 9: any partner could read any organisation's webhook address, and
    # with it the secret path token some receivers put there.
    url = "https://hooks.example/opi/s3cr3t-path-token"
    company = api.org("RoligRum ApS", "company", webhook_url=url)
    rival = api.org("SenseCare Nordic A/S", "company")
    lead = api.org("Furesø Kommune")
    own = api.token("partner", company)
    for token, shown in (
        (own, url),
        (None, url),  # the bootstrap admin
        (api.token("partner", rival), None),
        (api.token("manager", lead), None),
        (api.token("auditor"), None),
    ):
        kwargs = {} if token is None else {"token": token}
        one = api.get(f"/organisations/{company['id']}", **kwargs)
        assert one.status_code == 200 and one.json()["webhook_url"] == shown
        listed = api.get("/organisations", **kwargs).json()["items"]
        assert [o["webhook_url"] for o in listed if o["id"] == company["id"]] == [shown]
        if shown is None:
            assert "s3cr3t" not in one.text and "s3cr3t" not in str(listed)


def test_organisation_may_create_users_at_first_sign_in(api: ApiClient) -> None:
    """`sso_creates_users` is off unless asked for, and shown to everyone who reads it."""
    body = {"name": "Furesø Kommune", "kind": "municipality", "email": "opi@furesoe.dk"}
    plain = api.post("/organisations", json=body)
    assert plain.status_code == 201 and plain.json()["sso_creates_users"] is False
    on = api.post(
        "/organisations",
        json={**body, "name": "Gladsaxe Kommune", "cvr": "62761113", "sso_creates_users": True},
    )
    assert on.status_code == 201 and on.json()["sso_creates_users"] is True
    assert api.get(f"/organisations/{on.json()['id']}").json()["sso_creates_users"] is True
    refused = api.post("/organisations", json={**body, "sso_creates_users": "ja tak"})
    assert refused.status_code == 422
