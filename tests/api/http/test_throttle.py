"""Failed sign-ins and bearer tokens are throttled per client address (issue 15.12)."""

import re
import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api_helpers import ADMIN_TOKEN, ApiClient
from workflow.core.settings import get_settings

LIMIT = 3


@pytest.fixture
def strict(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> ApiClient:
    """The API with a limit of 3 failures per second-long window."""
    monkeypatch.setenv("OPI_AUTH_FAILURE_LIMIT", str(LIMIT))
    monkeypatch.setenv("OPI_AUTH_FAILURE_WINDOW_SECONDS", "1")
    get_settings.cache_clear()
    api.client = TestClient(create_app(), follow_redirects=False)
    return api


def bearer(client: TestClient, token: str) -> int:
    return client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code


def test_too_many_invalid_tokens_get_429_with_retry_after_even_for_a_valid_one(
    strict: ApiClient,
) -> None:
    client = strict.client
    assert [bearer(client, f"guess-{i}") for i in range(LIMIT)] == [401] * LIMIT
    refused = client.get("/api/v1/cases", headers={"Authorization": "Bearer guess-x"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "1"
    assert bearer(client, ADMIN_TOKEN) == 429  # no oracle: the right token waits too
    other = TestClient(client.app, client=("192.0.2.7", 40000))
    assert bearer(other, ADMIN_TOKEN) == 200  # another address is not affected
    time.sleep(1.2)  # the failures leave the one-second window
    assert bearer(client, ADMIN_TOKEN) == 200


def test_valid_tokens_are_never_counted(strict: ApiClient) -> None:
    assert [bearer(strict.client, ADMIN_TOKEN) for _ in range(LIMIT * 3)] == [200] * LIMIT * 3
    assert bearer(strict.client, "guess") == 401


def test_failed_sign_ins_on_the_page_are_throttled(strict: ApiClient) -> None:
    client = strict.client

    def sign_in(token: str) -> tuple[int, str, str | None]:
        form = client.get("/ui/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf
        done = client.post(
            "/ui/login", data={"csrf_token": csrf.group(1), "token": token, "next": "/ui/cases"}
        )
        return done.status_code, done.text, done.headers.get("retry-after")

    assert [sign_in(f"guess-{i}")[0] for i in range(LIMIT)] == [401] * LIMIT
    status, page, retry = sign_in(ADMIN_TOKEN)
    assert status == 429 and retry == "1"
    assert "For mange forkerte forsøg" in page
    # The API and the pages count together: the same address is throttled on both.
    assert bearer(client, ADMIN_TOKEN) == 429
