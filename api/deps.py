"""FastAPI dependencies: the database session and the calling actor."""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.http.idempotency import ACTOR_STATE
from api.http.problems import ApiProblem, language_of
from api.http.throttle import client_address, throttle_of
from workflow.access.actor import Actor
from workflow.access.tokens import actor_for_token
from workflow.core.db import get_engine
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow

# Declares the bearer scheme in the OpenAPI document; get_actor itself reads the header.
_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer <token>`.")


async def get_session() -> AsyncIterator[Session]:
    """One session per request; routes commit what they write.

    `async`, because making a session does no I/O: a plain `def` dependency would cost two
    thread-pool hops per request (one in, one out). Closing does I/O only when a transaction
    is still open (a read's, rolled back), and then runs in the thread pool.
    """
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def get_actor(
    request: Request,
    session: SessionDep,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> Actor:
    """The actor behind `Authorization: Bearer <token>`; 401 without a valid token, 429 after
    too many invalid ones from the client's address (`api.http.throttle`)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(401, "A bearer token is required.", slug="unauthorized")
    known = request.scope.get("state", {}).get(ACTOR_STATE)
    if known is not None and known[0] == token.strip():
        return known[1]  # the Idempotency-Key middleware looked it up for this request
    throttle, client = throttle_of(request), client_address(request)
    wait = throttle.retry_after(client)
    if wait is not None:
        raise ApiProblem(
            429,
            f"Too many invalid tokens from this address; try again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    actor = actor_for_token(session, token.strip(), get_settings().admin_token)
    if actor is None:
        throttle.failed(client)
        raise ApiProblem(401, "The bearer token is not valid.", slug="unauthorized")
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


async def get_language(request: Request) -> str:
    """The response language from `Accept-Language` (Danish by default).

    This and the other dependencies that do no I/O are `async`: FastAPI runs a plain `def`
    dependency in the thread pool, a hop that costs more than the work itself.
    """
    return language_of(request)


Language = Annotated[str, Depends(get_language)]


async def get_now() -> datetime:
    """The time a request is handled at (UTC). Tests override it to move the clock."""
    return utcnow()


Now = Annotated[datetime, Depends(get_now)]


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


_DECLARED = "opi_query_names"


def _declared_query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters a route declares, worked out once and kept on the route."""
    names: frozenset[str] | None = getattr(route, _DECLARED, None)
    if names is None:
        names = _query_names(route.dependant)
        setattr(route, _DECLARED, names)
    return names


async def strict_query(request: Request) -> None:
    """422 for a query parameter the route does not declare, or one given more than once.

    A typo in a filter (`?stat=match`) would otherwise silently return everything, and no
    parameter of this API takes a list. Use as a router dependency.
    """
    params = request.query_params
    route = request.scope.get("route")
    declared = _declared_query_names(route) if isinstance(route, APIRoute) else None
    unknown = sorted({n for n in params if declared is not None and n not in declared})
    repeated = sorted({n for n in params if len(params.getlist(n)) > 1})
    if unknown or repeated:
        problems = [f"unknown: {', '.join(map(repr, unknown))}"] if unknown else []
        problems += [f"given more than once: {', '.join(repeated)}"] if repeated else []
        raise ApiProblem(422, f"Query parameters {'; '.join(problems)}.", slug="invalid-input")
