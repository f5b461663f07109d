"""Single sign-on, whatever the protocol: who a provider's claims name, and refusals (issue 16).

OpenID Connect (`workflow.access.oidc`) and SAML 2.0 each check their own protocol (signatures,
audience, lifetimes, replays) and then hand what the provider vouched for to this module as an
`Identity`. Here it becomes a user: an invited user with the same email signs in; an unknown
person is created from the mapped claims only when their organisation allows just-in-time users
(`Organisation.sso_creates_users`); a disabled user, an unknown organisation or no mapped role
is refused. Every refusal, from either protocol, is audited with `record_refused` and changes
nothing else.

The mapping from claims to an organisation and a role is a `ClaimMapping`, so an OIDC claim
(`cvr`, `groups`) and a SAML attribute (`dk:gov:saml:attribute:CvrNumberIdentifier`,
privileges) are treated alike.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.access.actor import SYSTEM_PREFIX, Actor
from workflow.access.policy import ORGLESS_ROLES, may_hold_token
from workflow.access.roles import TOKEN_ROLES, Role
from workflow.access.users import normalise_email, user_by_email
from workflow.audit import writer as audit
from workflow.core.errors import InvalidInput
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Organisation, SignInMethod, User, UserStatus


class Refusal(StrEnum):
    """Why a sign-in was refused: recorded in the audit event and chooses the page's text."""

    BAD_STATE = "bad_state"
    """The answer matches no sign-in this service started, or one already completed."""
    PROVIDER_ERROR = "provider_error"
    """The provider answered with an error (the person cancelled, or it refused them)."""
    INVALID_SIGNATURE = "invalid_signature"
    """The token or assertion is not signed, or not by the provider's key."""
    EXPIRED = "expired"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_ISSUER = "wrong_issuer"
    BAD_NONCE = "bad_nonce"
    """The ID token was not issued for this sign-in (replayed from another)."""
    REPLAYED = "replayed"
    """An assertion already used."""
    INVALID_TOKEN = "invalid_token"
    """Anything else wrong with what the provider sent."""
    MISSING_CLAIMS = "missing_claims"
    """No email among the claims: nobody to sign in."""
    UNKNOWN_USER = "unknown_user"
    """Nobody with this email, and their organisation does not create users just in time."""
    DISABLED_USER = "disabled_user"
    UNKNOWN_ORGANISATION = "unknown_organisation"
    ORGANISATION_MISMATCH = "organisation_mismatch"
    """The claims name another organisation than the user's own."""
    NO_ROLE = "no_role"
    """No claim value maps to a role a new user may have."""
    THROTTLED = "throttled"
    """Too many refused sign-ins from the address: not checked, not audited (shown only)."""


