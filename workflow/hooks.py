"""Work that must happen inside the transition's own transaction.

`notifications` (and anything else that must change with a phase) registers a hook here; the
engine calls every hook after the state is written and before the commit, so a hook's rows
commit with the transition or not at all. `workflow` itself never imports its listeners.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from states import CaseState, Trigger
from workflow.actor import Actor
from workflow.models import Case


@dataclass(frozen=True, slots=True)
class TransitionContext:
    """What a hook learns of the transition that just happened."""

    case: Case
    source: CaseState
    dest: CaseState
    trigger: Trigger
    actor: Actor
    reason: str | None
    now: datetime


TransitionHook = Callable[[Session, TransitionContext], None]
_HOOKS: list[TransitionHook] = []


def on_transition(hook: TransitionHook) -> TransitionHook:
    """Register `hook` to run inside every applied transition's transaction (idempotent)."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def run_transition_hooks(session: Session, context: TransitionContext) -> None:
    """Run every registered hook; an exception aborts the whole transition."""
    for hook in list(_HOOKS):
        hook(session, context)
