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
from workflow.cases.relations import CaseRelations, held_relations, read_relations
from workflow.core.unit_of_work import UnitOfWork
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


def case_facts(
    session: Session, case: Case, now: datetime, related: CaseRelations | None = None
) -> CaseFacts:
    """Everything the requirement checks read about `case`, as of `now`, for a reader.

    The sections come from `case` as it stands; proposals and signatures from `related`, or
    read now when not given. Writers use `held_facts`, which reads and parses at most once per
    unit of work.
    """
    assert case.id is not None
    return _facts(
        case,
        now,
        related or read_relations(session, case.id),
        {name: parse_section(model, getattr(case, name)) for name, model in _SECTIONS},
    )


def held_facts(work: UnitOfWork, case: Case, now: datetime) -> CaseFacts:
    """`case_facts` in a write: the relations and parsed sections the unit of work holds.

    A transition asks for the facts for its guards, for the deadlines of the phase it enters
    and for the answer; the case's sections are parsed and its relations read once.
    A section is only ever replaced by a new dict, never changed in place (a JSON column
    would not notice), so the same dict object always parses to the same model.
    """
    assert case.id is not None
    parsed = work.sections
    sections: dict[str, BaseModel] = {}
    for name, model in _SECTIONS:
        data: dict[str, Any] = getattr(case, name)
        hit = parsed.get((case.id, name))
        if hit is None or hit[0] is not data:
            # holding `data` keeps its identity from being reused by another dict
            hit = parsed[(case.id, name)] = (data, parse_section(model, data))
        sections[name] = hit[1]
    return _facts(case, now, held_relations(work, case.id), sections)


_SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("need", NeedSection),
    ("call", CallSection),
    ("agreement", AgreementSection),
    ("pilot", PilotSection),
    ("scale", ScaleSection),
)


def _facts(
    case: Case, now: datetime, related: CaseRelations, sections: dict[str, Any]
) -> CaseFacts:
    return CaseFacts(
        now=now,
        lead_municipality_id=case.lead_municipality_id,
        need=sections["need"],
        call=sections["call"],
        agreement=sections["agreement"],
        pilot=sections["pilot"],
        scale=sections["scale"],
        proposals=related.proposals,
        signed_organisation_ids=related.signed_organisation_ids,
        document_kinds=related.document_kinds,
    )
