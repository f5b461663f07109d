"""Who may use the manager's forms on the pages, as `workflow.access.policy` answers it.

The pages ask these two questions; the policy is the one place that knows roles, shared with
the API and the engine. A manager runs only the cases their own municipality leads: a
participating municipality's manager reads the case but does not decide for the lead.
"""

from sqlmodel import Session

from api.web.auth import PageForbidden
from api.web.render import WebUser
from workflow.access.policy import Action, may
from workflow.models import Case, Organisation, OrganisationKind


def may_start_case(db: Session, user: WebUser) -> bool:
    """Whether the user may open "Ny sag": a manager or staff member of a municipality."""
    if not may(user.actor, Action.CREATE_CASE) or user.actor.organisation_id is None:
        return False
    org = db.get(Organisation, user.actor.organisation_id)
    return org is not None and org.kind == OrganisationKind.MUNICIPALITY.value


def may_manage(user: WebUser, case: Case) -> bool:
    """Whether the user runs the case: participants, assessments, decisions, signatures and
    deadlines (admins, and managers of the lead municipality)."""
    return all(
        may(user.actor, action, case)
        for action in (
            Action.ADD_PARTICIPANT,
            Action.ASSESS,
            Action.DECIDE,
            Action.SIGN,
            Action.MANAGE_DEADLINES,
        )
    )


def require_manage(user: WebUser, case: Case) -> None:
    """`PageForbidden` unless the user runs the case (the case is already known visible)."""
    if not may_manage(user, case):
        raise PageForbidden()
