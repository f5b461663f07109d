"""Helpers of the page tests that run the app in process (TestClient): the seeded world on the
parametrised database, signed-in clients, CSRF tokens and form posts as a browser makes them,
extra partners and invited people."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session, select

from api.app import create_app
from tests.browser.world import WebWorld, build_world
from tests.factories import DatabaseTarget, invite_person, make_org, personal_token
from workflow.access.actor import SYSTEM_CLI, Actor
from workflow.access.roles import Role
from workflow.access.tokens import create_token
from workflow.cases.service import update_case
from workflow.core.db import get_engine
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case, Organisation, User
from workflow.proposals.service import assess_proposal, decide_proposal
from workflow.transitions.engine import apply_trigger

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def csrf_of(html: str) -> str:
    """The CSRF token in the first form of a page."""
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def version_of(html: str) -> str:
    """The case version the page's forms carry."""
    match = VERSION.search(html)
    assert match, "the page has no form with a version"
    return match.group(1)


def case_form(html: str) -> dict[str, str]:
    """The hidden fields every form of a case page carries: its CSRF token and the case's
    version as the page showed it."""
    return {"csrf_token": csrf_of(html), "version": version_of(html)}


def sign_in(client: TestClient, token: str, next_path: str = "/ui/overview") -> Response:
    """Post the sign-in form as a browser would (with the form's CSRF token)."""
    form = client.get("/ui/login")
    return client.post(
        "/ui/login", data={"csrf_token": csrf_of(form.text), "token": token, "next": next_path}
    )


def signed_in_client(app: FastAPI, token: str, next_path: str = "/ui/overview") -> TestClient:
    """A client of `app` with its own cookie jar, signed in with `token` through the sign-in
    form; redirects are not followed."""
    client = TestClient(app, follow_redirects=False)
    response = sign_in(client, token, next_path)
    assert response.status_code == 303, response.text
    return client


def post_form(client: TestClient, path: str, page_path: str, data: dict[str, str]) -> Response:
    """Post a form from `page_path` as a browser would, with the page's CSRF token."""
    page = client.get(page_path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"csrf_token": csrf_of(page.text), **data})


def press(
    client: TestClient, case_id: int, trigger: str, reason: str | None = None, version: str = ""
) -> Response:
    """Press a transition's button on the case page as a browser would: with the page's CSRF
    token and the version it shows (unless `version` names another, e.g. a stale one)."""
    data = {**case_form(client.get(f"/ui/cases/{case_id}").text), "trigger": trigger}
    if version:
        data["version"] = version
    if reason is not None:
        data["reason"] = reason
    return client.post(f"/ui/cases/{case_id}/transitions", data=data)


@contextmanager
def app_on(db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the app's settings at the test database (with a test secret key) for the block;
    the cached settings and engine are forgotten on the way in and out."""
    monkeypatch.setenv("OPI_DATABASE_URL", db.url)
    monkeypatch.setenv("OPI_SECRET_KEY", "web-test-secret-key")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


@dataclass
class WebApp:
    """An app on the test database, its seeded world and a way to make clients."""

    db: DatabaseTarget
    world: WebWorld

    def client(self, base_url: str = "http://testserver") -> TestClient:
        """A client with its own cookie jar; redirects are not followed."""
        return TestClient(create_app(), base_url=base_url, follow_redirects=False)

    def signed_in(self, who: str) -> TestClient:
        """A client signed in as `who` (a key of the world's tokens) through the sign-in form."""
        return signed_in_client(create_app(), self.world.tokens[who])

    def add_partner(self, key: str, name: str, kind: str = "company") -> int:
        """A new organisation with a partner token under `key`; its id."""
        with Session(self.db.engine, expire_on_commit=False) as s:
            org = make_org(s, name, kind, email=f"{key}@example.dk")
            work = UnitOfWork(s)
            _, self.world.tokens[key] = create_token(
                work, SYSTEM_CLI, name=f"Partner {name}", role="partner", organisation_id=org.id
            )
            work.commit()
            return org.id or 0

    def invite(
        self, name: str, email: str, role: Role, organisation_id: int | None = None
    ) -> tuple[User, str]:
        """An invited person with a personal token of their own (not one of the world's)."""
        with Session(self.db.engine, expire_on_commit=False) as s:
            work = UnitOfWork(s)
            person = invite_person(work, name, email, role, organisation_id)
            token = personal_token(work, person)
            work.commit()
        return person, token

    def org_id(self, name: str) -> int:
        """The id of the organisation named `name` (e.g. the world's "Furesø Kommune")."""
        with Session(self.db.engine) as s:
            org = s.exec(select(Organisation).where(Organisation.name == name)).one()
            assert org.id is not None
            return org.id

    def set_call_deadline(self, case_id: int, deadline: datetime) -> None:
        """Move the published call's deadline (test set-up: in real life the call is fixed
        once published; this stands for time passing)."""
        with Session(self.db.engine) as s:
            case = s.get(Case, case_id)
            assert case is not None
            case.call = {**case.call, "submission_deadline": deadline.isoformat()}
            s.commit()

    def case(self, case_id: int) -> Case:
        """The case as stored now."""
        with Session(self.db.engine) as s:
            case = s.get(Case, case_id)
            assert case is not None
            return case

    def manager(self, case_id: int) -> Actor:
        """The world's manager (Mette Madsen) acting for the case's lead municipality."""
        return Actor("Mette Madsen", Role.MANAGER, self.case(case_id).lead_municipality_id)

    def stale_need_form(self, client: TestClient, by: str) -> dict[str, str]:
        """Open the need case's page in `client`; then `by` saves the need's owner ("Hanne
        Lund") meanwhile. The page's form fields: its CSRF token and its now stale version."""
        case_id = self.world.need_case_id
        form = case_form(client.get(f"/ui/cases/{case_id}").text)
        with Session(self.db.engine) as session:
            work = UnitOfWork(session)
            update_case(
                work,
                case_id,
                {"need": {"owner_name": "Hanne Lund"}},
                Actor(by, Role.MANAGER, None),
                expected_version=int(form["version"]),
            )
            work.commit()
        return form

    def to_agreement(self) -> int:
        """The world's match case, closed, assessed and decided (RoligRum selected, SenseCare
        rejected), in agreement; its id."""
        case_id = self.world.match_case_id
        self.set_call_deadline(case_id, utcnow() - timedelta(minutes=1))
        manager = self.manager(case_id)
        scores = {c["name"]: 8 for c in self.case(case_id).call["criteria"]}
        with Session(self.db.engine, expire_on_commit=False) as s:
            work = UnitOfWork(s)
            for pid, decision in (
                (self.world.proposal_a_id, "selected"),
                (self.world.proposal_b_id, "rejected"),
            ):
                assess_proposal(
                    work,
                    case_id,
                    pid,
                    manager,
                    scores=scores,
                    rationale="Vurderet",
                    conflict_of_interest=False,
                )
                decide_proposal(work, case_id, pid, manager, decision=decision, rationale="Bedst")
            work.commit()
            version = self.case(case_id).version
            apply_trigger(work, case_id, "advance", manager, expected_version=version)
        return case_id


@pytest.fixture
def web(db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebApp]:
    """The app configured for the test database, with the web world seeded."""
    world = build_world(db.engine, utcnow())
    with app_on(db, monkeypatch):
        yield WebApp(db, world)
