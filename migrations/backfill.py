"""Reading a table's existing rows in batches, for migrations that fill a new column.

0007 (the search texts) and 0010 (the need's stemmed terms) both compute a new column in
Python for every existing case. Reading all cases at once would hold a large table in memory;
OFFSET paging rereads what it skips. Both page by key instead: the next batch starts after the
last id read, so every batch is one index range scan.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op


def id_batches(
    table: sa.TableClause, *columns: sa.ColumnElement[Any], size: int
) -> Iterator[Sequence[sa.Row[Any]]]:
    """`table`'s rows as (`id`, *`columns`), at most `size` at a time, in id order."""
    bind = op.get_bind()
    after = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, *columns)
            .where(table.c.id > after)
            .order_by(table.c.id)
            .limit(size)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]
