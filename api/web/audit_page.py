"""The auditor's page: the audit log with filters, the chain verification and the exports."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlmodel import Session, col

from api.deps import SessionDep
from api.web.auth import PageForbidden, UserDep
from api.web.forms import LOCAL_TZ
from api.web.names import organisation_names
from api.web.render import language_of, render
from api.web.timeline import describe
from workflow.models import AuditEvent

router = APIRouter()

AUDIT_ROLES = frozenset({"auditor", "admin"})
PAGE_SIZE = 100


@dataclass(slots=True)
class AuditFilters:
    """The filters of the audit page, as submitted."""

    case: int | None = None
    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

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

    @property
    def since(self) -> datetime | None:
        """The start of `date_from` in Copenhagen time, as an aware datetime."""
        return datetime.combine(self.date_from, time(), LOCAL_TZ) if self.date_from else None

    @property
    def until(self) -> datetime | None:
        """The end of `date_to` (exclusive) in Copenhagen time."""
        if not self.date_to:
            return None
        return datetime.combine(self.date_to + timedelta(days=1), time(), LOCAL_TZ)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _events(db: Session, f: AuditFilters) -> tuple[list[AuditEvent], int]:
    query = select(AuditEvent)
    if f.case is not None:
        query = query.where(col(AuditEvent.case_id) == f.case)
    if f.actor:
        query = query.where(col(AuditEvent.actor_name).contains(f.actor, autoescape=True))
    if f.action:
        query = query.where(col(AuditEvent.action) == f.action)
    if f.since is not None:
        query = query.where(col(AuditEvent.at) >= f.since)
    if f.until is not None:
        query = query.where(col(AuditEvent.at) < f.until)
    total = db.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.execute(
        query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(PAGE_SIZE)
        .offset((f.page - 1) * PAGE_SIZE)
    ).scalars()
    return list(rows), total


def _actions(db: Session) -> list[str]:
    return list(
        db.execute(
            select(col(AuditEvent.action)).distinct().order_by(col(AuditEvent.action))
        ).scalars()
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: UserDep,
    db: SessionDep,
    case: str = "",
    actor: str = "",
    action: str = "",
    to: str = "",
    page: str = "1",
) -> HTMLResponse:
    """The audit log for auditors and admins."""
    if user.role not in AUDIT_ROLES:
        raise PageForbidden()
    filters = AuditFilters(
        case=int(case) if case.isdigit() else None,
        actor=actor.strip()[:200],
        action=action.strip()[:60],
        date_from=_date(request.query_params.get("from", "")),
        date_to=_date(to),
        page=max(1, int(page)) if page.isdigit() else 1,
    )
    events, total = _events(db, filters)
    language = language_of(request)
    org_ids = {e.actor_organisation_id for e in events if e.actor_organisation_id}
    names = organisation_names(db, org_ids)
    return render(
        request,
        "audit.html",
        {
            "filters": filters,
            "events": [describe(e, language, names) for e in events],
            "total": total,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "actions": _actions(db),
            "verification": None,
            "exports": None,
            "active": "audit",
        },
        user=user,
    )
