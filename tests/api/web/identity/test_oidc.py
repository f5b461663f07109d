"""OpenID Connect sign-in to the pages against a real provider (npm `oidc-provider`), and the
ID tokens it will not make (expired, wrong audience, tampered, ...) from a provider of our own.
Every test runs on SQLite and PostgreSQL."""

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import RSAKey
from sqlalchemy import select, update
from sqlmodel import Session, col

from tests.chain import events_named
from tests.factories import invite_person
from tests.loopback import free_port
from tests.oidc_support import (
    FURESOE_CVR,
    TEST_SERVER,
    CraftingProvider,
    RealProvider,
    callback_uri,
    start_crafting_provider,
    start_real_provider,
    walk_login,
)
from tests.web_support import WebApp, csrf_of, sign_in
from workflow.access.actor import Actor
from workflow.access.oidc import METADATA
from workflow.access.users import change_user
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent, OidcPending, Organisation, Role, User, WebSessionRow

CALLBACK = callback_uri(TEST_SERVER)


@pytest.fixture(scope="module")
def real_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealProvider]:
    yield from start_real_provider(tmp_path_factory.mktemp("oidc"))


@pytest.fixture(scope="module")
def crafting() -> Iterator[CraftingProvider]:
    yield from start_crafting_provider()


