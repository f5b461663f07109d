"""The admission queue (`api/http/admission.py`) and the request id, in-process: what a request
that waited too long gets, on the API and on the pages, and what `/healthz` does meanwhile."""

import asyncio

import anyio
import httpx
import pytest
from starlette.types import Receive, Scope, Send

from api.http.admission import AdmissionMiddleware
from api.http.problems import PROBLEM_MEDIA_TYPE
from api.http.request_context import REQUEST_ID_HEADER
from tests.api_helpers import ApiClient


class Gate:
    """An ASGI app that holds every request but `/healthz` until released."""

    def __init__(self) -> None:
        self.inside = 0
        self.release = anyio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.inside += 1
        if scope["path"] != "/healthz":
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _three_requests_through_one_slot(path: str) -> tuple[list[httpx.Response], Gate]:
    gate = Gate()
    app = AdmissionMiddleware(gate, limit=1, wait=0.3)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        first = asyncio.create_task(client.get(path))
        while gate.inside == 0:
            await asyncio.sleep(0.01)
        queued = [await client.get(path), await client.get(path, headers={"Cookie": "opi_lang=en"})]
        health = await client.get("/healthz")  # bypasses the queue: the gate answers it
        gate.release.set()
        return [await first, *queued, health], gate


def test_a_request_that_queued_too_long_gets_a_503_problem() -> None:
    (first, queued, _, health), gate = asyncio.run(
        _three_requests_through_one_slot("/api/v1/cases")
    )
    assert first.status_code == 200
    assert queued.status_code == 503
    assert queued.headers["retry-after"] == "2"
    assert queued.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert queued.json()["status"] == 503
    assert health.status_code == 200
    assert gate.inside == 2  # the first request and /healthz: the others never reached the app


def test_a_page_that_queued_too_long_says_so_in_the_reader_s_language() -> None:
    (_, danish, english, _), _ = asyncio.run(_three_requests_through_one_slot("/ui/cases"))
    assert danish.status_code == english.status_code == 503
    assert danish.headers["content-type"].startswith("text/html")
    assert "Tjenesten har travlt lige nu" in danish.text and 'lang="da"' in danish.text
    assert "The service is busy right now" in english.text and 'lang="en"' in english.text


@pytest.mark.parametrize(
    ("given", "kept"),
    [("abc-123", True), ("x" * 129, False), ("two words", False), ("<script>", False)],
)
def test_the_request_id_is_kept_only_when_plain(api: ApiClient, given: str, kept: bool) -> None:
    answer = api.client.get("/healthz", headers={REQUEST_ID_HEADER: given})
    returned = answer.headers[REQUEST_ID_HEADER]
    if kept:
        assert returned == given
    else:
        assert returned != given and len(returned) == 32 and int(returned, 16) >= 0
