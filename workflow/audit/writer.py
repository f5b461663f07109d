"""Writing the hash-chained audit log (SPEC §6).

Each event's hash is SHA-256 over a canonical encoding of the event and the previous event's
hash, so any change, removal, insertion or reordering breaks the chain. Events are appended in
the caller's unit of work (`workflow.core.unit_of_work`): an event and the write it records
commit together or not at all.
"""

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlmodel import col

from workflow.access.actor import Actor
from workflow.core.id_lists import among
from workflow.core.timeutil import isoformat_z, utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
GLOBAL_CHAIN = "global"

# JSON string encoding as json.dumps(ensure_ascii=False) does it (the C implementation).
_enc = encode_basestring


def case_chain(case_id: int) -> str:
    """The chain name of a case's events."""
    return f"case:{case_id}"


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text: the same value always gives the same string."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return isoformat_z(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def event_bytes(
    *,
    chain: str,
    seq: int,
    at: datetime,
    actor_name: str,
    actor_role: str,
    actor_organisation_id: int | None,
    action: str,
    data: str,
    prev_hash: str,
    actor_token_id: int | None = None,
    actor_user_id: int | None = None,
    actor_via: str | None = None,
) -> bytes:
    """The canonical bytes an event's hash is computed over (`data` is canonical JSON).

    The encoding is the JSON object below, keys in this fixed order, no spaces, strings
    JSON-escaped with non-ASCII characters kept as UTF-8, and the stored `data` text spliced
    in verbatim as the last member::

        {"action":…,"actor":{"name":…,"org":<int|null>,"role":…,"token":<int|null>,
         "user":<int|null>,"via":…},"at":"<UTC, µs, Z>","chain":…,"prev_hash":…,"seq":<int>,
         "data":<data>}

    `token`, `user` and `via` are there when `actor_via` is set: on every event written since
    the log records who signed in how (migration 0008). Events from before carry none of the
    three, and their bytes are exactly what they were. Either way it equals `canonical_json`
    of the same fields (sorted keys) with `data` appended, and is built by formatting instead
    of `json.dumps` because verification runs it for every event.
    """
    return encode_event(
        _enc(chain),
        seq,
        isoformat_z(at),
        actor_name,
        actor_role,
        actor_organisation_id,
        action,
        data,
        _enc(prev_hash),
        identity_text(actor_token_id, actor_user_id, actor_via),
    )


def identity_text(token_id: int | None, user_id: int | None, via: str | None) -> str:
    """The actor members after `role`: `,"token":…,"user":…,"via":…`, or nothing without `via`."""
    if via is None:
        return ""
    token = "null" if token_id is None else str(token_id)
    user = "null" if user_id is None else str(user_id)
    return f',"token":{token},"user":{user},"via":{_enc(via)}'


def encode_event(
    chain_json: str,
    seq: int,
    at_text: str,
    actor_name: str,
    actor_role: str,
    actor_organisation_id: int | None,
    action: str,
    data: str,
    prev_hash_json: str,
    identity: str = "",
    /,
) -> bytes:
    """`event_bytes` from pre-encoded parts, positional for speed.

    `chain_json` and `prev_hash_json` are already JSON strings, quotes included; `at_text` is
    the `isoformat_z` text of the event's time; `identity` is `identity_text`'s.
    """
    org = "null" if actor_organisation_id is None else str(actor_organisation_id)
    return (
        event_prefix(action, actor_name, actor_role, org, identity)
        + f'{_enc(at_text)[1:]},"chain":{chain_json},"prev_hash":{prev_hash_json},'
        f'"seq":{seq},"data":{data}}}'
    ).encode()


def event_prefix(
    action: str, actor_name: str, actor_role: str, org_text: str, identity: str = ""
) -> str:
    """The canonical bytes up to the time's text: `{"action":…,"actor":{…},"at":"`.

    `org_text` is the organisation id's digits or `null`, `identity` is `identity_text`'s.
    Verification caches this part per actor and action (`workflow.audit.rows`).
    """
    return (
        f'{{"action":{_enc(action)},"actor":{{"name":{_enc(actor_name)},"org":{org_text},'
        f'"role":{_enc(actor_role)}{identity}}},"at":"'
    )


@dataclass(slots=True)
class NewEvent:
    """An event appended in this transaction: the `audit_events` row it becomes.

    A plain object rather than an ORM one: the rows are written with one Core INSERT when
    the unit of work flushes (`write_queued`), which costs a fraction of the ORM's unit of
    work for rows nothing reads back in the same transaction.
    """

    chain: str
    case_id: int | None
    seq: int
    at: datetime
    actor_name: str
    actor_role: str
    actor_organisation_id: int | None
    action: str
    data: str
    prev_hash: str
    actor_token_id: int | None = None
    actor_user_id: int | None = None
    actor_via: str | None = None
    hash: str = ""


@dataclass(slots=True)
class ChainHead:
    """A chain's head as this transaction holds it: the last event's `seq` and `hash`.

    `stored_seq` is the `seq` the `audit_heads` row has in the database (None: no row yet).
    The database moves the row itself when events are inserted (migration 0016).
    """

    chain: str
    seq: int
    hash: str
    stored_seq: int | None


