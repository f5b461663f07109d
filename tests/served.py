"""`opi serve` as a real subprocess on a test database, for end-to-end operations tests."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.loopback import free_port, running

ADMIN_TOKEN = "opi-served-admin-token-0123456789abcdef"
OPI = [sys.executable, "-m", "api.cli"]


def served_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a served process on the database at `url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPI_")}
    return env | {
        "OPI_ENVIRONMENT": "test",
        "OPI_DATABASE_URL": url,
        "OPI_ADMIN_TOKEN": ADMIN_TOKEN,
        **extra,
    }


@contextmanager
def opi_serve(env: dict[str, str], log_path: Path, *args: str) -> Iterator[str]:
    """Run `opi serve *args` until the block ends; yields its base URL once it answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running([*OPI, "serve", "--port", str(port), *args], env, log_path, f"{base}/healthz"):
        yield base


def admin(base: str) -> httpx.Client:
    """A client for `base` acting as the bootstrap admin."""
    return httpx.Client(
        base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=60
    )


def manager_token(base: str, name: str = "Furesø Kommune") -> str:
    """A new municipality and a manager token of it, made through the API."""
    with admin(base) as client:
        org = client.post(
            "/organisations",
            json={"name": name, "kind": "municipality", "email": "sager@example.dk"},
        )
        assert org.status_code == 201, org.text
        token = client.post(
            "/tokens",
            json={"name": "Projektleder", "role": "manager", "organisation_id": org.json()["id"]},
        )
        assert token.status_code == 201, token.text
        secret: str = token.json()["token"]
        return secret
