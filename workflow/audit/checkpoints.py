"""Signed audit checkpoints: what every chain looked like at one moment, under an HMAC.

A hash chain proves that nothing inside a chain changed, but not that its tail is still there,
nor that somebody with write access did not rewrite a whole chain and recompute every hash.
A checkpoint records each chain's head (`seq`, `hash`) and length, signed with HMAC-SHA256
under `OPI_AUDIT_KEY`, which the database does not hold: verification compares the log with the
newest checkpoint whose signature holds, so a shortened chain or a rewritten one shows.

The signature covers a digest of the heads rather than the heads themselves, so a checkpoint
of many chains is one row plus one row per chain, and checking it streams the heads.
"""

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import insert
from sqlmodel import Session

from workflow.audit.stream import ReadSnapshot, normalise_at
from workflow.audit.writer import GLOBAL_CHAIN, case_chain
from workflow.core.timeutil import isoformat_z
from workflow.models import AuditCheckpoint, AuditCheckpointHead

SIGNATURE_VERSION = "opi-audit-checkpoint v1"
# How many signed checkpoints' heads verification checks before giving up on finding one
# that holds (each check reads one row per chain).
MAX_HEAD_CHECKS = 10


class Head(NamedTuple):
    """A chain's last event and how many events the chain holds.

    A named tuple: verification reads one per chain, and it is the cheapest to build.
    """

    chain: str
    case_id: int | None
    seq: int
    hash: str
    length: int

    @property
    def key(self) -> int:
        """Sort key of the chain: 0 for the global chain, else the case id."""
        return self.case_id or 0

    def line(self) -> bytes:
        """The head's canonical line in the checkpoint digest."""
        return f"{self.chain} {self.seq} {self.length} {self.hash}\n".encode()


@dataclass(frozen=True, slots=True)
class CheckpointInfo:
    """A checkpoint's header, without its heads."""

    id: int
    at: datetime
    actor_name: str
    chains: int
    events: int
    digest: str
    mac: str

    def public(self) -> dict[str, Any]:
        """What reports show of the checkpoint."""
        return {
            "id": self.id,
            "at": isoformat_z(self.at),
            "actor": self.actor_name,
            "chains": self.chains,
            "events": self.events,
        }


@dataclass(frozen=True, slots=True)
class InvalidCheckpoint:
    """A checkpoint whose signature or heads do not hold."""

    id: int
    detail: str


def chain_of(case_id: int | None) -> str:
    """The chain name for a case id (None: the global chain)."""
    return GLOBAL_CHAIN if case_id is None else case_chain(case_id)


CHAIN_OF_SQL = f"CASE WHEN case_id IS NULL THEN '{GLOBAL_CHAIN}' ELSE 'case:' || case_id END"
"""`chain_of` in SQL, for a row with a `case_id` column."""


def signed_message(at: datetime, actor_name: str, chains: int, events: int, digest: str) -> bytes:
    """The exact bytes the checkpoint's HMAC is computed over."""
    return (
        f"{SIGNATURE_VERSION}\nat={isoformat_z(at)}\nactor={actor_name}\n"
        f"chains={chains}\nevents={events}\ndigest={digest}\n"
    ).encode()


def sign(key: str, at: datetime, actor_name: str, chains: int, events: int, digest: str) -> str:
    """HMAC-SHA256 of the checkpoint header under `key`, hex."""
    message = signed_message(at, actor_name, chains, events, digest)
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def digest_of(heads: list[Head]) -> str:
    """SHA-256 over the heads' canonical lines (they must be in chain-key order)."""
    digest = hashlib.sha256()
    for head in heads:
        digest.update(head.line())
    return digest.hexdigest()