def compute_hash(event: AuditEvent | NewEvent) -> str:
    """The hash `event` should carry, given its fields and `prev_hash`."""
    return hashlib.sha256(
        event_bytes(
            chain=event.chain,
            seq=event.seq,
            at=event.at,
            actor_name=event.actor_name,
            actor_role=event.actor_role,
            actor_organisation_id=event.actor_organisation_id,
            action=event.action,
            data=event.data,
            prev_hash=event.prev_hash,
            actor_token_id=event.actor_token_id,
            actor_user_id=event.actor_user_id,
            actor_via=event.actor_via,
        )
    ).hexdigest()


def _lock_heads(work: UnitOfWork, chains: list[str]) -> None:
    """Row-lock the heads of `chains` not yet held, in chain order, for the transaction.

    A head locked earlier in the same transaction is still locked and current, so it is
    reused without asking the database again (a transition appends several events to its
    case's chain); one locked in an earlier transaction is never trusted (`UnitOfWork`).
    Locking in chain order, the same in every writer, keeps sweeps from deadlocking.
    """
    held = work.heads
    wanted = sorted(set(chains) - set(held))
    if not wanted:
        return
    if len(wanted) == 1:
        found = work.session.execute(_LOCK_HEAD, {"chain": wanted[0]})
    else:
        found = work.session.execute(_lock_heads_query(wanted))
    for chain, seq, hash_ in found:
        held[chain] = ChainHead(chain, seq, hash_, seq)
    for chain in wanted:
        if chain not in held:
            held[chain] = ChainHead(chain, 0, GENESIS_HASH, None)


def lock_chains(work: UnitOfWork, chains: list[str]) -> None:
    """Lock (and hold) the heads of `chains` now, before other rows a writer will lock.

    The reminder sweep takes the heads of a batch's cases before the batch's reminder rows,
    the order every writer of a case follows (`workflow.transitions.locking.lock_case`).
    """
    _lock_heads(work, chains)


_HEAD_COLUMNS = (col(AuditHead.chain), col(AuditHead.seq), col(AuditHead.hash))
_LOCK_HEAD = (
    select(*_HEAD_COLUMNS).where(col(AuditHead.chain) == bindparam("chain")).with_for_update()
)


def _lock_heads_query(chains: list[str]) -> Select[str, int, str]:
    return (
        select(*_HEAD_COLUMNS)
        .where(among(col(AuditHead.chain), chains))
        .order_by(col(AuditHead.chain))
        .with_for_update()
    )


def record(
    work: UnitOfWork,
    actor: Actor,
    action: str,
    data: dict[str, Any],
    *,
    case_id: int | None = None,
    at: datetime | None = None,
) -> NewEvent:
    """Append an event to the case's chain (or the global one) in the current transaction.

    The event and the moved head are written when the unit of work flushes or commits, so
    the events of one transaction go to the database together.
    """
    chain = case_chain(case_id) if case_id is not None else GLOBAL_CHAIN
    _lock_heads(work, [chain])
    event = next_event(work.heads[chain], actor, action, data, case_id=case_id, at=at or utcnow())
    work.queue([event])
    return event


def record_many(
    work: UnitOfWork, actor: Actor, events: list[tuple[int, str, dict[str, Any]]], at: datetime
) -> list[NewEvent]:
    """Append `(case_id, action, data)` events, in order, each to its case's chain.

    What `record` does per event, for a batch (the reminder sweep writes one event per
    reminder, usually each in another case's chain): the heads not yet locked in this
    transaction are locked with one statement, in chain order, the same in every sweep, so
    sweeps never deadlock; the events go to the database together at the next flush.
    """
    _lock_heads(work, [case_chain(case_id) for case_id, _, _ in events])
    heads = work.heads
    written = [
        next_event(heads[case_chain(case_id)], actor, action, data, case_id=case_id, at=at)
        for case_id, action, data in events
    ]
    work.queue(written)
    return written


def next_event(
    head: ChainHead,
    actor: Actor,
    action: str,
    data: dict[str, Any],
    *,
    case_id: int | None,
    at: datetime,
) -> NewEvent:
    """The event that follows `head` in its chain, hashed; `head` moves on to it.

    The caller holds the head's row lock and queues the event for the next flush.
    """
    event = NewEvent(
        chain=head.chain,
        case_id=case_id,
        seq=head.seq + 1,
        at=at,
        actor_name=actor.name,
        actor_role=str(actor.role),
        actor_organisation_id=actor.organisation_id,
        action=action,
        data=canonical_json(data),
        prev_hash=head.hash,
        actor_token_id=actor.token_id,
        actor_user_id=actor.user_id,
        actor_via=actor.via,
    )
    event.hash = compute_hash(event)
    head.seq, head.hash = event.seq, event.hash
    return event


def write_queued(work: UnitOfWork) -> None:
    """Write the queued events, in order, with one INSERT; their chains' heads move with them.

    Called by `UnitOfWork.flush` (and so by its commit). The heads were locked when their
    first event was queued, so no one else has moved them since. The database moves each
    head to the last event inserted in its chain (a trigger, migration 0016), so the events
    and the heads are one round trip and can never disagree.
    """
    rows = work.take_queued()
    if not rows:
        return
    queued = [{name: getattr(e, name) for name in _EVENT_COLUMNS} for e in rows]
    work.session.connection().execute(_INSERT_EVENT, queued)
    for head in work.heads.values():
        head.stored_seq = head.seq


_INSERT_EVENT = AuditEvent.__table__.insert()  # type: ignore[attr-defined]
_EVENT_COLUMNS = tuple(f.name for f in fields(NewEvent))
