"""Nothing signed with the published key works, and demo tokens only work in development
(issue 15, findings 1 and 2). Run with the default configuration: no `OPI_SECRET_KEY`."""

import re

import pytest
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from api.demo import load_demo
from notifications.links import ACK_SALT, FEED_SALT
from tests.api_helpers import ADMIN_TOKEN, ApiClient
from workflow.access.tokens import DEMO_TOKENS, hash_token
from workflow.core.keys import PUBLISHED_KEYS
from workflow.core.settings import get_settings

PUBLISHED = next(iter(PUBLISHED_KEYS))
LONG_ADMIN = "a-bootstrap-admin-token-of-forty-characters"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def use_environment(monkeypatch: pytest.MonkeyPatch, environment: str) -> None:
    """Serve the same database under another `OPI_ENVIRONMENT` from the next request on."""
    monkeypatch.setenv("OPI_ENVIRONMENT", environment)
    if environment == "production":
        monkeypatch.setenv("OPI_SECRET_KEY", "s" * 40)
        monkeypatch.setenv("OPI_AUDIT_KEY", "k" * 40)
        monkeypatch.setenv("OPI_ADMIN_TOKEN", LONG_ADMIN)
    get_settings.cache_clear()


def test_a_session_cookie_signed_with_the_published_key_is_not_a_session(api: ApiClient) -> None:
    assert get_settings().secret_key is None  # the default configuration
    forged = URLSafeTimedSerializer(PUBLISHED, salt="opi-web-session").dumps(
        {"c": "csrf", "a": hash_token(ADMIN_TOKEN)}
    )
    api.client.cookies.set("opi_session", forged, path="/ui")
    response = api.client.get("/ui/cases", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login")


def test_feed_and_acknowledge_links_signed_with_the_published_key_are_refused(
    api: ApiClient,
) -> None:
    org = api.org("Furesø Kommune")
    forged_feed = URLSafeSerializer(PUBLISHED, salt=FEED_SALT).dumps({"o": org["id"]})
    feed = api.get(f"/organisations/{org['id']}/deadlines.ics?token={forged_feed}", token=None)
    assert feed.status_code == 401
    real = api.get(f"/organisations/{org['id']}/calendar-feed").json()["url"]
    assert api.client.get(real.split("8000", 1)[-1]).status_code == 200

    forged_ack = URLSafeSerializer(PUBLISHED, salt=ACK_SALT).dumps(
        {"d": 1, "r": 1, "o": org["id"], "exp": 4_000_000_000}
    )
    ack = api.get(f"/reminders/ack?token={forged_ack}", token=None)
    assert ack.status_code in (400, 401, 404, 410) and ack.status_code != 200


def test_demo_tokens_work_in_development_only(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(api.db.engine)
    use_environment(monkeypatch, "development")
    assert api.get("/cases", token=DEMO_TOKENS["admin"]).status_code == 200
    for environment in ("test", "production"):
        use_environment(monkeypatch, environment)
        for token in DEMO_TOKENS.values():
            assert api.get("/cases", token=token).status_code == 401, (environment, token)


def test_a_demo_admin_cannot_mint_a_lasting_token_in_production(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(api.db.engine)
    use_environment(monkeypatch, "production")
    body = {"name": "backdoor", "role": "admin", "organisation_id": None}
    minted = api.post("/tokens", token=DEMO_TOKENS["admin"], json=body)
    assert minted.status_code == 401
    assert api.post("/tokens", token=LONG_ADMIN, json=body).status_code == 201


def _sign_in(api: ApiClient, token: str) -> int:
    form = api.client.get("/ui/login")
    csrf = CSRF.search(form.text)
    assert csrf
    response = api.client.post(
        "/ui/login",
        data={"csrf_token": csrf.group(1), "token": token, "next": "/ui/cases"},
        follow_redirects=False,
    )
    return response.status_code


def test_a_demo_session_started_in_development_ends_in_production(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(api.db.engine)
    use_environment(monkeypatch, "development")
    monkeypatch.setenv("OPI_SECRET_KEY", "s" * 40)  # the same key in both environments
    get_settings.cache_clear()
    assert _sign_in(api, DEMO_TOKENS["manager"]) == 303
    assert api.client.get("/ui/cases", follow_redirects=False).status_code == 200
    use_environment(monkeypatch, "production")
    page = api.client.get("/ui/cases", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/ui/login")
    # Production offers no token sign-in at all; in `test`, where it does, the demo token fails.
    use_environment(monkeypatch, "test")
    assert _sign_in(api, DEMO_TOKENS["manager"]) == 401
