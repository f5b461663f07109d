"""Building blocks shared by every schema: ids, pages and documented problem responses."""

from collections.abc import Callable, Collection
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.http.problems import PROBLEM_MEDIA_TYPE
from states.dates import Moment
from workflow.core.names import MAX_NAME_LENGTH, clean_name

MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL; larger numbers are refused as input, never a 500."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a path, query or body: one type for every route, API and pages, so no number the
database cannot compare with reaches a query (a 500 before: issue 15, finding 5)."""


def parse_id(text: str | None) -> int | None:
    """An id typed into a lenient page filter (`?municipality=`), or None when it is not one
    (the filter is then left off, as for any other unreadable value)."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH), AfterValidator(clean_name)]
"""A short name with at least one visible character and no control character, trimmed
before it is checked (`workflow.core.names`)."""
T = TypeVar("T")
V = TypeVar("V")


Timestamp = Moment
"""A timezone-aware time, ISO 8601 text, in years 2000-2100 (`states.dates`)."""


def member_of(allowed: Collection[V], refusal: Callable[[V], str]) -> AfterValidator:
    """The validator of an input whose type holds values not allowed here (a pseudo-role no
    token has, the lead's participant role): any of those is a 422 saying `refusal(value)`."""

    def check(value: V) -> V:
        if value not in allowed:
            raise ValueError(refusal(value))
        return value

    return AfterValidator(check)


class Strict(BaseModel):
    """A request body: unknown fields are refused so a typo never silently vanishes."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a list and how many items there are in all."""

    items: list[T]
    total: int


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "unmet": {
            "type": "array",
            "description": "Every unmet requirement (requirements-unmet only).",
            "items": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "object"},
                },
            },
        },
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}

_DESCRIPTIONS = {
    400: "The body could not be read.",
    401: "No or an invalid bearer token.",
    403: "The caller's role may not do this.",
    404: "Not found, or outside the caller's scope.",
    409: "Conflicts with the current state (refused transition, late proposal, ...).",
    412: "`If-Match` names a version that is no longer current.",
    413: "The request body is too large.",
    422: "The request is not valid (or an `Idempotency-Key` was reused with another body).",
    428: "`If-Match` is required.",
    429: "Too many invalid tokens from this address; wait `Retry-After` seconds.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting problem+json answers with these statuses.

    Wherever a token is checked (401), too many invalid ones get 429 (`api.http.throttle`).
    """
    if 401 in statuses and 429 not in statuses:
        statuses = (*statuses, 429)
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "Problem."),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def feed_responses(
    description: str, media_type: str, *problems: int
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` of a route answering a feed of `media_type` (Atom, iCalendar)
    rather than JSON, or a problem with one of these statuses."""
    ok = {"description": description, "content": {media_type: {}}}
    return {200: ok, **problem_responses(*problems)}


READ = (401, 404, 422)
"""Problems any authenticated read of a resource by id can answer."""
WRITE = (400, 401, 403, 404, 409, 413, 422)
"""Problems any authenticated write can answer."""
