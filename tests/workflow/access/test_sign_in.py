"""The protocol-neutral sign-in: claims to a user, just-in-time creation, refusals audited."""

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from tests.factories import NOW, invite_person, make_org
from workflow.access.actor import Actor
from workflow.access.sign_in import (
    ClaimMapping,
    Identity,
    Refusal,
    SignInRefused,
    parse_role_map,
    record_refused,
    resolve_user,
)
from workflow.access.users import change_user
from workflow.core.errors import InvalidInput
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent, Role, SignInMethod, User

ADMIN = Actor(name="Admin", role=Role.ADMIN)
MAPPING = ClaimMapping("cvr", parse_role_map({"opi-projektleder": "manager"}))


def identity(email: str | None = "mette@furesoe.dk", **kw: object) -> Identity:
    base: dict[str, object] = {
        "method": SignInMethod.OIDC,
        "issuer": "https://idp.example",
        "subject": "mette",
        "email": email,
        "name": "Mette Hansen",
        "organisation": "29188548",
        "roles": ("opi-projektleder",),
    }
    base.update(kw)
    return Identity(**base)  # type: ignore[arg-type]


def users(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(User)).scalar_one())


def test_just_in_time_user_is_created_from_mapped_claims(session: Session) -> None:
    org = make_org(session, cvr="29188548", sso_creates_users=True)
    work = UnitOfWork(session)
    user = resolve_user(work, identity(email="Mette@Furesoe.dk"), MAPPING, NOW)
    work.commit()
    assert (user.email, user.role, user.organisation_id, user.name) == (
        "mette@furesoe.dk",
        Role.MANAGER.value,
        org.id,
        "Mette Hansen",
    )
    event = session.execute(
        select(AuditEvent).where(col(AuditEvent.action) == "user.created_by_sign_in")
    ).scalar_one()
    assert (event.actor_user_id, event.actor_via) == (user.id, "oidc")


def test_unknown_person_refused_when_organisation_does_not_create_users(session: Session) -> None:
    make_org(session, cvr="29188548")
    session.commit()
    with pytest.raises(SignInRefused) as refused:
        resolve_user(UnitOfWork(session), identity(), MAPPING, NOW)
    assert refused.value.reason is Refusal.UNKNOWN_USER
    record_refused(session, SignInMethod.OIDC, refused.value, NOW, identity=identity())
    assert users(session) == 0
    event = session.execute(
        select(AuditEvent).where(col(AuditEvent.action) == "signin.refused")
    ).scalar_one()
    assert '"reason":"unknown_user"' in event.data and '"mette@furesoe.dk"' in event.data


def test_invited_user_signs_in_and_disabled_user_is_refused(session: Session) -> None:
    org = make_org(session, cvr="29188548")
    work = UnitOfWork(session)
    invited = invite_person(
        work, "Mette", "mette@furesoe.dk", Role.STAFF, org.id, by=ADMIN, now=NOW
    )
    work.commit()
    work = UnitOfWork(session)
    assert resolve_user(work, identity(), MAPPING, NOW).id == invited.id
    assert invited.role == Role.STAFF.value  # the stored role stands; claims do not change it
    work.commit()
    assert invited.id is not None
    change_user(work, ADMIN, invited.id, status="disabled", now=NOW)
    work.commit()
    with pytest.raises(SignInRefused) as refused:
        resolve_user(UnitOfWork(session), identity(), MAPPING, NOW)
    assert refused.value.reason is Refusal.DISABLED_USER


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"email": None}, Refusal.MISSING_CLAIMS),
        ({"email_verified": False}, Refusal.MISSING_CLAIMS),
        ({"organisation": "11111111"}, Refusal.UNKNOWN_ORGANISATION),
        ({"roles": ("opi-ukendt",)}, Refusal.NO_ROLE),
        ({"roles": ("admin",)}, Refusal.NO_ROLE),
    ],
    ids=[
        "no-email",
        "unverified-email",
        "unknown-cvr",
        "unmapped-group",
        "never-admin-just-in-time",
    ],
)
def test_refusals_create_nothing(
    session: Session, claims: dict[str, object], reason: Refusal
) -> None:
    make_org(session, cvr="29188548", sso_creates_users=True)
    session.commit()
    with pytest.raises(SignInRefused) as refused:
        resolve_user(UnitOfWork(session), identity(**claims), MAPPING, NOW)  # type: ignore[arg-type]
    assert refused.value.reason is reason
    record_refused(session, SignInMethod.SAML, refused.value, NOW)
    assert users(session) == 0


def test_role_map_refuses_unknown_roles() -> None:
    with pytest.raises(InvalidInput):
        parse_role_map({"x": "superuser"})
    assert ClaimMapping(role_map={}).roles_of(["staff", "partner"]) == [Role.STAFF, Role.PARTNER]
