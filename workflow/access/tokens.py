"""Bearer tokens: created once, stored only as a hash, looked up by hash."""

import hashlib
import hmac
import secrets

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from workflow.access.actor import Actor
from workflow.audit import writer as audit
from workflow.core.errors import InvalidInput, check_text
from workflow.models import ApiToken, Organisation, Role

TOKEN_PREFIX = "opi_"
ADMIN_BOOTSTRAP_NAME = "bootstrap-admin"
ORGLESS_ROLES = frozenset({Role.ADMIN.value, Role.AUDITOR.value})


def hash_token(token: str) -> str:
    """SHA-256 of the token; tokens are long and random, so no slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, actor: Actor, *, name: str, role: str, organisation_id: int | None
) -> tuple[ApiToken, str]:
    """A new token row and the token itself (shown once, never stored). Audited."""
    check_text(name, "name")
    if role not in {r.value for r in Role}:
        raise InvalidInput(f"Unknown role {role!r}.")
    if not name.strip() or len(name) > 200:
        raise InvalidInput("A token needs a name of 1 to 200 characters.")
    if organisation_id is None and role not in ORGLESS_ROLES:
        raise InvalidInput(f"A {role} token must belong to an organisation.")
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise InvalidInput(f"Organisation {organisation_id} does not exist.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name.strip(), role=role, organisation_id=organisation_id, token_hash=hash_token(secret)
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "token.created",
        {"token_id": row.id, "name": row.name, "role": role, "organisation_id": organisation_id},
    )
    return row, secret


def actor_for_token(session: Session, token: str, admin_token: str | None) -> Actor | None:
    """The actor a bearer token stands for, or None if it is unknown or revoked."""
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Actor(name=ADMIN_BOOTSTRAP_NAME, role=Role.ADMIN.value)
    # Only the columns an actor needs, as a plain row: every API request runs this.
    row = session.execute(_TOKEN_LOOKUP, {"token_hash": hash_token(token)}).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return Actor(name=row.name, role=row.role, organisation_id=row.organisation_id, token_id=row.id)


_TOKEN_LOOKUP = select(
    col(ApiToken.id),
    col(ApiToken.name),
    col(ApiToken.role),
    col(ApiToken.organisation_id),
    col(ApiToken.revoked_at),
).where(col(ApiToken.token_hash) == bindparam("token_hash"))
