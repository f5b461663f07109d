"""Migration 0008 gives every existing token an owner: a user of the same name, role and
organisation, so existing tokens keep working and from then on name a person."""

from sqlalchemy import text
from sqlmodel import Session

from tests.migration_support import insert_furesoe, migrated
from workflow.access.tokens import actor_for_token, hash_token
from workflow.core.migrate import upgrade


def test_existing_tokens_become_personal_tokens_of_new_users(empty_db: str) -> None:
    with migrated(empty_db, "0007") as engine:
        with engine.begin() as conn:
            insert_furesoe(conn)
            for name, role, org, token, revoked in (
                ("Anne Projektleder", "manager", 1, "anne-token", None),
                ("Revisor", "auditor", None, "revisor-token", None),
                ("Gammel", "staff", 1, "old-token", "2026-11-02 10:00:00"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO api_tokens (name, role, organisation_id, token_hash, "
                        "created_at, revoked_at) VALUES (:n, :r, :o, :h, :at, :rev)"
                    ),
                    {
                        "n": name,
                        "r": role,
                        "o": org,
                        "h": hash_token(token),
                        "at": "2026-11-01 10:00:00",
                        "rev": revoked,
                    },
                )
        upgrade(empty_db)
        with engine.connect() as conn:
            users = conn.execute(
                text("SELECT id, name, role, organisation_id, status FROM users ORDER BY id")
            ).all()
            owners = dict(conn.execute(text("SELECT name, user_id FROM api_tokens")).all())
        assert [tuple(u)[1:] for u in users] == [
            ("Anne Projektleder", "manager", 1, "active"),
            ("Revisor", "auditor", None, "active"),
            ("Gammel", "staff", 1, "disabled"),
        ]
        assert owners == {u.name: u.id for u in users}
        with Session(engine) as session:
            anne = actor_for_token(session, "anne-token", None)
            assert anne is not None and (anne.name, anne.role, anne.user_id) == (
                "Anne Projektleder",
                "manager",
                users[0].id,
            )
            assert actor_for_token(session, "old-token", None) is None


def test_0012_leaves_just_in_time_users_off_for_existing_organisations(empty_db: str) -> None:
    """Nobody gets in uninvited after the upgrade: an administrator turns it on per
    organisation."""
    with migrated(empty_db, "0011") as engine:
        with engine.begin() as conn:
            insert_furesoe(conn)
        upgrade(empty_db)
        with engine.connect() as conn:
            flags = conn.execute(text("SELECT sso_creates_users FROM organisations")).all()
            pending = conn.execute(text("SELECT count(*) FROM oidc_pending")).scalar_one()
        assert [bool(f) for (f,) in flags] == [False] and pending == 0
