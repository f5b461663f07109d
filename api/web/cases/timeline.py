"""Audit events told in words: one line of what happened, in the page's language."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from api.web.forms import NESTED_TITLES, SECTION_FIELDS, SECTION_TITLES, parse_datetime
from api.web.i18n import ROLES, pick
from api.web.labels import ACTIONS, ORGANISATION_KINDS, VALUES
from states import CaseState
from states.text import Text
from workflow.proposals.service import SIGNED_ACTION


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


def _field_label(section: str, key: str, lang: str) -> str:
    for spec in SECTION_FIELDS.get(section, ()):
        if spec.key == key:
            return pick(spec.label, lang)
    return pick(NESTED_TITLES.get(key), lang, key)


def _updated(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    changes = data.get("changes") or {}
    parts: list[str] = []
    for section, change in changes.items():
        if section == "title" or not isinstance(change, Mapping):
            parts.append(pick(("Titel", "Title"), lang) if section == "title" else section)
            continue
        after, before = change.get("after") or {}, change.get("before") or {}
        keys = sorted(set(after) | set(before))
        title = pick(SECTION_TITLES.get(section), lang, section)
        parts.append(f"{title}: " + ", ".join(_field_label(section, k, lang) for k in keys))
    return "; ".join(parts), []


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
    details = [
        Text(str(u.get("message_da") or ""), str(u.get("message_en") or "")).pick(lang)
        or str(u.get("code"))
        for u in unmet
        if isinstance(u, Mapping)
    ]
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
    reason = data.get("reason")
    return f"{_org(orgs, data.get('organisation_id'))}: {role}", [str(reason)] if reason else []


def _token(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    role = pick(ROLES.get(str(data.get("role"))), lang, str(data.get("role")))
    org = data.get("organisation_id")
    return f"{data.get('name', '')} · {role}" + (f" · {_org(orgs, org)}" if org else ""), []


def _organisation(
    data: dict[str, Any], lang: str, orgs: Mapping[int, str]
) -> tuple[str, list[str]]:
    kind = pick(ORGANISATION_KINDS.get(str(data.get("kind"))), lang, str(data.get("kind", "")))
    return f"{data.get('name', '')} ({kind})" if kind else str(data.get("name", "")), []


_LEFT_PHASE = re.compile(r"^The case left phase (\w+) \((\w+)\)\.$")
"""The reason `workflow.deadlines.phase_rules` gives a deadline a phase change closed."""
_LEFT_BY: dict[str, tuple[str, str]] = {
    "advance": ("gik videre", "advanced"),
    "send_back": ("sendt tilbage", "sent back"),
    "cancel": ("annulleret", "cancelled"),
}


def reason_text(reason: str, lang: str) -> str:
    """A recorded reason in the page's language: the system's own reasons are translated,
    a person's are shown as written."""
    match = _LEFT_PHASE.match(reason)
    if match is None:
        return reason
    phase, trigger = match.groups()
    how = pick(_LEFT_BY.get(trigger), lang, trigger)
    if lang == "en":
        return f"The case left phase {_state(phase, lang)} ({how})."
    return f"Sagen forlod fasen {_state(phase, lang)} ({how})."


def _generic(data: dict[str, Any], lang: str, orgs: Mapping[int, str]) -> tuple[str, list[str]]:
    if isinstance(data.get("title"), str):
        summary = data["title"]
    else:
        scalars = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}
        summary = ", ".join(f"{k}={v}" for k, v in list(scalars.items())[:6])
    details = [reason_text(data["reason"], lang)] if isinstance(data.get("reason"), str) else []
    return summary[:300], details


_DESCRIBERS: dict[str, Describer] = {
    "case.created": _created,
    "case.updated": _updated,
    "case.transition": _transition,
    "case.transition_refused": _refused,
    "proposal.submitted": _proposal,
    "proposal.assessed": _proposal,
    "proposal.decided": _proposal,
    "proposal.edited": _proposal,
    "proposal.withdrawn": _proposal,
    SIGNED_ACTION: _signed,
    "participant.added": _participant,
    "participant.changed": _participant,
    "participant.removed": _participant,
    "token.created": _token,
    "organisation.created": _organisation,
}


def describe(event: Mapping[str, Any], language: str, orgs: Mapping[int, str]) -> EventView:
    """An event as `workflow.audit.query` reads it, told as a line of text.

    Unknown actions fall back to their code and the data's simple values.
    """
    data = event.get("data")
    if not isinstance(data, dict):
        data = {"value": data}
    action = str(event.get("action", ""))
    summary, details = _DESCRIBERS.get(action, _generic)(data, language, orgs)
    at = parse_datetime(event.get("at"))
    return EventView(
        id=int(event.get("id") or 0),
        chain=str(event.get("chain", "")),
        case_id=event.get("case_id"),
        seq=int(event.get("seq") or 0),
        at=at or datetime.min.replace(tzinfo=UTC),
        actor_name=str(event.get("actor_name", "")),
        actor_role=str(event.get("actor_role", "")),
        action=action,
        action_label=pick(ACTIONS.get(action), language, action),
        summary=summary,
        details=details,
        hash=str(event.get("hash", "")),
        refused=action == "case.transition_refused",
    )


def organisation_ids(events: list[dict[str, Any]]) -> set[int]:
    """The organisations the events name (as actor or in their data), to look up once."""
    ids: set[int] = set()
    for event in events:
        for value in (
            event.get("actor_organisation_id"),
            (event.get("data") or {}).get("organisation_id")
            if isinstance(event.get("data"), dict)
            else None,
        ):
            if isinstance(value, int):
                ids.add(value)
    return ids
