"""Creating organisations, audited in the same transaction."""

import secrets

from workflow.access.actor import Actor
from workflow.audit import writer as audit
from workflow.core.errors import InvalidInput
from workflow.core.names import clean_name
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Organisation


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
) -> Organisation:
    """A new organisation; with a `webhook_url` it also gets a fresh webhook signing secret.

    The secret is returned on the row (the caller shows it once) and never audited.
    Does not commit; nothing is added when the name is refused.
    """
    try:
        name = clean_name(name)
    except ValueError as exc:
        raise InvalidInput(f"Refused: {exc}.") from None
    org = Organisation(
        name=name,
        kind=kind,
        email=email,
        language=language,
        cvr=cvr,
        webhook_url=webhook_url,
        webhook_secret=secrets.token_urlsafe(32) if webhook_url else None,
        created_at=utcnow(),
    )
    work.session.add(org)
    work.session.flush()
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
        },
    )
    return org