class SignInRefused(Exception):
    """A sign-in that must not go through; `reason` says why, `detail` for the audit log."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Identity:
    """What an identity provider vouched for, once its protocol checks have passed.

    `organisation` is the raw claim value that names the organisation (a CVR number or an
    organisation id, per `ClaimMapping.organisation_key`), `roles` the raw values of the role
    claim or attribute (a group list, a privilege list, a single role).
    """

    method: SignInMethod
    issuer: str
    subject: str
    email: str | None
    name: str | None = None
    organisation: str | None = None
    roles: tuple[str, ...] = ()
    email_verified: bool | None = None
    """False when the provider says it has not verified the email (OIDC `email_verified`):
    such an email links to nobody. None when the provider does not say."""

    def audit_data(self) -> dict[str, Any]:
        """What the audit log keeps of a claimed identity."""
        return {
            "issuer": self.issuer,
            "subject": self.subject,
            "email": self.email,
            "organisation_claim": self.organisation,
            "role_claims": list(self.roles),
        }


@dataclass(frozen=True, slots=True)
class ClaimMapping:
    """How a provider's claims name an organisation and a role.

    `role_map` maps a claim value (a group name, a privilege URI) to a role; without an entry a
    value that is itself a role name (`manager`) is taken as that role. A user created just in
    time never becomes an admin or an auditor: those are invited.
    """

    organisation_key: Literal["cvr", "id"] = "cvr"
    role_map: Mapping[str, Role] = field(default_factory=dict)

    def roles_of(self, values: Iterable[str]) -> list[Role]:
        """Every role the claim values map to, in the order of `TOKEN_ROLES`."""
        found: set[Role] = set()
        for value in values:
            role = self.role_map.get(value)
            if role is None and value in {r.value for r in TOKEN_ROLES}:
                role = Role(value)
            if role is not None:
                found.add(role)
        return [r for r in TOKEN_ROLES if r in found]


def parse_role_map(raw: Mapping[str, str]) -> dict[str, Role]:
    """A role map from settings (`{"opi-projektleder": "manager"}`); `InvalidInput` for a value
    that is no role a person can have."""
    out: dict[str, Role] = {}
    for key, value in raw.items():
        if value not in {r.value for r in TOKEN_ROLES}:
            raise InvalidInput(f"The role map names an unknown role {value!r} for {key!r}.")
        out[key] = Role(value)
    return out


def organisation_of(session: Session, identity: Identity, mapping: ClaimMapping) -> Organisation:
    """The organisation the claims name, or `SignInRefused(UNKNOWN_ORGANISATION)`."""
    value = (identity.organisation or "").strip()
    org: Organisation | None = None
    if mapping.organisation_key == "cvr":
        cvr = value.removeprefix("CVR:").strip()
        if cvr:
            org = (
                session.execute(
                    select(Organisation)
                    .where(col(Organisation.cvr) == cvr)
                    .order_by(col(Organisation.id))
                )
                .scalars()
                .first()
            )
    elif value.isdigit() and len(value) < 10:
        org = session.get(Organisation, int(value))
    if org is None:
        raise SignInRefused(
            Refusal.UNKNOWN_ORGANISATION,
            f"no organisation with {mapping.organisation_key} {value!r}",
        )
    return org


def resolve_user(
    work: UnitOfWork, identity: Identity, mapping: ClaimMapping, now: datetime
) -> User:
    """The active user the identity signs in as, created just in time where allowed.

    Refuses (`SignInRefused`, nothing written) a missing email, a disabled user, a user whose
    organisation differs from the one the claims name, and an unknown person whose organisation
    does not create users or whose claims map to no role. A new user is audited
    (`user.created_by_sign_in`); the caller commits together with the session it starts.
    """
    if not identity.email or "@" not in identity.email:
        raise SignInRefused(Refusal.MISSING_CLAIMS, "no email claim")
    if identity.email_verified is False:
        # Users are found by email, so an unverified one could take over an invited account.
        raise SignInRefused(Refusal.MISSING_CLAIMS, "the provider has not verified the email")
    email = normalise_email(identity.email)
    user = user_by_email(work.session, email)
    if user is not None:
        if user.status != UserStatus.ACTIVE.value:
            raise SignInRefused(Refusal.DISABLED_USER, f"user {user.id} is disabled")
        if identity.organisation and user.organisation_id is not None:
            org = organisation_of(work.session, identity, mapping)
            if org.id != user.organisation_id:
                raise SignInRefused(
                    Refusal.ORGANISATION_MISMATCH,
                    f"user {user.id} belongs to organisation {user.organisation_id}, "
                    f"the claims name {org.id}",
                )
        user.last_sign_in_at = now
        work.session.add(user)
        work.session.flush()
        return user
    return _create_just_in_time(work, identity, mapping, email, now)


def _create_just_in_time(
    work: UnitOfWork, identity: Identity, mapping: ClaimMapping, email: str, now: datetime
) -> User:
    if not identity.organisation:
        raise SignInRefused(Refusal.UNKNOWN_USER, f"no user with email {email}")
    org = organisation_of(work.session, identity, mapping)
    if not org.sso_creates_users:
        raise SignInRefused(
            Refusal.UNKNOWN_USER,
            f"no user with email {email}; organisation {org.id} does not create users",
        )
    roles = [r for r in mapping.roles_of(identity.roles) if r not in ORGLESS_ROLES]
    if not roles or not may_hold_token(roles[0], org.id):
        raise SignInRefused(Refusal.NO_ROLE, f"no role among {list(identity.roles)!r}")
    name = " ".join((identity.name or "").split())[:200] or email
    if name.casefold().startswith(SYSTEM_PREFIX):
        name = email
    user = work.insert(
        User(
            name=name,
            email=email,
            organisation_id=org.id,
            role=roles[0].value,
            created_at=now,
            last_sign_in_at=now,
        )
    )
    audit.record(
        work,
        actor_of(user, identity.method),
        "user.created_by_sign_in",
        {"user_id": user.id, "role": user.role, **identity.audit_data()},
        at=now,
    )
    return user


def actor_of(user: User, via: SignInMethod | str) -> Actor:
    """The actor a signed-in user acts as: their current name, role and organisation.

    `via` is how they signed in: the method of a sign-in just done, or the one a web
    session's row recorded (`workflow.access.sessions`), which rebuilds the actor per request.
    """
    return Actor(
        name=user.name,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        user_id=user.id,
        via=str(via),
    )


def refusal_actor(method: SignInMethod) -> Actor:
    """Who a refused sign-in's audit event names: the sign-in itself, since nobody got in."""
    return Actor(name=f"{SYSTEM_PREFIX}sign-in", role=Role.SYSTEM, via=method.value)


def record_refused(
    session: Session,
    method: SignInMethod,
    refused: SignInRefused,
    now: datetime,
    *,
    identity: Identity | None = None,
    client: str | None = None,
) -> None:
    """Audit a refused sign-in in a transaction of its own and commit it.

    Whatever the sign-in had written is rolled back first, so a refusal creates and changes
    nothing but its audit event. `identity` is passed only when its claims were verified.
    """
    session.rollback()
    work = UnitOfWork(session)
    data: dict[str, Any] = {
        "method": method.value,
        "reason": refused.reason.value,
        "detail": refused.detail[:500],
        "client": client,
    }
    if identity is not None:
        data.update(identity.audit_data())
    audit.record(work, refusal_actor(method), "signin.refused", data, at=now)
    work.commit()
