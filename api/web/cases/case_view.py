"""Everything the case page shows, gathered for one user and one case.

What a user sees follows the API's rules (SPEC §4): partners see the published call of a case
in `match` they do not take part in, and only their own organisation's proposals; the audit
trail and reminders are for managers, auditors and admins.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from api.web.cases.manage_view import manage_context, signatures
from api.web.cases.timeline import EventView, describe, organisation_ids
from api.web.deadlines import deadline_view
from api.web.documents.document_view import documents_context
from api.web.form_input import Submitted
from api.web.forms import (
    SECTION_FIELDS,
    SECTION_TITLES,
    SECTIONS_OF_STATE,
    FieldView,
    OptionGroups,
    editable_sections,
    field_views,
)
from api.web.i18n import TRIGGERS, pick, translate
from api.web.knowledge.knowledge_pages import others_did
from api.web.partner import partner_view
from api.web.render import WebUser
from api.web.rights import may_manage
from states import PHASES, REQUIREMENTS, CaseState, Trigger, Unmet
from workflow.access.actor import Actor
from workflow.access.organisations import organisation_names
from workflow.access.policy import Action, co_owns, competes, may
from workflow.access.scope import hides_participant, proposals_clause, sees_internals
from workflow.audit.query import case_history
from workflow.core.db import engine_of
from workflow.models import (
    Case,
    Organisation,
    OrganisationKind,
    Participant,
    Proposal,
)
from workflow.needs.coowners import CO_OWNER_ROLE, NamedMunicipality, name_list, publishers
from workflow.proposals.reviews import latest_decisions
from workflow.transitions.engine import TriggerStatus, trigger_statuses


@dataclass(slots=True)
class Step:
    """One phase of the stepper."""

    state: str
    label: str
    status: str
    """`done`, `current`, `todo` or `cancelled`."""


@dataclass(slots=True)
class CheckItem:
    """One requirement of the next step: met or not, with the unmet message."""

    code: str
    label: str
    met: bool
    message: str | None = None


@dataclass(slots=True)
class ActionView:
    """A trigger button the user may press."""

    trigger: str
    label: str
    needs_reason: bool
    unmet_count: int
    danger: bool


@dataclass(slots=True)
class SectionView:
    """A data section: its fields, and whether the user may edit it here."""

    name: str
    title: str
    fields: list[FieldView]
    editable: bool
    filled: bool
    open: bool = True
    refused: bool = False
    """The section's form was refused: it opens with the user's input."""


@dataclass(slots=True)
class RefusedForm:
    """A section form the page refused: what was typed, and who changed what meanwhile."""

    section: str
    values: Mapping[str, Any]
    changed: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ProposalView:
    """A proposal in the case's list."""

    id: int
    title: str
    organisation: str
    submitted_at: datetime
    decision: str | None


@dataclass(slots=True)
class Flash:
    """The outcome of the user's last action, shown at the top of the page."""

    kind: str
    """`success`, `error` or `warning`."""
    key: str
    values: dict[str, Any] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)


def stepper(case: Case, language: str) -> list[Step]:
    """The phases from need to completed, with the case's position marked."""
    states = [*PHASES, CaseState.COMPLETED]
    if case.state == CaseState.CANCELLED.value:
        position = states.index(CaseState(case.cancelled_from or CaseState.NEED.value))
        marker = "cancelled"
    else:
        position = states.index(CaseState(case.state))
        marker = "done" if case.state == CaseState.COMPLETED.value else "current"
    return [
        Step(
            s.value,
            s.label(language),
            "done" if i < position else marker if i == position else "todo",
        )
        for i, s in enumerate(states)
    ]


def checklist(case: Case, statuses: list[TriggerStatus], language: str) -> list[CheckItem]:
    """Every requirement of `advance` out of the current phase, met or unmet."""
    if case.state not in {p.value for p in PHASES}:
        return []
    advance = next((s for s in statuses if s.trigger is Trigger.ADVANCE), None)
    unmet: dict[str, Unmet] = {u.code: u for u in (advance.unmet if advance else [])}
    return [
        CheckItem(
            code=r.code,
            label=r.label.pick(language),
            met=r.code not in unmet,
            message=unmet[r.code].message(language) if r.code in unmet else None,
        )
        for r in REQUIREMENTS.get(CaseState(case.state), [])
    ]


