"""The requirement checks of SPEC §3, each defined once: one small function per code.

A requirement is registered with everything the rest of the system needs to know about it: its
stable code, the state whose `advance` it guards, its Danish and English label, the section
fields it reads, and an `Example` of data that meets it. The check reads a `CaseFacts` snapshot
and returns `None` when met, or an `Unmet` with the code and a Danish and an English message
saying exactly what is missing. Web labels, the ready example sections (`states.ready`), test
factories, the demo and the bench data all derive from these definitions, so adding a
requirement touches this file, the section field it reads and its test.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from states.documents import DocumentKind
from states.facts import AssessmentFacts, CaseFacts, ProposalFacts
from states.model import CaseState
from states.sections import AGREEMENT_CLAUSES, CLAUSE_LABELS, LegalTrack, Outcome, PurchaseRoute
from states.text import Text

INNOVATION_PARTNERSHIP_MIN_DAYS = 30
INNOVATION_PARTNERSHIP_MIN_PROPOSALS = 3
EXAMPLE_COMPANY_ID = 2
"""The company of the examples' proposals (the lead municipality is the facts' own)."""


@dataclass(frozen=True, slots=True)
class Unmet:
    """An unmet requirement: its code, its messages and any details behind them."""

    code: str
    message_da: str
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str) -> str:
        """The message in `language` (`en`, otherwise Danish)."""
        return Text(self.message_da, self.message_en).pick(language)

    def as_dict(self, language: str = "da") -> dict[str, Any]:
        """`{code, message}` as the API shows it, plus details when there are any."""
        data: dict[str, Any] = {"code": self.code, "message": self.message(language)}
        if self.details:
            data["details"] = self.details
        return data


Check = Callable[[CaseFacts], Unmet | None]
SectionData = Mapping[str, Mapping[str, Any]]
"""Section name → fields, in the stored (JSON) form a merge patch carries."""
Sections = SectionData | Callable[[datetime], SectionData]
"""Section data, or a function of `now` when a value is a time relative to it."""
FactsStep = Callable[[CaseFacts], CaseFacts]


@dataclass(frozen=True, slots=True)
class Example:
    """Data that meets a requirement: what the ready example of a case holds for it.

    `sections` are the fields that meet it. `given` is data that makes the requirement apply at
    all (personal data for the data processing agreement); it belongs to the ready example but
    is kept when the requirement's own data is left out, so the check has something to fail on.
    Requirements on proposals and signatures meet them through `facts` (and `given_facts`),
    which change the facts that no section holds; outside `states/` those are workflow steps.
    """

    sections: Sections = field(default_factory=dict)
    given: Sections = field(default_factory=dict)
    facts: FactsStep | None = None
    given_facts: FactsStep | None = None

    def section_data(self, now: datetime) -> SectionData:
        """The fields that meet the requirement at `now`."""
        return self.sections(now) if callable(self.sections) else self.sections

    def given_data(self, now: datetime) -> SectionData:
        """The fields that make the requirement apply at `now`."""
        return self.given(now) if callable(self.given) else self.given


@dataclass(frozen=True, slots=True)
class Requirement:
    """A named check guarding `advance` out of `state`, with its label, inputs and example."""

    code: str
    state: CaseState
    label: Text
    reads: tuple[str, ...]
    """The inputs the check reads: section fields (`need.owner_name`) or other facts
    (`proposals`, `signatures`, `now`)."""
    example: Example
    check: Check
    documents: tuple[DocumentKind, ...] = ()
    """The kinds of document the requirement may ask for (README "Documents"); whether it
    asks depends on the case (a DPA only when the pilot processes personal data)."""


REQUIREMENTS: dict[CaseState, list[Requirement]] = {}
BY_CODE: dict[str, Requirement] = {}


def requirement(
    code: str,
    state: CaseState,
    *,
    label: Text,
    reads: tuple[str, ...],
    example: Example,
    documents: tuple[DocumentKind, ...] = (),
) -> Callable[[Check], Check]:
    """Register `check` as the requirement `code` on `advance` out of `state`."""

    def register(check: Check) -> Check:
        if code in BY_CODE:
            raise ValueError(f"requirement {code!r} is defined twice")
        defined = Requirement(code, state, label, reads, example, check, documents)
        REQUIREMENTS.setdefault(state, []).append(defined)
        BY_CODE[code] = defined
        return check

    return register


def unmet_for(state: CaseState, facts: CaseFacts) -> list[Unmet]:
    """Every unmet requirement for `advance` out of `state` (not just the first)."""
    results = (req.check(facts) for req in REQUIREMENTS.get(state, []))
    return [r for r in results if r is not None]


def label_of(code: str) -> Text | None:
    """The label of the requirement `code` (None for a code no longer defined)."""
    found = BY_CODE.get(code)
    return found.label if found else None


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _missing(code: str, da: str, en: str, **details: Any) -> Unmet:
    return Unmet(code, da, en, details)


# --- need → match -----------------------------------------------------------------------


@requirement(
    "need.owner",
    CaseState.NEED,
    label=Text("Behovsejer med navn og e-mail", "Need owner with name and email"),
    reads=("need.owner_name", "need.owner_email"),
    example=Example(
        {"need": {"owner_name": "Birgitte Behovsejer", "owner_email": "behov@furesoe.dk"}}
    ),
)
def need_owner(f: CaseFacts) -> Unmet | None:
    """The need has an owner (*behovsejer*) with a name and an email address."""
    missing = [k for k in ("owner_name", "owner_email") if _blank(getattr(f.need, k))]
    if not missing:
        return None
    return _missing(
        "need.owner",
        "Behovet mangler en behovsejer med navn og e-mail.",
        "The need has no owner with a name and an email address.",
        missing=missing,
    )


def _non_empty(code: str, attr: str, da_name: str, en_name: str) -> Check:
    def check(f: CaseFacts) -> Unmet | None:
        if not _blank(getattr(f.need, attr)):
            return None
        return _missing(code, f"{da_name} er ikke udfyldt.", f"The {en_name} is empty.")

    check.__name__ = code.replace(".", "_")
    check.__doc__ = f"`need.{attr}` is not empty."
    return check


_NEED_TEXTS: tuple[tuple[str, Text, str, str, str], ...] = (
    # (field, label, example, Danish name in the message, English name in the message)
    (
        "description",
        Text("Beskrivelse af behovet", "Description of the need"),
        "Beboere med demens på plejehjemmet er urolige om eftermiddagen.",
        "Beskrivelsen af behovet",
        "need description",
    ),
    (
        "target_group",
        Text("Målgruppe", "Target group"),
        "Beboere med demens og medarbejderne på Plejehjemmet Svanepunktet",
        "Målgruppen",
        "target group",
    ),
    (
        "expected_value",
        Text("Forventet værdi", "Expected value"),
        "Roligere og tryggere dage; færre konflikter; bedre arbejdsmiljø.",
        "Den forventede værdi",
        "expected value",
    ),
)
"""The need's text fields that must not be empty: one requirement each, alike but for these."""

