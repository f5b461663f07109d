"""The audit log for auditors (SPEC §6): queries, exports, one case's history, verification.

Managers see the events of the cases in their scope (another case answers 404, as everywhere);
auditors and admins see everything; every other role gets 403. Reads run in their own
read-only snapshot (`workflow.audit.stream`), so the request's session is released first and
a long export never holds a lock writers wait for.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from api.deps import CurrentActor, Language, SessionDep, strict_query
from api.http.problems import ApiProblem
from api.schemas.audit import AuditEventPublic, CaseAuditEvent, VerifyReportPublic
from api.schemas.common import Id, Page, problem_responses
from states.dates import LooseMoment
from workflow.access.actor import Actor
from workflow.access.policy import Action, require
from workflow.access.scope import get_visible_case
from workflow.audit.query import (
    EXPORT_MEDIA_TYPES,
    AuditFilter,
    ExportFormat,
    case_history,
    cases_in_scope_sql,
    export,
    list_events,
)
from workflow.audit.verify import verify_log
from workflow.core.db import engine_of
from workflow.core.errors import check_text
from workflow.core.settings import Settings, get_settings
from workflow.core.timeutil import utcnow

router = APIRouter(tags=["audit"], dependencies=[Depends(strict_query)])

MAX_LIMIT = 1000
AuditLimit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
AuditOffset = Annotated[int, Query(ge=0, le=2**62)]
"""The paging of both audit lists: larger pages than other lists', and offsets past
`MAX_ID`, as the log's ids are 64-bit (`workflow.models.audit`)."""
SettingsDep = Annotated[Settings, Depends(get_settings)]
# JSON (a page, or the whole export as an array) is described by the response model; the
# text formats are declared here so clients know the endpoint can answer with them.
_EXPORT_CONTENT: dict[str, dict[str, Any]] = {
    media: {"schema": {"type": "string"}}
    for fmt, media in EXPORT_MEDIA_TYPES.items()
    if fmt != "json"
}


def _authorise(session: Session, actor: Actor, case_id: int | None) -> tuple[Engine, str | None]:
    """The engine to read from and the caller's scope; 403/404 when it may not look."""
    require(actor, Action.READ_AUDIT)
    if case_id is not None:
        get_visible_case(session, actor, case_id)
    engine = engine_of(session)
    scope = cases_in_scope_sql(actor, engine)
    # Reads below use their own snapshot; end the session's transaction (on SQLite it holds
    # the write lock) before a possibly long read or stream.
    session.close()
    return engine, scope


def _utc(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except (OverflowError, ValueError):
        raise ApiProblem(422, f"{name!r} is out of range.") from None


@router.get(
    "/audit",
    response_model=Page[AuditEventPublic] | list[AuditEventPublic],
    responses={
        200: {"content": _EXPORT_CONTENT, "description": "A page, or the whole export."},
        **problem_responses(401, 403, 404, 422),
    },
)
def get_audit(
    actor: CurrentActor,
    session: SessionDep,
    case_id: Annotated[Id | None, Query(description="Only this case's events.")] = None,
    actor_name: Annotated[
        str | None, Query(alias="actor", max_length=200, description="Token name of the actor.")
    ] = None,
    action: Annotated[
        str | None,
        Query(max_length=60, description="Exact action, or a prefix ending in `*` (`case.*`)."),
    ] = None,
    since: Annotated[
        LooseMoment | None, Query(description="From this time (inclusive; ISO 8601).")
    ] = None,
    until: Annotated[LooseMoment | None, Query(description="Before this time (ISO 8601).")] = None,
    limit: AuditLimit = 100,
    offset: AuditOffset = 0,
    format: Annotated[
        Literal["json", "jsonl", "csv"] | None,
        Query(description="Export every matching event (no paging) as JSON, JSON Lines or CSV."),
    ] = None,
) -> Any:
    """Audit events, oldest first, filtered by case, actor, action and time.

    Without `format`: one page `{items, total}`. With `format`: every matching event,
    streamed, in one consistent snapshot, whatever its size.
    """
    check_text(actor_name, "actor")
    check_text(action, "action")
    engine, scope = _authorise(session, actor, case_id)
    flt = AuditFilter(
        case_id=case_id,
        actor=actor_name,
        action=action,
        since=_utc(since, "since"),
        until=_utc(until, "until"),
        cases_sql=scope,
    )
    if format is not None:
        return _export_response(engine, flt, format)
    items, total = list_events(engine, flt, limit=limit, offset=offset)
    return {"items": items, "total": total}


def _export_response(engine: Engine, flt: AuditFilter, fmt: ExportFormat) -> StreamingResponse:
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        export(engine, flt, fmt),
        media_type=EXPORT_MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.{fmt}"'},
    )


@router.get(
    "/audit/verify",
    response_model=VerifyReportPublic,
    responses=problem_responses(401, 403, 404, 422),
)
def get_audit_verify(
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    case_id: Annotated[Id | None, Query(description="Verify only this case's chain.")] = None,
) -> dict[str, Any]:
    """Recompute every chain (a manager: those of its cases) and compare with the newest
    valid signed checkpoint. `ok` is false when anything fails; `first_broken` says where."""
    engine, scope = _authorise(session, actor, case_id)
    return verify_log(engine, settings.checkpoint_key, case_id=case_id, cases_sql=scope).as_dict()


@router.get(
    "/cases/{case_id}/audit",
    response_model=Page[CaseAuditEvent],
    responses=problem_responses(401, 403, 404, 422),
)
def get_case_audit(
    case_id: Id,
    actor: CurrentActor,
    session: SessionDep,
    language: Language,
    limit: AuditLimit = 500,
    offset: AuditOffset = 0,
) -> dict[str, Any]:
    """One case's history in order: every event, each transition and refused attempt with
    the result of every requirement (unmet messages in the `Accept-Language` language)."""
    engine, _ = _authorise(session, actor, case_id)
    items, total = case_history(engine, case_id, language, limit=limit, offset=offset)
    return {"items": items, "total": total}
