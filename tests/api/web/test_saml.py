"""SAML sign-in against a real IdP (pysaml2's `Server`, signing with xmlsec1), on SQLite and
PostgreSQL: the happy path, session rotation, single logout, and every refusal of issue 16
(tampered, unsigned, wrong audience, expired, replayed, unknown InResponseTo) with its page in
Danish and English, its audit event, and nothing created."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from saml2 import BINDING_HTTP_REDIRECT, samlp
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from sqlalchemy import func, select
from sqlmodel import Session, col

from api.app import create_app
from tests.chain import events_named
from tests.factories import DatabaseTarget, invite_person, make_org
from tests.saml_idp import Person, TestIdp, encode, expired, fresh_id, make_key_pair
from tests.web_support import csrf_of, sign_in
from workflow.access import saml
from workflow.access.actor import SYSTEM_CLI
from workflow.access.roles import Role
from workflow.access.saml import RSA_SHA256
from workflow.access.tokens import create_token
from workflow.access.users import change_user
from workflow.core.db import get_engine
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent, Organisation, SamlRequest, User, WebSessionRow

ANNE = "anne@furesoe.dk"
FURESOE_CVR = "29189730"


@dataclass
class SamlWorld:
    """The app pointed at the test IdP, one municipality with its invited manager."""

    db: DatabaseTarget
    idp: TestIdp
    org_id: int
    user_id: int

    def client(self) -> TestClient:
        """A browser with its own cookies; redirects are not followed."""
        return TestClient(create_app(), follow_redirects=False)

    def count(self, model: Any) -> int:
        with Session(self.db.engine) as s:
            return int(s.execute(select(func.count()).select_from(model)).scalar_one())

    def events(self, action: str) -> list[AuditEvent]:
        return events_named(self.db.engine, action)


def _settings_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    get_engine.cache_clear()
    saml.forget_config()


@pytest.fixture(scope="module")
def key_pairs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """The IdP's and the SP's key pairs, generated once for the module (RSA is slow)."""
    directory = tmp_path_factory.mktemp("saml-keys")
    return {name: make_key_pair(directory, name) for name in ("idp", "sp")}


@pytest.fixture
def world(
    db: DatabaseTarget,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key_pairs: dict[str, tuple[Path, Path]],
) -> Iterator[SamlWorld]:
    with Session(db.engine, expire_on_commit=False) as s:
        org = make_org(s, "Furesø Kommune", cvr=FURESOE_CVR)
        work = UnitOfWork(s)
        user = invite_person(work, "Anne Projektleder", ANNE, Role.MANAGER, org.id)
        work.commit()
        assert org.id is not None and user.id is not None
    idp = TestIdp(tmp_path, key_pair=key_pairs["idp"])
    sp_key, sp_cert = key_pairs["sp"]
    _settings_env(
        monkeypatch,
        {
            "OPI_DATABASE_URL": db.url,
            "OPI_SECRET_KEY": "saml-test-secret-key",
            "OPI_BASE_URL": "http://testserver",
            "OPI_SAML_IDP_METADATA_FILE": str(idp.metadata_file),
            "OPI_SAML_SP_KEY_FILE": str(sp_key),
            "OPI_SAML_SP_CERT_FILE": str(sp_cert),
        },
    )
    metadata = TestClient(create_app()).get("/saml/metadata")
    assert metadata.status_code == 200, metadata.text
    idp.trust_sp(metadata.text)
    yield SamlWorld(db, idp, org.id, user.id)
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
    saml.forget_config()


def start(client: TestClient, world: SamlWorld, next_path: str = "/ui/overview") -> Any:
    """Ask the service to sign in; the AuthnRequest as the IdP reads it (signature checked)."""
    response = client.get("/ui/login/saml", params={"next": next_path})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(f"{world.idp.base}/sso/redirect?")
    return world.idp.read_redirect(location)


def post(client: TestClient, xml: str) -> Response:
    """The browser posting the IdP's response to the assertion consumer."""
    return client.post("/saml/acs", data={"SAMLResponse": encode(xml)})


