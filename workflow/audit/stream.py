"""Reading the audit log in bulk: one consistent, read-only snapshot, streamed in batches.

Verification and exports read every event, so they bypass the ORM and read plain tuples from
the driver: a server-side (named) cursor on PostgreSQL, a plain cursor on SQLite, both fetched
in batches so memory stays bounded however long the log is.

All queries of one `ReadSnapshot` see the same state of the database: PostgreSQL runs them in
a REPEATABLE READ, READ ONLY transaction; SQLite in one deferred read transaction, which in WAL
mode neither takes nor waits for the write lock (the ORM sessions begin with BEGIN IMMEDIATE,
which would block every writer for as long as a large export runs).
"""

import itertools
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, TypedDict, Unpack

from psycopg.types.string import ByteaBinaryLoader
from sqlalchemy import Engine

BATCH = 5_000
_cursor_names = itertools.count(1)

# The event's time rendered by the database exactly as `timeutil.isoformat_z` renders it, so
# the verifier does no date arithmetic per event. SQLAlchemy stores SQLite timestamps as
# `YYYY-MM-DD HH:MM:SS.ffffff` (naive UTC); anything else is normalised in Python.
_AT_TEXT = {
    "postgresql": "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    "sqlite": "replace(at, ' ', 'T') || 'Z'",
}


class Fetch(TypedDict, total=False):
    """How `ReadSnapshot.batches` fetches a query's rows (its docstring says what each does);
    `rows` and `prefetched` pass them on."""

    batch: int | None
    raw_text: bool
    weight: Callable[[tuple[Any, ...]], int] | None


class ReadSnapshot:
    """A consistent read-only view of the database on one raw driver connection.

    Use as a context manager; `rows` and `one` run queries written with `param(name)`
    placeholders.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        if self.dialect not in _AT_TEXT:
            raise ValueError(f"unsupported database {self.dialect!r}")
        self.at_text = _AT_TEXT[self.dialect]
        self._raw: Any = None
        self._conn: Any = None

    def __enter__(self) -> "ReadSnapshot":
        self._raw = self.engine.raw_connection()
        self._conn = self._raw.driver_connection
        if self.dialect == "postgresql":
            self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # These scans are long and their expressions simple: compiling them costs more
            # than it saves (measured: JIT made verification about 1.8 times slower).
            self._conn.execute("SET LOCAL jit = off")
            # `timestamp::text` (the exact check reads times as text) in ISO form.
            self._conn.execute("SET LOCAL DateStyle = 'ISO'")
        else:
            # workflow.core.db turns pysqlite's own transaction handling off, so BEGIN is ours.
            self._conn.execute("BEGIN DEFERRED")
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._conn.rollback() if self.dialect == "postgresql" else self._end_sqlite()
        finally:
            self._raw.close()

    def _end_sqlite(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def param(self, name: str) -> str:
        """The placeholder for the named parameter `name` in this driver's style."""
        return f"%({name})s" if self.dialect == "postgresql" else f":{name}"

    def time(self, value: datetime) -> Any:
        """A timestamp parameter comparable with the stored `at` columns."""
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        if self.dialect == "postgresql":
            return value
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")

    def rows(
        self, sql: str, params: Mapping[str, Any] | None = None, **fetch: Unpack[Fetch]
    ) -> Generator[tuple[Any, ...], None, None]:
        """Every row of the query, fetched in `batches`."""
        for chunk in self.batches(sql, params, **fetch):
            yield from chunk

    def batches(
        self,
        sql: str,
        params: Mapping[str, Any] | None = None,
        batch: int | None = None,
        raw_text: bool = False,
        weight: Callable[[tuple[Any, ...]], int] | None = None,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The query's rows in lists of up to `batch` (default `BATCH`) rows.

        With `weight`, a row counts as `weight(row)` (say, the events it holds) and each list
        holds about `batch` of that, however the weight varies from row to row. With
        `raw_text`, PostgreSQL text values come as their UTF-8 bytes, undecoded (SQLite
        queries cast to BLOB themselves).
        """
        batch = batch or BATCH
        params = dict(params or {})
        if self.dialect == "postgresql":
            name = f"opi_audit_{next(_cursor_names)}"
            with self._conn.cursor(name=name, binary=True) as cursor:
                if raw_text:
                    cursor.adapters.register_loader("text", ByteaBinaryLoader)
                cursor.execute(sql, params)
                yield from _fetched(cursor, batch, weight)
            return
        cursor = self._conn.execute(sql, params)
        try:
            yield from _fetched(cursor, batch, weight)
        finally:
            cursor.close()

    def prefetched(
        self, sql: str, params: Mapping[str, Any] | None = None, **fetch: Unpack[Fetch]
    ) -> Iterator[list[tuple[Any, ...]]]:
        """`batches`, fetched ahead in a thread on PostgreSQL.

        The server then computes the next batch while this process works on the current one;
        SQLite runs in this process anyway, so there it is plain `batches`.
        """
        batches = self.batches(sql, params, **fetch)
        if self.dialect != "postgresql":
            return batches
        return prefetch(batches)

    def one(self, sql: str, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        """The first row of a small query, or None."""
        cursor = self._conn.execute(sql, dict(params or {}))
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return tuple(row) if row is not None else None

    def all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row of a small query."""
        cursor = self._conn.execute(sql, dict(params or {}))
        try:
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()


def _fetched(
    cursor: Any, batch: int, weight: Callable[[tuple[Any, ...]], int] | None
) -> Iterator[list[tuple[Any, ...]]]:
    size = batch if weight is None else max(1, batch // 100)
    while chunk := cursor.fetchmany(size):
        yield chunk
        if weight is not None:  # as many rows as held about `batch` in the last chunk
            size = max(1, min(batch, batch * len(chunk) // (sum(map(weight, chunk)) or 1)))


def normalise_at(text: str) -> str:
    """`isoformat_z` text of a stored time given as text in another form.

    Reached for SQLite values not written by SQLAlchemy (or tampered with) and for the times
    the exact check reads as text; a value that is not a time Python can hold (BC, year 10000
    and later, infinity) is returned unchanged, so it simply fails the hash check.
    """
    raw = text[:-1] if text.endswith("Z") else text
    try:
        value = datetime.fromisoformat(raw.replace("T", " "))
    except ValueError:
        return text
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_DONE = object()


def prefetch(source: Iterator[Any], depth: int = 4) -> Generator[Any, None, None]:
    """Items of `source`, produced by a background thread up to `depth` items ahead.

    Exceptions of the producer are raised here; closing this iterator stops the producer and
    closes `source` in its thread before returning.
    """
    handoff: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_Failure(exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="audit-prefetch", daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
