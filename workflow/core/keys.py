"""The keys that sign sessions, links and checkpoints when none is configured.

A published default key lets anyone forge what it signs (a `/ui` session as the demo admin,
any organisation's calendar feed). So outside production a missing `OPI_SECRET_KEY` or
`OPI_AUDIT_KEY` is replaced by a key derived from a random master key that is generated on
first use and kept in a file only its owner may read: beside the SQLite database (`opi.db`
→ `opi.db.key`), or, for PostgreSQL and in-memory SQLite, in the user's data directory
(`platformdirs.user_data_path("opi-workflow")`). `OPI_KEY_FILE` names another place.
"""

import hashlib
import hmac
import os
import secrets
from contextlib import suppress
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy.engine import make_url

PUBLISHED_KEYS = frozenset({"insecure-development-key-change-me"})
"""Keys that were ever written in this repository's code or docs: they sign nothing."""
KEY_FILE_SUFFIX = ".key"
MIN_KEY_LENGTH = 32
"""Production keys and the bootstrap admin token are at least this long."""


def default_key_file(database_url: str) -> Path:
    """Where the generated master key is kept for `database_url`."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(str(url.database))
        return database.with_name(database.name + KEY_FILE_SUFFIX)
    return user_data_path("opi-workflow") / "secret.key"


def master_key(path: Path) -> bytes:
    """The master key in `path`, made (random, mode 0600) when the file does not exist.

    Two processes starting at once (`opi serve` and `opi worker`) must end with one key: the
    key is written to a private temporary file and linked into place, which fails for all
    but the first; the others read the winner's file.
    """
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        with suppress(FileExistsError):  # another process was first: use its key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    key = path.read_text().strip().encode()
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"the key file {path} holds no usable key; delete it to make a new one")
    return key


def derived_key(master: bytes, purpose: str) -> str:
    """A key for one purpose (`session`, `audit`), so one file serves every signer."""
    return hmac.new(master, purpose.encode(), hashlib.sha256).hexdigest()
