"""The auditor's page: the audit log with filters, the chain verification and the exports.

Reading, verifying and exporting are `workflow.audit.query` and `workflow.audit.verify`, the
same functions behind `GET /audit` and `opi audit verify`; this module only turns the form's
filters into an `AuditFilter` and shows the results.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from api.deps import SessionDep
from api.schemas.common import parse_id
from api.web.auth import PageForbidden, PageNotFound, UserDep
from api.web.cases.timeline import describe, organisation_ids
from api.web.forms import LOCAL_TZ
from api.web.render import WEB_PREFIX, language_of, render
from states.dates import in_range
from workflow.access.actor import Actor
from workflow.access.organisations import organisation_names
from workflow.access.policy import Action, may, sees_all
from workflow.access.scope import visible_case_ids
from workflow.audit.query import (
    EXPORT_MEDIA_TYPES,
    AuditFilter,
    ExportFormat,
    cases_in_scope_sql,
    export,
    list_events,
)
from workflow.audit.verify import verify_log
from workflow.core.db import engine_of
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.models import AuditEvent

router = APIRouter()

PAGE_SIZE = 100
EXPORTS: tuple[tuple[str, ExportFormat], ...] = (("CSV", "csv"), ("JSON Lines", "jsonl"))


@dataclass(slots=True)
class AuditFilters:
    """The filters of the audit page, as submitted."""

    case: int | None = None
    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    """1 is the newest page."""

    def query(self, **override: object) -> str:
        """These filters as a query string (with `override` applied)."""
        values: dict[str, object] = {
            "case": self.case,
            "actor": self.actor,
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "page": self.page if self.page > 1 else None,
        }
        values.update(override)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    def to_filter(self, scope: str | None) -> AuditFilter:
        """The `workflow.audit.query` filter; dates are whole days in Copenhagen time."""
        since = datetime.combine(self.date_from, time(), LOCAL_TZ) if self.date_from else None
        until = (
            datetime.combine(self.date_to + timedelta(days=1), time(), LOCAL_TZ)
            if self.date_to
            else None
        )
        return AuditFilter(
            case_id=self.case,
            actor=self.actor or None,
            action=self.action or None,
            since=since,
            until=until,
            cases_sql=scope,
        )


def _date(value: str) -> date | None:
    """A filter date, or None (no filter) when it is unreadable or outside 2000-2100, where
    the day after it may not even exist (`9999-12-31`)."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and in_range(day) else None


def _filters(request: Request) -> AuditFilters:
    params = request.query_params
    case, page = params.get("case", ""), params.get("page", "1")
    return AuditFilters(
        case=parse_id(case),
        actor=params.get("actor", "").strip()[:200],
        action=params.get("action", "").strip()[:60],
        date_from=_date(params.get("from", "")),
        date_to=_date(params.get("to", "")),
        page=max(1, int(page)) if page.isdigit() and len(page) < 7 else 1,
    )


def _authorise(db: Session, actor: Actor) -> tuple[Engine, str | None]:
    """The engine and the actor's scope, after ending the session's own transaction.

    The audit reads run in their own read-only snapshot; on SQLite the page's session would
    otherwise hold the write lock for as long as a verification or an export runs.
    """
    if not may(actor, Action.READ_AUDIT):
        raise PageForbidden()
    engine = engine_of(db)
    scope = cases_in_scope_sql(actor, engine)
    db.close()
    return engine, scope


def _options(db: Session, actor: Actor) -> tuple[list[str], list[str]]:
    """The actions and actor names to filter by, from the events `actor` may read: a manager
    must not learn the names of people working on other municipalities' cases."""
    scope = [] if sees_all(actor) else [col(AuditEvent.case_id).in_(visible_case_ids(actor))]
    actions = db.execute(
        select(col(AuditEvent.action)).where(*scope).distinct().order_by(col(AuditEvent.action))
    )
    actors = db.execute(
        select(col(AuditEvent.actor_name))
        .where(*scope)
        .distinct()
        .order_by(col(AuditEvent.actor_name))
    )
    return list(actions.scalars()), list(actors.scalars())


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, user: UserDep, db: SessionDep) -> HTMLResponse:
    """The audit log (auditors and admins: all of it; managers: their cases'), newest events
    first, verification on top."""
    if not may(user.actor, Action.READ_AUDIT):
        raise PageForbidden()
    filters = _filters(request)
    actions, actors = _options(db, user.actor)
    engine, scope = _authorise(db, user.actor)
    flt = filters.to_filter(scope)
    _, total = list_events(engine, flt, limit=1, offset=0)
    pages = max(1, -(-total // PAGE_SIZE))
    filters.page = min(filters.page, pages)
    end = total - (filters.page - 1) * PAGE_SIZE
    start = max(0, end - PAGE_SIZE)
    events, _ = list_events(engine, flt, limit=max(1, end - start), offset=start)
    report = verify_log(engine, get_settings().checkpoint_key, cases_sql=scope)
    language = language_of(request)
    names = organisation_names(db, organisation_ids(events))
    query = filters.query(page=None)
    return render(
        request,
        "audit.html",
        {
            "filters": filters,
            "events": [describe(e, language, names) for e in reversed(events)],
            "total": total,
            "pages": pages,
            "actions": actions,
            "actors": actors,
            "verification": report,
            "exports": [
                (label, f"{WEB_PREFIX}/audit/export.{fmt}" + (f"?{query}" if query else ""))
                for label, fmt in EXPORTS
            ],
            "active": "audit",
        },
        user=user,
    )


@router.get("/audit/export.{fmt}")
def audit_export(request: Request, fmt: str, user: UserDep, db: SessionDep) -> StreamingResponse:
    """Every event matching the page's filters, streamed as CSV or JSON Lines."""
    if fmt not in {f for _, f in EXPORTS}:
        raise PageNotFound()
    fmt_: ExportFormat = "csv" if fmt == "csv" else "jsonl"
    engine, scope = _authorise(db, user.actor)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        export(engine, _filters(request).to_filter(scope), fmt_),
        media_type=EXPORT_MEDIA_TYPES[fmt_],
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.{fmt_}"'},
    )
