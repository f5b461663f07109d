"""The ready example of a case, built from the requirements' own examples (pure data, no DB).

`ready_sections(state, now)` is what a case in `state` needs in its sections to `advance`;
`ready_case(now)` is one set of sections for a case that went through every phase; and
`ready_facts(state, now)` is a whole facts snapshot meeting every requirement of the state,
which the requirement tests use. Test factories, API helpers, the demo and the bench data
start from these, so a new requirement's example reaches all of them by itself.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from states.facts import CaseFacts
from states.model import PHASES, CaseState
from states.requirements import REQUIREMENTS, Requirement, SectionData
from states.sections import SECTION_MODELS, editable_sections

EXAMPLE_LEAD_ID = 1
"""The lead municipality of `ready_facts`."""


def _merge(into: dict[str, Any], data: Mapping[str, Any], where: str) -> None:
    """Deep-merge `data` into `into`; two examples giving one field different values is a bug."""
    for key, value in data.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value, f"{where}.{key}")
        elif key in into and into[key] != value:
            raise ValueError(f"two requirement examples disagree on {where}.{key}")
        else:
            into[key] = _copy(value)


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _sections_of(
    requirements: list[Requirement], now: datetime, *, without: str | None = None
) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for req in requirements:
        parts: list[SectionData] = [req.example.given_data(now)]
        if req.code != without:
            parts.append(req.example.section_data(now))
        for part in parts:
            for section, data in part.items():
                _merge(merged.setdefault(section, {}), data, section)
    return merged


def ready_sections(state: CaseState | str, now: datetime) -> dict[str, dict[str, Any]]:
    """The section fields that meet every requirement of `advance` out of `state` at `now`.

    Only sections the state keeps open are returned, so the result is a merge patch a manager
    may send in that state (in `match` nothing: proposals and time meet its requirements).
    Values are in their stored form, as the case will hold them.
    """
    state = CaseState(state)
    merged = _sections_of(REQUIREMENTS.get(state, []), now)
    return {
        name: _stored(name, data)
        for name, data in merged.items()
        if name in editable_sections(state)
    }


def _stored(name: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` in the form the case stores it (as its section model writes JSON)."""
    return SECTION_MODELS[name].model_validate(data).model_dump(mode="json", exclude_none=True)


def ready_case(now: datetime) -> dict[str, dict[str, Any]]:
    """One set of the five sections as a case holds them after passing every phase.

    Each phase's own sections are added in turn; times are relative to `now`.
    """
    case: dict[str, dict[str, Any]] = {name: {} for name in SECTION_MODELS}
    for phase in PHASES:
        for name, data in ready_sections(phase, now).items():
            case[name].update(_copy(data))
    return case


def ready_facts(
    state: CaseState | str,
    now: datetime,
    *,
    without: str | None = None,
    lead_municipality_id: int = EXAMPLE_LEAD_ID,
) -> CaseFacts:
    """Facts meeting every requirement of `state`, or all but `without`.

    With `without`, that requirement's own example is left out while what makes it apply (its
    `given`) stays, so a correct check must report it unmet.
    """
    state = CaseState(state)
    requirements = REQUIREMENTS.get(state, [])
    data = _sections_of(requirements, now, without=without)
    # CaseFacts has a field of each section's model under the section's name.
    sections: dict[str, Any] = {
        name: model.model_validate(data.get(name, {})) for name, model in SECTION_MODELS.items()
    }
    facts = CaseFacts(now=now, lead_municipality_id=lead_municipality_id, **sections)
    for req in requirements:
        # Left out, a requirement keeps only its own premise: another's (a proposal to assess)
        # could meet it by accident (a proposal is enough proposals).
        if req.example.given_facts is not None and without in (None, req.code):
            facts = req.example.given_facts(facts)
    for req in requirements:
        if req.example.facts is not None and req.code != without:
            facts = req.example.facts(facts)
    return facts