def continue_to(page: Response) -> str:
    """Where the page after the assertion consumer moves on to (its meta refresh)."""
    match = re.search(r'http-equiv="refresh" content="0;url=([^"]+)"', page.text)
    assert match, page.text
    return unescape(match.group(1))


def test_sp_metadata_names_the_endpoints_and_signing(world: SamlWorld) -> None:
    xml = world.client().get("/saml/metadata").text
    assert 'entityID="http://testserver/saml/metadata"' in xml
    assert 'AuthnRequestsSigned="true"' in xml
    assert 'WantAssertionsSigned="true"' in xml
    assert 'Location="http://testserver/saml/acs"' in xml
    assert "X509Certificate" in xml


def test_sign_in_lands_on_the_overview_and_audits_the_person(world: SamlWorld) -> None:
    client = world.client()
    request = start(client, world)
    assert request.issuer.text == "http://testserver/saml/metadata"
    page = post(client, world.idp.response(request, Person(ANNE)))
    assert page.status_code == 200, page.text
    assert continue_to(page) == "/ui/overview"
    overview = client.get("/ui/overview")
    assert overview.status_code == 200
    assert "Anne Projektleder" in overview.text and "Mit overblik" in overview.text
    [event] = world.events("signin.succeeded")
    assert (event.actor_user_id, event.actor_via) == (world.user_id, "saml")
    assert event.actor_name == "Anne Projektleder"
    assert event.actor_organisation_id == world.org_id
    assert json.loads(event.data)["method"] == "saml"
    assert world.count(SamlRequest) == 0  # the request is used up


def test_sign_in_returns_to_the_page_asked_for(world: SamlWorld) -> None:
    client = world.client()
    request = start(client, world, "/ui/cases")
    page = post(client, world.idp.response(request, Person(ANNE)))
    assert continue_to(page) == "/ui/cases"


def test_sign_in_rotates_the_session(world: SamlWorld) -> None:
    client = world.client()
    with Session(world.db.engine) as s:
        work = UnitOfWork(s)
        _, token = create_token(
            work, SYSTEM_CLI, name="Dev", role="manager", organisation_id=world.org_id
        )
        work.commit()
    assert sign_in(client, token).status_code == 303
    before = client.cookies.get("opi_session")
    request = start(client, world)
    post(client, world.idp.response(request, Person(ANNE)))
    after = client.cookies.get("opi_session")
    assert before and after and before != after
    replay = world.client()
    replay.cookies.set("opi_session", before, path="/ui")
    assert replay.get("/ui/overview").status_code == 303  # the old session ended
    with Session(world.db.engine) as s:
        live = s.execute(
            select(func.count())
            .select_from(WebSessionRow)
            .where(col(WebSessionRow.ended_at).is_(None))
        ).scalar_one()
    assert live == 1


