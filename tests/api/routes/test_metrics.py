"""`GET /metrics` (issue 15, finding 14): what the API counts, and who may read it."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.api_helpers import ApiClient, create_case, make_ready, trigger
from workflow.core.settings import get_settings

LOOPBACK = ("127.0.0.1", 40000)
STRANGER = ("203.0.113.9", 40000)


@pytest.fixture
def scraper(api: ApiClient) -> Iterator[TestClient]:
    """A client on the loopback interface, like a Prometheus on the same host."""
    with TestClient(api.client.app, client=LOOPBACK) as client:
        yield client


def sample(client: TestClient, name: str, **labels: str) -> float:
    """The value of the sample `name` with exactly `labels` (0 when absent)."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return float(s.value)
    return 0.0


def test_requests_are_counted_by_route_template_and_status(
    api: ApiClient, scraper: TestClient
) -> None:
    w = api.world()
    case = create_case(api, w)
    template = {"method": "GET", "route": "/api/v1/cases/{case_id}"}
    ok_before = sample(scraper, "opi_http_requests_total", **template, status="200")
    missing_before = sample(scraper, "opi_http_requests_total", **template, status="404")
    unmatched_before = sample(
        scraper, "opi_http_requests_total", method="GET", route="(unmatched)", status="404"
    )
    page_before = sample(
        scraper, "opi_http_requests_total", method="GET", route="/ui/login", status="200"
    )
    for _ in range(2):
        assert api.get(f"/cases/{case['id']}", token=w.manager).status_code == 200
    assert api.get("/cases/999999", token=w.manager).status_code == 404
    assert api.client.get("/no/such/path/4711").status_code == 404
    assert api.client.get("/ui/login").status_code == 200

    assert sample(scraper, "opi_http_requests_total", **template, status="200") == ok_before + 2
    assert sample(scraper, "opi_http_requests_total", **template, status="404") == (
        missing_before + 1
    )
    assert (
        sample(scraper, "opi_http_requests_total", method="GET", route="(unmatched)", status="404")
        == unmatched_before + 1
    )
    assert (
        sample(scraper, "opi_http_requests_total", method="GET", route="/ui/login", status="200")
        == page_before + 1
    )
    assert sample(scraper, "opi_http_request_duration_seconds_count", **template) >= 2


def test_transitions_and_refusals_are_counted_by_trigger_and_requirement(
    api: ApiClient, scraper: TestClient
) -> None:
    w = api.world()
    case = create_case(api, w)
    refused = trigger(api, case["id"], w.manager, "advance")
    assert refused.status_code == 409
    codes = [u["code"] for u in refused.json()["unmet"]]
    assert codes
    before = {c: sample(scraper, "opi_transition_refusals_total", requirement=c) for c in codes}
    advanced_before = sample(scraper, "opi_transitions_total", trigger="advance")

    assert trigger(api, case["id"], w.manager, "advance").status_code == 409
    make_ready(api, w, case)
    assert trigger(api, case["id"], w.manager, "advance").status_code == 200

    for code in codes:
        assert sample(scraper, "opi_transition_refusals_total", requirement=code) == (
            before[code] + 1
        )
    assert sample(scraper, "opi_transitions_total", trigger="advance") == advanced_before + 1


def test_the_database_gauges_are_there(api: ApiClient, scraper: TestClient) -> None:
    assert sample(scraper, "opi_database_up") == 1
    assert sample(scraper, "opi_reminders", status="pending") == 0
    assert sample(scraper, "opi_reminder_sweep_lag_seconds") == 0


def test_only_loopback_or_the_metrics_token_may_read_metrics(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = api.client.app
    with TestClient(app, client=STRANGER) as stranger:
        assert stranger.get("/metrics").status_code == 404
        monkeypatch.setattr(get_settings(), "metrics_token", "m" * 32)
        assert stranger.get("/metrics").status_code == 404
        wrong = stranger.get("/metrics", headers={"Authorization": "Bearer " + "x" * 32})
        assert wrong.status_code == 404
        allowed = stranger.get("/metrics", headers={"Authorization": "Bearer " + "m" * 32})
        assert allowed.status_code == 200
        assert "opi_http_requests_total" in allowed.text