for _attr, _label, _example, _da_name, _en_name in _NEED_TEXTS:
    requirement(
        f"need.{_attr}",
        CaseState.NEED,
        label=_label,
        reads=(f"need.{_attr}",),
        example=Example({"need": {_attr: _example}}),
    )(_non_empty(f"need.{_attr}", _attr, _da_name, _en_name))


def _require_chosen(
    code: str, state: CaseState, label: Text, example: StrEnum, da: str, en: str
) -> None:
    """Register the requirement that the section field `code` names (`section.field`) holds one
    of `example`'s enum values; unmet, it lists the allowed values. The field it reads and its
    example both follow from `code`, so each such requirement names its field once."""
    section, attr = code.split(".")
    choices = type(example)

    def check(f: CaseFacts) -> Unmet | None:
        if getattr(getattr(f, section), attr) is not None:
            return None
        return _missing(code, da, en, allowed=[c.value for c in choices])

    check.__name__ = code.replace(".", "_")
    check.__doc__ = f"`{code}` is chosen."
    requirement(
        code,
        state,
        label=label,
        reads=(code,),
        example=Example({section: {attr: example.value}}),
    )(check)


_require_chosen(
    "need.legal_track",
    CaseState.NEED,
    Text("Juridisk spor er valgt", "Legal track chosen"),
    LegalTrack.OPI_WITHOUT_TENDER,
    "Der er ikke valgt et juridisk spor (fx OPI uden udbud eller innovationspartnerskab).",
    "No legal track is chosen (e.g. OPI without tender or innovation partnership).",
)


