"""The transition table of SPEC §2 as data.

Each rule names a trigger, the state it leaves from and where it goes; who may use it is
`workflow.access.policy` (`Action.TRIGGER`), the one place that knows roles. `dest=None`
means "stay in the same phase" (pause/resume); reopen's destination is the phase the case was
cancelled from, so it is resolved at run time by `destination`.
"""

from dataclasses import dataclass

from states.model import PHASES, CaseState, Trigger, next_phase, previous_phase


@dataclass(frozen=True, slots=True)
class TransitionRule:
    """One (trigger, source) pair of the table and where it leads."""

    trigger: Trigger
    source: CaseState
    dest: CaseState | None


SENT_BACK_FROM = (CaseState.MATCH, CaseState.AGREEMENT, CaseState.PILOT)
"""`send_back` exists only for these phases (SPEC §2)."""


def _build() -> tuple[TransitionRule, ...]:
    rules: list[TransitionRule] = []
    for phase in PHASES:
        rules.append(TransitionRule(Trigger.ADVANCE, phase, next_phase(phase)))
        if phase in SENT_BACK_FROM:
            rules.append(TransitionRule(Trigger.SEND_BACK, phase, previous_phase(phase)))
        rules.append(TransitionRule(Trigger.CANCEL, phase, CaseState.CANCELLED))
        rules.append(TransitionRule(Trigger.PAUSE, phase, None))
        rules.append(TransitionRule(Trigger.RESUME, phase, None))
        rules.append(TransitionRule(Trigger.REOPEN, CaseState.CANCELLED, phase))
    return tuple(rules)


TRANSITIONS: tuple[TransitionRule, ...] = _build()


def rules_for(state: CaseState, trigger: Trigger) -> tuple[TransitionRule, ...]:
    """Every rule of the table for this trigger from this state (reopen has one per phase)."""
    return tuple(r for r in TRANSITIONS if r.source is state and r.trigger is trigger)


def allowed_triggers(state: CaseState) -> tuple[Trigger, ...]:
    """The triggers that exist for `state`, in a stable order."""
    seen: dict[Trigger, None] = {}
    for rule in TRANSITIONS:
        if rule.source is state:
            seen.setdefault(rule.trigger, None)
    return tuple(seen)


def destination(
    state: CaseState, trigger: Trigger, cancelled_from: CaseState | None = None
) -> CaseState | None:
    """Where `trigger` takes a case in `state`; None if the trigger does not exist there.

    For pause and resume the destination is `state` itself. For reopen it is
    `cancelled_from`, which must be a phase.
    """
    rules = rules_for(state, trigger)
    if not rules:
        return None
    if trigger is Trigger.REOPEN:
        return cancelled_from if cancelled_from in PHASES else None
    rule = rules[0]
    return rule.dest if rule.dest is not None else state
