"""`GET /audit`, `GET /audit/verify` and `GET /cases/{id}/audit` over HTTP, on both databases."""

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.app import create_app
from api.deps import get_session
from tests.audit_support import KEY, Story, attacker, overwrite, tell_story
from tests.factories import NOW, DatabaseTarget
from workflow.access.actor import SYSTEM_CLI
from workflow.access.tokens import create_token
from workflow.audit.query import parse_csv_event
from workflow.audit.writer import canonical_json, event_bytes
from workflow.core.settings import Settings, get_settings
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent, Organisation

API = "/api/v1"


@dataclass
class Api:
    """A test client on the test database and a bearer token per kind of caller."""

    client: TestClient
    story: Story
    tokens: dict[str, str]

    def get(self, path: str, who: str | None = "auditor", **kwargs: Any) -> Any:
        """GET `path` as `who` (None: without a token)."""
        headers = dict(kwargs.pop("headers", {}))
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.get(API + path, headers=headers, **kwargs)


def _tokens(db: DatabaseTarget, story: Story) -> dict[str, str]:
    with Session(db.engine) as session:
        company = session.exec(select(Organisation).where(Organisation.kind == "company")).first()
        assert company is not None
        specs = {
            "auditor": ("Revisor Rigmor", "auditor", None),
            "admin": ("Admin Ane", "admin", None),
            "manager": ("Anne Projektleder", "manager", story.lead_id),
            "other_manager": ("Ole Projektleder", "manager", story.other_lead_id),
            "staff": ("Sofie Medarbejder", "staff", story.lead_id),
            "partner": ("Pia Partner", "partner", company.id),
        }
        tokens = {}
        work = UnitOfWork(session)
        for who, (name, role, org) in specs.items():
            _, tokens[who] = create_token(
                work, SYSTEM_CLI, name=name, role=role, organisation_id=org
            )
        work.commit()
    return tokens


@pytest.fixture
def api(db: DatabaseTarget) -> Iterator[Api]:
    """The app with its session and settings bound to the test database and audit key."""
    story = tell_story(db)
    app = create_app()

    def session() -> Iterator[Session]:
        with Session(db.engine, expire_on_commit=False) as s:
            yield s

    app.dependency_overrides[get_session] = session
    app.dependency_overrides[get_settings] = lambda: Settings(audit_key=KEY)
    yield Api(TestClient(app), story, _tokens(db, story))


def _all_events(db: DatabaseTarget, *where: Any) -> list[AuditEvent]:
    with Session(db.engine) as session:
        query = select(AuditEvent).where(*where).order_by(col(AuditEvent.at), col(AuditEvent.id))
        return list(session.exec(query).all())


def _ids(page: dict[str, Any]) -> list[int]:
    return [item["id"] for item in page["items"]]


PATHS = ["/audit", "/audit/verify", "/cases/{case}/audit"]


@pytest.mark.parametrize("path", PATHS)
def test_roles(api: Api, path: str) -> None:
    path = path.format(case=api.story.case_id)
    assert api.get(path, None).status_code == 401
    for who in ("staff", "partner"):
        response = api.get(path, who)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
    for who in ("auditor", "admin", "manager"):
        assert api.get(path, who).status_code == 200, who


@pytest.mark.parametrize(
    "path", ["/cases/{case}/audit", "/audit?case_id={case}", "/audit/verify?case_id={case}"]
)
def test_a_case_outside_a_managers_scope_is_not_found(api: Api, path: str) -> None:
    response = api.get(path.format(case=api.story.other_id), "manager")
    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")
    assert api.get(path.format(case=999_999), "auditor").status_code == 404


def test_a_manager_sees_only_the_events_of_its_cases(api: Api, db: DatabaseTarget) -> None:
    page = api.get("/audit?limit=1000", "manager").json()
    expected = _all_events(db, col(AuditEvent.case_id) == api.story.case_id)
    assert _ids(page) == [e.id for e in expected]
    assert page["total"] == len(expected)
    other = api.get("/audit?limit=1000", "other_manager").json()
    assert {item["case_id"] for item in other["items"]} == {api.story.other_id}
    everything = api.get("/audit?limit=1000", "auditor").json()
    assert everything["total"] == len(_all_events(db))
    assert "global" in {item["chain"] for item in everything["items"]}


def test_filters(api: Api, db: DatabaseTarget) -> None:
    story = api.story

    def ids(query: str) -> list[int]:
        return _ids(api.get(f"/audit?limit=1000&{query}").json())

    assert ids(f"case_id={story.other_id}") == [
        e.id for e in _all_events(db, col(AuditEvent.case_id) == story.other_id)
    ]
    transitions = _all_events(db, col(AuditEvent.action) == "case.transition")
    assert len(transitions) == 3
    assert ids("action=case.transition") == [e.id for e in transitions]
    case_events = _all_events(db, col(AuditEvent.action).startswith("case."))
    assert ids("action=case.*") == [e.id for e in case_events]
    assert ids("action=case_*") == []  # `_` is no wildcard
    partner = _all_events(db, col(AuditEvent.actor_name) == "Partner RoligRum ApS")
    assert len(partner) == 1
    assert ids("actor=Partner RoligRum ApS") == [partner[0].id]
    since, until = NOW + timedelta(days=2), NOW + timedelta(days=60)
    window = _all_events(db, col(AuditEvent.at) >= since, col(AuditEvent.at) < until)
    assert 0 < len(window) < len(_all_events(db))
    query = f"since={since.isoformat()}&until={until.isoformat()}".replace("+", "%2B")
    assert ids(query) == [e.id for e in window]
    naive = f"since={since.replace(tzinfo=None).isoformat()}&until={until:%Y-%m-%dT%H:%M:%SZ}"
    assert ids(naive) == [e.id for e in window]  # times without a zone are UTC