def _ready_call(now: datetime) -> SectionData:
    deadline = now + timedelta(days=40)  # enough for any legal track
    return {
        "call": {
            "title": "Rolige dage for borgere med demens",
            "text": "Vi søger løsninger, der skaber ro og tryghed i hverdagen.",
            "criteria": [{"name": "effekt", "weight": 60}, {"name": "pris", "weight": 40}],
            "submission_deadline": deadline.isoformat(),
        }
    }


@requirement(
    "call.ready",
    CaseState.NEED,
    label=Text(
        "Opslaget er klar: titel, tekst, kriterier på i alt 100 % og en frist",
        "Call ready: title, text, criteria totalling 100 % and a deadline",
    ),
    reads=(
        "call.title",
        "call.text",
        "call.criteria",
        "call.submission_deadline",
        "need.legal_track",
        "now",
    ),
    example=Example(_ready_call),
)
def call_ready(f: CaseFacts) -> Unmet | None:
    """The call is ready to publish: title, text, weighted criteria and a future deadline."""
    problems: list[str] = []
    da: list[str] = []
    en: list[str] = []
    if _blank(f.call.title):
        problems.append("title")
        da.append("titel mangler")
        en.append("title is missing")
    if _blank(f.call.text):
        problems.append("text")
        da.append("opslagstekst mangler")
        en.append("call text is missing")
    criteria = f.call.criteria or []
    if not criteria:
        problems.append("criteria")
        da.append("ingen tildelingskriterier")
        en.append("no assessment criteria")
    elif (total := sum(c.weight for c in criteria)) != 100:
        problems.append("criteria_weights")
        da.append(f"kriteriernes vægte summerer til {total}, ikke 100")
        en.append(f"criteria weights sum to {total}, not 100")
    deadline = f.call.submission_deadline
    track = f.need.legal_track
    if deadline is None:
        problems.append("submission_deadline")
        da.append("ingen frist for forslag")
        en.append("no submission deadline")
    elif deadline <= f.now:
        problems.append("submission_deadline_past")
        da.append("fristen for forslag er overskredet")
        en.append("the submission deadline has passed")
    elif track == LegalTrack.INNOVATION_PARTNERSHIP and deadline - f.now < timedelta(
        days=INNOVATION_PARTNERSHIP_MIN_DAYS
    ):
        problems.append("submission_deadline_too_soon")
        da.append("et innovationspartnerskab kræver mindst 30 dages ansøgningsfrist")
        en.append("an innovation partnership needs at least 30 days for applications")
    if not problems:
        return None
    return _missing(
        "call.ready",
        "Opslaget er ikke klar: " + "; ".join(da) + ".",
        "The call is not ready: " + "; ".join(en) + ".",
        problems=problems,
    )


# --- match → agreement ------------------------------------------------------------------


