"""`POST /cases/{id}/transitions`: the API's door to `workflow.transitions.engine.apply_trigger`."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.deps import CurrentActor, Language, Now, SessionDep, strict_query
from api.http.idempotency import idempotency_key_header, remember_response
from api.http.preconditions import IfMatch, check_if_match, require_if_match
from api.http.replies import json_response
from api.routes.cases import ETAG_HEADER, CaseId
from api.schemas.cases import CasePublic, TransitionRequest
from api.schemas.common import problem_responses
from api.views import case_public, etag
from workflow.access.policy import Action, require
from workflow.access.scope import lock_visible_case
from workflow.cases.facts import held_facts
from workflow.cases.relations import held_relations
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case
from workflow.transitions.engine import apply_trigger

router = APIRouter(tags=["cases"], dependencies=[Depends(strict_query)])


@router.post(
    "/cases/{case_id}/transitions",
    response_model=CasePublic,
    responses={
        200: {"description": "The case after the transition.", "headers": ETAG_HEADER},
        **problem_responses(400, 401, 403, 404, 409, 412, 413, 422, 428),
    },
    dependencies=[Depends(idempotency_key_header)],
)
def post_transition(
    case_id: CaseId,
    body: TransitionRequest,
    actor: CurrentActor,
    session: SessionDep,
    request: Request,
    language: Language,
    now: Now,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Apply a trigger (the lead municipality's managers, admins; `If-Match` required).

    Refusals are 409 problems: `type` ending in `/invalid-transition` when the trigger does
    not exist for the case's state (or its hold status), `/requirements-unmet` with `unmet`
    listing every unmet requirement when `advance` is not yet allowed. Refusals are audited.
    """
    require(actor, Action.TRIGGER)  # the engine asks again, with the case
    work = UnitOfWork(session)
    case = lock_visible_case(work, actor, case_id)
    version = check_if_match(case, require_if_match(if_match))
    answer: list[JSONResponse] = []

    def respond(tx: UnitOfWork, case: Case) -> None:
        # The answer from what the transition holds: its facts and relations, not read again.
        assert case.id is not None
        facts = held_facts(tx, case, now)
        related = held_relations(tx, case.id)
        view = case_public(tx.session, actor, case, language, now, facts=facts, related=related)
        response = json_response(view, 200, {"ETag": etag(case)})
        remember_response(tx.session, request, response)
        answer.append(response)

    apply_trigger(
        work,
        case_id,
        body.trigger.value,
        actor,
        reason=body.reason,
        expected_version=version,
        now=now,
        before_commit=respond,
    )
    return answer[0]
