"""Building JSON responses for writes: serialised once, remembered for `Idempotency-Key`."""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.http.idempotency import remember_response
from workflow.core.unit_of_work import UnitOfWork


class JSONBytesResponse(JSONResponse):
    """A JSON response whose body is already encoded (pydantic's serialiser writes the
    bytes directly, as compact as `JSONResponse` would, without an intermediate dict)."""

    def render(self, content: Any) -> bytes:
        """The bytes as given."""
        assert isinstance(content, bytes)
        return content


def json_response(
    body: BaseModel | list[Any] | dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """`body` as JSON, pydantic models serialised in JSON mode."""
    if isinstance(body, BaseModel):
        return JSONBytesResponse(body.model_dump_json().encode(), status, headers)
    return JSONResponse(body, status_code=status, headers=headers)


def commit_reply(
    work: UnitOfWork,
    request: Request,
    body: BaseModel,
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    remembered: BaseModel | None = None,
) -> JSONResponse:
    """Answer a write: store the answer for idempotent replays in the write's own
    transaction, then commit its unit of work. `remembered` replaces the stored body when
    the live one holds a secret that must be shown once only."""
    response = json_response(body, status, headers)
    stored = response if remembered is None else json_response(remembered, status, headers)
    remember_response(work.session, request, stored)
    work.commit()
    return response