@requirement(
    "call.closed",
    CaseState.MATCH,
    label=Text("Fristen for forslag er udløbet", "The submission deadline has passed"),
    reads=("call.submission_deadline", "now"),
    example=Example(
        lambda now: {"call": {"submission_deadline": (now - timedelta(days=1)).isoformat()}}
    ),
)
def call_closed(f: CaseFacts) -> Unmet | None:
    """The submission deadline has passed, so no company can still propose."""
    deadline = f.call.submission_deadline
    if deadline is not None and deadline <= f.now:
        return None
    return _missing(
        "call.closed",
        "Fristen for forslag er endnu ikke udløbet.",
        "The submission deadline has not passed yet.",
        submission_deadline=deadline.isoformat() if deadline else None,
    )


def minimum_proposals(f: CaseFacts) -> int:
    """How many proposals the call needs: its own figure, else 3 or 1 by legal track."""
    if f.call.min_proposals is not None:
        return f.call.min_proposals
    if f.need.legal_track == LegalTrack.INNOVATION_PARTNERSHIP:
        return INNOVATION_PARTNERSHIP_MIN_PROPOSALS
    return 1


def _one_proposal(f: CaseFacts) -> CaseFacts:
    """A proposal from the example company, when there is none yet."""
    return f if f.proposals else replace(f, proposals=(ProposalFacts(1, EXAMPLE_COMPANY_ID),))


def _assess_all(f: CaseFacts) -> CaseFacts:
    scores = {c.name: 7 for c in f.call.criteria or []}
    assessed = (AssessmentFacts(scores, conflict_of_interest=False),)
    return replace(f, proposals=tuple(replace(p, assessments=assessed) for p in f.proposals))


def _decide_all(f: CaseFacts) -> CaseFacts:
    """The first proposal selected, the rest rejected, each with a rationale."""
    decided = tuple(
        replace(p, decision="rejected" if i else "selected", decision_rationale="Begrundet")
        for i, p in enumerate(f.proposals)
    )
    return replace(f, proposals=decided)


@requirement(
    "call.min_proposals",
    CaseState.MATCH,
    label=Text("Nok forslag er modtaget", "Enough proposals received"),
    reads=("proposals", "call.min_proposals", "need.legal_track"),
    example=Example(facts=_one_proposal),
)
def call_min_proposals(f: CaseFacts) -> Unmet | None:
    """Enough proposals were submitted."""
    need, have = minimum_proposals(f), len(f.proposals)
    if have >= need:
        return None
    return _missing(
        "call.min_proposals",
        f"Der er modtaget {have} forslag; der kræves mindst {need}.",
        f"{have} proposals received; at least {need} are required.",
        required=need,
        received=have,
    )


@requirement(
    "proposals.assessed",
    CaseState.MATCH,
    label=Text(
        "Alle forslag er vurderet på alle kriterier af en inhabilitetsfri bedømmer",
        "Every proposal scored on every criterion by an assessor without a conflict",
    ),
    reads=("proposals", "call.criteria"),
    example=Example(facts=_assess_all, given_facts=_one_proposal),
)
def proposals_assessed(f: CaseFacts) -> Unmet | None:
    """Every proposal is scored on every criterion by an assessor without a conflict."""
    criteria = {c.name for c in f.call.criteria or []}
    unassessed = [
        p.id
        for p in f.proposals
        if not any(not a.conflict_of_interest and criteria <= set(a.scores) for a in p.assessments)
    ]
    if not unassessed:
        return None
    return _missing(
        "proposals.assessed",
        "Ikke alle forslag er vurderet på alle kriterier af en inhabilitetsfri bedømmer.",
        "Not every proposal is scored on every criterion by an assessor without a conflict "
        "of interest.",
        proposal_ids=unassessed,
    )


