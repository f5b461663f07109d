"""The five data sections of a case (SPEC §3), as pydantic models, with what people read.

Every field is optional: a case fills its sections step by step, and the requirement checks
say what is still missing. Unknown fields are refused so a typo never silently vanishes.

Each field carries its Danish and English label and, where a field needs explaining, a help
text (`labelled(...)`, read back with `field_text`). The web forms are generated from these
models, so a new field needs no template edit; each model's `label` names it as a whole.
Which sections may be edited in which state is here too (`EDITABLE_IN_STATE`), because it is a
rule of the process that every door (API, pages, CLI) obeys alike.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictFloat,
    StrictInt,
    model_validator,
)

from states.dates import Day, Moment
from states.model import CaseState
from states.text import Text, find_nul


class LegalTrack(StrEnum):
    """The procurement route the call is run under."""

    OPI_WITHOUT_TENDER = "opi_without_tender"
    INNOVATION_PARTNERSHIP = "innovation_partnership"
    PRE_COMMERCIAL_PROCUREMENT = "pre_commercial_procurement"
    MINI_TRIAL = "mini_trial"


class PurchaseRoute(StrEnum):
    """How a later purchase of the scaled solution will be made."""

    TENDER = "tender"
    INNOVATION_PARTNERSHIP_DIRECT = "innovation_partnership_direct"
    NONE = "none"


class Area(StrEnum):
    """The welfare area a need belongs to, for filtering the need catalogue."""

    ELDERLY_CARE = "elderly_care"
    HEALTH = "health"
    DISABILITY = "disability"
    CHILDREN = "children"
    EDUCATION = "education"
    EMPLOYMENT = "employment"
    CLIMATE = "climate"
    CULTURE = "culture"
    ADMINISTRATION = "administration"


class Outcome(StrEnum):
    """The result of a pilot's evaluation."""

    SUCCESS = "success"
    PARTIAL = "partial"
    FAILED = "failed"


CLAUSE_LABELS: dict[str, tuple[str, str]] = {
    "ip": ("Immaterielle rettigheder", "Intellectual property"),
    "confidentiality": ("Fortrolighed", "Confidentiality"),
    "publication": ("Offentliggørelse", "Publication"),
    "budget": ("Budget", "Budget"),
    "termination": ("Opsigelse", "Termination"),
    "state_aid": ("Statsstøtte", "State aid"),
}
"""The agreement's clauses (SPEC §3 `agreement.clauses`) with their Danish and English names."""

AGREEMENT_CLAUSES: tuple[str, ...] = tuple(CLAUSE_LABELS)

ShortText = Annotated[str, Field(max_length=500)]
LongText = Annotated[str, Field(max_length=20_000)]


def labelled(
    da: str, en: str, *, help_da: str | None = None, help_en: str | None = None, default: Any = None
) -> Any:
    """A pydantic `Field` with the field's Danish and English label and optional help text.

    The English label is the JSON schema's `title` (the API is documented in English); both
    languages ride in `json_schema_extra` (as the OpenAPI extensions `x-label` and
    `x-help`) so forms and the OpenAPI document can show either.
    """
    extra: dict[str, Any] = {"x-label": {"da": da, "en": en}}
    if help_da and help_en:
        extra["x-help"] = {"da": help_da, "en": help_en}
    return Field(default=default, title=en, description=help_en, json_schema_extra=extra)


@dataclass(frozen=True, slots=True)
class FieldText:
    """What a person reads about a field: its label and, when it has one, its help text."""

    label: Text
    help: Text | None = None


def field_text(model: type[BaseModel], name: str) -> FieldText:
    """The label and help of `model`'s field `name` (its name itself when it has no label)."""
    extra = model.model_fields[name].json_schema_extra
    meta = extra if isinstance(extra, dict) else {}
    return FieldText(
        label=_text(meta.get("x-label")) or Text(name, name), help=_text(meta.get("x-help"))
    )


