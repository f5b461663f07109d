"""The one `transitions` machine of the process, built once and shared by every case.

Following the library's advice for many models, the machine holds no models: a small
`_Binding` carries one case's state through a single trigger call (transitions FAQ; issues
#146 and #434). The machine only moves the state; the guards are checked before, by
`states.unmet_for`, so a refusal can list every unmet requirement.
"""

from dataclasses import dataclass
from typing import Any

from transitions import EventData, Machine

from states import PHASES, TRANSITIONS, CaseState, Trigger


@dataclass(slots=True)
class _Binding:
    """One case's state, bound to the machine for the length of one trigger call."""

    state: CaseState
    cancelled_from: CaseState | None = None


def _came_from(phase: CaseState) -> Any:
    def condition(event: EventData) -> bool:
        binding: _Binding = event.model  # type: ignore[assignment]
        return binding.cancelled_from == phase

    return condition


def _build_machine() -> Machine:
    specs: list[dict[str, Any]] = []
    for rule in TRANSITIONS:
        spec: dict[str, Any] = {
            "trigger": rule.trigger.value,
            "source": rule.source,
            "dest": rule.dest,
        }
        if rule.trigger is Trigger.REOPEN:
            assert rule.dest in PHASES
            spec["conditions"] = [_came_from(rule.dest)]
        specs.append(spec)
    return Machine(
        model=None,
        states=CaseState,
        transitions=specs,
        initial=CaseState.NEED,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )


MACHINE: Machine = _build_machine()


def fire(state: CaseState, trigger: Trigger, cancelled_from: CaseState | None) -> CaseState | None:
    """Run `trigger` on a case in `state`; the new state, or None if the machine refused."""
    binding = _Binding(state=state, cancelled_from=cancelled_from)
    if not MACHINE.events[trigger.value].trigger(binding):
        return None
    return CaseState(binding.state)