@requirement(
    "proposals.decided",
    CaseState.MATCH,
    label=Text(
        "Forslag valgt og afvist, hver beslutning begrundet",
        "Proposals selected and rejected, each decision with a rationale",
    ),
    reads=("proposals",),
    example=Example(facts=_decide_all, given_facts=_one_proposal),
)
def proposals_decided(f: CaseFacts) -> Unmet | None:
    """One or more proposals selected, the rest rejected, every decision with a rationale."""
    undecided = [p.id for p in f.proposals if p.decision not in ("selected", "rejected")]
    no_reason = [p.id for p in f.proposals if p.decision and _blank(p.decision_rationale)]
    selected = [p.id for p in f.proposals if p.decision == "selected"]
    if selected and not undecided and not no_reason:
        return None
    return _missing(
        "proposals.decided",
        "Der skal være valgt mindst ét forslag, alle andre afvist, og hver beslutning begrundet.",
        "At least one proposal must be selected, every other rejected, each decision with a "
        "rationale.",
        undecided=undecided,
        without_rationale=no_reason,
        selected=selected,
    )


# --- agreement → pilot ------------------------------------------------------------------


def selected_organisations(f: CaseFacts) -> frozenset[int]:
    """The companies whose proposals were selected."""
    return frozenset(p.organisation_id for p in f.proposals if p.decision == "selected")


def _all_sign(f: CaseFacts) -> CaseFacts:
    return replace(f, signed_organisation_ids=selected_organisations(f) | {f.lead_municipality_id})


@requirement(
    "agreement.signed",
    CaseState.AGREEMENT,
    label=Text(
        "Aftalen er underskrevet af kommunen og de valgte virksomheder",
        "Agreement signed by the municipality and the selected companies",
    ),
    reads=("proposals", "signatures"),
    example=Example(facts=_all_sign),
)
def agreement_signed(f: CaseFacts) -> Unmet | None:
    """The lead municipality and every selected company have signed."""
    parties = selected_organisations(f) | {f.lead_municipality_id}
    missing = sorted(parties - f.signed_organisation_ids)
    if not missing:
        return None
    return _missing(
        "agreement.signed",
        "Aftalen mangler underskrift fra den ledende kommune eller en valgt virksomhed.",
        "The agreement lacks a signature from the lead municipality or a selected company.",
        missing_organisation_ids=missing,
    )


@requirement(
    "agreement.clauses",
    CaseState.AGREEMENT,
    label=Text("Alle klausuler er bekræftet", "Every clause confirmed"),
    reads=("agreement.clauses",),
    example=Example({"agreement": {"clauses": dict.fromkeys(AGREEMENT_CLAUSES, True)}}),
)
def agreement_clauses(f: CaseFacts) -> Unmet | None:
    """The agreement confirms every mandatory clause."""
    confirmed = f.agreement.clauses or {}
    missing = [c for c in AGREEMENT_CLAUSES if confirmed.get(c) is not True]
    if not missing:
        return None
    return _missing(
        "agreement.clauses",
        "Aftalen bekræfter ikke alle klausuler: "
        + ", ".join(CLAUSE_LABELS[c][0].lower() for c in missing)
        + ".",
        "The agreement does not confirm every clause: "
        + ", ".join(CLAUSE_LABELS[c][1].lower() for c in missing)
        + ".",
        missing=missing,
    )


def _with_documents(*kinds: DocumentKind) -> FactsStep:
    """A facts step: the case holds documents of `kinds` (outside `states/`, uploads)."""

    def step(f: CaseFacts) -> CaseFacts:
        return replace(f, document_kinds=f.document_kinds | {k.value for k in kinds})

    return step