def _text(value: Any) -> Text | None:
    return Text(str(value["da"]), str(value["en"])) if isinstance(value, dict) else None


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    label: ClassVar[Text]
    """What the section (or nested object) is called on a page."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        where = find_nul(data)
        if where:
            raise ValueError(f"{where} contains a NUL character")
        return data


class NeedSection(_Section):
    """The municipal need (*behov*) and who owns it."""

    label = Text("Behov", "Need")

    owner_name: ShortText | None = labelled("Behovsejer (navn)", "Need owner (name)")
    owner_email: EmailStr | None = labelled(
        "Behovsejer (e-mail)",
        "Need owner (email)",
        help_da="Behovsejeren får påmindelser om sagens frister.",
        help_en="The need owner receives reminders of the case's deadlines.",
    )
    area: Area | None = labelled(
        "Område",
        "Area",
        help_da="Velfærdsområdet, som andre kommuner finder behovet under i behovskataloget.",
        help_en="The welfare area other municipalities find the need under in the catalogue.",
    )
    description: LongText | None = labelled("Beskrivelse af behovet", "Description of the need")
    target_group: LongText | None = labelled("Målgruppe", "Target group")
    expected_value: LongText | None = labelled("Forventet værdi", "Expected value")
    legal_track: LegalTrack | None = labelled(
        "Juridisk spor",
        "Legal track",
        help_da="Et innovationspartnerskab kræver mindst 30 dages frist og tre forslag.",
        help_en="An innovation partnership needs at least 30 days and three proposals.",
    )


class Criterion(_Section):
    """A published assessment criterion with its weight in percent."""

    label = Text("Tildelingskriterium", "Assessment criterion")

    name: Annotated[str, Field(min_length=1, max_length=200)] = labelled(
        "Kriterium", "Criterion", default=...
    )
    weight: Annotated[int, Field(ge=0, le=100)] = labelled("Vægt (%)", "Weight (%)", default=...)


class CallSection(_Section):
    """The published challenge (*udfordring*) companies propose against."""

    label = Text("Opslag", "Call")

    title: ShortText | None = labelled("Opslagets titel", "Title of the call")
    text: LongText | None = labelled("Opslagstekst", "Call text")
    criteria: Annotated[list[Criterion], Field(max_length=50)] | None = labelled(
        "Tildelingskriterier",
        "Assessment criteria",
        help_da="Vægtene skal tilsammen give 100 %.",
        help_en="The weights must add up to 100 %.",
    )
    submission_deadline: Moment | None = labelled("Frist for forslag", "Submission deadline")
    min_proposals: Annotated[int, Field(ge=1, le=100)] | None = labelled(
        "Mindste antal forslag",
        "Minimum number of proposals",
        help_da="Tomt felt: 3 ved innovationspartnerskab, ellers 1.",
        help_en="Empty: 3 for an innovation partnership, otherwise 1.",
    )


class AgreementSection(_Section):
    """The collaboration agreement (*samarbejdsaftale*)."""

    label = Text("Aftale", "Agreement")

    clauses: dict[str, bool] | None = labelled(
        "Bekræftede klausuler",
        "Confirmed clauses",
        help_da="Aftalen skal bekræfte alle klausuler, før afprøvningen kan begynde.",
        help_en="The agreement must confirm every clause before the pilot can begin.",
    )
    dpa_signed_at: Moment | None = labelled(
        "Databehandleraftale underskrevet", "Data processing agreement signed"
    )
    dpia_done: bool | None = labelled(
        "Konsekvensanalyse (DPIA) udført",
        "Impact assessment (DPIA) done",
        help_da="Kræves, når afprøvningen behandler helbredsoplysninger.",
        help_en="Required when the pilot processes health data.",
    )


Measure = (
    StrictInt
    | Annotated[StrictFloat, Field(allow_inf_nan=False)]
    | Annotated[str, Field(max_length=500)]
)
"""A baseline, target or result: a number (`12`, `2.8`) or, where a number does not say it, a
text (`"14"`, `"2,8"`, `"hver anden uge"`). Pydantic's smart union keeps each as given."""


class SuccessCriterion(_Section):
    """A measurable success criterion of the pilot, with its measured result once evaluated."""

    label = Text("Succeskriterium", "Success criterion")

    metric: Annotated[str, Field(min_length=1, max_length=500)] = labelled(
        "Måling", "Metric", default=...
    )
    baseline: Measure = labelled("Udgangspunkt", "Baseline", default=...)
    target: Measure = labelled("Mål", "Target", default=...)
    result: Measure | None = labelled(
        "Målt resultat",
        "Measured result",
        help_da="Udfyldes ved evalueringen.",
        help_en="Filled in at the evaluation.",
    )
    unit: Annotated[str, Field(max_length=100)] | None = labelled("Enhed", "Unit")

    @property
    def effect_percent(self) -> float | None:
        """The change from baseline to measured result in percent of the baseline, when both
        read as numbers and the baseline is not zero (`effect_percent` below)."""
        return effect_percent(self.baseline, self.result)