def test_pages(api: Api) -> None:
    first = api.get("/audit?limit=5").json()
    second = api.get("/audit?limit=5&offset=5").json()
    everything = api.get("/audit?limit=1000").json()
    assert first["total"] == second["total"] == everything["total"] > 10
    assert _ids(first) + _ids(second) == _ids(everything)[:10]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=1001",
        "offset=-1",
        "format=xml",
        "since=yesterday",
        "since=0001-01-01T00:00:00%2B01:00",
        "case_id=0",
        "case_id=99999999999",
        "actor=a%00b",
        "action=" + "x" * 61,
        "acter=someone",  # a typo must not silently return everything (README promises 422)
        "actor=a&actor=b",
    ],
)
def test_bad_parameters_are_problems(api: Api, query: str) -> None:
    response = api.get(f"/audit?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def _parse_export(fmt: str, body: str) -> list[dict[str, Any]]:
    if fmt == "json":
        return list(json.loads(body))
    if fmt == "jsonl":
        return [json.loads(line) for line in body.splitlines()]
    return [parse_csv_event(record) for record in csv.DictReader(io.StringIO(body))]


@pytest.mark.parametrize(
    ("fmt", "media"),
    [("json", "application/json"), ("jsonl", "application/jsonl"), ("csv", "text/csv")],
)
def test_exports_parse_back_into_the_same_events(api: Api, fmt: str, media: str) -> None:
    response = api.get(f"/audit?format={fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert f'.{fmt}"' in response.headers["content-disposition"]
    exported = _parse_export(fmt, response.text)
    page = api.get("/audit?limit=1000").json()
    assert exported == page["items"]
    assert len(exported) == page["total"] > 20
    for event in exported:  # every hash can be recomputed from the export alone
        recomputed = event_bytes(
            chain=event["chain"],
            seq=event["seq"],
            at=datetime.fromisoformat(event["at"]),
            actor_name=event["actor_name"],
            actor_role=event["actor_role"],
            actor_organisation_id=event["actor_organisation_id"],
            action=event["action"],
            data=canonical_json(event["data"]),
            prev_hash=event["prev_hash"],
            actor_token_id=event["actor_token_id"],
            actor_user_id=event["actor_user_id"],
            actor_via=event["actor_via"],
        )
        assert hashlib.sha256(recomputed).hexdigest() == event["hash"]


def test_an_empty_export_is_still_well_formed(api: Api) -> None:
    for fmt in ("json", "jsonl", "csv"):
        body = api.get(f"/audit?format={fmt}&action=nothing.like.this").text
        assert _parse_export(fmt, body) == []


def test_a_managers_export_is_scoped(api: Api) -> None:
    body = api.get("/audit?format=jsonl", "manager").text
    assert {json.loads(line)["case_id"] for line in body.splitlines()} == {api.story.case_id}


def test_case_history_shows_requirement_results(api: Api, db: DatabaseTarget) -> None:
    story = api.story
    page = api.get(
        f"/cases/{story.case_id}/audit", "manager", headers={"Accept-Language": "en"}
    ).json()
    items = page["items"]
    assert [i["seq"] for i in items] == list(range(1, page["total"] + 1))
    refused = [i for i in items if i["refused"]]
    assert len(refused) == 1
    unmet = {u["code"]: u["message"] for u in refused[0]["unmet"]}
    assert "need.owner" in unmet and "call.ready" in unmet
    assert all(message and message.isascii() for message in unmet.values())  # English
    results = {r["code"]: r for r in refused[0]["requirements"]}
    assert set(unmet) <= set(results)
    assert not any(results[code]["met"] for code in unmet)
    assert results["need.owner"]["message"] == unmet["need.owner"]
    transitions = [i for i in items if i["action"] == "case.transition"]
    assert [(t["data"]["from"], t["data"]["to"]) for t in transitions] == [
        ("need", "match"),
        ("match", "agreement"),
        ("agreement", "pilot"),
    ]
    for transition in transitions:
        assert transition["requirements"], transition
        assert all(r["met"] for r in transition["requirements"])
    others = [i for i in items if i["action"] not in ("case.transition", "case.transition_refused")]
    assert all(i["requirements"] is None and i["unmet"] is None for i in others)
    danish = api.get(f"/cases/{story.case_id}/audit", "auditor").json()["items"]
    danish_refused = next(i for i in danish if i["refused"])
    assert danish_refused["unmet"][0]["message"] != refused[0]["unmet"][0]["message"]


def test_verify_over_http(api: Api, db: DatabaseTarget) -> None:
    report = api.get("/audit/verify").json()
    assert report["ok"] is True
    assert (report["cases_checked"], report["chains_checked"]) == (2, 3)
    scoped = api.get("/audit/verify", "manager").json()
    assert (scoped["ok"], scoped["cases_checked"], scoped["chains_checked"]) == (True, 1, 1)
    with attacker(db) as conn:
        overwrite(conn, api.story.chain, 2, data='{"title":"Forfalsket"}')
    broken = api.get("/audit/verify").json()
    assert broken["ok"] is False
    assert broken["first_broken"]["problem"] == "hash-mismatch"
    assert (broken["first_broken"]["case_id"], broken["first_broken"]["seq"]) == (
        api.story.case_id,
        2,
    )
    other = api.get(f"/audit/verify?case_id={api.story.other_id}", "other_manager").json()
    assert other["ok"] is True