@requirement(
    "agreement.dpa",
    CaseState.AGREEMENT,
    label=Text(
        "Databehandleraftale og eventuel konsekvensanalyse",
        "Data processing agreement and any impact assessment",
    ),
    reads=(
        "pilot.personal_data",
        "pilot.health_data",
        "agreement.dpa_signed_at",
        "agreement.dpia_done",
        "documents",
    ),
    example=Example(
        {"agreement": {"dpa_signed_at": "2026-12-01T09:00:00+00:00", "dpia_done": True}},
        given={"pilot": {"personal_data": True, "health_data": True}},
        facts=_with_documents(DocumentKind.DPA, DocumentKind.DPIA),
    ),
    documents=(DocumentKind.DPA, DocumentKind.DPIA),
)
def agreement_dpa(f: CaseFacts) -> Unmet | None:
    """Personal data needs a data processing agreement, signed and attached as a document;
    health data a DPIA as well, done and attached."""
    missing: list[str] = []
    kinds = f.document_kinds
    if f.pilot.personal_data:
        if f.agreement.dpa_signed_at is None:
            missing.append("dpa_signed_at")
        if DocumentKind.DPA.value not in kinds:
            missing.append("dpa_document")
    if f.pilot.health_data:
        if not f.agreement.dpia_done:
            missing.append("dpia_done")
        if DocumentKind.DPIA.value not in kinds:
            missing.append("dpia_document")
    if not missing:
        return None
    return _missing(
        "agreement.dpa",
        "Afprøvningen behandler personoplysninger: databehandleraftalen (og for "
        "helbredsoplysninger en konsekvensanalyse) mangler, underskrevet og vedhæftet som "
        "dokument.",
        "The pilot processes personal data: the data processing agreement (and for health "
        "data an impact assessment) is missing, signed and attached as a document.",
        missing=missing,
    )


@requirement(
    "pilot.plan",
    CaseState.AGREEMENT,
    label=Text(
        "Plan for afprøvningen: sted, periode og succeskriterier",
        "Pilot plan: site, period and success criteria",
    ),
    reads=("pilot.site", "pilot.start_date", "pilot.end_date", "pilot.success_criteria"),
    example=Example(
        {
            "pilot": {
                "site": "Plejehjemmet Svanepunktet",
                "start_date": "2027-02-01",
                "end_date": "2027-06-30",
                "success_criteria": [
                    {"metric": "Uro-episoder pr. uge", "baseline": "14", "target": "7"}
                ],
            }
        }
    ),
)
def pilot_plan(f: CaseFacts) -> Unmet | None:
    """The pilot has a site, a period and at least one success criterion."""
    p = f.pilot
    missing = [k for k in ("site",) if _blank(p.site)]
    missing += [k for k in ("start_date", "end_date") if getattr(p, k) is None]
    if p.start_date and p.end_date and p.end_date <= p.start_date:
        missing.append("end_after_start")
    if not p.success_criteria:
        missing.append("success_criteria")
    if not missing:
        return None
    return _missing(
        "pilot.plan",
        "Planen for afprøvningen mangler sted, periode (slut efter start) eller succeskriterier.",
        "The pilot plan lacks a site, a period (end after start) or success criteria.",
        missing=missing,
    )


@requirement(
    "pilot.ethics",
    CaseState.AGREEMENT,
    label=Text(
        "Anmeldelse til videnskabsetisk komité er afklaret",
        "Ethics committee notification decided",
    ),
    reads=("pilot.ethics_notification_required", "pilot.ethics_reference"),
    example=Example({"pilot": {"ethics_notification_required": False}}),
)
def pilot_ethics(f: CaseFacts) -> Unmet | None:
    """The ethics-committee decision is recorded, with a reference when notification is due."""
    required = f.pilot.ethics_notification_required
    if required is False or (required is True and not _blank(f.pilot.ethics_reference)):
        return None
    return _missing(
        "pilot.ethics",
        "Det er ikke registreret, om afprøvningen skal anmeldes til den videnskabsetiske "
        "komité, eller referencen mangler.",
        "Whether the pilot must be notified to an ethics committee is not recorded, or the "
        "reference is missing.",
        decided=required is not None,
    )


# --- pilot → scale ----------------------------------------------------------------------


@requirement(
    "pilot.ended",
    CaseState.PILOT,
    label=Text("Afprøvningen er afsluttet", "The pilot has ended"),
    reads=("pilot.ended_at", "now"),
    example=Example(lambda now: {"pilot": {"ended_at": now.isoformat()}}),
)
def pilot_ended(f: CaseFacts) -> Unmet | None:
    """The pilot has ended (its end time is recorded and not in the future)."""
    if f.pilot.ended_at is not None and f.pilot.ended_at <= f.now:
        return None
    return _missing(
        "pilot.ended",
        "Afprøvningen er ikke afsluttet.",
        "The pilot has not ended.",
    )


