"""Signing keys: never the published constant, generated once and kept private (issue 15.1)."""

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import ValidationError

from workflow.core.keys import PUBLISHED_KEYS, default_key_file, master_key
from workflow.core.settings import Settings

PUBLISHED = next(iter(PUBLISHED_KEYS))
LONG = "x" * 40


def test_without_configured_keys_a_random_key_is_made_beside_the_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPI_KEY_FILE", raising=False)
    url = f"sqlite:///{tmp_path / 'opi.db'}"
    first = Settings(database_url=url, environment="development")
    assert first.signing_key not in PUBLISHED_KEYS
    assert first.checkpoint_key not in PUBLISHED_KEYS
    assert first.signing_key != first.checkpoint_key
    key_file = tmp_path / "opi.db.key"
    assert first.resolved_key_file == key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # A restart (or a worker process) reads the same key: sessions and links stay valid.
    again = Settings(database_url=url, environment="development")
    assert (again.signing_key, again.checkpoint_key) == (first.signing_key, first.checkpoint_key)
    # Another installation gets another key.
    other = Settings(database_url=f"sqlite:///{tmp_path / 'other.db'}")
    assert other.signing_key != first.signing_key


def test_postgresql_and_memory_databases_keep_the_key_in_the_user_data_dir() -> None:
    for url in ("postgresql+psycopg://u@db.example/opi", "sqlite://", "sqlite:///:memory:"):
        path = default_key_file(url)
        assert path.name == "secret.key" and "opi-workflow" in path.parts


def test_processes_starting_at_once_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "secret.key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: master_key(path), range(32)))
    assert len(keys) == 1
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no temporary left


def test_configured_keys_are_used_as_they_are(tmp_path: Path) -> None:
    settings = Settings(secret_key="s" * 40, audit_key="a" * 40, key_file=tmp_path / "k")
    assert (settings.signing_key, settings.checkpoint_key) == ("s" * 40, "a" * 40)
    assert not (tmp_path / "k").exists()


@pytest.mark.parametrize("environment", ["development", "test", "production"])
@pytest.mark.parametrize("field", ["secret_key", "audit_key"])
def test_the_published_constant_is_refused_everywhere(environment: str, field: str) -> None:
    others = {"secret_key": LONG, "audit_key": LONG, "admin_token": LONG}
    with pytest.raises(ValidationError, match="published"):
        Settings(**{**others, field: PUBLISHED, "environment": environment})


def test_production_needs_long_keys_and_a_long_admin_token() -> None:
    good = {"environment": "production", "secret_key": LONG, "audit_key": LONG}
    assert Settings(**good, admin_token="a" * 32).admin_token == "a" * 32
    assert Settings(**good).admin_token is None  # no bootstrap admin at all is fine
    with pytest.raises(ValidationError, match="OPI_ADMIN_TOKEN must be at least 32"):
        Settings(**good, admin_token="a" * 31)
    with pytest.raises(ValidationError, match="OPI_SECRET_KEY must be set"):
        Settings(environment="production", audit_key=LONG)
    with pytest.raises(ValidationError, match="OPI_AUDIT_KEY must be set to at least 32"):
        Settings(environment="production", secret_key=LONG, audit_key="short")
    # Outside production a short admin token is the developer's business.
    assert Settings(environment="development", admin_token="a").admin_token == "a"
