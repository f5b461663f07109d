"""What every write route declares alike: its `Idempotency-Key`, its problems, its answer.

A write route is `@router.post(path, response_model=..., **write_route(...))`: the
idempotency dependency and the problems a write can answer are declared here once, so the
routes and their OpenAPI document cannot drift apart.

A write's body names its fields as the workflow service it calls names its keyword
arguments, so the route hands them on whole (`**body.model_dump()`) and a field added to
both needs no third edit here; a mismatch is a `TypeError` the route's tests meet at once.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from api.deps import CurrentActor, Now, SessionDep
from api.http.idempotency import idempotency_key_header
from api.http.problems import ApiProblem
from api.http.replies import commit_reply
from api.schemas.common import WRITE, problem_responses
from api.views import etag
from workflow.access.actor import Actor
from workflow.access.policy import Action
from workflow.access.scope import case_for
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case, Organisation, OrganisationKind

ETAG_HEADER = {"ETag": {"description": "The case's version, quoted.", "schema": {"type": "string"}}}
CREATE = (400, 401, 403, 409, 413, 422)
"""Problems a write that creates a resource outside a case can answer (no 404)."""


def location_header(description: str) -> dict[str, Any]:
    """The `Location` header of a 201, pointing at what was created."""
    return {"Location": {"description": description, "schema": {"type": "string"}}}


def write_route(
    status: int = 201,
    description: str | None = None,
    headers: dict[str, Any] | None = None,
    *,
    problems: tuple[int, ...] = WRITE,
    more: dict[int | str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The keyword arguments of a write route: answering `status` (with `description` and
    `headers` when given, and any `more` answers), idempotent by `Idempotency-Key`."""
    answer: dict[str, Any] = {}
    if description is not None:
        answer["description"] = description
    if headers is not None:
        answer["headers"] = headers
    responses: dict[int | str, dict[str, Any]] = dict(more or {})
    if answer:
        responses[status] = answer
    return {
        "status_code": status,
        "responses": {**responses, **problem_responses(*problems)},
        "dependencies": [Depends(idempotency_key_header)],
    }


@dataclass(frozen=True, slots=True)
class Writer:
    """What a write route works with: the caller, the unit of work on the request's session,
    the request (for idempotent replays) and the time the request is handled at."""

    actor: Actor
    work: UnitOfWork
    request: Request
    now: datetime

    @property
    def session(self) -> Session:
        """The request's session, the one the unit of work writes through."""
        return self.work.session

    def reply(
        self,
        body: BaseModel,
        status: int = 200,
        headers: dict[str, str] | None = None,
        *,
        remembered: BaseModel | None = None,
    ) -> JSONResponse:
        """Answer the write and commit it (`api.http.replies.commit_reply`)."""
        return commit_reply(self.work, self.request, body, status, headers, remembered=remembered)

    def location(self, route: str, **path: Any) -> str:
        """The path of the route named `route` (its function's name) for the ids in `path`:
        where a 201's `Location` points."""
        return str(self.request.url_for(route, **path).path)

    def created(self, body: BaseModel, route: str, **path: Any) -> JSONResponse:
        """Answer 201 with the `Location` of what was created (`location_header` declares
        it), found as `location` finds it."""
        return self.reply(body, 201, {"Location": self.location(route, **path)})

    def case(self, case_id: int, action: Action) -> Case:
        """The case the caller means to do `action` on, checked as
        `workflow.access.scope.case_for` checks it (403, or 404 out of scope)."""
        return case_for(self.session, self.actor, case_id, action)

    def recorded(self, case: Case, body: BaseModel, status: int = 201) -> JSONResponse:
        """Answer a write that changed `case` with the case's new version as the `ETag` (what
        `ETAG_HEADER` declares), so the next `If-Match` need not read the case again."""
        return self.reply(body, status, {"ETag": etag(case)})

    def own_organisation(self, kind: OrganisationKind, refusal: str) -> Organisation:
        """The caller's own organisation, for a write only an organisation of `kind` may do
        for itself (a municipality starts a case, a company proposes); 403 `refusal` else."""
        actor = self.actor
        org = (
            self.session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
        )
        if org is None or org.kind != kind.value:
            raise ApiProblem(403, refusal, slug="forbidden")
        return org


async def get_writer(
    actor: CurrentActor, session: SessionDep, request: Request, now: Now
) -> Writer:
    """A write's context. `async`, as it does no I/O (`api.deps.get_language` says why);
    making it begins nothing, so a refusal before the write costs no transaction."""
    return Writer(actor, UnitOfWork(session), request, now)


Write = Annotated[Writer, Depends(get_writer)]
