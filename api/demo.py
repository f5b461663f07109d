"""Demo data drawn from the real OPI story of Life Science Living Lab Furesø.

The lead case is Furesø Kommune's need for calmer, safer days for residents with dementia at
Plejehjemmet Svanepunktet, shared with other municipalities of the partnership. The companies
are fictional; the municipalities and institutions are those named in the source documents.
Every case is driven through its phases by the real engine (`apply_trigger`) on a simulated
timeline, so the audit log and deadlines are exactly what real use would produce.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from states.documents import DocumentKind
from states.ready import ready_sections
from workflow.access.actor import SYSTEM_DEMO, Actor
from workflow.access.roles import Role
from workflow.access.tokens import DEMO_TOKENS, hash_token
from workflow.access.users import invite_user
from workflow.audit import writer as audit
from workflow.cases.service import create_case, update_case
from workflow.core.db import get_engine
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.documents.attach import attach_bytes
from workflow.models import ApiToken, Case, Organisation, Proposal
from workflow.proposals.service import (
    add_participant,
    assess_proposal,
    decide_proposal,
    record_signature,
    submit_proposal,
)
from workflow.public.requests import CompanyRequestInput, submit_request
from workflow.transitions.engine import apply_trigger


@dataclass
class DemoResult:
    """Whether the demo was loaded now, and the demo token of each role with who it is."""

    created: bool
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)


def load_demo(engine: Engine | None = None, now: datetime | None = None) -> DemoResult:
    """Load the demo organisations, tokens and cases once; later calls change nothing."""
    engine = engine or get_engine()
    now = now or utcnow()
    with Session(engine, expire_on_commit=False) as session:
        existing = session.execute(
            select(ApiToken).where(col(ApiToken.token_hash) == hash_token(DEMO_TOKENS[Role.ADMIN]))
        ).scalar_one_or_none()
        if existing is not None:
            return DemoResult(False, _describe_tokens(session))
        work = UnitOfWork(session)
        orgs = _organisations(work)
        _tokens(work, orgs)
        work.commit()
        _Story(work, orgs, now).tell()
        return DemoResult(True, _describe_tokens(session))


def _organisations(work: UnitOfWork) -> dict[str, Organisation]:
    specs: list[dict[str, Any]] = [
        {
            "key": "furesoe",
            "name": "Furesø Kommune",
            "kind": "municipality",
            "email": "opi@furesoe.dk",
            "cvr": "29188548",
        },
        {
            "key": "randers",
            "name": "Randers Kommune",
            "kind": "municipality",
            "email": "innovation@randers.dk",
        },
        {
            "key": "aarhus",
            "name": "Aarhus Kommune",
            "kind": "municipality",
            "email": "velfaerd@aarhus.dk",
        },
        {
            "key": "silkeborg",
            "name": "Silkeborg Kommune",
            "kind": "municipality",
            "email": "sundhed@silkeborg.dk",
        },
        {
            "key": "rolig",
            "name": "RoligRum ApS (fiktiv)",
            "kind": "company",
            "email": "kontakt@roligrum.example",
            "language": "da",
        },
        {
            "key": "sense",
            "name": "SenseCare Nordic A/S (fictional)",
            "kind": "company",
            "email": "bids@sensecare.example",
            "language": "en",
        },
        {
            "key": "kp",
            "name": "Københavns Professionshøjskole",
            "kind": "knowledge_institution",
            "email": "forskning@kp.dk",
        },
        {
            "key": "dlsc",
            "name": "Danish Life Science Cluster",
            "kind": "facilitator",
            "email": "info@danishlifesciencecluster.dk",
            "language": "en",
        },
    ]
    orgs: dict[str, Organisation] = {}
    for spec in specs:
        key = spec.pop("key")
        org = Organisation(**spec)
        work.session.add(org)
        orgs[key] = org
    work.session.flush()
    for key, org in orgs.items():
        audit.record(
            work,
            SYSTEM_DEMO,
            "organisation.created",
            {"organisation_id": org.id, "name": org.name, "kind": org.kind, "demo": key},
        )
    return orgs


def _tokens(work: UnitOfWork, orgs: dict[str, Organisation]) -> None:
    owners = {
        Role.ADMIN: None,
        Role.MANAGER: orgs["furesoe"].id,
        Role.STAFF: orgs["furesoe"].id,
        Role.PARTNER: orgs["rolig"].id,
        Role.AUDITOR: None,
    }
    names = {
        Role.ADMIN: "Demo administrator",
        Role.MANAGER: "Mette Madsen (projektleder, Furesø)",
        Role.STAFF: "Søren Holm (plejehjemsleder, Furesø)",
        Role.PARTNER: "Lone Berg (RoligRum ApS)",
        Role.AUDITOR: "Revisor Ida Krogh",
    }
    for role, token in DEMO_TOKENS.items():
        # Each demo token is a person's own: what it does names that person in the audit log.
        user = invite_user(
            work,
            SYSTEM_DEMO,
            name=names[role],
            email=f"demo-{role}@opi-demo.example",
            role=role,
            organisation_id=owners[role],
            now=utcnow(),
        )
        row = ApiToken(
            name=names[role],
            role=role.value,
            organisation_id=owners[role],
            user_id=user.id,
            token_hash=hash_token(token),
        )
        work.session.add(row)
        work.session.flush()
        audit.record(
            work,
            SYSTEM_DEMO,
            "token.created",
            {
                "token_id": row.id,
                "name": row.name,
                "role": role.value,
                "organisation_id": owners[role],
                "user_id": user.id,
            },
        )


def _describe_tokens(session: Session) -> dict[str, tuple[str, str]]:
    described: dict[str, tuple[str, str]] = {}
    for role, token in DEMO_TOKENS.items():
        row = session.execute(
            select(ApiToken).where(col(ApiToken.token_hash) == hash_token(token))
        ).scalar_one()
        described[role] = (token, row.name)
    return described


class _Story:
    """Drives the demo cases through the engine on a simulated timeline."""

    def __init__(self, work: UnitOfWork, orgs: dict[str, Organisation], now: datetime) -> None:
        self.work, self.orgs, self.now = work, orgs, now
        self.manager = Actor(
            "Mette Madsen (projektleder, Furesø)", Role.MANAGER, orgs["furesoe"].id
        )
        self.partner_rolig = Actor("Lone Berg (RoligRum ApS)", Role.PARTNER, orgs["rolig"].id)
        self.partner_sense = Actor("James Holt (SenseCare Nordic)", Role.PARTNER, orgs["sense"].id)

    def tell(self) -> None:
        self.dementia_pilot()
        self.mental_health_need()
        self.pregnancy_call()
        self.rehabilitation_scale()

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _ready(state: str, at: datetime, **story: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """What the phase needs to advance (`states.ready`), with this story's values on top.

        The story tells its own need, call and pilot; whatever else a requirement asks for
        comes from the requirement's own example, so a new requirement keeps the demo going.
        """
        ready = ready_sections(state, at)
        return {name: {**ready.get(name, {}), **story.get(name, {})} for name in ready | story}

    def _patch(self, case: Case, data: dict[str, Any], at: datetime) -> None:
        assert case.id is not None
        update_case(self.work, case.id, data, self.manager, expected_version=case.version, now=at)
        self.work.commit()

    def _go(self, case: Case, trigger: str, at: datetime, reason: str | None = None) -> None:
        assert case.id is not None
        apply_trigger(
            self.work,
            case.id,
            trigger,
            self.manager,
            reason=reason,
            expected_version=case.version,
            now=at,
        )

    def _new(self, title: str, lead: str, need: dict[str, Any], at: datetime) -> Case:
        lead_org = self.orgs[lead]
        manager = Actor(self.manager.name, Role.MANAGER, lead_org.id)
        case = create_case(
            self.work,
            manager,
            title=title,
            need=need,
            lead_municipality_id=lead_org.id or 0,
            now=at,
        )
        self.work.commit()
        return case

    def _join(self, case: Case, at: datetime, **roles: str) -> None:
        """Add the organisations (by their demo key) with their roles, one after the other."""
        assert case.id is not None
        for key, role in roles.items():
            add_participant(
                self.work,
                case.id,
                self.manager,
                organisation_id=self.orgs[key].id or 0,
                role=role,
                now=at,
            )
            self.work.commit()

    def _run_call(self, case: Case, t0: datetime, title: str) -> None:
        """Write the call and open it, take two proposals, assess and decide them after the
        deadline."""
        assert case.id is not None
        self._patch(case, {"call": self._call(t0, title)}, t0)
        self._go(case, "advance", t0 + timedelta(days=1))
        after = t0 + timedelta(days=42)
        decisions: list[tuple[Proposal, dict[str, int], str, str]] = []
        for partner, key, day, title, summary, scores, decision, rationale in (
            (
                self.partner_rolig,
                "rolig",
                10,
                "Sansestimulerende eftermiddagsrum",
                "Lys, lyd og duft der skifter med dagens rytme.",
                {"Effekt for borgerne": 8, "Arbejdsmiljø": 9, "Pris": 6},
                "selected",
                "Højeste samlede score på de offentliggjorte kriterier.",
            ),
            (
                self.partner_sense,
                "sense",
                12,
                "Wearable unrest early-warning",
                "Sensors alert staff before unrest escalates.",
                {"Effekt for borgerne": 6, "Arbejdsmiljø": 5, "Pris": 7},
                "rejected",
                "Lavere score på effekt og arbejdsmiljø.",
            ),
        ):
            proposal = submit_proposal(
                self.work,
                case.id,
                partner,
                organisation_id=self.orgs[key].id or 0,
                title=title,
                summary=summary,
                now=t0 + timedelta(days=day),
            )
            self.work.commit()
            decisions.append((proposal, scores, decision, rationale))
        for proposal, scores, _, _ in decisions:
            assess_proposal(
                self.work,
                case.id,
                proposal.id or 0,
                self.manager,
                scores=scores,
                rationale="Vurderet af bedømmelsesudvalget.",
                conflict_of_interest=False,
                now=after,
            )
            self.work.commit()
        for proposal, _, decision, rationale in decisions:
            decide_proposal(
                self.work,
                case.id,
                proposal.id or 0,
                self.manager,
                decision=decision,
                rationale=rationale,
                now=after,
            )
        self.work.commit()
        self._go(case, "advance", after + timedelta(days=1))

    def _need(self, at: datetime, story: dict[str, Any]) -> dict[str, Any]:
        """A need ready to advance: the story's own words over the requirements' example."""
        return self._ready("need", at, need=story)["need"]

    def _call(self, t0: datetime, title: str) -> dict[str, Any]:
        return self._ready("need", t0)["call"] | {
            "title": title,
            "text": "Furesø Kommune inviterer virksomheder til at foreslå løsninger. "
            "Forslag vurderes på de offentliggjorte kriterier.",
            "criteria": [
                {"name": "Effekt for borgerne", "weight": 50},
                {"name": "Arbejdsmiljø", "weight": 30},
                {"name": "Pris", "weight": 20},
            ],
            "submission_deadline": (t0 + timedelta(days=40)).isoformat(),
        }

    def _attach_agreement_documents(self, case: Case, at: datetime) -> None:
        """The data processing agreement and the impact assessment, as documents (the
        agreement's data-protection requirement asks for them when the pilot handles personal
        data)."""
        assert case.id is not None
        for kind, title, text in (
            (DocumentKind.DPA, "Databehandleraftale", "Databehandleraftale mellem parterne."),
            (DocumentKind.DPIA, "Konsekvensanalyse", "Konsekvensanalyse af afprøvningen."),
        ):
            attach_bytes(
                self.work,
                self.manager,
                case.id,
                f"{title}\n\n{text}\n".encode(),
                kind=kind.value,
                title=title,
                file_name=f"{title.lower()}.txt",
                now=at,
            )
        self.work.commit()

    def _sign_all(self, case: Case, at: datetime) -> None:
        assert case.id is not None
        self._attach_agreement_documents(case, at)
        for key, who in (("furesoe", "Ole Bondo Christensen"), ("rolig", "Lone Berg")):
            record_signature(
                self.work,
                case.id,
                self.manager,
                organisation_id=self.orgs[key].id or 0,
                signatory_name=who,
                signed_at=at,
                now=at,
            )
        self.work.commit()

    def _agree_pilot(
        self,
        case: Case,
        at: datetime,
        *,
        site: str,
        start: date,
        days: int,
        criteria: list[dict[str, Any]],
        health_data: bool,
        agreement: dict[str, Any] | None = None,
    ) -> None:
        """Agree on a pilot of `days` from `start` at `at` (both parties sign), and start it
        five days later. A demo pilot handles personal data exactly when it handles health
        data; `agreement` adds to the agreement phase's own example."""
        pilot = {
            "site": site,
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=days)).isoformat(),
            "success_criteria": criteria,
            "personal_data": health_data,
            "health_data": health_data,
            "ethics_notification_required": False,
        }
        story = {"pilot": pilot} if agreement is None else {"agreement": agreement, "pilot": pilot}
        self._patch(case, self._ready("agreement", at, **story), at)
        self._sign_all(case, at)
        self._go(case, "advance", at + timedelta(days=5))

    # -- the cases ------------------------------------------------------------------------
    def dementia_pilot(self) -> None:
        t0 = self.now - timedelta(days=150)
        case = self._new(
            "Rolige og trygge dage for borgere med demens på Plejehjemmet Svanepunktet",
            "furesoe",
            self._need(
                t0,
                {
                    "owner_name": "Hanne Lund, leder af Plejehjemmet Svanepunktet",
                    "owner_email": "svanepunktet@furesoe.dk",
                    "description": "Beboere med demens bliver ofte urolige sidst på dagen. "
                    "Medarbejderne mangler værktøjer til at møde borgernes særlige "
                    "behov, så de bliver mere rolige og trygge.",
                    "target_group": "Beboere med demens og medarbejdere på kommunens plejehjem",
                    "expected_value": "Bedre trivsel for borgerne, færre konflikter og et bedre "
                    "arbejdsmiljø; erfaringer der kan deles med andre kommuner.",
                    "legal_track": "opi_without_tender",
                },
            ),
            t0,
        )
        self._join(
            case,
            t0,
            randers="municipality",
            aarhus="municipality",
            kp="knowledge_partner",
            dlsc="facilitator",
        )
        self._run_call(case, t0, "Rolige dage for borgere med demens")
        at = t0 + timedelta(days=60)
        self._agree_pilot(
            case,
            at,
            site="Plejehjemmet Svanepunktet, Farum",
            start=(self.now - timedelta(days=20)).date(),
            days=120,
            criteria=[
                {"metric": "Episoder med uro pr. uge", "baseline": "14", "target": "7"},
                {
                    "metric": "Medarbejdernes oplevede tryghed (1-5)",
                    "baseline": "2,8",
                    "target": "4,0",
                },
            ],
            health_data=True,
            agreement={"dpa_signed_at": at.isoformat(), "dpia_done": True},
        )

    def mental_health_need(self) -> None:
        t0 = self.now - timedelta(days=10)
        self._new(
            "Mental sundhed: færre ensomme ældre efter udskrivning",
            "furesoe",
            {
                "owner_name": "Karin Holm, sundhedschef",
                "description": "Ældre borgere, der udskrives fra hospitalet, oplever ensomhed og "
                "mistrivsel i de første uger hjemme.",
                "target_group": "Ældre borgere over 75 år efter udskrivning",
            },
            t0,
        )

    def pregnancy_call(self) -> None:
        t0 = self.now - timedelta(days=5)
        case = self._new(
            "Fælles sprog om sårbare gravide på tværs af sektorer",
            "furesoe",
            self._need(
                t0,
                {
                    "owner_name": "Maja Friis, sundhedsplejen",
                    "owner_email": "sundhedspleje@furesoe.dk",
                    "description": "Kommuner og region mangler et fælles sprog og et digitalt "
                    "værktøj til vurdering af sårbare gravide.",
                    "target_group": "Sårbare gravide og småbørnsfamilier; sundhedsplejersker",
                    "expected_value": "Tidligere og mere sammenhængende indsats på tværs af "
                    "sektorer.",
                    "legal_track": "innovation_partnership",
                },
            ),
            t0,
        )
        self._join(case, t0, aarhus="municipality")
        call = self._call(t0, "Digitalt værktøj til et fælles sprog om sårbare gravide")
        call["submission_deadline"] = (t0 + timedelta(days=45)).isoformat()
        self._patch(case, {"call": call}, t0)
        self._go(case, "advance", t0 + timedelta(days=1))
        # A company not yet registered asks from the public call page (issue 17): the manager
        # finds it on "Anmodninger".
        assert case.id is not None
        asking = CompanyRequestInput(
            company_name="Nordlys Sundhedsdata ApS",
            cvr="41234567",
            contact_name="Karen Vestergaard",
            email="karen@nordlys-sundhed.example",
        )
        submit_request(self.work, case.id, asking, t0 + timedelta(days=2))

    def rehabilitation_scale(self) -> None:
        t0 = self.now - timedelta(days=420)
        case = self._new(
            "Hverdagsrehabilitering med sansestimulering i hjemmeplejen",
            "furesoe",
            self._need(
                t0,
                {
                    "owner_name": "Peter Dahl, hjemmeplejen",
                    "owner_email": "hjemmepleje@furesoe.dk",
                    "description": "Borgere i hjemmeplejen skal i højere grad kunne klare "
                    "hverdagen selv.",
                    "target_group": "Borgere i hjemmeplejen og deres pårørende",
                    "expected_value": "Større selvhjulpenhed og færre besøg.",
                    "legal_track": "opi_without_tender",
                },
            ),
            t0,
        )
        self._join(case, t0, silkeborg="municipality")
        self._run_call(case, t0, "Sansestimulering i eget hjem")
        at = t0 + timedelta(days=60)
        self._agree_pilot(
            case,
            at,
            site="Hjemmeplejen Furesø Nord",
            start=(t0 + timedelta(days=80)).date(),
            days=180,
            criteria=[{"metric": "Hjemmeplejebesøg pr. uge", "baseline": "10", "target": "8"}],
            health_data=False,
        )
        ended = t0 + timedelta(days=265)
        self._patch(
            case,
            self._ready(
                "pilot",
                ended,
                pilot={
                    # The measured result, so the knowledge library shows the effect (-25 %).
                    "success_criteria": [
                        {
                            "metric": "Hjemmeplejebesøg pr. uge",
                            "baseline": 10,
                            "target": 8,
                            "result": 7.5,
                            "unit": "besøg",
                        }
                    ],
                    "evaluation": {
                        "outcome": "success",
                        "report": "Besøgstallet faldt fra 10 til 7,5 pr. uge; borgerne "
                        "oplevede større tryghed.",
                    },
                },
            ),
            ended,
        )
        self._go(case, "advance", ended + timedelta(days=3))
        self._patch(
            case,
            {
                "scale": {
                    "knowledge_summary": "Erfaringerne er samlet i en drejebog til andre kommuner.",
                    "adopting_municipalities": [
                        {
                            "name": "Silkeborg Kommune",
                            "organisation_id": self.orgs["silkeborg"].id,
                            "letter_of_intent_at": (ended + timedelta(days=30)).date().isoformat(),
                        }
                    ],
                }
            },
            ended + timedelta(days=30),
        )
