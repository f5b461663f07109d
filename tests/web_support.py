"""Helpers of the page tests that run the app in process (TestClient): the seeded world on the
parametrised database, signed-in clients, CSRF tokens, extra partners."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session

from api.app import create_app
from tests.browser.world import WebWorld, build_world
from tests.factories import DatabaseTarget, make_org
from workflow.access.actor import SYSTEM_CLI
from workflow.access.tokens import create_token
from workflow.core.db import get_engine
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token in the first form of a page."""
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client: TestClient, token: str, next_path: str = "/ui/overview") -> Response:
    """Post the sign-in form as a browser would (with the form's CSRF token)."""
    form = client.get("/ui/login")
    return client.post(
        "/ui/login", data={"csrf_token": csrf_of(form.text), "token": token, "next": next_path}
    )


@dataclass
class WebApp:
    """An app on the test database, its seeded world and a way to make clients."""

    db: DatabaseTarget
    world: WebWorld

    def client(self) -> TestClient:
        """A client with its own cookie jar; redirects are not followed."""
        return TestClient(create_app(), follow_redirects=False)

    def signed_in(self, who: str) -> TestClient:
        """A client signed in as `who` (a key of the world's tokens)."""
        client = self.client()
        response = sign_in(client, self.world.tokens[who])
        assert response.status_code == 303, response.text
        return client

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


def web_app(db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebApp]:
    """The body of a `web` fixture: the app configured for the test database, world seeded."""
    world = build_world(db.engine, utcnow())
    monkeypatch.setenv("OPI_DATABASE_URL", db.url)
    monkeypatch.setenv("OPI_SECRET_KEY", "web-test-secret-key")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield WebApp(db, world)
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
