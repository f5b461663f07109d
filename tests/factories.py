"""Small, deterministic builders of test data. No random choices: every test is repeatable."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from states import REQUIREMENTS, CaseState
from states.ready import ready_sections
from workflow.access.actor import SYSTEM_CLI, Actor
from workflow.access.roles import Role
from workflow.access.tokens import create_token
from workflow.access.users import invite_user
from workflow.cases.service import create_case, update_case
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.documents.attach import attach_bytes
from workflow.models import Case, Organisation, User
from workflow.proposals.service import (
    assess_proposal,
    decide_proposal,
    record_signature,
    submit_proposal,
)
from workflow.transitions.engine import apply_trigger

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

EMPTY_NEED_UNMET = (
    "need.owner",
    "need.description",
    "need.target_group",
    "need.expected_value",
    "need.legal_track",
    "call.ready",
)
"""What a new case with an empty need lacks for `advance`, in the order a refusal lists it
(SPEC §3): written out here, once, so that the tests check the code against the spec."""


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


def invite_person(
    work: UnitOfWork,
    name: str,
    email: str,
    role: Role | str,
    organisation_id: int | None = None,
    *,
    by: Actor = SYSTEM_CLI,
    now: datetime | None = None,
) -> User:
    """A person invited by `by` (the CLI unless said otherwise), now unless said otherwise;
    the caller commits."""
    return invite_user(
        work,
        by,
        name=name,
        email=email,
        role=str(role),
        organisation_id=organisation_id,
        now=now or utcnow(),
    )


def personal_token(work: UnitOfWork, person: User) -> str:
    """A personal token of `person` (acts as them, with their role); the caller commits."""
    _, token = create_token(work, SYSTEM_CLI, name=f"{person.name}s nøgle", user_id=person.id)
    return token


def ready_need() -> dict[str, Any]:
    """A need section that meets every need.* requirement (the requirements' own example)."""
    return ready_sections("need", NOW)["need"]


def ready_call(now: datetime = NOW) -> dict[str, Any]:
    """A call that meets `call.ready` at `now` (the requirements' own example)."""
    return ready_sections("need", now)["call"]


def new_case(
    session: Session, lead: Organisation, need: dict[str, Any] | None = None, now: datetime = NOW
) -> Case:
    """A case in `need` led by `lead`, committed."""
    work = UnitOfWork(session)
    case = create_case(
        work,
        manager_of(lead),
        title="Rolige dage på plejehjemmet",
        need=need or {},
        lead_municipality_id=lead.id or 0,
        now=now,
    )
    work.commit()
    return case


def patch(
    session: Session, case: Case, data: dict[str, Any], actor: Actor, now: datetime = NOW
) -> Case:
    """Merge-patch the case at its current version and commit."""
    assert case.id is not None
    work = UnitOfWork(session)
    case = update_case(work, case.id, data, actor, expected_version=case.version, now=now)
    work.commit()
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
    work = UnitOfWork(session)
    if state in ("need", "pilot", "scale"):
        # The phase's open sections from the requirements' examples; the pilot ends now and
        # the patch lands a little later, as a manager records it.
        ready = ready_sections(state, world.clock)
        return patch(session, case, ready, m, world.tick() if state == "pilot" else world.clock)
    if state == "match":
        deadline = datetime.fromisoformat(case.call["submission_deadline"])
        proposal = submit_proposal(
            work,
            case.id,
            world.partner(world.company),
            organisation_id=world.company.id or 0,
            title="Sanserum",
            now=min(world.tick(), deadline - STEP),
        )
        world.clock = max(world.clock, deadline + STEP)
        scores = {c["name"]: 7 for c in case.call["criteria"]}
        assess_proposal(
            work,
            case.id,
            proposal.id or 0,
            m,
            scores=scores,
            rationale="God løsning",
            conflict_of_interest=False,
            now=world.clock,
        )
        decide_proposal(
            work,
            case.id,
            proposal.id or 0,
            m,
            decision="selected",
            rationale="Bedst på kriterierne",
            now=world.clock,
        )
        work.commit()
        return case
    if state == "agreement":
        attach_documents(work, case.id, m, world.clock)
        for org in (world.lead, world.company):
            record_signature(
                work,
                case.id,
                m,
                organisation_id=org.id or 0,
                signatory_name="Underskriver",
                signed_at=world.clock,
                now=world.clock,
            )
        work.commit()
        return patch(session, case, ready_sections(state, world.clock), m, world.clock)
    raise ValueError(f"nothing to make ready in {state}")


REQUIRED_DOCUMENT = "Underskrevet og vedhæftet.\n".encode()
"""The text of the documents a factory attaches where a requirement asks for one."""


def attach_documents(work: UnitOfWork, case_id: int, actor: Actor, now: datetime) -> None:
    """Attach a document of every kind the agreement phase's requirements may ask for."""
    for req in REQUIREMENTS[CaseState.AGREEMENT]:
        for kind in req.documents:
            attach_bytes(
                work,
                actor,
                case_id,
                REQUIRED_DOCUMENT,
                kind=kind.value,
                title=f"{kind.value} (test)",
                file_name=f"{kind.value}.txt",
                now=now,
            )


def drive(session: Session, world: World, case: Case, target: str) -> Case:
    """Advance `case` phase by phase until it is in `target` (a phase, completed or cancelled)."""
    assert case.id is not None
    if target == "cancelled":
        return apply_trigger(
            UnitOfWork(session),
            case.id,
            "cancel",
            world.manager,
            reason="Ingen midler",
            now=world.tick(),
        )
    while case.state != target:
        make_ready(session, world, case)
        case = apply_trigger(
            UnitOfWork(session),
            case.id,
            "advance",
            world.manager,
            expected_version=case.version,
            now=world.tick(),
        )
    return case