@requirement(
    "pilot.evaluation",
    CaseState.PILOT,
    label=Text("Evaluering med resultat og rapport", "Evaluation with outcome and report"),
    reads=("pilot.evaluation", "documents"),
    example=Example(
        {
            "pilot": {
                "evaluation": {"outcome": Outcome.SUCCESS.value, "report": "Uro faldt med 40 %."}
            }
        }
    ),
    documents=(DocumentKind.EVALUATION_REPORT,),
)
def pilot_evaluation(f: CaseFacts) -> Unmet | None:
    """A successful or partly successful evaluation with a report: written in the section or
    attached as an evaluation report document."""
    ev = f.pilot.evaluation
    ok_outcome = ev is not None and ev.outcome in (Outcome.SUCCESS, Outcome.PARTIAL)
    reported = (ev is not None and not _blank(ev.report)) or (
        DocumentKind.EVALUATION_REPORT.value in f.document_kinds
    )
    if ok_outcome and reported:
        return None
    return _missing(
        "pilot.evaluation",
        "Evalueringen mangler en rapport (som tekst eller dokument) og et resultat (succes "
        "eller delvis succes); en mislykket afprøvning afsluttes med annullering.",
        "The evaluation lacks a report (as text or a document) and an outcome (success or "
        "partial); a failed pilot is closed with cancel.",
    )


# --- scale → completed ------------------------------------------------------------------


@requirement(
    "scale.knowledge_shared",
    CaseState.SCALE,
    label=Text("Viden er samlet op og offentliggjort", "Knowledge summarised and published"),
    reads=("scale.knowledge_summary", "scale.published_at"),
    example=Example(
        lambda now: {
            "scale": {
                "knowledge_summary": "Drejebog delt med KL og andre kommuner.",
                "published_at": now.isoformat(),
            }
        }
    ),
)
def scale_knowledge_shared(f: CaseFacts) -> Unmet | None:
    """The knowledge is summarised and published."""
    if not _blank(f.scale.knowledge_summary) and f.scale.published_at is not None:
        return None
    return _missing(
        "scale.knowledge_shared",
        "Vidensopsamlingen er ikke skrevet og offentliggjort.",
        "The knowledge summary is not written and published.",
    )


@requirement(
    "scale.adoption",
    CaseState.SCALE,
    label=Text(
        "En anden kommune har afgivet hensigtserklæring",
        "Another municipality gave a letter of intent",
    ),
    reads=("scale.adopting_municipalities",),
    example=Example(
        lambda now: {
            "scale": {
                "adopting_municipalities": [
                    {"name": "Randers Kommune", "letter_of_intent_at": now.date().isoformat()}
                ]
            }
        }
    ),
)
def scale_adoption(f: CaseFacts) -> Unmet | None:
    """Another municipality has signed a letter of intent to adopt the solution."""
    adopters = [
        m
        for m in f.scale.adopting_municipalities or []
        if m.letter_of_intent_at is not None and m.organisation_id != f.lead_municipality_id
    ]
    if adopters:
        return None
    return _missing(
        "scale.adoption",
        "Ingen anden kommune har afgivet en hensigtserklæring om at tage løsningen i brug.",
        "No other municipality has given a letter of intent to adopt the solution.",
    )


_require_chosen(
    "scale.purchase_route",
    CaseState.SCALE,
    Text("Indkøbsvej er valgt", "Purchase route chosen"),
    PurchaseRoute.TENDER,
    "Indkøbsvejen for et senere køb er ikke valgt.",
    "The purchase route for a later purchase is not chosen.",
)


ALL_CODES: tuple[str, ...] = tuple(r.code for reqs in REQUIREMENTS.values() for r in reqs)
