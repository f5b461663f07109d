"""Hash-chained audit events for generated cases, encoded exactly as `workflow.audit.writer` does.

Every event's `data` is `workflow.audit.writer.canonical_json` of its payload and its hash is
SHA-256 over `workflow.audit.writer.event_bytes`, chained through `prev_hash` from the genesis
hash, so the generated log verifies with the project's own verifier and a transition appends to it.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from states import REQUIREMENTS
from workflow.audit.writer import GENESIS_HASH, canonical_json, event_bytes

REQUIREMENT_CODES: dict[str, tuple[str, ...]] = {
    state.value: tuple(r.code for r in reqs) for state, reqs in REQUIREMENTS.items()
}
"""The codes a generated `advance` out of each phase records as met (from `states/`)."""
NEXT = {"need": "match", "match": "agreement", "agreement": "pilot", "pilot": "scale"}
NEXT["scale"] = "completed"


@dataclass(frozen=True, slots=True)
class Who:
    """The actor columns of an event."""

    name: str
    role: str
    organisation_id: int | None


@dataclass(frozen=True, slots=True)
class Event:
    """One event before it is chained: who, what, when and its payload."""

    who: Who
    action: str
    at: datetime
    data: dict[str, Any]


@dataclass(slots=True)
class ChainHead:
    """Where a chain ends: its last `seq` and hash (what `audit_heads` records)."""

    seq: int = 0
    hash: str = GENESIS_HASH


def chain_rows(
    chain: str, case_id: int | None, events: list[Event], head: ChainHead, next_id: int
) -> Iterator[tuple[Any, ...]]:
    """The `audit_events` rows of `events`, appended to the chain that ends at `head`.

    Rows are (id, chain, case_id, seq, at, actor_name, actor_role, actor_organisation_id,
    action, data, prev_hash, hash); `head` is moved to the last event.
    """
    sha256 = hashlib.sha256
    for offset, event in enumerate(events):
        seq = head.seq + 1
        data = canonical_json(event.data)
        who = event.who
        digest = sha256(
            event_bytes(
                chain=chain,
                seq=seq,
                at=event.at,
                actor_name=who.name,
                actor_role=who.role,
                actor_organisation_id=who.organisation_id,
                action=event.action,
                data=data,
                prev_hash=head.hash,
            )
        ).hexdigest()
        yield (
            next_id + offset,
            chain,
            case_id,
            seq,
            event.at,
            who.name,
            who.role,
            who.organisation_id,
            event.action,
            data,
            head.hash,
            digest,
        )
        head.seq, head.hash = seq, digest


class Timeline:
    """Builds a case's events in order, an hour apart, counting its version as it goes."""

    def __init__(self, manager: Who, start: datetime) -> None:
        self.manager = manager
        self.at = start
        self.version = 1
        self.events: list[Event] = []

    def add(self, action: str, data: dict[str, Any], who: Who | None = None) -> None:
        """Append an event one hour after the previous one."""
        self.events.append(Event(who or self.manager, action, self.at, data))
        self.at += timedelta(hours=1)

    def updated(self, section: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        """A merge patch of one section (`case.updated`), bumping the version."""
        self.version += 1
        keys = sorted(set(before) | set(after))
        self.add(
            "case.updated",
            {
                "changes": {
                    section: {
                        "before": {k: before.get(k) for k in keys},
                        "after": {k: after.get(k) for k in keys},
                    }
                },
                "version": self.version,
            },
        )

    def transition(self, source: str, trigger: str = "advance", reason: str | None = None) -> str:
        """A `case.transition` event (advance with every requirement met, or cancel)."""
        dest = NEXT[source] if trigger == "advance" else "cancelled"
        self.version += 1
        met = [{"code": c, "met": True} for c in REQUIREMENT_CODES[source]]
        self.add(
            "case.transition",
            {
                "trigger": trigger,
                "from": source,
                "to": dest,
                "reason": reason,
                "on_hold": False,
                "version": self.version,
                "requirements": met if trigger == "advance" else [],
            },
        )
        return dest

    def deadline(self, action: str, deadline: dict[str, Any], **extra: Any) -> None:
        """A `deadline.*` event describing `deadline`."""
        self.add(action, {**deadline, **extra})
