"""States and triggers of an OPI case (SPEC §2), with their Danish and English labels."""

from enum import StrEnum

from states.text import Text


class CaseState(StrEnum):
    """Where a case is in the need-driven OPI model."""

    NEED = "need"
    MATCH = "match"
    AGREEMENT = "agreement"
    PILOT = "pilot"
    SCALE = "scale"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label_da(self) -> str:
        """Danish label, as used by Life Science Living Lab Furesø."""
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        """English label."""
        return _LABELS[self][1]

    def label(self, language: str) -> str:
        """The label in `language` (`da` or `en`; anything else falls back to Danish)."""
        return Text(self.label_da, self.label_en).pick(language)


class Trigger(StrEnum):
    """What a manager (or the system) can ask a case to do."""

    ADVANCE = "advance"
    SEND_BACK = "send_back"
    CANCEL = "cancel"
    REOPEN = "reopen"
    PAUSE = "pause"
    RESUME = "resume"

    @property
    def needs_reason(self) -> bool:
        """Whether the trigger is refused without a written reason."""
        return self in _NEEDS_REASON


PHASES: tuple[CaseState, ...] = (
    CaseState.NEED,
    CaseState.MATCH,
    CaseState.AGREEMENT,
    CaseState.PILOT,
    CaseState.SCALE,
)
TERMINAL: tuple[CaseState, ...] = (CaseState.COMPLETED, CaseState.CANCELLED)

_NEEDS_REASON = frozenset({Trigger.SEND_BACK, Trigger.CANCEL, Trigger.REOPEN, Trigger.PAUSE})

_LABELS: dict[CaseState, tuple[str, str]] = {
    CaseState.NEED: ("Behov", "Need"),
    CaseState.MATCH: ("Match", "Match"),
    CaseState.AGREEMENT: ("Aftale", "Agreement"),
    CaseState.PILOT: ("Afprøvning", "Pilot"),
    CaseState.SCALE: ("Skalering og vidensdeling", "Scaling and knowledge sharing"),
    CaseState.COMPLETED: ("Afsluttet", "Completed"),
    CaseState.CANCELLED: ("Annulleret", "Cancelled"),
}


def next_phase(state: CaseState) -> CaseState:
    """The state `advance` leads to from a phase (`scale` leads to `completed`)."""
    index = PHASES.index(state)
    return PHASES[index + 1] if index + 1 < len(PHASES) else CaseState.COMPLETED


def previous_phase(state: CaseState) -> CaseState:
    """The phase `send_back` returns to."""
    index = PHASES.index(state)
    if index == 0:
        raise ValueError(f"{state} has no previous phase")
    return PHASES[index - 1]
