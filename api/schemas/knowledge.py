"""The knowledge library's answers (`GET /knowledge`, issue 17)."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from api.schemas.needs import Municipality
from states import CaseState
from states.sections import Outcome, PurchaseRoute

Measure = int | float | str
"""A baseline, target or result as recorded: a number, or a text where a number does not say
it (`states.sections.Measure`)."""


class CriterionResult(BaseModel):
    """A success criterion of the pilot with its numbers and the effect the service computed."""

    metric: str
    baseline: Measure
    target: Measure
    result: Measure | None
    unit: str | None
    effect_percent: float | None = Field(
        description="(result - baseline) / |baseline| in percent, one decimal; null when a "
        "value is missing or not a number, or the baseline is zero."
    )
    target_percent: float | None = Field(
        description="The change the target asked for, in percent of the baseline (as above)."
    )
    target_reached: bool | None = Field(
        description="Whether the result reached the target in the target's direction; null "
        "when a value is not a number or the target equals the baseline."
    )


class Solution(BaseModel):
    """A selected proposal: the solution the pilot tried."""

    organisation: Municipality = Field(description="The company or institution behind it.")
    title: str
    summary: str


class Adopter(BaseModel):
    """A municipality adopting the solution (`organisation_id` null: not registered here)."""

    organisation_id: int | None
    name: str
    letter_of_intent_at: date | None


class KnowledgeItem(BaseModel):
    """A case in the library, as a list shows it."""

    case_id: int
    title: str
    state: CaseState
    state_label: str
    cancelled_from: CaseState | None
    area: str | None
    lead_municipality: Municipality
    outcome: Outcome | None
    purchase_route: PurchaseRoute | None
    success_criteria: list[CriterionResult]
    finished_at: datetime = Field(
        description="When the case entered its state (scale, completed or cancelled)."
    )
    rank: float | None = None
    """The relevance to the search text (higher is better); null when not searching."""


class KnowledgeEntry(KnowledgeItem):
    """Everything the library shows of one case."""

    published_by: list[Municipality] = Field(
        description="The lead municipality first, then the co-owners."
    )
    description: str | None
    target_group: str | None
    expected_value: str | None
    solutions: list[Solution]
    pilot_site: str | None
    pilot_start_date: date | None
    pilot_end_date: date | None
    evaluation_report: str | None
    knowledge_summary: str | None
    knowledge_published_at: datetime | None
    adopting_municipalities: list[Adopter]
    lessons: str | None = Field(description="Why a cancelled case was cancelled; else null.")
