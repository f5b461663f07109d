"""The knowledge library (issue 17): what finished and cancelled pilots taught."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlmodel import Session

from api.deps import CurrentActor, Language, SessionDep, strict_query
from api.http.replies import json_response
from api.routes.params import CaseId, Limit, Offset, id_query, search_text
from api.schemas.common import Page, problem_responses
from api.schemas.knowledge import (
    Adopter,
    CriterionResult,
    KnowledgeEntry,
    KnowledgeItem,
    Solution,
)
from api.schemas.needs import Municipality
from states import CaseState
from states.sections import Area, Outcome
from workflow.knowledge import library
from workflow.needs.coowners import publishers

router = APIRouter(tags=["knowledge"], dependencies=[Depends(strict_query)])


def _criteria(results: list[library.CriterionResult]) -> list[CriterionResult]:
    return [CriterionResult.model_validate(r, from_attributes=True) for r in results]


def knowledge_items(
    session: Session, hits: list[library.KnowledgeHit], lang: str
) -> list[KnowledgeItem]:
    """The hits as the library lists them, each with its lead municipality's name."""
    named = publishers(session, [h.case for h in hits])
    items = []
    for hit in hits:
        case = hit.case
        assert case.id is not None
        lead = named[case.id][0] if named.get(case.id) else None
        items.append(
            KnowledgeItem(
                case_id=case.id,
                title=case.title,
                state=CaseState(case.state),
                state_label=CaseState(case.state).label(lang),
                cancelled_from=CaseState(case.cancelled_from) if case.cancelled_from else None,
                area=case.need.get("area"),
                lead_municipality=Municipality(
                    id=case.lead_municipality_id, name=lead.name if lead else ""
                ),
                outcome=library.outcome_of(case),
                purchase_route=case.scale.get("purchase_route"),
                success_criteria=_criteria(library.criteria_of(case)),
                finished_at=case.phase_entered_at,
                rank=None if hit.rank is None else round(hit.rank, 6),
            )
        )
    return items


@router.get(
    "/knowledge", response_model=Page[KnowledgeItem], responses=problem_responses(401, 403, 422)
)
def list_knowledge(
    actor: CurrentActor,
    session: SessionDep,
    language: Language,
    q: Annotated[
        str | None,
        search_text(
            "Words to find in the need's title and description, Danish-stemmed, "
            "as in the need catalogue; ranked by relevance. Any text is searched literally.",
        ),
    ] = None,
    area: Area | None = None,
    state: Annotated[
        Literal["scale", "completed", "cancelled"] | None,
        Query(description="One of the states the library holds."),
    ] = None,
    outcome: Annotated[Outcome | None, Query(description="The pilot's evaluation.")] = None,
    municipality_id: Annotated[
        int | None, id_query("Led or co-owned by this municipality.")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    """The knowledge library: every case in scale or completed, and every case cancelled
    during its pilot or scaling with its lessons. Latest first, or best match first with `q`.

    Open to the people of every municipality, admins and auditors; never to companies (403)."""
    filters = library.KnowledgeFilter(
        q=q,
        area=area.value if area else None,
        state=state,
        outcome=outcome.value if outcome else None,
        municipality_id=municipality_id,
    )
    hits, total = library.search_library(session, actor, filters, limit=limit, offset=offset)
    return json_response(
        Page[KnowledgeItem](items=knowledge_items(session, hits, language), total=total)
    )


@router.get(
    "/knowledge/{case_id}",
    response_model=KnowledgeEntry,
    responses=problem_responses(401, 403, 404, 422),
)
def get_knowledge(
    case_id: CaseId, actor: CurrentActor, session: SessionDep, language: Language
) -> JSONResponse:
    """One case of the library in full: need, solution, success criteria with their effects,
    evaluation report, knowledge summary, adopting municipalities, purchase route and, for a
    cancelled case, its lessons. A case not in the library is 404."""
    entry = library.get_entry(session, actor, case_id)
    (item,) = knowledge_items(session, [library.KnowledgeHit(entry.case, None)], language)
    need = entry.case.need
    body = KnowledgeEntry(
        **item.model_dump(),
        published_by=[Municipality(id=m.id, name=m.name) for m in entry.publishers],
        description=need.get("description"),
        target_group=need.get("target_group"),
        expected_value=need.get("expected_value"),
        solutions=[
            Solution(
                organisation=Municipality(id=s.organisation.id, name=s.organisation.name),
                title=s.title,
                summary=s.summary,
            )
            for s in entry.solutions
        ],
        pilot_site=entry.pilot.site,
        pilot_start_date=entry.pilot.start_date,
        pilot_end_date=entry.pilot.end_date,
        evaluation_report=entry.evaluation.report,
        knowledge_summary=entry.scale.knowledge_summary,
        knowledge_published_at=entry.scale.published_at,
        adopting_municipalities=[
            Adopter.model_validate(a, from_attributes=True) for a in entry.adopters
        ],
        lessons=entry.lessons,
    )
    return json_response(body)
