"""The rows verification reads, the fast check of a run of events, and the exact check.

Verification is SHA-256 over every event's canonical bytes (`workflow.audit.writer.event_bytes`), so
its cost is reading the events and building those bytes. The database sends each chain as
*segments*, one row per up to `SEGMENT` events (`segment_sql`), each field of the events
joined into one value, so that a chain of ten events is one row, not ten:

- `total`, `n`: the chain's events, and those in the segment (seq 1 to `SEGMENT`; a longer
  chain's further segments are read with `continuation_sql`);
- `seqs`, `prevs`, `hashes`: the columns `seq`, `prev_hash` and `hash`, space-separated;
- `shape`: 1 if every event's chain is the chain of its case and its time one that
  `isoformat_z` writes with four year digits (on SQLite also: every column holds the type the
  writer stores, the time in SQLAlchemy's storage format);
- `records`: per event a key (action, actor name, role, organisation and, on events that
  record how the actor signed in, token, user and `via`) and `data` + `}`;
- `ats`: the times as the database writes them (`2026-11-23 10:00:00.5`).

`Segments.check` accepts a segment only if the reference check (`reference_problem`) accepts
every event in it. It compares the `seq` and `prev_hash` columns with the run and the links
the chain needs, in one comparison each; then it builds each event's bytes from the prefix
`{"action":…,"actor":{…},"at":"` (JSON-escaped in Python, once per key), the time, the
chain, link and `seq` it expects and the stored `data`, and compares SHA-256 of them with the
stored hashes. It works on whole segments with C-level operations (splitting, joining,
mapping) instead of a Python loop per event. A chain it does not accept is checked event by
event from its raw columns (`exact_rows_sql`, `reference_problem`), which decides: the fast
check is never more lenient than the reference, and an unusual but genuine event is never
reported.

The verifier computes every hash itself. The database only sends stored values; whatever it
sends, the chain holds only if the bytes hashed here link up to the signed checkpoint.
"""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from itertools import repeat
from json.encoder import encode_basestring as _json
from operator import methodcaller
from typing import Any

from workflow.audit.stream import ReadSnapshot, normalise_at
from workflow.audit.writer import encode_event, event_prefix, identity_text
from workflow.core.timeutil import isoformat_z
from workflow.models import SignInMethod

SEGMENT = 1000  # at most this many events per segment row
_MAX_PREFIXES = 50_000
# Separate events and key fields. Canonical JSON never holds them raw; a name that does
# changes the count of fields, and its chain takes the exact check.
_RS, _US = b"\x1e", b"\x1f"

# Per dialect: separators as SQL literals, text from an integer, joining values, the joined
# value as bytes, the time as text, and the conditions of `shape` beyond the chain name.
_PG = {
    "rs": "E'\\x1e'",
    "us": "E'\\x1f'",
    "int": "{}::text",
    "agg": "string_agg({}, {})",
    "blob": "{}",
    "at": "(at AT TIME ZONE 'UTC')::text",  # `2026-11-23 10:00:00.5` (DateStyle ISO)
    # isoformat_z writes years before 1000 with fewer digits; those take the exact check.
    "shape": "at >= TIMESTAMPTZ '1000-01-01 00:00:00+00'",
}
_SQLITE = {
    "rs": "char(30)",
    "us": "char(31)",
    "int": "CAST({} AS TEXT)",
    "agg": "group_concat({}, {})",
    "blob": "CAST({} AS BLOB)",
    "at": "at",  # `2026-11-23 10:00:00.500000` as SQLAlchemy stores it
    # SQLite keeps whatever is stored in a column: the types the writer uses, and the time in
    # SQLAlchemy's storage format from the year 1000 on, or the exact check decides.
    "shape": (
        "typeof(seq) = 'integer' AND typeof(actor_organisation_id) IN ('integer', 'null')"
        " AND typeof(action) = 'text' AND typeof(actor_name) = 'text'"
        " AND typeof(actor_role) = 'text' AND typeof(data) = 'text'"
        " AND typeof(actor_token_id) IN ('integer', 'null')"
        " AND typeof(actor_user_id) IN ('integer', 'null')"
        " AND typeof(actor_via) IN ('text', 'null')"
        " AND typeof(prev_hash) = 'text' AND typeof(hash) = 'text'"
        " AND at GLOB '[1-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:"
        "[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'"
    ),
}
_COLUMNS = (
    "case_id, seq, chain, at, actor_name, actor_role, actor_organisation_id, action, data, "
    "prev_hash, hash, actor_token_id, actor_user_id, actor_via"
)


