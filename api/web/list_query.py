"""The query string of the paged list pages (Behovskatalog, Videnbibliotek, Åbne opslag).

They read the same page number, the searchable two also the same words, area and phase filters,
and all read them the same lenient way: a filter the page does not offer is left off and the page
number is kept in range, never an error page for a hand-edited address. The dependency classes
keep that in one place.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from workflow.needs.catalogue import MAX_QUERY_LENGTH

PAGE_SIZE = 50
MAX_PAGE = 10_000


@dataclass
class Paging:
    """`?page=` as typed; `page_number` and `offset` are what the query may use."""

    page: int = 1

    @property
    def page_number(self) -> int:
        """The page asked for, between 1 and `MAX_PAGE`."""
        return max(1, min(self.page, MAX_PAGE))

    @property
    def offset(self) -> int:
        """How many hits the pages before this one show."""
        return (self.page_number - 1) * PAGE_SIZE


@dataclass
class ListQuery(Paging):
    """`?q=&area=&state=&page=` as typed; the methods give what the search may use."""

    q: str = ""
    area: str = ""
    state: str = ""

    def words(self) -> str | None:
        """The search text, trimmed to what the search reads; None for none."""
        return self.q.strip()[:MAX_QUERY_LENGTH] or None


PagingDep = Annotated[Paging, Depends()]
ListQueryDep = Annotated[ListQuery, Depends()]


def offered(value: str, choices: Collection[str]) -> str | None:
    """`value` when the page offers it as a filter; None (no filter) for anything else."""
    return value if value in choices else None


def page_count(total: int) -> int:
    """How many pages `total` hits fill (at least one, for the empty list)."""
    return max(1, -(-total // PAGE_SIZE))
