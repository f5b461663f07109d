"""What the need page shows about joining a shared need ("Vi har samme behov"): the button
for another municipality, and the requests the lead municipality's manager answers.

The rules are `workflow.needs.joining`'s and the policy's (`Action.JOIN_NEED`,
`Action.DECIDE_JOIN`); this module only gathers what the page shows.
"""

from dataclasses import dataclass, field

from sqlmodel import Session

from workflow.access.actor import Actor
from workflow.access.organisations import organisation_names
from workflow.access.policy import Action, may
from workflow.access.scope import can_see
from workflow.models import Case, JoinRequest, JoinStatus, Organisation, OrganisationKind
from workflow.needs.joining import list_requests


@dataclass(slots=True)
class JoinForm:
    """A refused join form, shown again with what was typed and why it was refused."""

    request_id: int | None
    """None: the request to join; else the decision on that request."""
    message: str = ""
    error: str = ""
    """An i18n key, shown beside the field."""


@dataclass(frozen=True, slots=True)
class RequestRow:
    """A join request as the page lists it."""

    id: int
    organisation: str
    status: str
    message: str | None
    requested_by: str
    reason: str | None


@dataclass(slots=True)
class JoinBox:
    """The need page's part on joining: either side, or nothing."""

    may_ask: bool = False
    """The user's municipality may ask to co-own this need now."""
    own: RequestRow | None = None
    """The user's municipality's latest request, when it has one."""
    decide: list[RequestRow] = field(default_factory=list)
    """Every request, for the lead's managers (pending ones get the answer forms)."""
    form: JoinForm | None = None


def _row(request: JoinRequest, names: dict[int, str]) -> RequestRow:
    assert request.id is not None
    return RequestRow(
        request.id,
        names.get(request.organisation_id, ""),
        request.status,
        request.message,
        request.requested_by,
        request.reason,
    )


def join_box(db: Session, actor: Actor, case: Case, form: JoinForm | None = None) -> JoinBox:
    """What the user sees and may do about joining `case`'s need."""
    assert case.id is not None
    box = JoinBox(form=form)
    if case.shared_at is None:
        return box
    deciding = may(actor, Action.DECIDE_JOIN, case)
    org = db.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    asking = (
        may(actor, Action.JOIN_NEED)
        and org is not None
        and org.kind == OrganisationKind.MUNICIPALITY.value
        and not can_see(db, actor, case)
    )
    if not deciding and not asking:
        return box
    requests = list_requests(db, case.id)
    names = organisation_names(db, {r.organisation_id for r in requests})
    if deciding:
        box.decide = [_row(r, names) for r in requests]
        return box
    own = [r for r in requests if r.organisation_id == actor.organisation_id]
    box.own = _row(own[-1], names) if own else None
    box.may_ask = box.own is None or box.own.status != JoinStatus.PENDING.value
    return box
