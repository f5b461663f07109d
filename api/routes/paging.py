"""One page of a list route's rows, and how many there are in all."""

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlmodel import Session

T = TypeVar("T")


def one_page(
    session: Session, query: Select[T], order: tuple[Any, ...], limit: int, offset: int
) -> tuple[list[T], int]:
    """The rows `query` finds on the page `limit`/`offset` in `order` (end it with the id, so
    pages never overlap), and the total it finds, counted over the same query."""
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(*order).limit(limit).offset(offset)).scalars()
    return list(rows), int(total)