def write_checkpoint(
    session: Session, key: str, at: datetime, actor_name: str, heads: list[Head]
) -> CheckpointInfo:
    """Insert a signed checkpoint of `heads` (in chain-key order); the caller commits."""
    digest = digest_of(heads)
    events = sum(h.length for h in heads)
    mac = sign(key, at, actor_name, len(heads), events, digest)
    row = AuditCheckpoint(
        at=at, actor_name=actor_name, chains=len(heads), events=events, digest=digest, mac=mac
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    # One multi-row INSERT per thousand heads, not an ORM object per head (100,000 chains
    # took seven seconds of CPU that way).
    if heads:
        rows = [{"checkpoint_id": row.id, **h._asdict()} for h in heads]
        session.execute(insert(AuditCheckpointHead), rows)
    return CheckpointInfo(row.id, at, actor_name, len(heads), events, digest, mac)


def _checkpoints_newest_first(snap: ReadSnapshot) -> Iterator[CheckpointInfo]:
    sql = (
        f"SELECT id, {snap.at_text}, actor_name, chains, events, digest, mac "
        "FROM audit_checkpoints ORDER BY id DESC"
    )
    for row in snap.rows(sql, batch=100):
        at = datetime.fromisoformat(normalise_at(row[1]))
        yield CheckpointInfo(row[0], at, row[2], row[3], row[4], row[5], row[6])


def stream_heads(
    snap: ReadSnapshot,
    checkpoint_id: int,
    condition: str = "",
    params: dict[str, Any] | None = None,
) -> Iterator[Head]:
    """The checkpoint's heads in chain-key order (global first, then by case id).

    `condition` (SQL on `case_id`, with `params`) limits them to some cases.
    """
    where = f"checkpoint_id = {snap.param('cp')}" + (f" AND {condition}" if condition else "")
    sql = (
        "SELECT chain, case_id, seq, hash, length FROM audit_checkpoint_heads "
        f"WHERE {where} ORDER BY COALESCE(case_id, 0), chain"
    )
    for rows in snap.batches(sql, {**(params or {}), "cp": checkpoint_id}):
        yield from map(Head._make, rows)


def signature_problem(key: str, cp: CheckpointInfo) -> str | None:
    """None when the checkpoint's HMAC holds under `key`, else what is wrong."""
    expected = sign(key, cp.at, cp.actor_name, cp.chains, cp.events, cp.digest)
    if not hmac.compare_digest(expected, cp.mac):
        return "its HMAC does not verify (forged, altered, or signed with another key)"
    return None


def heads_problem(snap: ReadSnapshot, cp: CheckpointInfo) -> str | None:
    """None when the checkpoint's heads are the ones its signed digest covers.

    The database writes each head's `Head.line` (and whether its chain names its case), so
    a batch of heads is one `update` of the digest here rather than a call per head.
    """
    sqlite = snap.dialect == "sqlite"
    newline = "char(10)" if sqlite else "chr(10)"
    line = f"chain || ' ' || seq || ' ' || length || ' ' || hash || {newline}"
    line = f"CAST({line} AS BLOB)" if sqlite else line
    sql = (
        f"SELECT chain = {CHAIN_OF_SQL}, "
        f"{line}, length, chain, case_id FROM audit_checkpoint_heads "
        f"WHERE checkpoint_id = {snap.param('cp')} ORDER BY COALESCE(case_id, 0), chain"
    )
    digest = hashlib.sha256()
    chains = events = 0
    for rows in snap.batches(sql, {"cp": cp.id}, raw_text=True):
        if not all(map(itemgetter(0), rows)):
            chain, case_id = next((r[3], r[4]) for r in rows if not r[0])
            return f"its head {chain!r} names case {case_id}"
        lines = list(map(itemgetter(1), rows))
        if None in lines:  # a column is NULL: no head the service wrote
            return "its heads do not match its signed digest"
        digest.update(b"".join(lines))
        chains += len(rows)
        events += sum(map(itemgetter(2), rows))
    if digest.hexdigest() != cp.digest or (chains, events) != (cp.chains, cp.events):
        return "its heads do not match its signed digest"
    return None


def newest_valid_checkpoint(
    snap: ReadSnapshot, key: str
) -> tuple[CheckpointInfo | None, list[InvalidCheckpoint]]:
    """The newest checkpoint that verifies, and every checkpoint found not to.

    Every checkpoint's signature is checked, so a forged or altered checkpoint stays reported
    however many valid ones are written after it. Heads (one row per chain) are checked for
    the newest signed checkpoints only, until one holds.
    """
    chosen: CheckpointInfo | None = None
    invalid: list[InvalidCheckpoint] = []
    heads_checked = 0
    for cp in _checkpoints_newest_first(snap):
        problem = signature_problem(key, cp)
        if problem is None and chosen is None and heads_checked < MAX_HEAD_CHECKS:
            heads_checked += 1
            problem = heads_problem(snap, cp)
            if problem is None:
                chosen = cp
        if problem is not None:
            invalid.append(InvalidCheckpoint(cp.id, f"Checkpoint {cp.id}: {problem}."))
    return chosen, invalid
