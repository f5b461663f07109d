"""Path and query parameters many routes take, declared once so their bounds and wording agree.

Every id is a positive integer no larger than `MAX_ID` (a larger one would overflow the
database's column and answer 500); every page is `limit` rows from `offset`.
"""

from typing import Annotated, Any

from fastapi import Path, Query

from api.schemas.common import MAX_ID
from workflow.needs.catalogue import MAX_QUERY_LENGTH


def id_path(description: str | None = None) -> Any:
    """A path parameter holding an id."""
    return Path(ge=1, le=MAX_ID, description=description)


def id_query(description: str | None = None) -> Any:
    """An optional query parameter holding an id, for filters."""
    return Query(ge=1, le=MAX_ID, description=description)


CaseId = Annotated[int, id_path("The case's id.")]
Limit = Annotated[int, Query(ge=1, le=200)]
"""At most this many items (the routes default to 50)."""
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
"""Skip this many items."""
OrganisationFilter = Annotated[int | None, id_query()]
"""Only the items of this organisation."""


def search_text(description: str) -> Any:
    """The free-text query of the need catalogue and the knowledge library: Danish-stemmed
    words, searched literally (a NUL byte is refused, as neither database takes it)."""
    return Query(max_length=MAX_QUERY_LENGTH, pattern=r"^[^\x00]*$", description=description)
