"""A small, deterministic world for the web page tests: organisations, tokens and two cases.

Times are relative to the real clock, because the pages are served by a real server that asks
the real clock: the open call's deadline lies 40 days ahead, so proposals are accepted.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from tests.factories import make_org, ready_call, ready_need
from workflow.access.actor import SYSTEM_CLI, Actor
from workflow.access.tokens import create_token
from workflow.cases.service import create_case, update_case
from workflow.core.unit_of_work import UnitOfWork
from workflow.proposals.service import submit_proposal
from workflow.transitions.engine import apply_trigger

NEED_CASE_TITLE = "Rolige eftermiddage på plejehjemmet"
MATCH_CASE_TITLE = "Fælles sprog om sårbare gravide"
PROPOSAL_A = "Sansestimulerende eftermiddagsrum"
PROPOSAL_B = "Wearable unrest early-warning"


@dataclass(frozen=True)
class WebWorld:
    """The tokens of each user and the ids the tests navigate to."""

    tokens: dict[str, str]
    need_case_id: int
    match_case_id: int
    proposal_a_id: int
    proposal_b_id: int


def build_world(engine: Engine, now: datetime) -> WebWorld:
    """Furesø with a case in `need` (data missing) and a case in `match` with two proposals."""
    with Session(engine, expire_on_commit=False) as s:
        furesoe = make_org(s, "Furesø Kommune", email="opi@furesoe.dk")
        rolig = make_org(s, "RoligRum ApS", "company", email="kontakt@roligrum.example")
        sense = make_org(s, "SenseCare Nordic A/S", "company", email="bids@sensecare.example")
        work = UnitOfWork(s)
        tokens: dict[str, str] = {}
        for key, name, role, org in (
            ("manager", "Mette Madsen", "manager", furesoe.id),
            ("staff", "Søren Holm", "staff", furesoe.id),
            ("partner_a", "Lone Berg (RoligRum)", "partner", rolig.id),
            ("partner_b", "James Holt (SenseCare)", "partner", sense.id),
            ("auditor", "Revisor Ida Krogh", "auditor", None),
        ):
            _, tokens[key] = create_token(
                work, SYSTEM_CLI, name=name, role=role, organisation_id=org
            )
        manager = Actor("Mette Madsen", "manager", furesoe.id)
        need_case = create_case(
            work,
            manager,
            title=NEED_CASE_TITLE,
            need={
                "description": "Beboere med demens bliver ofte urolige sidst på dagen.",
                "target_group": "Beboere med demens og medarbejderne på plejehjemmet",
            },
            lead_municipality_id=furesoe.id or 0,
            now=now,
        )
        match_case = create_case(
            work,
            manager,
            title=MATCH_CASE_TITLE,
            need=ready_need(),
            lead_municipality_id=furesoe.id or 0,
            now=now,
        )
        work.commit()
        assert match_case.id is not None and need_case.id is not None
        update_case(
            work,
            match_case.id,
            {"call": ready_call(now)},
            manager,
            expected_version=match_case.version,
            now=now,
        )
        work.commit()
        apply_trigger(
            work, match_case.id, "advance", manager, expected_version=match_case.version, now=now
        )
        proposals = [
            submit_proposal(
                work,
                match_case.id,
                Actor(who, "partner", org.id),
                organisation_id=org.id or 0,
                title=title,
                summary=summary,
                now=now,
            )
            for who, org, title, summary in (
                ("Lone Berg (RoligRum)", rolig, PROPOSAL_A, "Lys, lyd og duft."),
                ("James Holt (SenseCare)", sense, PROPOSAL_B, "Sensors alert staff early."),
            )
        ]
        work.commit()
        return WebWorld(
            tokens=tokens,
            need_case_id=need_case.id,
            match_case_id=match_case.id,
            proposal_a_id=proposals[0].id or 0,
            proposal_b_id=proposals[1].id or 0,
        )
