"""Verifying the audit log: recompute every chain, compare with the newest valid checkpoint.

The log is read in one consistent snapshot, streamed chain by chain (the global chain first,
then the cases by id, each in `seq` order), so memory does not grow with the number of events.
Chains are ordered by the integer case id rather than the chain's name, so the order never
depends on the database's collation and can be merged with the heads of the checkpoint and of
`audit_heads`, which are read in the same order.

For each event, in this order: the chain column names the event's case (`chain-mismatch`), the
`seq` follows the previous one (`seq-gap`), `prev_hash` is the previous event's hash
(`broken-link`) and `hash` is SHA-256 of the canonical bytes (`hash-mismatch`); how that is
done quickly and still exactly is `workflow.audit.rows`. At the event the checkpoint recorded
as the chain's head, the hash must be the recorded one, and no chain may end before it
(`checkpoint-mismatch`); the chain's last event must be the one `audit_heads` names
(`head-mismatch`). A checkpoint whose HMAC or heads do not verify is reported
(`checkpoint-invalid`) and the newest one that does is used.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Engine

from workflow.access.actor import SYSTEM_CHECKPOINT, Actor
from workflow.audit import rows as audit_rows
from workflow.audit.checkpoints import (
    CHAIN_OF_SQL,
    CheckpointInfo,
    Head,
    InvalidCheckpoint,
    chain_of,
    digest_of,
    newest_valid_checkpoint,
    stream_heads,
    write_checkpoint,
)
from workflow.audit.rows import (
    Segments,
    continuation_sql,
    exact_rows_sql,
    reference_problem,
    segment_sql,
)
from workflow.audit.stream import ReadSnapshot
from workflow.audit.writer import GENESIS_HASH
from workflow.core.db import session_scope
from workflow.core.timeutil import utcnow


@dataclass(frozen=True, slots=True)
class Broken:
    """The first thing found wrong: where (chain, case, seq) and what.

    The fields stand in the order of the JSON form, `detail` last (keyword-only, so that the
    optional ones may come before it).
    """

    problem: str
    chain: str | None = None
    case_id: int | None = None
    seq: int | None = None
    checkpoint_id: int | None = None
    detail: str = field(kw_only=True)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by the API and the CLI."""
        return asdict(self)


@dataclass(slots=True)
class VerifyReport:
    """The outcome of one verification."""

    ok: bool = True
    cases_checked: int = 0
    chains_checked: int = 0
    events_checked: int = 0
    broken_chains: int = 0
    first_broken: Broken | None = None
    checkpoint: CheckpointInfo | None = None
    invalid_checkpoints: list[InvalidCheckpoint] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by the API and the CLI: the fields, the checkpoint as reports
        show it (`CheckpointInfo.public`)."""
        return asdict(self) | {"checkpoint": self.checkpoint.public() if self.checkpoint else None}


@dataclass(frozen=True, slots=True)
class CheckpointOutcome:
    """What `verify_and_checkpoint` did: wrote a new checkpoint, found the log unchanged, or
    refused."""

    created: bool
    checkpoint: CheckpointInfo | None
    report: VerifyReport

    @property
    def refused(self) -> bool:
        """Whether a chain was broken, so nothing was signed."""
        return self.report.broken_chains > 0


class _Heads:
    """Walks heads recorded elsewhere (a checkpoint, `audit_heads`) alongside the events."""

    def __init__(self, heads: Iterable[Head]) -> None:
        self._it: Iterator[Head] = iter(heads)
        self._next = next(self._it, None)

    def take(self, key: int) -> tuple[list[Head], Head | None]:
        """Heads of chains before `key` (which have no events any more) and `key`'s head."""
        passed: list[Head] = []
        while self._next is not None and self._next.key < key:
            passed.append(self._next)
            self._next = next(self._it, None)
        if self._next is not None and self._next.key == key:
            head, self._next = self._next, next(self._it, None)
            return passed, head
        return passed, None

    def rest(self) -> list[Head]:
        """Every head not yet taken."""
        passed = [self._next] if self._next is not None else []
        return passed + list(self._it)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which chains to verify: all, one case, or the cases an SQL subquery selects."""

    case_id: int | None = None
    cases_sql: str | None = None

    @property
    def everything(self) -> bool:
        """Whether the global chain and every case chain are in scope."""
        return self.case_id is None and self.cases_sql is None

    def condition(self, snap: ReadSnapshot, column: str = "case_id") -> str:
        """SQL restricting `column` (a case id) to the scope; empty when everything is."""
        parts = []
        if self.case_id is not None:
            parts.append(f"{column} = {snap.param('scope_case')}")
        if self.cases_sql is not None:
            parts.append(f"{column} IN ({self.cases_sql})")
        return " AND ".join(parts)

    def params(self) -> dict[str, Any]:
        """The parameters `condition` refers to."""
        return {} if self.case_id is None else {"scope_case": self.case_id}


_HEAD_CASE_ID = {
    "postgresql": (
        "CASE WHEN chain ~ '^case:[0-9]{1,9}$' THEN CAST(substr(chain, 6) AS integer) END"
    ),
    "sqlite": "CASE WHEN chain LIKE 'case:%' THEN CAST(substr(chain, 6) AS INTEGER) END",
}


def _segment_batches(snap: ReadSnapshot, scope: Scope) -> Iterator[list[tuple[Any, ...]]]:
    """First segments (`workflow.audit.rows`): the global chain's, then case by case."""
    if scope.everything:
        sql = segment_sql(snap, "case_id IS NULL", case_chains=False)
        yield from snap.prefetched(sql, raw_text=True, weight=_events)
    condition = scope.condition(snap)
    where = "case_id IS NOT NULL" + (f" AND {condition}" if condition else "")
    sql = segment_sql(snap, where, case_chains=True)
    yield from snap.prefetched(sql, scope.params(), raw_text=True, weight=_events)


