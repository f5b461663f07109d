"""Audit events told in words: one line of what happened, in the page's language."""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.web.i18n import pick
from api.web.labels import ACTIONS, VALUES
from states import CaseState
from workflow.models import AuditEvent


@dataclass(slots=True)
class EventView:
    """One audit event as the timeline and the auditor's table show it."""

    id: int
    chain: str
    case_id: int | None
    seq: int
    at: datetime
    actor_name: str
    actor_role: str
    action: str
    action_label: str
    summary: str
    details: list[str] = field(default_factory=list)
    hash: str = ""
    refused: bool = False


Describer = Callable[[dict[str, Any], str, Mapping[int, str]], tuple[str, list[str]]]


def _state(value: Any, language: str) -> str:
    try:
        return CaseState(str(value)).label(language)
    except ValueError:
        return str(value)


def _org(orgs: Mapping[int, str], org_id: Any) -> str:
    return orgs.get(org_id, f"#{org_id}") if isinstance(org_id, int) else str(org_id or "")


def _created(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    return str(data.get("title", "")), []


def _updated(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    changes = data.get("changes") or {}
    names: list[str] = []
    for section, change in changes.items():
        if section == "title" or not isinstance(change, Mapping):
            names.append(section)
            continue
        after, before = change.get("after") or {}, change.get("before") or {}
        names.extend(f"{section}.{key}" for key in sorted(set(after) | set(before)))
    label = "Ændrede felter" if lang != "en" else "Changed fields"
    return f"{label}: {', '.join(names)}", []


def _transition(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    trigger = str(data.get("trigger", ""))
    if data.get("from") == data.get("to"):
        text = {"pause": ("Sat på pause", "Put on hold"), "resume": ("Genoptaget", "Resumed")}.get(
            trigger, (trigger, trigger)
        )
        summary = pick(text, lang)
    else:
        summary = f"{_state(data.get('from'), lang)} → {_state(data.get('to'), lang)}"
    details = [str(data["reason"])] if data.get("reason") else []
    return summary, details


def _refused(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    unmet = data.get("unmet") or []
    key = "message_en" if lang == "en" else "message_da"
    details = [str(u.get(key) or u.get("code")) for u in unmet if isinstance(u, Mapping)]
    trigger = str(data.get("trigger", ""))
    if details:
        head = ("{n} krav mangler", "{n} requirements missing")
        return f"{trigger}: " + pick(head, lang).format(n=len(details)), details
    return f"{trigger}: {data.get('detail', '')}", []


def _proposal(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    noun = "Forslag" if lang != "en" else "Proposal"
    parts = [f"{noun} #{data.get('proposal_id')}"]
    if data.get("title"):
        parts.append(str(data["title"]))
    if data.get("organisation_id") is not None:
        parts.append(_org(orgs, data.get("organisation_id")))
    if data.get("decision"):
        parts.append(pick(VALUES.get(str(data["decision"])), lang, str(data["decision"])))
    details = [str(data["rationale"])] if data.get("rationale") else []
    return " · ".join(parts), details


def _signed(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    return f"{data.get('signatory_name', '')} ({_org(orgs, data.get('organisation_id'))})", []


def _participant(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    role = pick(VALUES.get(str(data.get("role"))), lang, str(data.get("role")))
    return f"{_org(orgs, data.get('organisation_id'))}: {role}", []


def _generic(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    if isinstance(data.get("title"), str):
        summary = data["title"]
    else:
        scalars = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}
        summary = ", ".join(f"{k}={v}" for k, v in list(scalars.items())[:6])
    details = [str(data["reason"])] if isinstance(data.get("reason"), str) else []
    return summary[:300], details


_DESCRIBERS: dict[str, Describer] = {
    "case.created": _created,
    "case.updated": _updated,
    "case.transition": _transition,
    "case.transition_refused": _refused,
    "proposal.submitted": _proposal,
    "proposal.assessed": _proposal,
    "proposal.decided": _proposal,
    "agreement.signed": _signed,
    "participant.added": _participant,
    "participant.changed": _participant,
}


def describe(event: AuditEvent, language: str, orgs: Mapping[int, str]) -> EventView:
    """The event as a line of text; unknown actions fall back to their code and data."""
    try:
        data = json.loads(event.data)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {"value": data}
    summary, details = _DESCRIBERS.get(event.action, _generic)(data, language, orgs)
    return EventView(
        id=event.id or 0,
        chain=event.chain,
        case_id=event.case_id,
        seq=event.seq,
        at=event.at,
        actor_name=event.actor_name,
        actor_role=event.actor_role,
        action=event.action,
        action_label=pick(ACTIONS.get(event.action), language, event.action),
        summary=summary,
        details=details,
        hash=event.hash,
        refused=event.action == "case.transition_refused",
    )
