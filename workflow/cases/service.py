"""Creating cases and editing their phase data, each write audited in its transaction."""

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from states.sections import SECTION_MODELS, SECTIONS, editable_sections
from workflow.access.actor import Actor
from workflow.audit import writer as audit
from workflow.core.errors import InvalidInput, SectionLocked, StaleVersion, check_text
from workflow.core.limits import MAX_TITLE
from workflow.core.merge_patch import merge_patch
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case, Participant, ParticipantRole
from workflow.transitions.locking import lock_case

EDITABLE_TOP_LEVEL: tuple[str, ...] = ("title",)


def validate_section(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` checked against the section's model, in its stored (JSON) form."""
    try:
        model = SECTION_MODELS[name].model_validate(data)
    except ValidationError as exc:
        errors = [
            {"loc": [name, *map(str, e["loc"])], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        raise InvalidInput(f"The {name!r} section is not valid.", errors=errors) from exc
    return model.model_dump(mode="json", exclude_none=True)


def create_case(
    work: UnitOfWork,
    actor: Actor,
    *,
    title: str,
    need: dict[str, Any] | None,
    lead_municipality_id: int,
    now: datetime | None = None,
) -> Case:
    """A new case in `need`, led by `lead_municipality_id`, audited as `case.created`."""
    now = now or utcnow()
    check_text(title, "title")
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(f"A case needs a title of 1 to {MAX_TITLE} characters.")
    case = work.insert(
        Case(
            title=title,
            lead_municipality_id=lead_municipality_id,
            need=validate_section("need", need or {}),
            created_at=now,
            updated_at=now,
            phase_entered_at=now,
        )
    )
    assert case.id is not None
    work.session.add(
        Participant(
            case_id=case.id,
            organisation_id=lead_municipality_id,
            role=ParticipantRole.LEAD.value,
            created_at=now,
        )
    )
    audit.record(
        work,
        actor,
        "case.created",
        {"title": case.title, "lead_municipality_id": lead_municipality_id, "need": case.need},
        case_id=case.id,
        at=now,
    )
    return case


def update_case(
    work: UnitOfWork,
    case_id: int,
    patch: dict[str, Any],
    actor: Actor,
    *,
    expected_version: int,
    allowed: tuple[str, ...] = SECTIONS + EDITABLE_TOP_LEVEL,
    now: datetime | None = None,
) -> Case:
    """Apply a JSON merge patch to the case's sections (and title), audited with before/after.

    A section the case's state keeps closed (`states.sections.EDITABLE_IN_STATE`) is refused
    with `SectionLocked` if the patch would change it; sending it back unchanged is harmless.

    Does not commit: the caller's transaction holds the change and its audit event.
    """
    now = now or utcnow()
    case = lock_case(work, case_id)
    if case.version != expected_version:
        raise StaleVersion(
            f"The case is at version {case.version}, not {expected_version}.",
            current_version=case.version,
        )
    check_text(patch, "patch")
    unknown = sorted(set(patch) - set(allowed))
    if unknown:
        raise InvalidInput(f"These fields cannot be changed here: {', '.join(unknown)}.")
    changes: dict[str, dict[str, Any]] = {}
    if "title" in patch:
        title = patch["title"]
        if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
            raise InvalidInput(f"A case needs a title of 1 to {MAX_TITLE} characters.")
        if title.strip() != case.title:
            changes["title"] = {"before": case.title, "after": title.strip()}
            case.title = title.strip()
    for name in SECTIONS:
        if name not in patch:
            continue
        if patch[name] is not None and not isinstance(patch[name], dict):
            raise InvalidInput(f"The {name!r} section must be an object.")
        before: dict[str, Any] = getattr(case, name)
        after = validate_section(name, merge_patch(before, patch[name] or {}))
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        if changed and name not in editable_sections(case.state):
            raise SectionLocked(name, case.state, editable_sections(case.state))
        if changed:
            changes[name] = {
                "before": {k: before.get(k) for k in sorted(changed)},
                "after": {k: after.get(k) for k in sorted(changed)},
            }
            setattr(case, name, after)
    if changes:
        case.version += 1
        case.updated_at = now
        audit.record(
            work,
            actor,
            "case.updated",
            {"changes": changes, "version": case.version},
            case_id=case.id,
            at=now,
        )
    return case