def as_number(value: object) -> float | None:
    """`value` as a number: a number itself, or a text that is one written the Danish
    (`2,8`, `1.234,5`) or the English way (`2.8`); `None` for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def effect_percent(baseline: object, result: object) -> float | None:
    """The effect of a pilot on one criterion: (result - baseline) / baseline in percent,
    rounded to one decimal; `None` when either is not a number or the baseline is zero."""
    before, after = as_number(baseline), as_number(result)
    if before is None or after is None or before == 0:
        return None
    return round((after - before) / abs(before) * 100, 1)


class Evaluation(_Section):
    """The pilot's evaluation."""

    label = Text("Evaluering", "Evaluation")

    outcome: Outcome | None = labelled(
        "Evalueringens resultat",
        "Evaluation outcome",
        help_da="En mislykket afprøvning afsluttes med annullering, ikke skalering.",
        help_en="A failed pilot is closed with cancel, not scaled.",
    )
    report: LongText | None = labelled("Evalueringsrapport", "Evaluation report")


class PilotSection(_Section):
    """The pilot (*afprøvning*) with citizens and staff."""

    label = Text("Afprøvning", "Pilot")

    site: ShortText | None = labelled("Afprøvningssted", "Pilot site")
    start_date: Day | None = labelled("Startdato", "Start date")
    end_date: Day | None = labelled("Slutdato", "End date")
    success_criteria: Annotated[list[SuccessCriterion], Field(max_length=50)] | None = labelled(
        "Succeskriterier", "Success criteria"
    )
    personal_data: bool | None = labelled(
        "Behandler personoplysninger",
        "Processes personal data",
        help_da="I så fald kræves en databehandleraftale.",
        help_en="If so, a data processing agreement is required.",
    )
    health_data: bool | None = labelled(
        "Behandler helbredsoplysninger",
        "Processes health data",
        help_da="I så fald kræves også en konsekvensanalyse (DPIA).",
        help_en="If so, an impact assessment (DPIA) is required as well.",
    )
    ethics_notification_required: bool | None = labelled(
        "Skal anmeldes til videnskabsetisk komité",
        "Must be notified to an ethics committee",
        help_da="Ved ja skal komitéens reference udfyldes.",
        help_en="If yes, fill in the committee's reference.",
    )
    ethics_reference: ShortText | None = labelled("Komitéens reference", "Committee reference")
    ended_at: Moment | None = labelled("Afprøvningen afsluttet", "Pilot ended")
    evaluation: Evaluation | None = labelled("Evaluering", "Evaluation")


class AdoptingMunicipality(_Section):
    """A municipality that intends to adopt the solution: a registered one by its organisation
    id alone, or one outside the service by its name."""

    label = Text("Kommune der tager løsningen i brug", "Municipality adopting the solution")

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = labelled(
        "Kommune", "Municipality"
    )
    organisation_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = labelled(
        "Organisations-id", "Organisation id"
    )
    letter_of_intent_at: Day | None = labelled("Hensigtserklæring", "Letter of intent")

    @model_validator(mode="after")
    def _named_or_registered(self) -> "AdoptingMunicipality":
        if self.name is None and self.organisation_id is None:
            raise ValueError("an adopting municipality needs a name or an organisation_id")
        return self


class ScaleSection(_Section):
    """Scaling and knowledge sharing (*skalering og vidensdeling*)."""

    label = Text("Skalering og vidensdeling", "Scaling and knowledge sharing")

    knowledge_summary: LongText | None = labelled("Vidensopsamling", "Knowledge summary")
    published_at: Moment | None = labelled("Offentliggjort", "Published")
    adopting_municipalities: Annotated[list[AdoptingMunicipality], Field(max_length=100)] | None = (
        labelled("Kommuner der tager løsningen i brug", "Municipalities adopting the solution")
    )
    purchase_route: PurchaseRoute | None = labelled(
        "Indkøbsvej",
        "Purchase route",
        help_da="Hvordan et senere køb af løsningen skal foregå.",
        help_en="How a later purchase of the solution will be made.",
    )


SECTION_MODELS: dict[str, type[_Section]] = {
    "need": NeedSection,
    "call": CallSection,
    "agreement": AgreementSection,
    "pilot": PilotSection,
    "scale": ScaleSection,
}

SECTIONS: tuple[str, ...] = tuple(SECTION_MODELS)

EDITABLE_IN_STATE: dict[CaseState, tuple[str, ...]] = {
    CaseState.NEED: ("need", "call"),
    CaseState.AGREEMENT: ("agreement", "pilot"),
    CaseState.PILOT: ("pilot",),
    CaseState.SCALE: ("scale",),
}
"""Which sections may be changed while a case is in each state (any state not named: none).

They are the sections the phase's own requirements read. The call is frozen once published
(from `match` on): changing the criteria or the deadline of an open call would treat companies
unequally. A completed or cancelled case is a record and changes no more.
"""


def editable_sections(state: str) -> tuple[str, ...]:
    """The sections a case in `state` lets anyone change (before any role is considered)."""
    try:
        return EDITABLE_IN_STATE.get(CaseState(state), ())
    except ValueError:
        return ()
