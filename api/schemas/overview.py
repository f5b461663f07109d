"""`GET /overview`: the leaders' overview (`workflow.leaders.figures`) as JSON."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from states import CaseState


class PhaseCountPublic(BaseModel):
    """How many cases were in `state` at the end of `month` (now, for the running month)."""

    month: str = Field(description="`YYYY-MM`, Copenhagen time.")
    state: CaseState
    cases: int


class PhaseTimePublic(BaseModel):
    """The stays in `phase` that ended in the period, in days (time on hold included)."""

    phase: CaseState
    stays: int
    median_days: float | None
    p90_days: float | None = Field(description="90th percentile, as `percentile_cont(0.9)`.")


class ConversionStepPublic(BaseModel):
    """Of the cases created in the period, how many have reached `phase` by now."""

    phase: CaseState
    cases: int
    percent_of_created: float | None
    percent_of_previous: float | None


class OverdueRowPublic(BaseModel):
    """Open deadlines past due now in the cases a municipality leads."""

    municipality_id: int
    municipality: str
    deadlines: int
    cases: int


class RefusalRowPublic(BaseModel):
    """Refused `advance` attempts in the period that named `code` unmet."""

    code: str
    phase: CaseState
    refusals: int
    cases: int


class ReminderMonthPublic(BaseModel):
    """Reminders delivered (`sent`) and given up on (`failed`) in `month`."""

    month: str
    sent: int
    failed: int


class PilotEffectPublic(BaseModel):
    """A measured success criterion; `effect_percent` is the change from baseline to result
    in percent of the baseline, when both read as numbers."""

    case_id: int
    title: str
    metric: str
    baseline: Any
    target: Any
    result: Any
    unit: str | None
    effect_percent: float | None


class OverviewPublic(BaseModel):
    """Every figure for the scope and period asked for."""

    municipality_id: int | None = Field(
        description="The municipality counted (its own cases and those it takes part in); "
        "null: every municipality."
    )
    period_from: date = Field(description="The first day counted (Copenhagen time).")
    period_to: date = Field(description="The first day not counted.")
    generated_at: datetime
    phases: list[PhaseCountPublic]
    phase_times: list[PhaseTimePublic]
    conversion: list[ConversionStepPublic]
    overdue: list[OverdueRowPublic]
    refusals: list[RefusalRowPublic]
    reminders: list[ReminderMonthPublic]
    pilot_effects: list[PilotEffectPublic]


class FigurePublic(BaseModel):
    """One figure: its rows as in `GET /overview`."""

    figure: str
    items: list[dict[str, Any]]
