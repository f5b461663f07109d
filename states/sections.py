"""The five data sections of a case (SPEC §3), as pydantic models.

Every field is optional: a case fills its sections step by step, and the requirement checks
say what is still missing. Unknown fields are refused so a typo never silently vanishes.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, model_validator

from states.text import find_nul


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


class Outcome(StrEnum):
    """The result of a pilot's evaluation."""

    SUCCESS = "success"
    PARTIAL = "partial"
    FAILED = "failed"


AGREEMENT_CLAUSES: tuple[str, ...] = (
    "ip",
    "confidentiality",
    "publication",
    "budget",
    "termination",
    "state_aid",
)

ShortText = Annotated[str, Field(max_length=500)]
LongText = Annotated[str, Field(max_length=20_000)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        where = find_nul(data)
        if where:
            raise ValueError(f"{where} contains a NUL character")
        return data


class NeedSection(_Section):
    """The municipal need (*behov*) and who owns it."""

    owner_name: ShortText | None = None
    owner_email: EmailStr | None = None
    description: LongText | None = None
    target_group: LongText | None = None
    expected_value: LongText | None = None
    legal_track: LegalTrack | None = None


class Criterion(_Section):
    """A published assessment criterion with its weight in percent."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    weight: Annotated[int, Field(ge=0, le=100)]


class CallSection(_Section):
    """The published challenge (*udfordring*) companies propose against."""

    title: ShortText | None = None
    text: LongText | None = None
    criteria: Annotated[list[Criterion], Field(max_length=50)] | None = None
    submission_deadline: AwareDatetime | None = None
    min_proposals: Annotated[int, Field(ge=1, le=100)] | None = None


class AgreementSection(_Section):
    """The collaboration agreement (*samarbejdsaftale*)."""

    clauses: dict[str, bool] | None = None
    dpa_signed_at: AwareDatetime | None = None
    dpia_done: bool | None = None


class SuccessCriterion(_Section):
    """A measurable success criterion of the pilot."""

    metric: Annotated[str, Field(min_length=1, max_length=500)]
    baseline: Annotated[str, Field(max_length=500)]
    target: Annotated[str, Field(max_length=500)]


class Evaluation(_Section):
    """The pilot's evaluation."""

    outcome: Outcome | None = None
    report: LongText | None = None


class PilotSection(_Section):
    """The pilot (*afprøvning*) with citizens and staff."""

    site: ShortText | None = None
    start_date: date | None = None
    end_date: date | None = None
    success_criteria: Annotated[list[SuccessCriterion], Field(max_length=50)] | None = None
    personal_data: bool | None = None
    health_data: bool | None = None
    ethics_notification_required: bool | None = None
    ethics_reference: ShortText | None = None
    ended_at: AwareDatetime | None = None
    evaluation: Evaluation | None = None


class AdoptingMunicipality(_Section):
    """A municipality that intends to adopt the solution."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    organisation_id: int | None = None
    letter_of_intent_at: date | None = None


class ScaleSection(_Section):
    """Scaling and knowledge sharing (*skalering og vidensdeling*)."""

    knowledge_summary: LongText | None = None
    published_at: AwareDatetime | None = None
    adopting_municipalities: Annotated[list[AdoptingMunicipality], Field(max_length=100)] | None = (
        None
    )
    purchase_route: PurchaseRoute | None = None


SECTION_MODELS: dict[str, type[_Section]] = {
    "need": NeedSection,
    "call": CallSection,
    "agreement": AgreementSection,
    "pilot": PilotSection,
    "scale": ScaleSection,
}
