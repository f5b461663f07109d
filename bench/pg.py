"""PostgreSQL for the benchmarks: started if it is down, dedicated databases, cached templates.

Benchmark data lives in databases named `opi_bench_*`, never in the test databases. The data
is generated once into a template database (`opi_bench_tpl_<label>`) whose comment holds a
fingerprint of the generator, the migrations and the sizes; each run clones it with
`CREATE DATABASE ... TEMPLATE`, which copies files instead of replaying a million inserts.
"""

import hashlib
import json
import shutil
import subprocess
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench.config import BENCH_DIR, PG_ADMIN_DSN, PG_HOST_URL, ROOT, DataSize

GENERATOR_FILES = ("generate.py", "gen_audit.py", "cases.py", "sections.py", "vocabulary.py")


def ensure_running() -> None:
    """Start the local cluster when nothing answers on 127.0.0.1:5432."""
    if _ready():
        return
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    if not versions or shutil.which("pg_ctlcluster") is None:
        raise RuntimeError("PostgreSQL is not running and no local cluster can be started")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"],
        check=True,
    )
    for _ in range(60):
        if _ready():
            return
        time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not come up")


def _ready() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def admin() -> psycopg.Connection:
    """An autocommit connection to the maintenance database."""
    return psycopg.connect(PG_ADMIN_DSN, autocommit=True)


def url(name: str) -> str:
    """The SQLAlchemy URL of database `name`."""
    return f"{PG_HOST_URL}/{name}"


def dsn(name: str) -> str:
    """The libpq DSN of database `name`."""
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop(name: str) -> None:
    """Drop database `name` if it exists, ending its sessions."""
    _check_name(name)
    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create(name: str, template: str | None = None) -> None:
    """Create database `name`, empty or as a copy of `template`."""
    _check_name(name)
    drop(name)
    with admin() as conn:
        if template is None:
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            _check_name(template)
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _check_name(name: str) -> None:
    if not name.startswith("opi_bench_"):
        raise ValueError(f"refusing to touch {name!r}: benchmark databases are opi_bench_*")


def fingerprint(size: DataSize) -> str:
    """What the cached data depends on: the generator's code, the migrations, the sizes."""
    digest = hashlib.sha256(json.dumps(asdict(size), sort_keys=True).encode())
    for name in GENERATOR_FILES:
        digest.update((BENCH_DIR / name).read_bytes())
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def template_info(name: str) -> dict[str, str] | None:
    """The fingerprint and creation time recorded on template `name`, if it exists."""
    with admin() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
    if row is None or not row[0]:
        return None
    try:
        info = json.loads(row[0])
    except ValueError:
        return None
    return info if isinstance(info, dict) else None


def mark_template(name: str, fingerprint_: str, generated_at: datetime) -> None:
    """Record the fingerprint and generation time on the template (as its comment)."""
    _check_name(name)
    info = json.dumps({"fingerprint": fingerprint_, "generated_at": generated_at.isoformat()})
    with admin() as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{info}'")


def template_is_fresh(info: dict[str, str] | None, fingerprint_: str, max_age_hours: float) -> bool:
    """Whether a template's data may be reused for this run."""
    if info is None or info.get("fingerprint") != fingerprint_:
        return False
    generated = datetime.fromisoformat(info["generated_at"])
    return (datetime.now(UTC) - generated).total_seconds() < max_age_hours * 3600


def server_version() -> str:
    """The server's version string."""
    with admin() as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


def settings_summary() -> dict[str, str]:
    """The server settings that move the figures (durability, memory)."""
    names = ("fsync", "synchronous_commit", "shared_buffers", "work_mem", "max_connections")
    with admin() as conn:
        rows = conn.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            (list(names),),
        ).fetchall()
    return {str(name): str(value) for name, value in rows}
