"""What every write route declares alike: its `Idempotency-Key`, its problems, its answer.

A write route is `@router.post(path, response_model=..., **write_route(...))`: the
idempotency dependency and the problems a write can answer are declared here once, so the
routes and their OpenAPI document cannot drift apart.
"""

from typing import Any

from fastapi import Depends

from api.http.idempotency import idempotency_key_header
from api.schemas.common import WRITE, problem_responses

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