def _configure(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    METADATA.clear()


@dataclass
class Sso:
    """The app on the test database, pointed at an OpenID provider."""

    web: WebApp

    def furesoe(self, *, just_in_time: bool) -> int:
        """Give Furesø its CVR number and the just-in-time setting; its id."""
        with Session(self.web.db.engine) as s:
            org = s.execute(
                select(Organisation).where(col(Organisation.name) == "Furesø Kommune")
            ).scalar_one()
            org.cvr, org.sso_creates_users = FURESOE_CVR, just_in_time
            s.commit()
            assert org.id is not None
            return org.id

    def users(self, email: str) -> list[User]:
        with Session(self.web.db.engine) as s:
            return list(s.execute(select(User).where(col(User.email) == email)).scalars())

    def events(self, action: str) -> list[AuditEvent]:
        return events_named(self.web.db.engine, action)


@pytest.fixture
def sso(web: WebApp, real_provider: RealProvider, monkeypatch: pytest.MonkeyPatch) -> Sso:
    _configure(monkeypatch, real_provider.env())
    return Sso(web)


def sign_in_at_provider(client: TestClient, account: str, next_path: str = "/ui/overview") -> str:
    """Start at the service, log in and consent at the provider; the callback URL (path and
    query) the provider sends the browser back to."""
    start = client.get("/ui/login/oidc", params={"next": next_path})
    assert start.status_code == 303, start.text
    location = start.headers["location"]
    assert "code_challenge_method=S256" in location and "nonce=" in location
    back = walk_login(location, account, stop_at=CALLBACK)
    return back.removeprefix(TEST_SERVER)


def test_first_sign_in_creates_the_user_just_in_time(sso: Sso) -> None:
    org_id = sso.furesoe(just_in_time=True)
    client = sso.web.client()
    login = client.get("/ui/login")
    assert 'data-testid="login-oidc"' in login.text and "Log ind med Test-IdP" in login.text

    done = client.get(sign_in_at_provider(client, "mette"))
    assert done.status_code == 200 and 'content="0;url=/ui/overview"' in done.text
    overview = client.get("/ui/overview")
    assert overview.status_code == 200
    assert "Mit overblik" in overview.text and "Mette Sørensen" in overview.text

    [user] = sso.users("mette.sso@furesoe.dk")
    assert (user.role, user.organisation_id, user.name) == (Role.MANAGER.value, org_id, user.name)
    [created] = sso.events("user.created_by_sign_in")
    signed_in = sso.events("signin.succeeded")[-1]
    for event in (created, signed_in):
        assert (event.actor_user_id, event.actor_via, event.actor_name) == (
            user.id,
            "oidc",
            "Mette Sørensen",
        )
    assert sso.events("signin.refused") == []


def test_second_sign_in_finds_the_same_user(sso: Sso) -> None:
    sso.furesoe(just_in_time=True)
    for _ in range(2):
        client = sso.web.client()
        assert client.get(sign_in_at_provider(client, "mette")).status_code == 200
    assert len(sso.users("mette.sso@furesoe.dk")) == 1
    assert len(sso.events("user.created_by_sign_in")) == 1


def test_unknown_person_is_refused_when_just_in_time_is_off(sso: Sso) -> None:
    sso.furesoe(just_in_time=False)
    client = sso.web.client()
    refused = client.get(sign_in_at_provider(client, "mette"))
    assert refused.status_code == 403
    assert 'data-reason="unknown_user"' in refused.text
    assert "Du er ikke oprettet som bruger" in refused.text
    assert sso.users("mette.sso@furesoe.dk") == []
    [event] = sso.events("signin.refused")
    data = json.loads(event.data)
    assert (data["reason"], data["email"], event.actor_via) == (
        "unknown_user",
        "mette.sso@furesoe.dk",
        "oidc",
    )
    assert client.get("/ui/overview").status_code == 303  # not signed in


def test_unknown_organisation_is_refused(sso: Sso) -> None:
    sso.furesoe(just_in_time=True)
    client = sso.web.client()
    refused = client.get(sign_in_at_provider(client, "ukendt"))
    assert 'data-reason="unknown_organisation"' in refused.text
    assert sso.users("ukendt@andet.example") == []


def test_disabled_users_next_request_is_refused_and_sign_in_too(sso: Sso) -> None:
    sso.furesoe(just_in_time=True)
    client = sso.web.client()
    client.get(sign_in_at_provider(client, "mette"))
    assert client.get("/ui/overview").status_code == 200
    [user] = sso.users("mette.sso@furesoe.dk")
    assert user.id is not None
    with Session(sso.web.db.engine) as s:
        work = UnitOfWork(s)
        change_user(work, Actor("Admin", Role.ADMIN), user.id, status="disabled", now=utcnow())
        work.commit()
        open_sessions = s.execute(
            select(WebSessionRow).where(
                col(WebSessionRow.user_id) == user.id, col(WebSessionRow.ended_at).is_(None)
            )
        ).all()
    assert open_sessions == []
    after = client.get("/ui/overview")
    assert after.status_code == 303 and after.headers["location"].startswith("/ui/login")
    again = sso.web.client()
    refused = again.get(sign_in_at_provider(again, "mette"))
    assert refused.status_code == 403 and 'data-reason="disabled_user"' in refused.text


def test_replayed_state_is_refused_and_audited(sso: Sso) -> None:
    sso.furesoe(just_in_time=True)
    client = sso.web.client()
    back = sign_in_at_provider(client, "mette")
    assert client.get(back).status_code == 200
    sessions_before = _count_sessions(sso)
    # The same answer again, in a browser that still holds the state cookie: refused.
    client.cookies.set("opi_oidc_state", _state_of(back), path="/ui/login/oidc")
    replay = client.get(back)
    assert replay.status_code == 400 and 'data-reason="bad_state"' in replay.text
    # And in another browser, which never started a sign-in.
    stranger = sso.web.client().get(back)
    assert stranger.status_code == 400 and 'data-reason="bad_state"' in stranger.text
    assert [json.loads(e.data)["reason"] for e in sso.events("signin.refused")] == [
        "bad_state",
        "bad_state",
    ]
    assert _count_sessions(sso) == sessions_before


def test_logout_ends_the_session_and_offers_the_providers_logout(
    sso: Sso, real_provider: RealProvider
) -> None:
    sso.furesoe(just_in_time=True)
    client = sso.web.client()
    client.get(sign_in_at_provider(client, "mette"))
    overview = client.get("/ui/overview")
    out = client.post("/ui/logout", data={"csrf_token": csrf_of(overview.text)})
    assert out.status_code == 303 and out.headers["location"] == "/ui/login?out=oidc"
    page = client.get(out.headers["location"])
    assert 'data-testid="provider-logout"' in page.text
    assert f'href="{real_provider.issuer}/session/end?client_id=opi' in page.text
    assert client.get("/ui/overview").status_code == 303


def test_pages_answer_404_without_a_provider(web: WebApp) -> None:
    client = web.client()
    assert client.get("/ui/login/oidc").status_code == 404
    assert client.get("/ui/login/oidc/callback?code=x&state=y").status_code == 404
    assert 'data-testid="login-oidc"' not in client.get("/ui/login").text


def _state_of(path: str) -> str:
    return parse_qs(urlsplit(path).query)["state"][0]


def _count_sessions(sso: Sso) -> int:
    with Session(sso.web.db.engine) as s:
        return len(s.execute(select(WebSessionRow.id)).all())


# --- ID tokens the real provider will not make ----------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _flip(token: str) -> str:
    header, payload, signature = token.split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return ".".join((header, payload, signature[:middle] + flipped + signature[middle + 1 :]))


OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "crafted-1", "alg": "RS256"})

