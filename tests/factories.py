"""Small, deterministic builders of test data. No random choices: every test is repeatable."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from workflow.actor import Actor
from workflow.cases import create_case, update_case
from workflow.models import Case, Organisation

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DatabaseTarget:
    """A test database: which backend, its URL and an engine on it."""

    backend: str
    url: str
    engine: Engine


def make_org(session: Session, name: str = "Furesø Kommune", kind: str = "municipality",
             **fields: Any) -> Organisation:
    """An organisation (a municipality unless `kind` says otherwise)."""
    org = Organisation(
        name=name, kind=kind, email=fields.pop("email", f"{kind}@example.dk"), **fields
    )
    session.add(org)
    session.flush()
    return org


def manager_of(org: Organisation, name: str = "Anne Projektleder") -> Actor:
    """A manager acting for `org`."""
    return Actor(name=name, role="manager", organisation_id=org.id)


def ready_need(track: str = "opi_without_tender") -> dict[str, Any]:
    """A need section that meets every need.* requirement."""
    return {
        "owner_name": "Birgitte Behovsejer",
        "owner_email": "behov@furesoe.dk",
        "description": "Beboere med demens på plejehjemmet er urolige om eftermiddagen.",
        "target_group": "Beboere med demens og medarbejderne på Plejehjemmet Svanepunktet",
        "expected_value": "Roligere og tryggere dage; færre konflikter; bedre arbejdsmiljø.",
        "legal_track": track,
    }


def ready_call(now: datetime = NOW, days: int = 40) -> dict[str, Any]:
    """A call that meets `call.ready` at `now` (deadline `days` ahead)."""
    return {
        "title": "Rolige dage for borgere med demens",
        "text": "Vi søger løsninger, der skaber ro og tryghed i hverdagen.",
        "criteria": [{"name": "effekt", "weight": 60}, {"name": "pris", "weight": 40}],
        "submission_deadline": (now + timedelta(days=days)).isoformat(),
    }


def ready_agreement() -> dict[str, Any]:
    """An agreement section meeting `agreement.clauses` and `agreement.dpa`."""
    return {
        "clauses": {c: True for c in
                    ("ip", "confidentiality", "publication", "budget", "termination", "state_aid")},
        "dpa_signed_at": "2026-12-01T09:00:00+00:00",
        "dpia_done": True,
    }


def ready_pilot_plan() -> dict[str, Any]:
    """A pilot section meeting `pilot.plan` and `pilot.ethics`."""
    return {
        "site": "Plejehjemmet Svanepunktet",
        "start_date": date(2027, 2, 1).isoformat(),
        "end_date": date(2027, 6, 30).isoformat(),
        "success_criteria": [
            {"metric": "Uro-episoder pr. uge", "baseline": "14", "target": "7"}
        ],
        "personal_data": True,
        "health_data": True,
        "ethics_notification_required": False,
    }


def new_case(session: Session, lead: Organisation, need: dict[str, Any] | None = None,
             now: datetime = NOW) -> Case:
    """A case in `need` led by `lead`."""
    return create_case(
        session, manager_of(lead), title="Rolige dage på plejehjemmet", need=need or {},
        lead_municipality_id=lead.id or 0, now=now,
    )


def patch(session: Session, case: Case, data: dict[str, Any], actor: Actor,
          now: datetime = NOW) -> Case:
    """Merge-patch the case at its current version."""
    assert case.id is not None
    return update_case(session, case.id, data, actor, expected_version=case.version, now=now)
