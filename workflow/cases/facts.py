"""Building the `states.CaseFacts` snapshot of a stored case."""

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from states import CaseFacts
from states.sections import (
    AgreementSection,
    CallSection,
    NeedSection,
    PilotSection,
    ScaleSection,
)
from workflow.cases.relations import case_relations
from workflow.core.db import transaction_memo
from workflow.models import Case

S = TypeVar("S", bound=BaseModel)


def parse_section(model: type[S], data: dict[str, Any]) -> S:
    """The stored section as its pydantic model; a field that no longer validates (a date
    stored before dates were bounded, say) counts as missing, the rest is kept."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        unreadable = {e["loc"][0] for e in exc.errors() if e["loc"]}
    try:
        return model.model_validate({k: v for k, v in data.items() if k not in unreadable})
    except ValidationError:
        return model()


def case_facts(session: Session, case: Case, now: datetime) -> CaseFacts:
    """Everything the requirement checks read about `case`, as of `now`.

    The sections come from `case` as it stands; proposals and signatures from the case's
    relations, read once per transaction (`workflow.cases.relations`).
    """
    assert case.id is not None
    related = case_relations(session, case.id)
    return CaseFacts(
        now=now,
        lead_municipality_id=case.lead_municipality_id,
        need=_section(session, case, "need", NeedSection),
        call=_section(session, case, "call", CallSection),
        agreement=_section(session, case, "agreement", AgreementSection),
        pilot=_section(session, case, "pilot", PilotSection),
        scale=_section(session, case, "scale", ScaleSection),
        proposals=related.proposals,
        signed_organisation_ids=related.signed_organisation_ids,
    )


def _section(session: Session, case: Case, name: str, model: type[S]) -> S:
    """`parse_section` of one of the case's sections, parsed once per transaction.

    A section is only ever replaced by a new dict, never changed in place (a JSON column
    would not notice), so the same dict object always parses to the same model.
    """
    data: dict[str, Any] = getattr(case, name)
    parsed = transaction_memo(session, "opi_parsed_sections")
    key = (case.id, name)
    hit: tuple[dict[str, Any], S] | None = parsed.get(key)
    if hit is not None and hit[0] is data:
        return hit[1]
    section = parse_section(model, data)
    parsed[key] = (data, section)  # holding `data` keeps its identity from being reused
    return section
