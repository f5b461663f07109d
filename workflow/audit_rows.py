"""The rows verification reads, and the exact check an event falls back to.

Verification is SHA-256 over every event's canonical bytes (`workflow.audit.event_bytes`), so
its cost is reading the events and building those bytes. The database builds most of them:
each row arrives as

- `ok`: the chain column names the row's case (on SQLite also: every column has its type and
  `at` its stored shape, since SQLite columns accept anything);
- `key`: action, actor name, role and organisation, length-prefixed so it is unambiguous;
- `tail`: the bytes from the time on, `<at>","chain":"…","prev_hash":"…","seq":…,"data":…}`;
- `hash`: the stored hash.

The part before the time, `{"action":…,"actor":{…},"at":"`, is JSON-escaped in Python, once
per distinct `key` (`Prefixes`), so the bytes hashed are exactly `event_bytes`. Only the
checks that make this safe run per event: the chain (`ok`), the `seq`, and that `prev_hash`
sits in the tail at its fixed offset and is exactly the previous hash. Whenever one fails, or
the hash differs, the event is checked again from its raw columns with the reference encoding
(`reference_problem`), which decides; so an unusual but genuine event is never reported, and
the fast path can only be stricter than the reference, never more lenient.
"""

import hashlib
from datetime import datetime
from json.encoder import encode_basestring as _json
from typing import Any

from workflow.audit import encode_event, event_prefix
from workflow.audit_stream import ReadSnapshot, normalise_at
from workflow.timeutil import isoformat_z

AT_LENGTH = 27  # len("2026-11-23T10:00:00.000000Z")
SEQ_MARK = b'","seq":'
_MAX_PREFIXES = 50_000

_KEY = (
    "length(action) || ':' || action || length(actor_name) || ':' || actor_name || "
    "length(actor_role) || ':' || actor_role || ':' || COALESCE({org}, 'null')"
)
_TAIL = (
    '{at} || \'","chain":"\' || chain || \'","prev_hash":"\' || prev_hash || '
    "'\",\"seq\":' || {seq} || ',\"data\":' || data || '}}'"
)
# SQLite keeps whatever is stored in a column; the fast path needs the types the writer uses
# and the time in SQLAlchemy's storage format, or it sends the event to the reference check.
_SQLITE_SHAPE = (
    " AND typeof(seq) = 'integer' AND typeof(actor_organisation_id) IN ('integer', 'null')"
    " AND typeof(action) = 'text' AND typeof(actor_name) = 'text'"
    " AND typeof(actor_role) = 'text' AND typeof(data) = 'text'"
    " AND typeof(prev_hash) = 'text' AND typeof(hash) = 'text'"
    " AND at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]"
    ".[0-9][0-9][0-9][0-9][0-9][0-9]'"
)


def fast_rows_sql(snap: ReadSnapshot, where: str, case_chains: bool) -> str:
    """The query of `(id, case_id, seq, ok, key, tail, hash)` rows, in chain and seq order."""
    expected_chain = "'case:' || case_id" if case_chains else "'global'"
    if snap.dialect == "postgresql":
        ok = f"chain = {expected_chain}"
        key = _KEY.format(org="actor_organisation_id::text")
        tail = f"convert_to({_TAIL.format(at=snap.at_text, seq='seq::text')}, 'UTF8')"
    else:
        ok = f"(chain = {expected_chain}{_SQLITE_SHAPE})"
        key = _KEY.format(org="actor_organisation_id")
        tail = f"CAST({_TAIL.format(at=snap.at_text, seq='seq')} AS BLOB)"
    order = "case_id, seq" if case_chains else "seq"
    return (
        f"SELECT id, case_id, seq, {ok}, {key}, {tail}, hash FROM audit_events "
        f"WHERE {where} ORDER BY {order}"
    )


class Prefixes:
    """`{"action":…,"actor":{…},"at":"` for each distinct key, JSON-escaped once."""

    def __init__(self) -> None:
        self.cache: dict[str, bytes] = {}

    def build(self, key: str) -> bytes | None:
        """The prefix of `key` (cached), or None when the key is not one the query builds."""
        try:
            action, rest = _take(key, 0)
            name, rest = _take(key, rest)
            role, rest = _take(key, rest)
        except ValueError:
            return None
        org = key[rest:]
        if not org.startswith(":") or not (org == ":null" or org[1:].isdigit()):
            return None
        prefix = event_prefix(action, name, role, org[1:]).encode()
        if len(self.cache) >= _MAX_PREFIXES:
            self.cache.clear()
        self.cache[key] = prefix
        return prefix


def _take(key: str, start: int) -> tuple[str, int]:
    colon = key.index(":", start)
    length = int(key[start:colon])
    end = colon + 1 + length
    if length < 0 or end > len(key):
        raise ValueError("malformed key")
    return key[colon + 1 : end], end


def reference_problem(
    snap: ReadSnapshot, event_id: int, chain: str, last_seq: int, last_hash: str
) -> tuple[str, str] | None:
    """Check one event from its raw columns with the reference encoding.

    Returns None when the event is sound after all, else `(problem, detail)`.
    """
    row = snap.one(
        "SELECT chain, seq, at, actor_name, actor_role, actor_organisation_id, action, data, "
        f"prev_hash, hash FROM audit_events WHERE id = {snap.param('id')}",
        {"id": event_id},
    )
    assert row is not None, "the event was read in this same snapshot"
    stored_chain, seq, at, name, role, org, action, data, prev_hash, stored = row
    if stored_chain != chain:
        return "chain-mismatch", f"The event of seq {seq} among {chain}'s names {stored_chain!r}."
    if seq != last_seq + 1:
        return "seq-gap", _gap(last_seq, seq)
    if prev_hash != last_hash:
        return "broken-link", (
            f"prev_hash {str(prev_hash)[:12]}… is not the hash of seq {last_seq} "
            f"({last_hash[:12]}…)."
        )
    texts = (name, role, action, data, prev_hash, stored)
    if not all(isinstance(t, str) for t in texts) or not (org is None or type(org) is int):
        return "hash-mismatch", "The event's columns do not hold the types the log writes."
    at_text = isoformat_z(at) if isinstance(at, datetime) else normalise_at(str(at))
    computed = hashlib.sha256(
        encode_event(_json(chain), seq, at_text, name, role, org, action, data, _json(prev_hash))
    ).hexdigest()
    if computed != stored:
        return "hash-mismatch", (
            f"The stored hash {stored[:12]}… is not the hash of the event's content "
            f"({computed[:12]}…)."
        )
    return None


def _gap(last_seq: Any, seq: Any) -> str:
    if isinstance(seq, int) and seq > last_seq + 1:
        missing = f"seq {last_seq + 1}" if seq == last_seq + 2 else f"seq {last_seq + 1}–{seq - 1}"
        return f"{missing} is missing before seq {seq}."
    return f"seq {seq} follows seq {last_seq}: events are duplicated or out of order."