def segment_sql(snap: ReadSnapshot, where: str, case_chains: bool) -> str:
    """`(case_id, total, n, seqs, shape, records, ats, prevs, hashes)` per chain, in order.

    Only the events with seq 1 to `SEGMENT` are joined; `total` counts all of the chain's.
    """
    return _segments(snap, where, case_chains, "case_id", f"seq BETWEEN 1 AND {SEGMENT}")


def continuation_sql(snap: ReadSnapshot, where: str, case_chains: bool) -> str:
    """The rest of one long chain (`where` selects it) as segments of `SEGMENT` events."""
    group = f"(seq - 1) / {SEGMENT}"
    return _segments(snap, f"{where} AND seq > {SEGMENT}", case_chains, group, "1 = 1")


def _segments(snap: ReadSnapshot, where: str, case_chains: bool, group: str, part: str) -> str:
    d = _PG if snap.dialect == "postgresql" else _SQLITE
    rs, us, seq_text = d["rs"], d["us"], d["int"].format("seq")
    expected_chain = "'case:' || case_id" if case_chains else "'global'"
    org = f"COALESCE({d['int'].format('actor_organisation_id')}, 'null')"
    token = f"COALESCE({d['int'].format('actor_token_id')}, 'null')"
    user = f"COALESCE({d['int'].format('actor_user_id')}, 'null')"
    # Without `actor_via` (events from before 0008) the whole identity part is NULL: no field.
    identity = f"COALESCE({us} || {token} || {us} || {user} || {us} || actor_via, '')"
    key = f"action || {us} || actor_name || {us} || actor_role || {us} || {org} || {identity}"
    record = f"{key} || {rs} || data || '}}'"
    shape = f"chain = {expected_chain} AND {d['shape']}"
    only = f"FILTER (WHERE {part})"

    def joined(value: str, sep: str) -> str:
        return str(d["blob"].format(f"{d['agg'].format(value, sep)} {only}"))

    space = "' '"
    return (
        f"SELECT {group}, count(*), count(*) {only}, {joined(seq_text, space)}, "
        f"min(CASE WHEN {shape} THEN 1 ELSE 0 END) {only}, "
        f"{joined(record, rs)}, {joined(d['at'], rs)}, "
        f"{joined('prev_hash', space)}, {joined('hash', space)} "
        f"FROM (SELECT {_COLUMNS} FROM audit_events WHERE {where} ORDER BY case_id, seq) e "
        f"GROUP BY {group} ORDER BY {group}"
    )


def exact_rows_sql(snap: ReadSnapshot, where: str) -> str:
    """One chain's raw columns in `seq` order, the time as text, for `reference_problem`."""
    at = (_PG if snap.dialect == "postgresql" else _SQLITE)["at"]
    return (
        f"SELECT chain, seq, {at}, actor_name, actor_role, actor_organisation_id, "
        f"actor_token_id, actor_user_id, actor_via, action, data, prev_hash, hash "
        f"FROM audit_events WHERE {where} ORDER BY seq"
    )


_hexdigest = methodcaller("hexdigest")


