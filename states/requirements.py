"""The requirement checks of SPEC §3: one small function per code.

Each check reads a `CaseFacts` snapshot and returns `None` when met, or an `Unmet` with the
stable code and a Danish and an English message saying exactly what is missing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from states.facts import CaseFacts
from states.model import CaseState
from states.sections import AGREEMENT_CLAUSES, LegalTrack, Outcome, PurchaseRoute

INNOVATION_PARTNERSHIP_MIN_DAYS = 30
INNOVATION_PARTNERSHIP_MIN_PROPOSALS = 3


@dataclass(frozen=True, slots=True)
class Unmet:
    """An unmet requirement: its code, its messages and any details behind them."""

    code: str
    message_da: str
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str) -> str:
        """The message in `language` (`en`, otherwise Danish)."""
        return self.message_en if language == "en" else self.message_da

    def as_dict(self, language: str = "da") -> dict[str, Any]:
        """`{code, message}` as the API shows it, plus details when there are any."""
        data: dict[str, Any] = {"code": self.code, "message": self.message(language)}
        if self.details:
            data["details"] = self.details
        return data


Check = Callable[[CaseFacts], Unmet | None]


@dataclass(frozen=True, slots=True)
class Requirement:
    """A named check guarding `advance` out of `state`."""

    code: str
    state: CaseState
    check: Check


REQUIREMENTS: dict[CaseState, list[Requirement]] = {}


def requirement(code: str, state: CaseState) -> Callable[[Check], Check]:
    """Register `check` as the requirement `code` on `advance` out of `state`."""

    def register(check: Check) -> Check:
        REQUIREMENTS.setdefault(state, []).append(Requirement(code, state, check))
        return check

    return register


def unmet_for(state: CaseState, facts: CaseFacts) -> list[Unmet]:
    """Every unmet requirement for `advance` out of `state` (not just the first)."""
    results = (req.check(facts) for req in REQUIREMENTS.get(state, []))
    return [r for r in results if r is not None]


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _missing(code: str, da: str, en: str, **details: Any) -> Unmet:
    return Unmet(code, da, en, details)


# --- need → match -----------------------------------------------------------------------


@requirement("need.owner", CaseState.NEED)
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


requirement("need.description", CaseState.NEED)(
    _non_empty("need.description", "description", "Beskrivelsen af behovet", "need description")
)
requirement("need.target_group", CaseState.NEED)(
    _non_empty("need.target_group", "target_group", "Målgruppen", "target group")
)
requirement("need.expected_value", CaseState.NEED)(
    _non_empty("need.expected_value", "expected_value", "Den forventede værdi", "expected value")
)


@requirement("need.legal_track", CaseState.NEED)
def need_legal_track(f: CaseFacts) -> Unmet | None:
    """A legal track for the call is chosen."""
    if f.need.legal_track is not None:
        return None
    return _missing(
        "need.legal_track",
        "Der er ikke valgt et juridisk spor (fx OPI uden udbud eller innovationspartnerskab).",
        "No legal track is chosen (e.g. OPI without tender or innovation partnership).",
        allowed=[t.value for t in LegalTrack],
    )


@requirement("call.ready", CaseState.NEED)
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


@requirement("call.closed", CaseState.MATCH)
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


@requirement("call.min_proposals", CaseState.MATCH)
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


@requirement("proposals.assessed", CaseState.MATCH)
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


@requirement("proposals.decided", CaseState.MATCH)
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


@requirement("agreement.signed", CaseState.AGREEMENT)
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


@requirement("agreement.clauses", CaseState.AGREEMENT)
def agreement_clauses(f: CaseFacts) -> Unmet | None:
    """The agreement confirms every mandatory clause."""
    confirmed = f.agreement.clauses or {}
    missing = [c for c in AGREEMENT_CLAUSES if confirmed.get(c) is not True]
    if not missing:
        return None
    return _missing(
        "agreement.clauses",
        "Aftalen bekræfter ikke alle klausuler: " + ", ".join(missing) + ".",
        "The agreement does not confirm every clause: " + ", ".join(missing) + ".",
        missing=missing,
    )


@requirement("agreement.dpa", CaseState.AGREEMENT)
def agreement_dpa(f: CaseFacts) -> Unmet | None:
    """Personal data needs a data processing agreement; health data a DPIA as well."""
    missing: list[str] = []
    if f.pilot.personal_data and f.agreement.dpa_signed_at is None:
        missing.append("dpa_signed_at")
    if f.pilot.health_data and not f.agreement.dpia_done:
        missing.append("dpia_done")
    if not missing:
        return None
    return _missing(
        "agreement.dpa",
        "Afprøvningen behandler personoplysninger: databehandleraftale (og for "
        "helbredsoplysninger en konsekvensanalyse) mangler.",
        "The pilot processes personal data: the data processing agreement (and for health "
        "data an impact assessment) is missing.",
        missing=missing,
    )


@requirement("pilot.plan", CaseState.AGREEMENT)
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


@requirement("pilot.ethics", CaseState.AGREEMENT)
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


@requirement("pilot.ended", CaseState.PILOT)
def pilot_ended(f: CaseFacts) -> Unmet | None:
    """The pilot has ended (its end time is recorded and not in the future)."""
    if f.pilot.ended_at is not None and f.pilot.ended_at <= f.now:
        return None
    return _missing(
        "pilot.ended",
        "Afprøvningen er ikke afsluttet.",
        "The pilot has not ended.",
    )


@requirement("pilot.evaluation", CaseState.PILOT)
def pilot_evaluation(f: CaseFacts) -> Unmet | None:
    """A successful or partly successful evaluation with a report."""
    ev = f.pilot.evaluation
    ok_outcome = ev is not None and ev.outcome in (Outcome.SUCCESS, Outcome.PARTIAL)
    if ok_outcome and ev is not None and not _blank(ev.report):
        return None
    return _missing(
        "pilot.evaluation",
        "Evalueringen mangler en rapport og et resultat (succes eller delvis succes); en "
        "mislykket afprøvning afsluttes med annullering.",
        "The evaluation lacks a report and an outcome (success or partial); a failed pilot is "
        "closed with cancel.",
    )


# --- scale → completed ------------------------------------------------------------------


@requirement("scale.knowledge_shared", CaseState.SCALE)
def scale_knowledge_shared(f: CaseFacts) -> Unmet | None:
    """The knowledge is summarised and published."""
    if not _blank(f.scale.knowledge_summary) and f.scale.published_at is not None:
        return None
    return _missing(
        "scale.knowledge_shared",
        "Vidensopsamlingen er ikke skrevet og offentliggjort.",
        "The knowledge summary is not written and published.",
    )


@requirement("scale.adoption", CaseState.SCALE)
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


@requirement("scale.purchase_route", CaseState.SCALE)
def scale_purchase_route(f: CaseFacts) -> Unmet | None:
    """The route for a later purchase is chosen."""
    if f.scale.purchase_route is not None:
        return None
    return _missing(
        "scale.purchase_route",
        "Indkøbsvejen for et senere køb er ikke valgt.",
        "The purchase route for a later purchase is not chosen.",
        allowed=[r.value for r in PurchaseRoute],
    )


ALL_CODES: tuple[str, ...] = tuple(r.code for reqs in REQUIREMENTS.values() for r in reqs)