CRAFTED: dict[str, tuple[str, Any]] = {
    "tampered": ("invalid_signature", lambda p, n: _flip(p.sign(p.claims(n)))),
    "payload-changed": (
        "invalid_signature",
        lambda p, n: ".".join(
            (
                p.sign(p.claims(n)).split(".")[0],
                _b64(p.claims(n, email="admin@furesoe.dk")),
                p.sign(p.claims(n)).split(".")[2],
            )
        ),
    ),
    "unsigned": (
        "invalid_signature",
        lambda p, n: f"{_b64({'alg': 'none'})}.{_b64(p.claims(n))}.",
    ),
    "foreign-key": ("invalid_signature", lambda p, n: p.sign(p.claims(n), key=OTHER_KEY)),
    "expired": (
        "expired",
        lambda p, n: p.sign(p.claims(n, iat=1_700_000_000, exp=1_700_000_300)),
    ),
    "wrong-audience": ("wrong_audience", lambda p, n: p.sign(p.claims(n, aud="another-client"))),
    "wrong-issuer": (
        "wrong_issuer",
        lambda p, n: p.sign(p.claims(n, iss="http://127.0.0.1:1/evil")),
    ),
    "other-nonce": ("bad_nonce", lambda p, n: p.sign(p.claims("a-nonce-from-elsewhere"))),
}


@pytest.fixture
def crafted_sso(web: WebApp, crafting: CraftingProvider, monkeypatch: pytest.MonkeyPatch) -> Sso:
    _configure(monkeypatch, crafting.env())
    return Sso(web)


def _through_crafting(client: TestClient) -> str:
    start = client.get("/ui/login/oidc")
    assert start.status_code == 303
    return walk_login(start.headers["location"], "mette", stop_at=CALLBACK).removeprefix(
        TEST_SERVER
    )


def test_crafting_provider_signs_in_a_good_token(
    crafted_sso: Sso, crafting: CraftingProvider
) -> None:
    """The control: the same provider with a correct token signs the person in, so each
    refusal below is down to the one thing changed."""
    crafted_sso.furesoe(just_in_time=True)
    crafting.make_token = lambda nonce: crafting.sign(crafting.claims(nonce))
    client = crafted_sso.web.client()
    assert client.get(_through_crafting(client)).status_code == 200
    assert client.get("/ui/overview").status_code == 200


@pytest.mark.parametrize("case", list(CRAFTED), ids=list(CRAFTED))
def test_bad_id_tokens_are_refused_audited_and_create_nothing(
    crafted_sso: Sso, crafting: CraftingProvider, case: str
) -> None:
    crafted_sso.furesoe(just_in_time=True)
    reason, make = CRAFTED[case]
    crafting.make_token = lambda nonce: make(crafting, nonce)
    client = crafted_sso.web.client()
    refused = client.get(_through_crafting(client))
    assert refused.status_code == 403
    assert f'data-reason="{reason}"' in refused.text
    assert "Log-in afvist" in refused.text
    assert crafted_sso.users("mette.sso@furesoe.dk") == []
    assert crafted_sso.users("admin@furesoe.dk") == []
    [event] = crafted_sso.events("signin.refused")
    data = json.loads(event.data)
    assert (data["reason"], data["method"]) == (reason, "oidc")
    assert "email" not in data  # claims that failed their checks are not trusted, nor kept
    assert client.get("/ui/overview").status_code == 303


def test_refusal_page_in_english(crafted_sso: Sso, crafting: CraftingProvider) -> None:
    crafted_sso.furesoe(just_in_time=True)
    crafting.make_token = lambda nonce: crafting.sign(crafting.claims(nonce, aud="x"))
    client = crafted_sso.web.client()
    client.get("/ui/language?lang=en")
    refused = client.get(_through_crafting(client))
    assert "Sign-in refused" in refused.text
    assert "issued for another service" in refused.text


