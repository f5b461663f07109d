"""The OPI process as data: states, triggers, the transition table and the requirement checks.

This package is pure: it imports nothing from the rest of opi-workflow, touches no database
and knows nothing of HTTP. `workflow/` binds it to stored cases.
"""

from states.facts import CaseFacts
from states.model import PHASES, TERMINAL, CaseState, Trigger, next_phase, previous_phase
from states.requirements import REQUIREMENTS, Requirement, Unmet, unmet_for
from states.table import TRANSITIONS, TransitionRule, allowed_triggers, destination

__all__ = [
    "PHASES",
    "REQUIREMENTS",
    "TERMINAL",
    "TRANSITIONS",
    "CaseFacts",
    "CaseState",
    "Requirement",
    "TransitionRule",
    "Trigger",
    "Unmet",
    "allowed_triggers",
    "destination",
    "next_phase",
    "previous_phase",
    "unmet_for",
]
