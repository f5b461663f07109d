"""`Idempotency-Key` on POST (SPEC §4): a repeat returns the first response and changes nothing.

How it works, per caller (the token) and key:

1. Before the route runs, a *claim* row is committed (status 0). A unique constraint on
   (principal, key) makes exactly one of any number of concurrent repeats win it.
2. The route writes its response into the claim row *in its own transaction*
   (`remember_response`), so the write and the record commit together or not at all.
   Responses the route did not remember (refusals, other helpers' routes) are stored right
   after the route returns; server errors release the claim so the client may retry.
3. A repeat with the same body gets the stored status, body and headers back (with
   `Idempotent-Replayed: true`); with another body (or on another path) it gets a 422 problem.
   A repeat arriving while the first is still running waits for it, then replays; one that
   waits too long gets a 409 problem with `Retry-After`. A claim left behind by a crashed
   process is taken over after `LEASE`.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

import anyio
from fastapi import Header, Request, Response
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.problems import problem
from workflow.access.actor import Actor
from workflow.access.tokens import actor_for_token
from workflow.audit.writer import canonical_json
from workflow.core.db import get_engine
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.models import IdempotencyRecord

LEASE = timedelta(minutes=5)
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
STORED_HEADERS = ("content-type", "location", "etag", "content-language")
_STATE_KEY = "idempotency_record_id"

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Repeat a POST safely: the same key and body return the first response.",
        pattern=KEY_PATTERN,
    ),
]
"""Declare this on a POST route so the header appears in the OpenAPI document."""


async def idempotency_key_header(idempotency_key: IdempotencyKey = None) -> None:
    """Documents the header; the middleware does the work. Use as a route dependency."""


def remember_response(session: Session, request: Request, response: Response) -> Response:
    """Store `response` as the answer to this request's `Idempotency-Key`, in `session`'s
    transaction, so it commits together with the write it reports. Returns `response`."""
    record_id = request.scope.get("state", {}).get(_STATE_KEY)
    if record_id is not None:
        session.execute(
            update(IdempotencyRecord)
            .where(col(IdempotencyRecord.id) == record_id, col(IdempotencyRecord.status_code) == 0)
            .values(**_stored(response.status_code, response.headers, bytes(response.body)))
        )
    return response


def _stored(status: int, headers: Headers | dict[str, str], body: bytes) -> dict[str, object]:
    return {
        "status_code": status,
        "response_headers": {k: headers[k] for k in STORED_HEADERS if k in headers},
        "response_body": body.decode("utf-8", "replace"),
    }


ACTOR_STATE = "opi_token_actor"
"""Where the middleware leaves `(token, actor)` for `api.deps.get_actor`, so a request with an
`Idempotency-Key` looks its token up once, not twice."""


def _actor(token: str) -> Actor | None:
    with Session(get_engine()) as session:
        return actor_for_token(session, token, get_settings().admin_token)


def _principal(actor: Actor) -> str:
    return f"token:{actor.token_id}" if actor.token_id is not None else f"{actor.role}:{actor.name}"


def _body_hash(scope: Scope, body: bytes) -> str:
    try:
        canonical = canonical_json(json.loads(body)).encode()
    except (ValueError, RecursionError):  # not JSON (the route will say so): compare bytes
        canonical = body
    target = f"{scope['method']} {scope['path']}?{scope.get('query_string', b'').decode('latin-1')}"
    return hashlib.sha256(target.encode() + b"\n" + canonical).hexdigest()


Outcome = Literal["claimed", "replay", "mismatch", "busy"]


@dataclass(frozen=True, slots=True)
class _Result:
    outcome: Outcome
    record: IdempotencyRecord


def _claim(principal: str, key: str, method: str, path: str, body_hash: str) -> _Result:
    now = utcnow()
    where = (col(IdempotencyRecord.principal) == principal, col(IdempotencyRecord.key) == key)
    with Session(get_engine(), expire_on_commit=False) as session:
        record = session.execute(select(IdempotencyRecord).where(*where)).scalar_one_or_none()
        if record is None:
            record = IdempotencyRecord(
                principal=principal,
                key=key,
                method=method,
                path=path[:2000],
                body_hash=body_hash,
                status_code=0,
                response_headers={},
                response_body="",
                created_at=now,
            )
            session.add(record)
            try:
                session.commit()
                return _Result("claimed", record)
            except IntegrityError:  # a concurrent repeat claimed it first
                session.rollback()
                record = session.execute(select(IdempotencyRecord).where(*where)).scalar_one()
        if record.body_hash != body_hash:
            return _Result("mismatch", record)
        if record.status_code != 0:
            return _Result("replay", record)
        if record.created_at < now - LEASE:
            taken = session.execute(
                update(IdempotencyRecord)
                .where(
                    col(IdempotencyRecord.id) == record.id,
                    col(IdempotencyRecord.status_code) == 0,
                    col(IdempotencyRecord.created_at) == record.created_at,
                )
                .values(created_at=now)
            )
            session.commit()
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return _Result("claimed", record)
        return _Result("busy", record)


def _finish(record_id: int, status: int, headers: Headers, body: bytes) -> None:
    """Store the response unless the route already did; release the claim on a 5xx."""
    pending = (col(IdempotencyRecord.id) == record_id, col(IdempotencyRecord.status_code) == 0)
    with Session(get_engine()) as session:
        if status >= 500:
            session.execute(delete(IdempotencyRecord).where(*pending))
        else:
            session.execute(
                update(IdempotencyRecord).where(*pending).values(**_stored(status, headers, body))
            )
        session.commit()


def _release(record_id: int) -> None:
    _finish(record_id, 500, Headers(), b"")


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _replay_response(record: IdempotencyRecord) -> Response:
    headers = dict(record.response_headers)
    media_type = headers.pop("content-type", None)
    headers["Idempotent-Replayed"] = "true"
    return Response(
        record.response_body.encode(),
        status_code=record.status_code,
        headers=headers,
        media_type=media_type,
    )


class IdempotencyMiddleware:
    """Replays the first response to a POST repeated with the same `Idempotency-Key`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if key is None or headers.get("content-type", "").startswith("multipart/form-data"):
            # An upload (documents, up to 50 MB) is never buffered in memory to be hashed for a
            # replay: the key is ignored there (README "Documents").
            await self.app(scope, receive, send)
            return
        if not re.fullmatch(KEY_PATTERN, key):
            await problem(
                422,
                "Idempotency-Key must be 1 to 200 visible ASCII characters.",
                slug="invalid-idempotency-key",
            )(scope, receive, send)
            return
        body = await _read_body(receive)
        receive = _replaying(body, receive)
        scheme, _, token = headers.get("authorization", "").partition(" ")
        actor = (
            await run_in_threadpool(_actor, token.strip())
            if scheme.lower() == "bearer" and token.strip()
            else None
        )
        if actor is None:  # the route answers 401; nothing to remember
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})[ACTOR_STATE] = (token.strip(), actor)
        principal = _principal(actor)
        args = (principal, key, scope["method"], scope["path"], _body_hash(scope, body))
        result = await run_in_threadpool(_claim, *args)
        with anyio.move_on_after(WAIT_SECONDS):
            while result.outcome == "busy":
                await anyio.sleep(POLL_SECONDS)
                result = await run_in_threadpool(_claim, *args)
        if result.outcome == "mismatch":
            response: ASGIApp = problem(
                422,
                "This Idempotency-Key was already used with another request body or path.",
                slug="idempotency-key-reused",
            )
        elif result.outcome == "replay":
            response = _replay_response(result.record)
        elif result.outcome == "busy":
            response = problem(
                409,
                "A request with this Idempotency-Key is still being processed.",
                slug="idempotency-key-in-use",
                headers={"Retry-After": "1"},
            )
        else:
            await self._run(scope, receive, send, result.record.id or 0)
            return
        await response(scope, receive, send)

    async def _run(self, scope: Scope, receive: Receive, send: Send, record_id: int) -> None:
        scope.setdefault("state", {})[_STATE_KEY] = record_id
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(_release, record_id)
            raise
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        headers = Headers(raw=start.get("headers", []))
        await run_in_threadpool(_finish, record_id, start["status"], headers, body)
        for message in messages:
            await send(message)