def actions(
    case: Case, statuses: list[TriggerStatus], actor: Actor, language: str
) -> list[ActionView]:
    """The triggers `actor` may use on the case now (none where the policy says no).

    `advance` is offered even while requirements are unmet: pressing it shows (and audits) the
    refusal with every unmet requirement, which is what the manager needs to see.
    """
    if not may(actor, Action.TRIGGER, case):
        return []
    views: list[ActionView] = []
    for status in statuses:
        if status.dest is None:
            continue
        if not status.allowed and not status.unmet:
            continue  # e.g. resume on a case that is not on hold
        if status.trigger is Trigger.ADVANCE and case.on_hold:
            continue  # the case must be resumed first
        views.append(
            ActionView(
                trigger=status.trigger.value,
                label=pick(TRIGGERS.get(status.trigger.value), language).format(
                    dest=status.dest.label(language)
                ),
                needs_reason=status.trigger.needs_reason,
                unmet_count=len(status.unmet),
                danger=status.trigger in (Trigger.CANCEL, Trigger.SEND_BACK),
            )
        )
    return views


def sections(
    case: Case,
    names: tuple[str, ...],
    editable: tuple[str, ...],
    language: str,
    errors: dict[str, dict[str, str]] | None = None,
    refused: "RefusedForm | None" = None,
    choices: dict[str, OptionGroups] | None = None,
) -> list[SectionView]:
    """The named sections: the current phase's first and open, the others folded.

    Sections of later phases are left out while they are still empty. The section of a
    `refused` form shows what the user typed, so a refusal never loses input.
    """
    errors = errors or {}
    current_state = case.cancelled_from or case.state
    current = SECTIONS_OF_STATE.get(current_state, ())
    ordered = [n for n in names if n in current] + [n for n in names if n not in current]
    views = []
    for name in ordered:
        data: dict[str, Any] = getattr(case, name)
        if not data and name not in current and name not in editable and _later(name, case):
            continue
        views.append(
            SectionView(
                name=name,
                title=pick(SECTION_TITLES[name], language),
                fields=field_views(
                    name,
                    data,
                    language,
                    errors.get(name),
                    submitted=refused.values if refused and refused.section == name else None,
                    changed=refused.changed if refused and refused.section == name else None,
                    choices=choices,
                ),
                editable=name in editable,
                filled=bool(data),
                open=name in current or name in editable or bool(errors.get(name)),
                refused=bool(refused and refused.section == name),
            )
        )
    return views


ADOPTER_KEY = "adopting_municipalities.organisation_id"


def adopter_choices(
    db: Session, case: Case, named: list[NamedMunicipality], language: str
) -> dict[str, OptionGroups]:
    """The scale form's adopting municipality as a choice: the need's co-owners first (they
    share the need, so they are the likeliest to adopt: issue 17), then every other
    municipality; never the lead itself, which does not count as adopting."""
    co_owners = [(str(m.id), m.name) for m in named if m.id != case.lead_municipality_id]
    taken = {int(v) for v, _ in co_owners} | {case.lead_municipality_id}
    others = [
        (str(i), n)
        for i, n in db.execute(
            select(col(Organisation.id), col(Organisation.name))
            .where(col(Organisation.kind) == OrganisationKind.MUNICIPALITY.value)
            .order_by(col(Organisation.name))
        ).all()
        if i not in taken
    ]
    groups: OptionGroups = []
    if co_owners:
        groups.append((translate(language, "scale.co_owners_offered"), co_owners))
    if others:
        groups.append((translate(language, "scale.other_municipalities"), others))
    return {ADOPTER_KEY: groups}


def _later(section: str, case: Case) -> bool:
    """Whether the section belongs to a phase after the case's current one."""
    order = [p.value for p in PHASES]
    first_state = {
        "need": "need",
        "call": "need",
        "agreement": "agreement",
        "pilot": "agreement",
        "scale": "scale",
    }[section]
    state = case.cancelled_from or case.state
    if state not in order:
        return False
    return order.index(first_state) > order.index(state)


def participants(db: Session, case_id: int, user: WebUser) -> list[tuple[str, str]]:
    """(organisation name, role) of everyone taking part that the user may see."""
    rows = db.execute(
        select(col(Organisation.name), Participant)
        .join(Participant, col(Participant.organisation_id) == col(Organisation.id))
        .where(col(Participant.case_id) == case_id)
        .order_by(col(Participant.id))
    ).all()
    return [(name, p.role) for name, p in rows if not hides_participant(user.actor, p)]


def visible_proposals(db: Session, case_id: int, user: WebUser) -> list[ProposalView] | None:
    """The proposals the user may see (all, or only their organisation's); None for none."""
    if not may(user.actor, Action.READ_PROPOSALS):
        return None
    query = (
        select(Proposal)
        .where(col(Proposal.case_id) == case_id, proposals_clause(user.actor))
        .order_by(col(Proposal.id))
    )
    proposals = list(db.execute(query).scalars())
    names = organisation_names(db, {p.organisation_id for p in proposals})
    latest = latest_decisions(db, [p.id for p in proposals])
    return [
        ProposalView(
            p.id or 0,
            p.title,
            names.get(p.organisation_id, ""),
            p.submitted_at,
            latest.get(p.id or 0),
        )
        for p in proposals
    ]