def test_post_binding_sends_a_signed_request_in_a_form(
    world: SamlWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPI_SAML_BINDING", "post")
    get_settings.cache_clear()
    client = world.client()
    page = client.get("/ui/login/saml")
    assert page.status_code == 200
    assert f'action="{world.idp.base}/sso/post"' in page.text
    assert "form-action 'self' https://idp.test.example" in page.headers["content-security-policy"]
    saml_request = re.search(r'name="SAMLRequest" value="([^"]+)"', page.text)
    assert saml_request
    request = world.idp.read_post(unescape(saml_request.group(1)))  # signature checked
    assert post(client, world.idp.response(request, Person(ANNE))).status_code == 200
    assert client.get("/ui/overview").status_code == 200


def test_logout_offers_the_idps_single_logout(world: SamlWorld) -> None:
    client = world.client()
    post(client, world.idp.response(start(client, world), Person(ANNE)))
    overview = client.get("/ui/overview")
    page = client.post("/ui/logout", data={"csrf_token": csrf_of(overview.text)})
    assert page.status_code == 200
    assert "Du er logget ud" in page.text
    link = re.search(r'data-testid="idp-logout">.*?<a href="([^"]+)"', page.text, re.S)
    assert link, page.text
    location = unescape(link.group(1))
    assert location.startswith(f"{world.idp.base}/slo?")
    query = parse_qs(urlsplit(location).query)
    logout = world.idp.idp.parse_logout_request(
        query["SAMLRequest"][0],
        BINDING_HTTP_REDIRECT,
        sigalg=query["SigAlg"][0],
        signature=query["Signature"][0],
    )
    assert logout.message.name_id.text == ANNE
    assert client.get("/ui/overview").status_code == 303  # signed out here already
    back = client.get("/saml/slo", params={"SAMLResponse": "x"})
    assert back.headers["location"] == "/ui/login?out=1"


def _tampered(world: SamlWorld, request: Any) -> str:
    xml = world.idp.response(request, Person(ANNE, roles=("manager",)))
    assert "Anne Projektleder" in xml
    return xml.replace("Anne Projektleder", "Mallory Projektleder")


def _replayed(world: SamlWorld, request: Any) -> str:
    xml = world.idp.response(request, Person(ANNE))
    first = world.client()
    # The same response once more, posted by the first browser: the assertion id is spent.
    assert post(first, xml).status_code == 200
    return xml


def _other_issuer(world: SamlWorld, request: Any) -> str:
    """The Response's own Issuer (outside the signed assertion) names another IdP."""
    xml = world.idp.response(request, Person(ANNE))
    response = samlp.response_from_string(xml)
    response.issuer.text = "https://evil.example/saml"
    # The signed assertion is left byte for byte as the IdP signed it.
    return str(response)


REFUSALS = {
    "tampered": ("invalid_signature", _tampered),
    "unsigned": (
        "invalid_signature",
        lambda w, r: w.idp.response(r, Person(ANNE), sign_assertion=False),
    ),
    "wrong-audience": (
        "wrong_audience",
        lambda w, r: w.idp.response(r, Person(ANNE), audience="https://other.example/sp"),
    ),
    "expired": (
        "expired",
        lambda w, r: w.idp.resign(w.idp.response(r, Person(ANNE)), expired),
    ),
    "unknown-in-response-to": (
        "bad_state",
        lambda w, r: w.idp.response(r, Person(ANNE), in_response_to=fresh_id()),
    ),
    "replayed": ("bad_state", _replayed),
    "other-issuer": ("wrong_issuer", _other_issuer),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_assertions_get_a_page_an_audit_event_and_nothing_else(
    world: SamlWorld, case: str
) -> None:
    reason, make = REFUSALS[case]
    client = world.client()
    request = start(client, world)
    xml = make(world, request)
    sessions, users = world.count(WebSessionRow), world.count(User)
    page = post(client, xml)
    assert page.status_code == 403, page.text
    assert f'data-reason="{reason}"' in page.text
    assert "Du blev ikke logget ind" in page.text and "You were not signed in" in page.text
    assert '<div lang="en">' in page.text
    assert (world.count(WebSessionRow), world.count(User)) == (sessions, users)
    assert client.get("/ui/overview").status_code == 303
    refused = world.events("signin.refused")
    assert refused, "no audit event of the refused sign-in"
    data = json.loads(refused[-1].data)
    assert (data["method"], data["reason"]) == ("saml", reason)
    assert refused[-1].actor_via == "saml" and refused[-1].actor_user_id is None


def test_an_assertion_id_used_before_is_refused_as_replayed(world: SamlWorld) -> None:
    """The IdP's signed assertion answers a request still outstanding, but its id was used:
    the replay table refuses it, whatever the request."""
    client = world.client()
    first = start(client, world)
    used = world.idp.response(first, Person(ANNE))
    assert post(client, used).status_code == 200
    spent = samlp.response_from_string(used).assertion[0].id
    other = world.client()
    second = start(other, world)
    again = world.idp.resign(
        world.idp.response(second, Person(ANNE)), lambda a: setattr(a, "id", spent)
    )
    sessions = world.count(WebSessionRow)
    page = post(other, again)
    assert page.status_code == 403
    assert 'data-reason="replayed"' in page.text
    assert world.count(WebSessionRow) == sessions
    assert world.count(SamlRequest) == 1  # the second request is still outstanding


def test_a_response_moved_to_another_request_is_refused(world: SamlWorld) -> None:
    """The Response's own InResponseTo is outside the signed assertion; the assertion's
    subject confirmation still names the first request, so the move is caught."""
    client = world.client()
    first = start(client, world)
    xml = world.idp.response(first, Person(ANNE))
    other = world.client()
    second = start(other, world)
    page = post(other, xml.replace(f'InResponseTo="{first.id}"', f'InResponseTo="{second.id}"', 1))
    assert page.status_code == 403
    assert 'data-reason="bad_state"' in page.text


def test_an_unknown_person_is_refused_and_not_created(world: SamlWorld) -> None:
    client = world.client()
    users = world.count(User)
    page = post(client, world.idp.response(start(client, world), Person("bo@furesoe.dk")))
    assert page.status_code == 403
    assert 'data-reason="unknown_user"' in page.text
    assert "Bed din administrator om en invitation" in page.text
    assert world.count(User) == users
    data = json.loads(world.events("signin.refused")[-1].data)
    assert data["email"] == "bo@furesoe.dk" and data["reason"] == "unknown_user"


def test_a_disabled_person_is_refused(world: SamlWorld) -> None:
    with Session(world.db.engine) as s:
        work = UnitOfWork(s)
        change_user(work, SYSTEM_CLI, world.user_id, status="disabled", now=utcnow())
        work.commit()
    client = world.client()
    page = post(client, world.idp.response(start(client, world), Person(ANNE)))
    assert 'data-reason="disabled_user"' in page.text
    assert world.count(WebSessionRow) == 0


def test_another_organisations_cvr_is_refused(world: SamlWorld) -> None:
    with Session(world.db.engine) as s:
        make_org(s, "Allerød Kommune", cvr="11111111")
        s.commit()
    client = world.client()
    page = post(client, world.idp.response(start(client, world), Person(ANNE, cvr="11111111")))
    assert 'data-reason="organisation_mismatch"' in page.text
    unknown = world.client()
    page = post(unknown, world.idp.response(start(unknown, world), Person(ANNE, cvr="22222222")))
    assert 'data-reason="unknown_organisation"' in page.text
    assert world.count(WebSessionRow) == 0


@pytest.mark.parametrize("value", ["", "not base64 at all!", "PHhtbD4=", "A" * 300_000])
def test_garbage_is_refused_without_a_500(world: SamlWorld, value: str) -> None:
    page = world.client().post("/saml/acs", data={"SAMLResponse": value})
    assert page.status_code == 403
    assert 'data-reason="invalid_token"' in page.text or 'data-reason="bad_state"' in page.text


def test_a_first_sign_in_creates_the_user_where_the_organisation_allows_it(
    world: SamlWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Just in time: the organisation (by the CVR attribute) creates users, the privilege
    attribute maps to a role through OPI_SAML_ROLE_MAP."""
    privilege = "http://furesoe.dk/roles/usersystemrole/opi_projektleder/1"
    monkeypatch.setenv("OPI_SAML_ROLE_MAP", json.dumps({privilege: "manager"}))
    get_settings.cache_clear()
    with Session(world.db.engine) as s:
        org = s.get(Organisation, world.org_id)
        assert org is not None
        org.sso_creates_users = True
        s.commit()
    client = world.client()
    person = Person("bo@furesoe.dk", name="Bo Sagsbehandler", roles=(privilege,))
    page = post(client, world.idp.response(start(client, world), person))
    assert page.status_code == 200, page.text
    with Session(world.db.engine) as s:
        bo = s.execute(select(User).where(col(User.email) == "bo@furesoe.dk")).scalar_one()
    assert (bo.name, bo.role, bo.organisation_id) == ("Bo Sagsbehandler", "manager", world.org_id)
    [created] = world.events("user.created_by_sign_in")
    assert created.actor_user_id == bo.id and created.actor_via == "saml"
    assert "Bo Sagsbehandler" in client.get("/ui/overview").text


def test_over_https_the_answer_is_accepted_only_from_the_browser_that_asked(
    world: SamlWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Login CSRF: someone's own valid answer, posted from another browser, signs nobody in
    there; the request is bound to the asking browser by a SameSite=None; Secure cookie."""
    _settings_env(monkeypatch, {"OPI_BASE_URL": "https://testserver"})
    asker = TestClient(create_app(), base_url="https://testserver", follow_redirects=False)
    world.idp.trust_sp(asker.get("/saml/metadata").text)
    started = asker.get("/ui/login/saml")
    cookie = started.headers["set-cookie"]
    assert "opi_saml=" in cookie and "Path=/saml/acs" in cookie
    assert "Secure" in cookie and "SameSite=none" in cookie and "HttpOnly" in cookie
    request = world.idp.read_redirect(started.headers["location"])
    xml = world.idp.response(request, Person(ANNE))
    other = TestClient(create_app(), base_url="https://testserver", follow_redirects=False)
    refused = post(other, xml)
    assert refused.status_code == 403 and 'data-reason="bad_state"' in refused.text
    assert "another browser" in json.loads(world.events("signin.refused")[-1].data)["detail"]
    page = post(asker, xml)
    assert page.status_code == 200, page.text
    assert asker.get("/ui/overview").status_code == 200


def test_refusals_count_towards_the_failed_sign_in_throttle(
    world: SamlWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settings_env(monkeypatch, {"OPI_AUTH_FAILURE_LIMIT": "2"})
    client = world.client()
    for _ in range(2):
        assert client.post("/saml/acs", data={"SAMLResponse": "bad"}).status_code == 403
    page = client.post("/saml/acs", data={"SAMLResponse": "bad"})
    assert page.status_code == 429 and "Retry-After" in page.headers
    assert 'data-reason="throttled"' in page.text and "For mange mislykkede forsøg" in page.text


def _idp_logout_url(world: SamlWorld, email: str, *, sign: bool = True) -> str:
    """A LogoutRequest from the IdP for `email`, in an HTTP-Redirect URL (path and query)."""
    idp = world.idp.idp
    _, request = idp.create_logout_request(
        "http://testserver/saml/slo",
        "http://testserver/saml/metadata",
        name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
        sign=False,
    )
    info = idp.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(request),
        "http://testserver/saml/slo",
        "",
        sign=sign,
        sigalg=RSA_SHA256,
    )
    location = dict(info["headers"])["Location"]
    return location.removeprefix("http://testserver")


def test_a_logout_at_the_idp_ends_the_session_here(world: SamlWorld) -> None:
    client = world.client()
    post(client, world.idp.response(start(client, world), Person(ANNE)))
    assert client.get("/ui/overview").status_code == 200
    answer = world.client().get(_idp_logout_url(world, ANNE))  # the IdP redirects a browser
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith(f"{world.idp.base}/slo?")
    query = parse_qs(urlsplit(location).query)
    response = world.idp.idp.parse_logout_request_response(
        query["SAMLResponse"][0], BINDING_HTTP_REDIRECT
    )
    assert response is not None and response.status_ok()
    assert client.get("/ui/overview").status_code == 303  # signed out here too
    [signout] = world.events("signout")
    assert signout.actor_user_id == world.user_id and json.loads(signout.data)["by"] == "idp"


def test_an_unsigned_logout_request_ends_nothing(world: SamlWorld) -> None:
    client = world.client()
    post(client, world.idp.response(start(client, world), Person(ANNE)))
    answer = world.client().get(_idp_logout_url(world, ANNE, sign=False))
    assert answer.status_code == 403
    assert 'data-reason="invalid_signature"' in answer.text
    assert client.get("/ui/overview").status_code == 200
