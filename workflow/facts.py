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
from workflow.models import Case
from workflow.relations import case_relations

S = TypeVar("S", bound=BaseModel)


def parse_section(model: type[S], data: dict[str, Any]) -> S:
    """The stored section as its pydantic model; unreadable data counts as empty."""
    try:
        return model.model_validate(data)
    except ValidationError:
        return model()


def case_facts(session: Session, case: Case, now: datetime) -> CaseFacts:
    """Everything the requirement checks read about `case`, as of `now`.

    The sections come from `case` as it stands; proposals and signatures from the case's
    relations, read once per transaction (`workflow.relations`).
    """
    assert case.id is not None
    related = case_relations(session, case.id)
    return CaseFacts(
        now=now,
        lead_municipality_id=case.lead_municipality_id,
        need=parse_section(NeedSection, case.need),
        call=parse_section(CallSection, case.call),
        agreement=parse_section(AgreementSection, case.agreement),
        pilot=parse_section(PilotSection, case.pilot),
        scale=parse_section(ScaleSection, case.scale),
        proposals=related.proposals,
        signed_organisation_ids=related.signed_organisation_ids,
    )