def test_migration_leaves_just_in_time_off(crafted_sso: Sso) -> None:
    with Session(crafted_sso.web.db.engine) as s:
        flags = s.execute(select(Organisation.sso_creates_users)).scalars().all()
        s.execute(update(Organisation).values(sso_creates_users=True))
        s.rollback()
    assert flags and not any(flags)


def test_sign_in_rotates_the_session_and_old_pending_rows_go(sso: Sso) -> None:
    """A sign-in ends the browser's previous session (here a development token sign-in) and
    starts one with a new id; pending sign-ins older than a day are deleted."""
    sso.furesoe(just_in_time=True)
    with Session(sso.web.db.engine) as s:
        s.add(
            OidcPending(
                state_hash="0" * 64,
                nonce="n",
                code_verifier="v",
                next_path="/ui/overview",
                created_at=utcnow() - timedelta(days=2),
            )
        )
        s.commit()
    client = sso.web.client()
    assert sign_in(client, sso.web.world.tokens["staff"]).status_code == 303
    old_cookie = client.cookies.get("opi_session")
    client.get(sign_in_at_provider(client, "mette"))
    assert client.cookies.get("opi_session") != old_cookie
    with Session(sso.web.db.engine) as s:
        rows = s.execute(select(WebSessionRow).order_by(col(WebSessionRow.id))).scalars().all()
        pending = s.execute(select(OidcPending.state_hash)).scalars().all()
    assert [(r.via, r.ended_at is not None) for r in rows] == [("token", True), ("oidc", False)]
    assert "0" * 64 not in pending and len(pending) == 1
    stale = sso.web.client()
    stale.cookies.set("opi_session", old_cookie or "", path="/ui")
    assert stale.get("/ui/overview").status_code == 303


def test_an_address_sending_bad_answers_is_throttled(
    crafted_sso: Sso, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refusals count as failed sign-ins: past the limit the address waits (429) and its
    answers are neither checked nor audited, so nobody can flood the audit log."""
    monkeypatch.setenv("OPI_AUTH_FAILURE_LIMIT", "3")
    get_settings.cache_clear()
    client = crafted_sso.web.client()
    answers = [client.get("/ui/login/oidc/callback?code=x&state=y") for _ in range(5)]
    assert [a.status_code for a in answers] == [400, 400, 400, 429, 429]
    assert "Retry-After" in answers[-1].headers
    assert 'data-reason="throttled"' in answers[-1].text
    assert len(crafted_sso.events("signin.refused")) == 3


def test_unverified_email_links_to_no_invited_user(
    crafted_sso: Sso, crafting: CraftingProvider
) -> None:
    """Users are found by email: a provider that says it has not verified the address gets
    nobody signed in, not even an invited person with that address."""
    org_id = crafted_sso.furesoe(just_in_time=False)
    with Session(crafted_sso.web.db.engine) as s:
        work = UnitOfWork(s)
        admin = Actor("Admin", Role.ADMIN)
        invite_person(work, "Mette", "mette.sso@furesoe.dk", Role.MANAGER, org_id, by=admin)
        work.commit()
    crafting.make_token = lambda nonce: crafting.sign(crafting.claims(nonce, email_verified=False))
    client = crafted_sso.web.client()
    refused = client.get(_through_crafting(client))
    assert refused.status_code == 403 and 'data-reason="missing_claims"' in refused.text
    [event] = crafted_sso.events("signin.refused")
    assert json.loads(event.data)["email"] == "mette.sso@furesoe.dk"  # checked claims are kept
    crafting.make_token = lambda nonce: crafting.sign(crafting.claims(nonce))
    client = crafted_sso.web.client()
    assert client.get(_through_crafting(client)).status_code == 200  # verified: the invitee


def test_unreachable_provider_is_a_clear_page_not_a_500(
    web: WebApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(
        monkeypatch,
        {
            "OPI_OIDC_ISSUER": f"http://127.0.0.1:{free_port()}",
            "OPI_OIDC_CLIENT_ID": "opi",
            "OPI_OIDC_REDIRECT_BASE": TEST_SERVER,
        },
    )
    client = web.client()
    page = client.get("/ui/login/oidc")
    assert page.status_code == 503 and 'data-reason="provider_error"' in page.text
    assert "kunne ikke nås" in page.text
    login = client.get("/ui/login?out=oidc")  # no provider logout offered when it is down
    assert login.status_code == 200 and 'data-testid="provider-logout"' not in login.text