# A segment row weighs the events it holds, so a batch holds about `BATCH` events.
_events = itemgetter(2)


def _chain_where(snap: ReadSnapshot, case_id: int | None) -> tuple[str, dict[str, Any]]:
    """SQL selecting the events of one case's chain (or the global one), and its parameters."""
    if case_id is None:
        return "case_id IS NULL", {}
    return f"case_id = {snap.param('chain_case')}", {"chain_case": case_id}


def _db_heads(snap: ReadSnapshot, scope: Scope) -> Iterator[Head]:
    condition = scope.condition(snap)
    sql = (
        f"SELECT chain, case_id, seq, hash, seq FROM (SELECT chain, "
        f"{_HEAD_CASE_ID[snap.dialect]} AS case_id, seq, hash FROM audit_heads WHERE seq > 0) h "
        # Names that are no chain of ours are never written.
        f"WHERE chain = {CHAIN_OF_SQL} "
        + (f"AND {condition} " if condition else "")
        + "ORDER BY COALESCE(case_id, 0), chain"
    )
    for rows in snap.batches(sql, scope.params()):
        yield from map(Head._make, rows)


class _Verifier:
    """One pass over the events; collects chain heads when a checkpoint is being taken."""

    def __init__(
        self,
        report: VerifyReport,
        checkpoint_heads: Iterable[Head],
        db_heads: Iterable[Head],
        collect: list[Head] | None,
    ) -> None:
        self.report = report
        self.cp = _Heads(checkpoint_heads)
        self.db = _Heads(db_heads)
        self.collect = collect
        self.cp_id = report.checkpoint.id if report.checkpoint else None
        self.segments = Segments()

    def fail(
        self, problem: str, detail: str, chain: str | None, case_id: int | None, seq: int | None
    ) -> None:
        """Record a broken chain; the first one becomes the report's `first_broken`."""
        self.report.ok = False
        self.report.broken_chains += 1
        if self.report.first_broken is None:
            cp_id = self.cp_id if problem == "checkpoint-mismatch" else None
            self.report.first_broken = Broken(problem, chain, case_id, seq, cp_id, detail=detail)

    def _missing(self, key: int) -> tuple[Head | None, Head | None]:
        """The recorded heads of chain `key`, failing the chains before it that have vanished."""
        gone_cp, cp_head = self.cp.take(key)
        gone_db, db_head = self.db.take(key)
        self._vanished(gone_cp, gone_db)
        return cp_head, db_head

    def _vanished(self, gone_cp: list[Head], gone_db: list[Head]) -> None:
        """Fail chains that a checkpoint or `audit_heads` records but that have no events."""
        if not gone_cp and not gone_db:
            return
        found = [(h.key, 0, h, f"checkpoint {self.cp_id}") for h in gone_cp]
        found += [(h.key, 1, h, "audit_heads") for h in gone_db]
        reported: set[str] = set()
        for _, rank, head, source in sorted(found, key=lambda f: (f[0], f[1])):
            if head.chain in reported:
                continue
            reported.add(head.chain)
            self.fail(
                "checkpoint-mismatch" if rank == 0 else "head-mismatch",
                f"Chain {head.chain} has no events, but {source} records {head.length} "
                f"ending at seq {head.seq}: the chain was deleted.",
                head.chain,
                head.case_id,
                1,
            )

    def run(self, snap: ReadSnapshot, batches: Iterable[list[tuple[Any, ...]]]) -> None:
        """Check every chain; the rows are its first segments (`segment_sql`), in chain order."""
        for rows in batches:
            for case_id, total, *segment in rows:
                self._chain(snap, case_id, total, segment)
        self._vanished(self.cp.rest(), self.db.rest())

    def _chain(
        self, snap: ReadSnapshot, case_id: int | None, total: int, segment: Sequence[Any]
    ) -> None:
        """Check one chain and its end, given its first segment."""
        report = self.report
        report.events_checked += total
        report.chains_checked += 1
        if case_id is not None:
            report.cases_checked += 1
        cp_head, db_head = self._missing(case_id or 0)
        chain = chain_of(case_id)
        outcome = self._fast(snap, case_id, chain, total, segment, cp_head)
        if outcome is None:
            outcome = self._exact(snap, case_id, chain, cp_head)
        last_seq, last_hash, broken = outcome
        if not broken:
            self._end(chain, case_id, last_seq, last_hash, cp_head, db_head)

    def _fast(
        self,
        snap: ReadSnapshot,
        case_id: int | None,
        chain: str,
        total: int,
        segment: Sequence[Any],
        cp_head: Head | None,
    ) -> tuple[int, str, bool] | None:
        """`(last_seq, last_hash, broken)` if every segment passes the fast check, else None.

        A long chain's further segments are read on demand. None sends the whole chain to the
        exact check, which then finds the first problem, if there is one.
        """
        name, last_seq, last_hash, seen = chain.encode(), 0, GENESIS_HASH.encode(), 0
        more = None
        try:
            while True:
                n, hashes = segment[0], segment[-1]
                if not n or not self.segments.check(name, last_seq, last_hash, segment):
                    return None
                first, last_seq, seen = last_seq + 1, last_seq + n, seen + n
                last_hash = hashes[-64:]
                if cp_head is not None and first <= cp_head.seq <= last_seq:
                    at = 65 * (cp_head.seq - first)
                    stored = hashes[at : at + 64].decode()
                    if self._rewritten(chain, case_id, cp_head, cp_head.seq, stored):
                        return last_seq, "", True
                if seen == total:
                    return last_seq, last_hash.decode(), False
                if n != audit_rows.SEGMENT:  # more events after a short segment: the exact check
                    return None
                if more is None:
                    where, params = _chain_where(snap, case_id)
                    sql = continuation_sql(snap, where, case_id is not None)
                    more = snap.rows(sql, params, raw_text=True, weight=_events)
                row = next(more, None)
                if row is None:
                    return None
                segment = row[2:]
        finally:
            if more is not None:
                more.close()

    def _exact(
        self, snap: ReadSnapshot, case_id: int | None, chain: str, cp_head: Head | None
    ) -> tuple[int, str, bool]:
        """Check the chain event by event from its raw columns (`reference_problem`)."""
        last_seq, last_hash = 0, GENESIS_HASH
        where, params = _chain_where(snap, case_id)
        with closing(snap.rows(exact_rows_sql(snap, where), params)) as rows:
            for row in rows:
                seq, stored = row[1], row[-1]
                problem = reference_problem(row, chain, last_seq, last_hash)
                if problem is not None:
                    self.fail(*problem, chain, case_id, seq)
                    return last_seq, last_hash, True
                if self._rewritten(chain, case_id, cp_head, seq, stored):
                    return last_seq, last_hash, True
                last_seq, last_hash = seq, stored
        return last_seq, last_hash, False

    def _rewritten(
        self, chain: str, case_id: int | None, cp_head: Head | None, seq: Any, stored: str
    ) -> bool:
        """Fail the chain if `seq` is the checkpointed head's and its hash not the one signed."""
        if cp_head is None or seq != cp_head.seq or stored == cp_head.hash:
            return False
        self.fail(
            "checkpoint-mismatch",
            f"Checkpoint {self.cp_id} recorded hash {cp_head.hash[:12]}… at seq {cp_head.seq}, "
            f"the log now has {stored[:12]}…: the chain was rewritten.",
            chain,
            case_id,
            cp_head.seq,
        )
        return True

    def _end(
        self,
        chain: str,
        case_id: int | None,
        last_seq: int,
        last_hash: str,
        cp_head: Head | None,
        db_head: Head | None,
    ) -> None:
        if cp_head is not None and last_seq < cp_head.seq:
            self.fail(
                "checkpoint-mismatch",
                f"The chain ends at seq {last_seq}, but checkpoint "
                f"{self.cp_id} recorded it up to seq {cp_head.seq}: its tail was removed.",
                chain,
                case_id,
                last_seq + 1,
            )
            return
        if db_head is None or (db_head.seq, db_head.hash) != (last_seq, last_hash):
            recorded = f"seq {db_head.seq}" if db_head else "no head"
            self.fail(
                "head-mismatch",
                f"The chain ends at seq {last_seq}, but audit_heads records {recorded}.",
                chain,
                case_id,
                last_seq + 1 if db_head and db_head.seq > last_seq else last_seq,
            )
            return
        if self.collect is not None:
            self.collect.append(Head(chain, case_id, last_seq, last_hash, last_seq))


