"""Who may use the manager's forms on the pages: one place, so the pages ask one question.

The API asks the same (`api.routes.cases.WRITERS`, `POST /cases` for managers and staff of a
municipality); the workflow layer checks the case's state. A manager runs only the cases their
own municipality leads: a participating municipality's manager reads the case but does not
decide for the lead.
"""

from sqlmodel import Session

from api.web.auth import PageForbidden
from api.web.render import WebUser
from workflow.models import Case, Organisation, OrganisationKind, Role

CASE_STARTERS = frozenset({Role.MANAGER.value, Role.STAFF.value})


def may_start_case(db: Session, user: WebUser) -> bool:
    """Whether the user may open "Ny sag": a manager or staff member of a municipality."""
    if user.role not in CASE_STARTERS or user.actor.organisation_id is None:
        return False
    org = db.get(Organisation, user.actor.organisation_id)
    return org is not None and org.kind == OrganisationKind.MUNICIPALITY.value


def may_manage(user: WebUser, case: Case) -> bool:
    """Whether the user runs the case: participants, assessments, decisions, signatures and
    deadlines. Admins, and managers of the lead municipality."""
    if user.role == Role.ADMIN.value:
        return True
    return (
        user.role == Role.MANAGER.value
        and user.actor.organisation_id is not None
        and user.actor.organisation_id == case.lead_municipality_id
    )


def require_manage(user: WebUser, case: Case) -> None:
    """`PageForbidden` unless the user runs the case (the case is already known visible)."""
    if not may_manage(user, case):
        raise PageForbidden()
