"""Bulk generation of the benchmark database with COPY, in chunks of cases.

Organisations, tokens (a manager per municipality, an auditor), then the cases in chunks: each
chunk's cases, participants, deadlines, reminders and audit events go in with one COPY per
table, in one transaction with foreign keys checked. The audit log gets a global chain (the
organisations and tokens created) and one chain per case, padded with edits to exactly the
requested number of events, and `audit_heads` names every chain's last event.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from bench import pg
from bench.cases import BuiltCase, Ids, Orgs, build_case, pad, state_of
from bench.config import DataSize
from bench.gen_audit import ChainHead, Event, Who, chain_rows
from bench.sections import check_shapes
from bench.vocabulary import company_name, municipality_name
from workflow.access.roles import Role
from workflow.access.tokens import hash_token
from workflow.audit.writer import GLOBAL_CHAIN, case_chain
from workflow.core import migrate

CHUNK = 2_000
LOADER = Who("system:bench-loader", "system", None)
AUDITOR_TOKEN = "bench-auditor"

CASE_COLUMNS = (
    "id, title, state, on_hold, hold_reason, cancelled_from, lead_municipality_id, need, call, "
    "agreement, pilot, scale, version, phase_entered_at, created_at, updated_at, search_full, "
    "search_call"
)
PARTICIPANT_COLUMNS = "id, case_id, organisation_id, role, created_at"
DEADLINE_COLUMNS = (
    "id, case_id, phase, kind, title, due_at, responsible_organisation_id, status, revision, "
    "escalates, created_by, created_at, updated_at, closed_at, closed_reason"
)
REMINDER_COLUMNS = (
    "id, dedup_key, case_id, deadline_id, revision, rung, rung_order, "
    "recipient_organisation_id, recipient_role, channel, send_at, next_attempt_at, status, "
    "attempts, created_at, updated_at"
)
EVENT_COLUMNS = (
    "id, chain, case_id, seq, at, actor_name, actor_role, actor_organisation_id, action, data, "
    "prev_hash, hash"
)
SEQUENCED = ("organisations", "api_tokens", "cases", "participants", "deadlines", "reminders")


def manager_token(organisation_id: int) -> str:
    """The bearer token of the manager of municipality `organisation_id`."""
    return f"bench-manager-{organisation_id}"


@dataclass
class Generated:
    """What was generated, for the results file."""

    cases: int = 0
    events: int = 0
    reminders: int = 0
    due_reminders: int = 0
    deadlines: int = 0
    seconds: float = 0.0
    by_state: dict[str, int] = field(default_factory=dict)


def generate(name: str, size: DataSize, now: datetime | None = None) -> Generated:
    """Create database `name`, migrate it and fill it; what was written."""
    started = time.perf_counter()
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    check_shapes(now)
    pg.create(name)
    migrate.upgrade(pg.url(name))
    result = Generated()
    with psycopg.connect(pg.dsn(name)) as conn:
        # No triggers while the data is copied in: the heads are written below in one COPY
        # (the trigger of migration 0016 would move them row by row).
        conn.execute("SET session_replication_role = replica")
        orgs, global_events = _organisations(conn, size, now)
        padding = _padding(size, len(global_events), orgs, now)
        ids = Ids()
        heads: list[tuple[str, int, str]] = []
        global_head = ChainHead()
        rows = list(chain_rows(GLOBAL_CHAIN, None, global_events, global_head, ids.audit))
        ids.audit += len(rows)
        _copy(conn, "audit_events", EVENT_COLUMNS, rows)
        result.events += len(rows)
        for first in range(1, size.cases + 1, CHUNK):
            chunk = _chunk(first, min(first + CHUNK, size.cases + 1), size, orgs, ids, now)
            _write_chunk(conn, chunk, ids, size, padding, heads, result)
        conn.execute(
            "UPDATE audit_heads SET seq = %s, hash = %s WHERE chain = %s",
            (global_head.seq, global_head.hash, GLOBAL_CHAIN),
        )
        _copy(conn, "audit_heads", "chain, seq, hash", heads)
        for table in SEQUENCED:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('audit_events', 'id'), "
            "(SELECT MAX(id) FROM audit_events))"
        )
    with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    if result.due_reminders != size.due_reminders:
        raise RuntimeError(
            f"{result.due_reminders} reminders are due, not {size.due_reminders}: "
            "too few pilot cases for that many"
        )
    result.seconds = time.perf_counter() - started
    return result


def _organisations(
    conn: psycopg.Connection, size: DataSize, now: datetime
) -> tuple[Orgs, list[Event]]:
    at = now - timedelta(days=400)
    org_rows, events, managers = [], [], {}
    for n in range(size.municipalities + size.companies):
        municipality = n < size.municipalities
        org_id = n + 1
        name = municipality_name(n) if municipality else company_name(n - size.municipalities)
        kind = "municipality" if municipality else "company"
        email = f"opi@kommune{org_id}.dk" if municipality else f"kontakt@firma{org_id}.dk"
        language = "da" if municipality or n % 4 else "en"
        org_rows.append((org_id, name, kind, email, language, None, None, None, at))
        events.append(
            Event(
                LOADER,
                "organisation.created",
                at,
                {"organisation_id": org_id, "name": name, "kind": kind},
            )
        )
        at += timedelta(seconds=1)
    _copy(
        conn,
        "organisations",
        "id, name, kind, email, language, cvr, webhook_url, webhook_secret, created_at",
        org_rows,
    )
    token_rows: list[tuple[int, str, str, int | None, str]] = []
    for org_id in range(1, size.municipalities + 1):
        who = Who(f"Projektleder, {municipality_name(org_id - 1)}", Role.MANAGER.value, org_id)
        managers[org_id] = who
        token_rows.append((org_id, who.name, who.role, org_id, hash_token(manager_token(org_id))))
    token_rows.append(
        (len(token_rows) + 1, "Revisor", Role.AUDITOR.value, None, hash_token(AUDITOR_TOKEN))
    )
    for token_id, name, role, token_org, _ in token_rows:
        events.append(
            Event(
                LOADER,
                "token.created",
                at,
                {"token_id": token_id, "name": name, "role": role, "organisation_id": token_org},
            )
        )
        at += timedelta(seconds=1)
    _copy(
        conn,
        "api_tokens",
        "id, name, role, organisation_id, token_hash, created_at",
        [(*row, now - timedelta(days=400)) for row in token_rows],
    )
    municipalities = tuple(range(1, size.municipalities + 1))
    companies = tuple(range(size.municipalities + 1, size.municipalities + size.companies + 1))
    return Orgs(municipalities, companies, managers), events


def _padding(size: DataSize, global_events: int, orgs: Orgs, now: datetime) -> tuple[int, int]:
    """(edits per padded case, cases getting one more) to reach `size.audit_events`."""
    per_state: dict[str, int] = {}
    base = global_events
    for i in range(1, size.cases + 1):
        state = state_of(i, size.ready_cases)
        if state not in per_state:
            per_state[state] = len(build_case(i, state, orgs, Ids(), now, False).events)
        base += per_state[state]
    padded_cases = size.cases - size.ready_cases
    extra = max(0, size.audit_events - base)
    if padded_cases <= 0:
        return 0, 0
    return extra // padded_cases, extra % padded_cases


def _chunk(
    first: int, stop: int, size: DataSize, orgs: Orgs, ids: Ids, now: datetime
) -> list[tuple[int, BuiltCase]]:
    built = []
    pilots_before = _pilots_before(first, size)
    for i in range(first, stop):
        state = state_of(i, size.ready_cases)
        due = state == "pilot" and pilots_before < size.due_reminders
        pilots_before += state == "pilot"
        built.append((i, build_case(i, state, orgs, ids, now, due)))
    return built


def _pilots_before(i: int, size: DataSize) -> int:
    """How many pilot cases have numbers below `i` (the first ones get the due reminders)."""
    from bench.cases import STATE_PATTERN

    n = max(0, i - 1 - size.ready_cases)
    laps, rest = divmod(n, len(STATE_PATTERN))
    per_lap = STATE_PATTERN.count("pilot")
    return laps * per_lap + STATE_PATTERN[:rest].count("pilot")


def _write_chunk(
    conn: psycopg.Connection,
    chunk: list[tuple[int, BuiltCase]],
    ids: Ids,
    size: DataSize,
    padding: tuple[int, int],
    heads: list[tuple[str, int, str]],
    result: Generated,
) -> None:
    per_case, remainder = padding
    events: list[tuple[Any, ...]] = []
    for i, built in chunk:
        ready = i <= size.ready_cases
        if not ready:  # the first `remainder` of the other cases get one edit more
            pad(built, per_case + (1 if i - size.ready_cases <= remainder else 0))
        chain = case_chain(i)
        head = ChainHead()
        events.extend(chain_rows(chain, i, built.events, head, ids.audit + len(events)))
        heads.append((chain, head.seq, head.hash))
        label = "need (ready)" if ready else str(built.case[2])
        result.by_state[label] = result.by_state.get(label, 0) + 1
        result.due_reminders += built.due_reminders
    ids.audit += len(events)
    _copy(conn, "cases", CASE_COLUMNS, [b.case for _, b in chunk])
    _copy(conn, "participants", PARTICIPANT_COLUMNS, [r for _, b in chunk for r in b.participants])
    _copy(conn, "deadlines", DEADLINE_COLUMNS, [r for _, b in chunk for r in b.deadlines])
    _copy(conn, "reminders", REMINDER_COLUMNS, [r for _, b in chunk for r in b.reminders])
    _copy(conn, "audit_events", EVENT_COLUMNS, events)
    result.cases += len(chunk)
    result.events += len(events)
    result.deadlines += sum(len(b.deadlines) for _, b in chunk)
    result.reminders += sum(len(b.reminders) for _, b in chunk)


def _copy(conn: psycopg.Connection, table: str, columns: str, rows: list[Any]) -> None:
    if not rows:
        return
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
