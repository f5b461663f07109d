"""Who a verified SAML assertion signs in, and the audit of refused SAML sign-ins (issue 16).

Narrow on purpose: the protocol-neutral sign-in (claims -> organisation and role, users
created just in time per organisation) is being built beside OpenID Connect; until it lands
here, SAML signs in only people an administrator has invited (`POST /users`), matched by
email, and refuses everyone else. The attribute names come from the settings, Context Handler
style: the organisation by CVR number (`dk:gov:saml:attribute:CvrNumberIdentifier`), the role
by a privilege attribute mapped through `OPI_SAML_ROLE_MAP`.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.access.actor import SYSTEM_PREFIX, Actor
from workflow.access.roles import TOKEN_ROLES, Role
from workflow.access.saml import SamlAssertion
from workflow.access.users import normalise_email, user_by_email
from workflow.audit import writer as audit
from workflow.core.errors import InvalidInput
from workflow.core.settings import Settings
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Organisation, SignInMethod, User, UserStatus

SIGN_IN_ACTOR = Actor(name=f"{SYSTEM_PREFIX}sign-in", role=Role.SYSTEM, via=SignInMethod.SAML.value)
"""Who a refused sign-in's audit event names: the sign-in itself, since nobody got in."""


class SignInRefused(Exception):
    """A verified assertion that still signs nobody in; `reason` names why."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class SamlIdentity:
    """What the assertion's attributes say, mapped through the settings."""

    email: str | None
    name: str | None
    cvr: str | None
    roles: tuple[Role, ...]
    subject: str
    issuer: str

    def audit_data(self) -> dict[str, Any]:
        """What the audit log keeps of a claimed identity."""
        return {
            "issuer": self.issuer,
            "subject": self.subject,
            "email": self.email,
            "organisation_claim": self.cvr,
            "role_claims": [r.value for r in self.roles],
        }


def role_map(settings: Settings) -> dict[str, Role]:
    """`OPI_SAML_ROLE_MAP` as roles; `InvalidInput` for a value that is no person's role."""
    persons = {r.value for r in TOKEN_ROLES}
    out: dict[str, Role] = {}
    for key, value in settings.saml_role_map.items():
        if value not in persons:
            raise InvalidInput(f"OPI_SAML_ROLE_MAP names an unknown role {value!r} for {key!r}.")
        out[key] = Role(value)
    return out


def identity_of(assertion: SamlAssertion, settings: Settings) -> SamlIdentity:
    """The person the attributes describe. The email falls back to the NameID when it is an
    email address (NameID format emailAddress)."""
    email = assertion.first(settings.saml_email_attribute)
    if not email and "@" in assertion.name_id:
        email = assertion.name_id
    mapping = role_map(settings)
    persons = {r.value for r in TOKEN_ROLES}
    found: set[Role] = set()
    for value in assertion.attributes.get(settings.saml_role_attribute, ()):
        role = mapping.get(value) or (Role(value) if value in persons else None)
        if role is not None:
            found.add(role)
    cvr = assertion.first(settings.saml_cvr_attribute)
    return SamlIdentity(
        email=email,
        name=assertion.first(settings.saml_name_attribute),
        cvr=cvr.removeprefix("CVR:").strip() if cvr else None,
        roles=tuple(r for r in TOKEN_ROLES if r in found),
        subject=assertion.name_id,
        issuer=assertion.issuer,
    )


def _organisation_by_cvr(session: Session, cvr: str) -> Organisation | None:
    return (
        session.execute(
            select(Organisation).where(col(Organisation.cvr) == cvr).order_by(col(Organisation.id))
        )
        .scalars()
        .first()
    )


def resolve_user(work: UnitOfWork, identity: SamlIdentity, now: datetime) -> User:
    """The invited, active user the identity signs in as; `SignInRefused` (nothing written)
    for no email, an unknown or disabled person, or an organisation other than theirs."""
    if not identity.email or "@" not in identity.email:
        raise SignInRefused("missing_claims", "no email attribute or email NameID")
    user = user_by_email(work.session, normalise_email(identity.email))
    if user is None:
        raise SignInRefused("unknown_user", f"no user with email {identity.email}")
    if user.status != UserStatus.ACTIVE.value:
        raise SignInRefused("disabled_user", f"user {user.id} is disabled")
    if identity.cvr and user.organisation_id is not None:
        org = _organisation_by_cvr(work.session, identity.cvr)
        if org is None or org.id != user.organisation_id:
            raise SignInRefused(
                "organisation_mismatch",
                f"user {user.id} belongs to organisation {user.organisation_id}, "
                f"the assertion names CVR {identity.cvr}",
            )
    user.last_sign_in_at = now
    work.session.add(user)
    work.session.flush()
    return user


def actor_of(user: User) -> Actor:
    """The actor a SAML-signed-in user acts as."""
    return Actor(
        name=user.name,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        user_id=user.id,
        via=SignInMethod.SAML.value,
    )


def record_refused(
    session: Session,
    reason: str,
    detail: str,
    now: datetime,
    *,
    identity: SamlIdentity | None = None,
    client: str | None = None,
) -> None:
    """Audit a refused SAML sign-in in a transaction of its own and commit it.

    Whatever the sign-in had written is rolled back first, so a refusal creates and changes
    nothing but its audit event. `identity` is passed only when the assertion was verified.
    """
    session.rollback()
    work = UnitOfWork(session)
    data: dict[str, Any] = {
        "method": SignInMethod.SAML.value,
        "reason": reason,
        "detail": detail[:500],
        "client": client,
    }
    if identity is not None:
        data.update(identity.audit_data())
    audit.record(work, SIGN_IN_ACTOR, "signin.refused", data, at=now)
    work.commit()
