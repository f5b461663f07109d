"""Small, deterministic builders of test data. No random choices: every test is repeatable."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from workflow.access.actor import Actor
from workflow.cases.service import create_case, update_case
from workflow.models import Case, Organisation
from workflow.proposals.service import (
    assess_proposal,
    decide_proposal,
    record_signature,
    submit_proposal,
)
from workflow.transitions.engine import apply_trigger

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DatabaseTarget:
    """A test database: which backend, its URL and an engine on it."""

    backend: str
    url: str
    engine: Engine


def make_org(
    session: Session, name: str = "Furesø Kommune", kind: str = "municipality", **fields: Any
) -> Organisation:
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
        "clauses": {
            c: True
            for c in ("ip", "confidentiality", "publication", "budget", "termination", "state_aid")
        },
        "dpa_signed_at": "2026-12-01T09:00:00+00:00",
        "dpia_done": True,
    }


def ready_pilot_plan() -> dict[str, Any]:
    """A pilot section meeting `pilot.plan` and `pilot.ethics`."""
    return {
        "site": "Plejehjemmet Svanepunktet",
        "start_date": date(2027, 2, 1).isoformat(),
        "end_date": date(2027, 6, 30).isoformat(),
        "success_criteria": [{"metric": "Uro-episoder pr. uge", "baseline": "14", "target": "7"}],
        "personal_data": True,
        "health_data": True,
        "ethics_notification_required": False,
    }


def new_case(
    session: Session, lead: Organisation, need: dict[str, Any] | None = None, now: datetime = NOW
) -> Case:
    """A case in `need` led by `lead`."""
    return create_case(
        session,
        manager_of(lead),
        title="Rolige dage på plejehjemmet",
        need=need or {},
        lead_municipality_id=lead.id or 0,
        now=now,
    )


def patch(
    session: Session, case: Case, data: dict[str, Any], actor: Actor, now: datetime = NOW
) -> Case:
    """Merge-patch the case at its current version and commit."""
    assert case.id is not None
    case = update_case(session, case.id, data, actor, expected_version=case.version, now=now)
    session.commit()
    return case


# --- driving a case through its phases with the real engine -----------------------------


PHASE_ORDER = ("need", "match", "agreement", "pilot", "scale", "completed")
STEP = timedelta(days=1)


@dataclass
class World:
    """Organisations and actors of a small OPI story, and the story's clock."""

    lead: Organisation
    company: Organisation
    rival: Organisation
    adopter: Organisation
    clock: datetime = NOW

    @property
    def manager(self) -> Actor:
        """The lead municipality's project manager."""
        return manager_of(self.lead)

    def partner(self, org: Organisation) -> Actor:
        """A partner user acting for `org`."""
        return Actor(name=f"Partner {org.name}", role="partner", organisation_id=org.id)

    def tick(self, delta: timedelta = STEP) -> datetime:
        """Move the story's clock on and return the new time."""
        self.clock += delta
        return self.clock


def make_world(session: Session) -> World:
    """Furesø as lead, two companies and an adopting municipality."""
    world = World(
        lead=make_org(session, "Furesø Kommune"),
        company=make_org(session, "RoligRum ApS", "company"),
        rival=make_org(session, "SenseCare Nordic A/S", "company", language="en"),
        adopter=make_org(session, "Randers Kommune"),
    )
    session.commit()
    return world


def make_ready(session: Session, world: World, case: Case) -> Case:
    """Fill the case's data so every requirement of `advance` from its state is met."""
    assert case.id is not None
    state, m = case.state, world.manager
    if state == "need":
        return patch(
            session, case, {"need": ready_need(), "call": ready_call(world.clock)}, m, world.clock
        )
    if state == "match":
        deadline = datetime.fromisoformat(case.call["submission_deadline"])
        proposal = submit_proposal(
            session,
            case.id,
            world.partner(world.company),
            organisation_id=world.company.id or 0,
            title="Sanserum",
            now=min(world.tick(), deadline - STEP),
        )
        world.clock = max(world.clock, deadline + STEP)
        scores = {c["name"]: 7 for c in case.call["criteria"]}
        assess_proposal(
            session,
            case.id,
            proposal.id or 0,
            m,
            scores=scores,
            rationale="God løsning",
            conflict_of_interest=False,
            now=world.clock,
        )
        decide_proposal(
            session,
            case.id,
            proposal.id or 0,
            m,
            decision="selected",
            rationale="Bedst på kriterierne",
            now=world.clock,
        )
        session.commit()
        return case
    if state == "agreement":
        for org in (world.lead, world.company):
            record_signature(
                session,
                case.id,
                m,
                organisation_id=org.id or 0,
                signatory_name="Underskriver",
                signed_at=world.clock,
                now=world.clock,
            )
        return patch(
            session,
            case,
            {"agreement": ready_agreement(), "pilot": ready_pilot_plan()},
            m,
            world.clock,
        )
    if state == "pilot":
        return patch(
            session,
            case,
            {
                "pilot": {
                    "ended_at": world.clock.isoformat(),
                    "evaluation": {"outcome": "success", "report": "Uro faldt med 40 %."},
                }
            },
            m,
            world.tick(),
        )
    if state == "scale":
        return patch(
            session,
            case,
            {
                "scale": {
                    "knowledge_summary": "Drejebog delt med KL og andre kommuner.",
                    "published_at": world.clock.isoformat(),
                    "adopting_municipalities": [
                        {
                            "name": world.adopter.name,
                            "organisation_id": world.adopter.id,
                            "letter_of_intent_at": world.clock.date().isoformat(),
                        }
                    ],
                    "purchase_route": "tender",
                }
            },
            m,
            world.clock,
        )
    raise ValueError(f"nothing to make ready in {state}")


def drive(session: Session, world: World, case: Case, target: str) -> Case:
    """Advance `case` phase by phase until it is in `target` (a phase, completed or cancelled)."""
    assert case.id is not None
    if target == "cancelled":
        return apply_trigger(
            session, case.id, "cancel", world.manager, reason="Ingen midler", now=world.tick()
        )
    while case.state != target:
        make_ready(session, world, case)
        case = apply_trigger(
            session,
            case.id,
            "advance",
            world.manager,
            expected_version=case.version,
            now=world.tick(),
        )
    return case
