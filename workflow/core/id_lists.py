"""`column IN (...)` for a list of keys, as one bind parameter on both databases.

SQLAlchemy's `in_()` writes one placeholder per value (`IN (%(id_1_1)s, ..., %(id_1_100)s)`),
so a hundred ids cost a statement rendered per call, a long query text psycopg parses again
each time, and as many parameters adapted one by one: about 0.7 ms of CPU per statement on
our benchmark machine, paid several times per batch by the reminder sweep. `among` sends the
whole list as one value instead, and the statement text is the same whatever the list's
length, so every layer's cache holds:

- PostgreSQL: `column = ANY(:values)`, the list bound as an array of the column's type;
- SQLite: `column IN (SELECT value FROM json_each(:values))`, the list bound as JSON text.

An empty list matches nothing, as `IN ()` does.
"""

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, String, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator


class _ValueList(TypeDecorator[list[Any]]):
    """A Python list bound as one parameter: an array on PostgreSQL, JSON text elsewhere."""

    impl = String
    cache_ok = True

    def __init__(self, element_type: TypeEngine[Any]) -> None:
        super().__init__()
        self.element_type = element_type

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(self.element_type))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: list[Any] | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return json.dumps(value)


class Among(ColumnElement[bool]):
    """`column` is one of the bound list's values (see the module's docstring)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True
    """A predicate already: SQLite must not get `= 1` appended, which hides the index."""

    def __init__(self, column: ColumnElement[Any], values: BindParameter[list[Any]]) -> None:
        self.column = column
        self.values = values


# What SQLAlchemy's statement cache keys on: the column and the parameter, never its value,
# so one compiled statement serves every list.
Among._traverse_internals = [
    ("column", InternalTraversal.dp_clauseelement),
    ("values", InternalTraversal.dp_clauseelement),
]


def among(column: Any, values: Iterable[Any]) -> Among:
    """`column IN values`, with `values` sent as one parameter."""
    clause = getattr(column, "__clause_element__", None)  # a mapped attribute's column
    element: ColumnElement[Any] = clause() if clause is not None else column
    listed = list(values)
    bound = bindparam(None, listed, type_=_ValueList(element.type), unique=True)
    return Among(element, bound)


@compiles(Among)
def _compile_json_each(element: Among, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = compiler.process(element.column, **kw), compiler.process(element.values, **kw)
    return f"{column} IN (SELECT value FROM json_each({values}))"


@compiles(Among, "postgresql")
def _compile_any(element: Among, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = compiler.process(element.column, **kw), compiler.process(element.values, **kw)
    return f"{column} = ANY({values})"
