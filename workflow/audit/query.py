"""Reading the audit log for auditors: filtered pages, one case's history, streamed exports.

Every query runs in a `ReadSnapshot` (see `workflow.audit.stream`): plain rows from the driver,
exports fetched in batches so any size streams in bounded memory. Events are shown exactly as
stored: `at` in the `isoformat_z` text that was hashed, and `data` as the canonical JSON it is,
so anyone can recompute every hash from an export (see the README's section for auditors).
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring as _enc
from typing import Any, Literal

from sqlalchemy import Engine, select

from states.text import Text
from workflow.access.actor import Actor
from workflow.access.policy import sees_all
from workflow.access.scope import visible_cases_clause
from workflow.audit.stream import ReadSnapshot, normalise_at
from workflow.models import Case

ExportFormat = Literal["json", "jsonl", "csv"]
EXPORT_MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "jsonl": "application/jsonl",
    "csv": "text/csv; charset=utf-8",
}
COLUMNS = (
    "id",
    "chain",
    "case_id",
    "seq",
    "at",
    "actor_name",
    "actor_role",
    "actor_organisation_id",
    "actor_token_id",
    "actor_user_id",
    "actor_via",
    "action",
    "data",
    "prev_hash",
    "hash",
)
_UNESCAPED_BREAKS = ("\x85", "\u2028", "\u2029")
_ESCAPE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in _UNESCAPED_BREAKS}
# Exports are sent in pieces of about this many characters.
CHUNK_CHARS = 64 * 1024
_TRANSITION_ACTIONS = ("case.transition", "case.transition_refused")


def cases_in_scope_sql(actor: Actor, engine: Engine) -> str | None:
    """SQL selecting the ids of the cases `actor` may see, or None when it may see all.

    Compiled from `workflow.access.scope` (the one definition of scope), with its values inlined:
    they are the actor's own organisation id and fixed state names, never request input.
    """
    if sees_all(actor):
        return None
    statement = select(Case.id).where(visible_cases_clause(actor))  # type: ignore[call-overload]
    compiled = statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    return str(compiled).replace("\n", " ")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which events to read. `action` ending in `*` matches by prefix (`case.*`)."""

    case_id: int | None = None
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    cases_sql: str | None = None
    """The caller's scope (`cases_in_scope_sql`): only events of these cases."""

    def where(self, snap: ReadSnapshot) -> tuple[str, dict[str, Any]]:
        """The WHERE clause (or "") and its parameters."""
        parts: list[str] = []
        params: dict[str, Any] = {}
        if self.case_id is not None:
            parts.append(f"case_id = {snap.param('case_id')}")
            params["case_id"] = self.case_id
        if self.actor is not None:
            parts.append(f"actor_name = {snap.param('actor')}")
            params["actor"] = self.actor
        if self.action is not None:
            if self.action.endswith("*"):
                parts.append(f"action LIKE {snap.param('action')} ESCAPE '\\'")
                params["action"] = _like_prefix(self.action[:-1])
            else:
                parts.append(f"action = {snap.param('action')}")
                params["action"] = self.action
        if self.since is not None:
            parts.append(f"at >= {snap.param('since')}")
            params["since"] = snap.time(self.since)
        if self.until is not None:
            parts.append(f"at < {snap.param('until')}")
            params["until"] = snap.time(self.until)
        if self.cases_sql is not None:
            parts.append(f"case_id IN ({self.cases_sql})")
        return (" WHERE " + " AND ".join(parts)) if parts else "", params


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _columns(snap: ReadSnapshot) -> str:
    return ", ".join(snap.at_text if c == "at" else c for c in COLUMNS)


def _rows(
    snap: ReadSnapshot, flt: AuditFilter, order: str, limit: int | None = None, offset: int = 0
) -> Iterator[tuple[Any, ...]]:
    where, params = flt.where(snap)
    sql = f"SELECT {_columns(snap)} FROM audit_events{where} ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    for row in snap.rows(sql, params):
        at = row[4]
        yield row if len(at) == 27 else (*row[:4], normalise_at(at), *row[5:])


def _count(snap: ReadSnapshot, flt: AuditFilter) -> int:
    where, params = flt.where(snap)
    row = snap.one(f"SELECT COUNT(*) FROM audit_events{where}", params)
    return int(row[0]) if row else 0


