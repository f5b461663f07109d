"""Creating organisations, audited in the same transaction."""

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.access.actor import Actor
from workflow.access.policy import Action, require
from workflow.audit import writer as audit
from workflow.core.errors import InvalidInput, NotFound
from workflow.core.id_lists import among
from workflow.core.names import clean_name
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Organisation


def organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of the organisations `ids` (a missing one is left out), in one query."""
    if not ids:
        return {}
    rows = session.execute(
        select(col(Organisation.id), col(Organisation.name)).where(
            among(col(Organisation.id), sorted(ids))
        )
    ).all()
    return {i: n for i, n in rows if i is not None}


def create_organisation(
    work: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    kind: str,
    email: str,
    language: str = "da",
    cvr: str | None = None,
    webhook_url: str | None = None,
    sso_creates_users: bool = False,
) -> Organisation:
    """A new organisation; with a `webhook_url` it also gets a fresh webhook signing secret.

    The secret is returned on the row (the caller shows it once) and never audited.
    Does not commit; nothing is added when the name is refused.
    """
    try:
        name = clean_name(name)
    except ValueError as exc:
        raise InvalidInput(f"Refused: {exc}.") from None
    org = work.insert(
        Organisation(
            name=name,
            kind=kind,
            email=email,
            language=language,
            cvr=cvr,
            webhook_url=webhook_url,
            webhook_secret=secrets.token_urlsafe(32) if webhook_url else None,
            sso_creates_users=sso_creates_users,
            created_at=utcnow(),
        )
    )
    audit.record(
        work,
        actor,
        "organisation.created",
        {
            "organisation_id": org.id,
            "name": org.name,
            "kind": kind,
            "email": email,
            "language": language,
            "cvr": cvr,
            "webhook_url": webhook_url,
            "webhook_secret_issued": org.webhook_secret is not None,
            "sso_creates_users": sso_creates_users,
        },
    )
    return org


def set_sso_creates_users(
    work: UnitOfWork, actor: Actor, organisation_id: int, on: bool, now: datetime
) -> Organisation:
    """Whether a first single sign-on of this organisation's people creates their user (just in
    time, from the provider's claims). Audited when it changes; does not commit."""
    require(actor, Action.MANAGE_USERS)
    org = work.session.get(Organisation, organisation_id, with_for_update=True)
    if org is None:
        raise NotFound(f"Organisation {organisation_id} was not found.")
    if org.sso_creates_users != on:
        org.sso_creates_users = on
        work.session.add(org)
        work.session.flush()
        audit.record(
            work,
            actor,
            "organisation.sso_changed",
            {"organisation_id": organisation_id, "sso_creates_users": on},
            at=now,
        )
    return org