TIMELINE_LIMIT = 200
"""The case page shows this many newest events; the auditor's page has the rest."""


def timeline(db: Session, case_id: int, language: str) -> tuple[list[EventView], int]:
    """The case's newest audit events, newest first, and how many there are in all."""
    engine = engine_of(db)
    _, total = case_history(engine, case_id, language, limit=1, offset=0)
    events, _ = case_history(
        engine, case_id, language, limit=TIMELINE_LIMIT, offset=max(0, total - TIMELINE_LIMIT)
    )
    names = organisation_names(db, organisation_ids(events))
    return [describe(e, language, names) for e in reversed(events)], total


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """What the case page shows of the user's last action, beside the case itself.

    One object, so the routes that answer with the case page and the page's context agree
    on what an outcome is. `action` is a refused manager's form (participants, signatures,
    deadlines), shown open with what was typed and its errors beside the fields.
    """

    flash: Flash | None = None
    form_errors: dict[str, dict[str, str]] | None = None
    refused: RefusedForm | None = None
    action: Submitted | None = None
    org_q: str = ""
    document_error: str | None = None


def case_context(
    db: Session, case: Case, user: WebUser, language: str, now: datetime, outcome: CaseOutcome
) -> dict[str, Any]:
    """The template context of the case page, with `outcome` of the user's last action."""
    assert case.id is not None
    actor = user.actor
    full = sees_internals(db, user.actor, case)
    statuses = trigger_statuses(db, case, now) if full else []
    lead = db.get(Organisation, case.lead_municipality_id)
    named = publishers(db, [case])[case.id]
    names = tuple(SECTION_FIELDS) if full else ("call",)
    managed = full and may_manage(user, case)
    manage = manage_context(db, case, language, now, outcome.org_q) if managed else None
    return {
        **(manage if manage is not None else {"manage": False}),
        "action": outcome.action,
        "signatures": signatures(db, case.id) if full else [],
        "case": case,
        "lead_name": lead.name if lead else "",
        "published_by": name_list([m.name for m in named], language),
        "co_owners": name_list(
            [m.name for m in named if m.id != case.lead_municipality_id], language
        ),
        "we_co_own": co_owns(
            actor,
            case,
            CO_OWNER_ROLE if any(m.id == actor.organisation_id for m in named) else None,
        ),
        "others_did": (
            others_did(db, actor, case, language)
            if full and case.state == CaseState.NEED.value
            else None
        ),
        "full": full,
        "steps": stepper(case, language),
        "next_state": _next_state(case, statuses, language),
        "checklist": checklist(case, statuses, language) if full else [],
        "actions": actions(case, statuses, actor, language) if full else [],
        "sections": sections(
            case,
            names,
            editable_sections(case, actor) if full else (),
            language,
            outcome.form_errors,
            outcome.refused,
            adopter_choices(db, case, named, language) if full else None,
        ),
        "participants": participants(db, case.id, user) if full else [],
        "proposals": visible_proposals(db, case.id, user),
        "deadlines": _deadlines(db, case, user, language, now),
        "partner_box": (
            partner_view.partner_box(db, user.actor, case, now, language)
            if competes(actor)
            else None
        ),
        "show_reminders": may(actor, Action.READ_REMINDERS),
        "timeline": timeline(db, case.id, language) if may(actor, Action.READ_AUDIT) else None,
        "see_audit_log": may(actor, Action.READ_AUDIT),
        **documents_context(
            db,
            user,
            case,
            language,
            may_upload=full and may(actor, Action.UPLOAD_DOCUMENT, case),
            error=outcome.document_error,
        ),
        "flash": outcome.flash,
        "cancelled_from": (
            CaseState(case.cancelled_from).label(language) if case.cancelled_from else None
        ),
    }


def _deadlines(
    db: Session, case: Case, user: WebUser, language: str, now: datetime
) -> list[deadline_view.DeadlineRow]:
    """The case's deadlines the user sees; a partner also sees the open call's own deadline
    while it has none of its own for it (it has not shown interest yet)."""
    assert case.id is not None
    rows = deadline_view.case_deadlines(
        db,
        user.actor,
        case.id,
        language,
        now,
        with_reminders=may(user.actor, Action.READ_REMINDERS),
    )
    if competes(user.actor):
        call_row = partner_view.call_deadline_row(case, now, language)
        if call_row is not None and not any(
            r.due_at == call_row.due_at and r.status == call_row.status for r in rows
        ):
            rows.insert(0, call_row)
    return rows


def _next_state(case: Case, statuses: list[TriggerStatus], language: str) -> str | None:
    advance = next((s for s in statuses if s.trigger is Trigger.ADVANCE), None)
    return advance.dest.label(language) if advance and advance.dest else None