def parse_data(text: str) -> Any:
    """The event's data as JSON; text that is not JSON (a tampered row) stays text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def event_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    """One event row as the API shows it, `data` parsed."""
    event = dict(zip(COLUMNS, row, strict=True))
    event["data"] = parse_data(event["data"])
    return event


def list_events(
    engine: Engine, flt: AuditFilter, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of events, oldest first, and how many match in all."""
    with ReadSnapshot(engine) as snap:
        total = _count(snap, flt)
        rows = _rows(snap, flt, "at, id", limit, offset)
        return [event_dict(r) for r in rows], total


def case_history(
    engine: Engine, case_id: int, language: str, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One case's events in `seq` order, transitions and refusals with their requirements."""
    flt = AuditFilter(case_id=case_id)
    with ReadSnapshot(engine) as snap:
        total = _count(snap, flt)
        items = [
            _with_requirements(event_dict(r), language)
            for r in _rows(snap, flt, "seq, id", limit, offset)
        ]
    return items, total


def _with_requirements(event: dict[str, Any], language: str) -> dict[str, Any]:
    """Add `refused`, `requirements` and `unmet` to a transition event (None elsewhere)."""
    data = event["data"] if isinstance(event["data"], dict) else {}
    event["refused"] = event["action"] == "case.transition_refused"
    event["requirements"] = event["unmet"] = None
    if event["action"] not in _TRANSITION_ACTIONS:
        return event
    unmet = [u for u in data.get("unmet") or [] if isinstance(u, dict)]
    messages = {
        u.get("code"): Text(u.get("message_da") or "", u.get("message_en") or "").pick(language)
        or None
        for u in unmet
    }
    results = [r for r in data.get("requirements") or [] if isinstance(r, dict)]
    event["requirements"] = [
        {"code": r.get("code"), "met": bool(r.get("met")), "message": messages.get(r.get("code"))}
        for r in results
    ]
    if event["refused"]:
        event["unmet"] = [
            {
                "code": u.get("code"),
                "message": messages.get(u.get("code")),
                "details": u.get("details"),
            }
            for u in unmet
        ]
    return event


def export(engine: Engine, flt: AuditFilter, fmt: ExportFormat) -> Iterator[str]:
    """Every matching event, oldest first, as JSON, JSON Lines or CSV text in pieces.

    Runs in one snapshot, so an export is consistent even while events are appended.
    """
    render = {"json": _json_pieces, "jsonl": _jsonl_pieces, "csv": _csv_pieces}[fmt]
    with ReadSnapshot(engine) as snap:
        yield from _chunked(render(_rows(snap, flt, "at, id")))


def _chunked(pieces: Iterator[str]) -> Iterator[str]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _json_object(row: tuple[Any, ...]) -> str:
    """The event as one JSON object; `data` spliced in as stored when it is JSON."""
    id_, chain, case_id, seq, at, name, role, org, token, user, via, action, data, prev, hash_ = row
    try:
        json.loads(data)
    except ValueError:
        data = _enc(data)
    text = (
        f'{{"id":{id_},"chain":{_enc(chain)},"case_id":{_null(case_id)},"seq":{seq},'
        f'"at":{_enc(at)},"actor_name":{_enc(name)},"actor_role":{_enc(role)},'
        f'"actor_organisation_id":{_null(org)},"actor_token_id":{_null(token)},'
        f'"actor_user_id":{_null(user)},"actor_via":{"null" if via is None else _enc(via)},'
        f'"action":{_enc(action)},"data":{data},"prev_hash":{_enc(prev)},"hash":{_enc(hash_)}}}'
    )
    # Line breaks other than \n that JSON leaves unescaped can only sit inside strings here;
    # escaping them keeps one event per line for every reader and parses to the same text.
    if any(c in text for c in _UNESCAPED_BREAKS):
        text = text.translate(_ESCAPE_BREAKS)
    return text


def _null(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _jsonl_pieces(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    for row in rows:
        yield _json_object(row) + "\n"


def _json_pieces(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for row in rows:
        yield separator + _json_object(row)
        separator = ",\n"
    yield "\n]\n"


def _csv_pieces(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def parse_csv_event(record: dict[str, str]) -> dict[str, Any]:
    """One CSV record back into the event it came from (the inverse of the CSV export)."""
    event: dict[str, Any] = dict(record)
    for name in (
        "id",
        "case_id",
        "seq",
        "actor_organisation_id",
        "actor_token_id",
        "actor_user_id",
    ):
        event[name] = int(record[name]) if record[name] != "" else None
    event["actor_via"] = record["actor_via"] or None
    event["data"] = parse_data(record["data"])
    return event