def _verify(snap: ReadSnapshot, key: str, scope: Scope, collect: list[Head] | None) -> VerifyReport:
    report = VerifyReport()
    checkpoint, invalid = newest_valid_checkpoint(snap, key)
    report.checkpoint, report.invalid_checkpoints = checkpoint, invalid
    cp_heads: Iterable[Head] = ()
    if checkpoint is not None:
        cp_heads = stream_heads(snap, checkpoint.id, scope.condition(snap), scope.params())
    verifier = _Verifier(report, cp_heads, _db_heads(snap, scope), collect)
    verifier.run(snap, _segment_batches(snap, scope))
    if invalid:
        report.ok = False
        if report.first_broken is None:
            report.first_broken = Broken(
                "checkpoint-invalid", checkpoint_id=invalid[0].id, detail=invalid[0].detail
            )
    return report


def verify_log(
    engine: Engine, key: str, *, case_id: int | None = None, cases_sql: str | None = None
) -> VerifyReport:
    """Verify every chain (or one case's, or those of the cases `cases_sql` selects)."""
    with ReadSnapshot(engine) as snap:
        return _verify(snap, key, Scope(case_id, cases_sql), None)


def verify_and_checkpoint(
    engine: Engine, key: str, actor: Actor = SYSTEM_CHECKPOINT
) -> CheckpointOutcome:
    """Verify the whole log and, if every chain holds and any changed, sign its heads.

    A broken chain is never signed: that would make the damage look legitimate.
    """
    at = utcnow()
    heads: list[Head] = []
    with ReadSnapshot(engine) as snap:
        report = _verify(snap, key, Scope(), heads)
    if report.broken_chains:
        return CheckpointOutcome(False, None, report)
    # Invalid checkpoints alone do not stop a new one: the chains verified against the newest
    # valid checkpoint (or none), and they stay reported by every verification anyway.
    if report.checkpoint is not None and report.checkpoint.digest == digest_of(heads):
        return CheckpointOutcome(False, report.checkpoint, report)
    with session_scope(engine) as session:
        checkpoint = write_checkpoint(session, key, at, actor.name, heads)
    return CheckpointOutcome(True, checkpoint, report)
