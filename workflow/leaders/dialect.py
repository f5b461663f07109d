"""The few SQL expressions that PostgreSQL and SQLite spell differently, written once.

The overview's figures are one set of SQLAlchemy Core queries for both databases; only these
differ: reading a member of the audit log's JSON text, the seconds between two timestamps,
and the elements of a JSON array as rows. Everything else (window functions, integer
division, CASE) is the same SQL on both.
"""

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    case,
    cast,
    column,
    func,
    literal,
)
from sqlalchemy.dialects.postgresql import JSONB


class Dialect:
    """The expressions for one database (`name`: `postgresql` or `sqlite`)."""

    def __init__(self, name: str) -> None:
        self.pg = name == "postgresql"

    def json_text(self, document: Any, key: str) -> ColumnElement[str]:
        """`document`'s top-level member `key` as text; `document` is JSON stored as text."""
        if self.pg:
            return cast(document, JSONB)[key].astext
        return func.json_extract(document, f"$.{key}")

    def seconds_between(
        self, start: ColumnElement[Any], end: ColumnElement[Any]
    ) -> ColumnElement[float]:
        """`end - start` in seconds, as a float."""
        if self.pg:
            return cast(func.extract("epoch", end - start), Float)
        # SQLite keeps timestamps as ISO text; julianday reads it, in days.
        return (func.julianday(end) - func.julianday(start)) * literal(86400.0)

    def array_elements(self, document: Any, key: str, *, stored_as_text: bool) -> FromClause:
        """A table of the elements of the JSON array `document[key]` (none when it is not an
        array), its one column `value` an element; join it laterally to its row."""
        if self.pg:
            doc = cast(document, JSONB) if stored_as_text else document
            member = doc[key]
            array = case(
                (func.jsonb_typeof(member) == "array", member), else_=func.jsonb_build_array()
            )
            return func.jsonb_array_elements(array).table_valued(column("value", JSONB)).lateral()
        # json_each over a path that is missing or not an array yields no rows (or the one
        # scalar, which the callers' member reads then find empty).
        return func.json_each(document, f"$.{key}").table_valued("value", "type")

    def element_value(self, elements: FromClause, key: str) -> ColumnElement[Any]:
        """Member `key` of an element of `array_elements`, as the database's native value
        (a number stays a number, text stays text)."""
        value = elements.c.value
        if self.pg:
            return value.op("->", return_type=JSONB)(key)  # psycopg makes it the Python value
        return func.json_extract(value, f"$.{key}")

    def element_text(self, elements: FromClause, key: str) -> ColumnElement[str]:
        """Member `key` of an element of `array_elements`, as text."""
        value = elements.c.value
        if self.pg:
            return value[key].astext
        return func.json_extract(value, f"$.{key}")
