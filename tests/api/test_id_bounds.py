"""Every integer in a path or query answers 404 or 422 when it is too large, never a 500
(issue 15, finding 5). Walks every route of the API and the pages, so a new route with an
unbounded id fails here."""

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from starlette.routing import Mount

from api.app import create_app
from tests.api_helpers import ADMIN_TOKEN, ApiClient

HUGE = "99999999999999999999"
PARAM = re.compile(r"{([^}:]+)(:[^}]*)?}")


def routes() -> Iterator[tuple[str, str]]:
    """(method, path template) of every route of the API and the pages, from their OpenAPI
    documents (the pages' app keeps its document private, but can still make one)."""
    app = create_app()
    web = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/ui").app
    assert isinstance(web, FastAPI)
    for prefix, document in (("", app.openapi()), ("/ui", web.openapi())):
        for path, operations in document["paths"].items():
            for method in operations:
                yield method.upper(), prefix + path


def web_sign_in(api: ApiClient) -> None:
    form = api.client.get("/ui/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf
    api.client.post(
        "/ui/login",
        data={"csrf_token": csrf.group(1), "token": ADMIN_TOKEN, "next": "/ui/cases"},
        follow_redirects=False,
    )


@pytest.mark.parametrize("value", [HUGE, "2147483648"])
def test_every_id_in_a_path_answers_404_or_422_when_out_of_range(
    api: ApiClient, value: str
) -> None:
    web_sign_in(api)
    seen = 0
    for method, template in routes():
        if "{" not in template or template.startswith("/ui/static"):
            continue
        path = PARAM.sub(lambda m: value if m.group(1).endswith("id") else "x", template)
        kwargs = {} if method == "GET" else {"data": {"csrf_token": "x"}}
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        response = api.client.request(
            method, path, headers=headers, follow_redirects=False, **kwargs
        )
        seen += 1
        assert response.status_code in (403, 404, 422), (method, path, response.status_code)
    assert seen > 20


@pytest.mark.parametrize(
    "path",
    [
        "/ui/cases?municipality=" + HUGE,
        "/ui/audit?case=" + HUGE,
        "/ui/audit?page=" + HUGE,
        "/api/v1/cases?municipality_id=" + HUGE,
        "/api/v1/cases?offset=" + HUGE,
        "/api/v1/audit?case_id=" + HUGE,
        "/api/v1/audit?offset=" + HUGE,
        "/api/v1/deadlines?organisation_id=" + HUGE,
    ],
)
def test_an_id_in_a_query_is_never_a_500(api: ApiClient, path: str) -> None:
    web_sign_in(api)
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    response = api.client.get(path, headers=headers, follow_redirects=False)
    assert response.status_code in (200, 404, 422), (path, response.status_code)
