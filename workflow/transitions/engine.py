"""The one door for every state change of a case.

`apply_trigger` locks the case, checks the version and the guards, moves the state, bumps the
version, updates the phase deadlines (and their reminder rows) and appends the audit event, all
in one transaction. A refusal is audited and committed on its own, without touching the case.
Nothing leaves the process before the commit.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from states import (
    REQUIREMENTS,
    CaseFacts,
    CaseState,
    Trigger,
    Unmet,
    allowed_triggers,
    destination,
    unmet_for,
)
from states.table import rules_for
from workflow.access.actor import Actor
from workflow.access.policy import Action, require
from workflow.audit import writer as audit
from workflow.cases.facts import case_facts, held_facts
from workflow.core.errors import (
    InvalidTransition,
    RequirementsUnmet,
    StaleVersion,
    check_reason,
)
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.phase_rules import on_transition as update_phase_deadlines
from workflow.models import Case
from workflow.ops import metrics
from workflow.transitions.locking import lock_case
from workflow.transitions.machine import fire

MAX_REASON_LENGTH = 5_000
_MOVED = (
    "state",
    "on_hold",
    "hold_reason",
    "cancelled_from",
    "phase_entered_at",
    "version",
    "updated_at",
)
"""The columns a transition writes (`_move`)."""


@dataclass(frozen=True, slots=True)
class TriggerStatus:
    """Whether a trigger may be used on a case now, and why not."""

    trigger: Trigger
    allowed: bool
    unmet: list[Unmet]
    dest: CaseState | None


def trigger_statuses(
    session: Session, case: Case, now: datetime | None = None, facts: CaseFacts | None = None
) -> list[TriggerStatus]:
    """For each trigger of the case's current state: allowed, and every unmet requirement.

    `facts` are the case's facts when the caller has them already (a write's answer).
    """
    now = now or utcnow()
    state = CaseState(case.state)
    cancelled_from = CaseState(case.cancelled_from) if case.cancelled_from else None
    statuses = []
    for trigger in allowed_triggers(state):
        unmet: list[Unmet] = []
        if trigger is Trigger.ADVANCE:
            facts = facts or case_facts(session, case, now)
            unmet = unmet_for(state, facts)
        dest = destination(state, trigger, cancelled_from)
        allowed = not unmet and dest is not None and _hold_permits(case, trigger)
        statuses.append(TriggerStatus(trigger, allowed, unmet, dest))
    return statuses


def _hold_permits(case: Case, trigger: Trigger) -> bool:
    if trigger is Trigger.PAUSE:
        return not case.on_hold
    if trigger is Trigger.RESUME:
        return case.on_hold
    return not (case.on_hold and trigger is Trigger.ADVANCE)


def apply_trigger(
    work: UnitOfWork,
    case_id: int,
    trigger: str,
    actor: Actor,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
    before_commit: Callable[[UnitOfWork, Case], None] | None = None,
) -> Case:
    """Apply `trigger` to the case and commit the unit of work; raise a `WorkflowError` when
    refused (a refusal's audit event is committed, anything else the unit held rolled back).

    `expected_version` is the version the caller last saw (`If-Match`); a different current
    version raises `StaleVersion` without changing anything. `before_commit` lets the caller
    add its own rows (an idempotency record, say) to the same transaction.
    """
    now = now or utcnow()
    try:
        case = lock_case(work, case_id)
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(
                f"The case is at version {case.version}, not {expected_version}.",
                current_version=case.version,
            )
        source = CaseState(case.state)
        try:
            trig = Trigger(trigger)
        except ValueError:
            trig = None
        if trig is None or not rules_for(source, trig):
            _refuse_invalid(work, case, trigger, actor, reason, now, "does not exist")
        assert trig is not None
        _check_role_and_reason(trig, case, actor, reason)
        if not _hold_permits(case, trig):
            why = "is on hold" if case.on_hold else "is not on hold"
            _refuse_invalid(work, case, trig.value, actor, reason, now, why)

        results: list[dict[str, Any]] = []
        if trig is Trigger.ADVANCE:
            unmet = unmet_for(source, held_facts(work, case, now))
            if unmet:
                _refuse_unmet(work, case, actor, reason, now, unmet)
            results = [{"code": r.code, "met": True} for r in REQUIREMENTS.get(source, [])]

        dest = _move(work, case, source, trig, reason, now)
        update_phase_deadlines(work, case, source, dest, trig, actor, now)
        audit.record(
            work,
            actor,
            "case.transition",
            {
                "trigger": trig.value,
                "from": source.value,
                "to": dest.value,
                "reason": reason,
                "on_hold": case.on_hold,
                "version": case.version,
                "requirements": results,
            },
            case_id=case.id,
            at=now,
        )
        if before_commit is not None:
            before_commit(work, case)
        work.commit()
        metrics.count_transition(trig.value)
        return case
    except BaseException:
        work.rollback()
        raise


def _check_role_and_reason(trigger: Trigger, case: Case, actor: Actor, reason: str | None) -> None:
    require(actor, Action.TRIGGER, case)  # the lead municipality's managers, and admins
    check_reason(
        reason,
        required=trigger.needs_reason,
        what=repr(trigger.value),
        max_length=MAX_REASON_LENGTH,
    )


def _move(
    work: UnitOfWork,
    case: Case,
    source: CaseState,
    trigger: Trigger,
    reason: str | None,
    now: datetime,
) -> CaseState:
    cancelled_from = CaseState(case.cancelled_from) if case.cancelled_from else None
    dest = fire(source, trigger, cancelled_from)
    if dest is None:
        raise InvalidTransition(f"{trigger.value!r} cannot be applied to this case now.")
    on_hold, hold_reason = case.on_hold, case.hold_reason
    if trigger is Trigger.PAUSE:
        on_hold, hold_reason = True, reason
    elif trigger is Trigger.RESUME:
        on_hold, hold_reason = False, None
    if trigger is Trigger.CANCEL:
        # A cancelled case is no longer "on hold"; reopening brings it back running.
        cancelled_from = source
        on_hold, hold_reason = False, None
    elif trigger is Trigger.REOPEN:
        cancelled_from = None
    values = {
        "state": dest.value,
        "on_hold": on_hold,
        "hold_reason": hold_reason,
        "cancelled_from": cancelled_from.value if cancelled_from else None,
        "phase_entered_at": now if dest is not source else case.phase_entered_at,
        "version": case.version + 1,
        "updated_at": now,
    }
    # One Core `UPDATE ... WHERE id AND version RETURNING`: the case is locked, so the version
    # check only guards against a caller that changed it behind the unit of work's back. The
    # loaded object is told what was written, so the ORM has nothing left to flush for it.
    written = work.session.connection().execute(
        _UPDATE_CASE, {"b_id": case.id, "b_version": case.version, **values}
    )
    if written.first() is None:
        raise StaleVersion(
            f"The case changed while it was locked (version {case.version}).",
            current_version=case.version,
        )
    for name, value in values.items():
        set_committed_value(case, name, value)
    return dest


_CASES = Case.__table__  # type: ignore[attr-defined]
_UPDATE_CASE = (
    _CASES.update()
    .where(_CASES.c.id == bindparam("b_id"), _CASES.c.version == bindparam("b_version"))
    .values({name: bindparam(name) for name in _MOVED})
    .returning(_CASES.c.version)
)


def _refuse_invalid(
    work: UnitOfWork,
    case: Case,
    trigger: str,
    actor: Actor,
    reason: str | None,
    now: datetime,
    why: str,
) -> None:
    detail = f"The trigger {trigger!r} {why} for a case in {case.state!r}."
    _audit_refusal(
        work,
        case,
        actor,
        now,
        {
            "trigger": trigger[:60],
            "from": case.state,
            "reason": reason,
            "refusal": "invalid-transition",
            "detail": detail,
        },
    )
    raise InvalidTransition(detail)


def _refuse_unmet(
    work: UnitOfWork,
    case: Case,
    actor: Actor,
    reason: str | None,
    now: datetime,
    unmet: list[Unmet],
) -> None:
    detail = f"{len(unmet)} requirement(s) unmet: " + ", ".join(u.code for u in unmet) + "."
    unmet_codes = {u.code for u in unmet}
    _audit_refusal(
        work,
        case,
        actor,
        now,
        {
            "trigger": Trigger.ADVANCE.value,
            "from": case.state,
            "reason": reason,
            "refusal": "requirements-unmet",
            "unmet": [
                {
                    "code": u.code,
                    "message_da": u.message_da,
                    "message_en": u.message_en,
                    "details": u.details,
                }
                for u in unmet
            ],
            "requirements": [
                {"code": r.code, "met": r.code not in unmet_codes}
                for r in REQUIREMENTS.get(CaseState(case.state), [])
            ],
        },
    )
    raise RequirementsUnmet(detail, unmet)


def _audit_refusal(
    work: UnitOfWork, case: Case, actor: Actor, now: datetime, data: dict[str, Any]
) -> None:
    """Commit the refused attempt's audit event alone; the case itself is not touched."""
    audit.record(work, actor, "case.transition_refused", data, case_id=case.id, at=now)
    work.commit()
    metrics.count_refusal([u["code"] for u in data.get("unmet", [])] or [data["refusal"]])