class Segments:
    """The fast check of segments, with the JSON-escaped prefix of each key it has met."""

    def __init__(self) -> None:
        self.prefixes: dict[bytes, bytes] = {}
        self._seqs: dict[int, bytes] = {}
        self._marks: list[bytes] = []

    def check(self, chain: bytes, last_seq: int, last_hash: bytes, segment: Sequence[Any]) -> bool:
        """Whether the reference check accepts every event of the segment.

        `segment` is `(n, seqs, shape, records, ats, prevs, hashes)` of a segment row; `chain`
        is the chain's name and `last_seq`, `last_hash` end the events before the segment.
        """
        n, seqs, shape, records, ats, prevs, hashes = segment
        first = last_seq + 1
        if shape != 1 or seqs != self._seq_run(first, n):
            return False
        if len(hashes) != 65 * n - 1 or hashes[64::65] != b" " * (n - 1):
            return False
        if prevs != (last_hash + b" " + hashes[:-65] if n > 1 else last_hash):
            return False
        parts = records.split(_RS)
        times = _times(ats.replace(b" ", b"T"), n)
        if len(parts) != 2 * n or times is None:
            return False
        keys, datas = parts[0::2], parts[1::2]
        get = self.prefixes.get
        prefixes = list(map(get, keys))
        if None in prefixes:
            prefixes = [get(key) or self._build(key) for key in keys]
            if None in prefixes:
                return False
        # The bytes are built with the chain, link and seq the reference expects; the columns
        # were compared with them above.
        mid = b'Z","chain":"' + chain + b'","prev_hash":"'
        parts = zip(
            prefixes, times, repeat(mid), prevs.split(b" "), self._seq_marks(first, n), datas
        )
        digests = map(_hexdigest, map(hashlib.sha256, map(_join, parts)))
        return " ".join(digests).encode() == hashes

    def _seq_run(self, first: int, n: int) -> bytes:
        if first != 1 or n > 100:  # short chains are the rule, and each length comes often
            return b" ".join(b"%d" % seq for seq in range(first, first + n))
        run = self._seqs.get(n)
        if run is None:
            run = self._seqs[n] = b" ".join(b"%d" % seq for seq in range(1, n + 1))
        return run

    def _seq_marks(self, first: int, n: int) -> list[bytes]:
        if first + n > len(self._marks) + 1:
            if first + n > SEGMENT + 1:  # a long chain's later segment: not kept
                return [b'","seq":%d,"data":' % seq for seq in range(first, first + n)]
            self._marks = [b'","seq":%d,"data":' % seq for seq in range(1, SEGMENT + 1)]
        return self._marks[first - 1 : first - 1 + n]

    def _build(self, key: bytes) -> bytes | None:
        """The prefix of `key` (cached), or None when the key is not one the query builds."""
        fields = key.split(_US)
        if len(fields) not in (4, 7):
            return None
        try:
            action, name, role, org, *rest = (field.decode() for field in fields)
        except UnicodeDecodeError:
            return None
        if not all(_id_text(value) for value in (org, *rest[:2])):
            return None
        identity = ""
        if rest:
            token, user, via = rest
            # A key of 7 fields is genuine only with a known `via`: the 4 fields of an older
            # event whose texts hold 3 separators also split into 7, ending in an id.
            if via not in _VIA:
                return None
            identity = identity_text(_id(token), _id(user), via)
        if len(self.prefixes) >= _MAX_PREFIXES:
            self.prefixes.clear()
        prefix = self.prefixes[key] = event_prefix(action, name, role, org, identity).encode()
        return prefix


_join = b"".join
_VIA = frozenset(method.value for method in SignInMethod)


def _id_text(value: str) -> bool:
    return value == "null" or (value.isascii() and value.isdigit())


def _id(value: str) -> int | None:
    return None if value == "null" else int(value)


def _times(ats: bytes, n: int) -> list[bytes] | None:
    """The `n` times (`YYYY-MM-DDTHH:MM:SS.ffffff`) of `ats`, padded to microseconds.

    PostgreSQL writes `.039500` as `.0395` and a whole second without a fraction; anything
    that is not such a time gives None.
    """
    if len(ats) == 27 * n - 1 and ats[26::27] == _RS * (n - 1):
        return ats.split(_RS)
    times = ats.split(_RS)
    for i, at in enumerate(times):
        if len(at) == 19:
            times[i] = at + b".000000"
        elif 21 <= len(at) < 26 and at[19:20] == b"." and at[20:].isdigit():
            times[i] = at.ljust(26, b"0")
        elif len(at) != 26:
            return None
    return times if len(times) == n else None


def reference_problem(
    row: Sequence[Any], chain: str, last_seq: int, last_hash: str
) -> tuple[str, str] | None:
    """Check one event from its raw columns (`exact_rows_sql`) with the reference encoding.

    Returns None when the event is sound, else `(problem, detail)`.
    """
    stored_chain, seq, at, name, role, org, token, user, via, action, data, prev_hash, stored = row
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
    ids = (org, token, user)
    if (
        not all(isinstance(t, str) for t in texts)
        or not all(i is None or type(i) is int for i in ids)
        or not (via is None or isinstance(via, str))
    ):
        return "hash-mismatch", "The event's columns do not hold the types the log writes."
    at_text = isoformat_z(at) if isinstance(at, datetime) else normalise_at(str(at))
    computed = hashlib.sha256(
        encode_event(
            _json(chain),
            seq,
            at_text,
            name,
            role,
            org,
            action,
            data,
            _json(prev_hash),
            identity_text(token, user, via),
        )
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
