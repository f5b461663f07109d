"""`transition_vs_django`: the same transition against the plain Django FSM peer, one run.

The peer (`../shared/peers/django_fsm`: Django 5.2, django-fsm-2, django-fsm-log, its README
says what it does per request) is what a Python user would build instead. It is read-only
where it lives: its source is copied under `bench/.cache/` for each run and its virtualenv is
created there once. Both sides advance prepared cases need -> match (each request its own
case, `If-Match`, a manager's bearer token) on the same PostgreSQL, driven by the same wrk
script with the same connections, alternating peer and project like the other benchmarks:
once with one server process each (`opi serve`, gunicorn gthread with 8 threads, the peer's
own default) and once with two (`opi serve --workers 2`, gunicorn `--workers 2`).
The ratio is the project's requests per second over the peer's; every answer must be 2xx,
and afterwards the peer's database must agree with wrk's count.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

from bench import pg, servers, wrk
from bench.config import BENCH_DIR, BENCH_TAG, ROOT, RunSettings
from bench.http import alternate, median
from bench.transition import OnceFeed, advance_requests, ready_cases

TARGET = 1.2
PEER_DIR = Path(os.environ.get("OPI_BENCH_PEER_DIR", ROOT.parent / "shared" / "peers"))
CACHE = BENCH_DIR / ".cache"
PEER_VENV = CACHE / "peer-venv"
PEER_DB = f"opi_bench_peer_{BENCH_TAG}" if BENCH_TAG else "opi_bench_peer"
PEER_TOKEN = "peer-bench-manager-token"
PACKAGES = ("django", "django-fsm-2", "django-fsm-log", "psycopg[binary,pool]", "gunicorn")
WORKERS = (1, 2)


def available() -> bool:
    """Whether the peer's source is on this machine."""
    return (PEER_DIR / "django_fsm" / "manage.py").is_file()


def _venv() -> Path:
    """The peer's virtualenv, created once under the bench cache; its python."""
    python = PEER_VENV / "bin" / "python"
    stamp = PEER_VENV / ".installed"
    if not stamp.is_file():
        shutil.rmtree(PEER_VENV, ignore_errors=True)
        PEER_VENV.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, *PACKAGES], check=True)
        stamp.write_text("\n".join(PACKAGES) + "\n")
    return python


def _source() -> Path:
    """A fresh copy of the peer's Django project (the original stays untouched)."""
    copy = CACHE / "peer-django_fsm"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(PEER_DIR / "django_fsm", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _peer_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPI_", "DJANGO_"))}
    return env | {
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{PEER_DB}",
        "DJANGO_SETTINGS_MODULE": "peer.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _load_peer(python: Path, source: Path, cases: int, work: Path) -> None:
    """A fresh peer database with `cases` ready cases (the peer's own `load_cases`)."""
    pg.drop(PEER_DB)
    pg.create(PEER_DB)
    env = _peer_env()
    manage = [str(python), "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=source, env=env, check=True)
    subprocess.run(
        [*manage, "load_cases", "--cases", str(cases), "--lua", str(work / "peer-advance.lua")],
        cwd=source,
        env=env,
        check=True,
        capture_output=True,
    )
    with psycopg.connect(pg.dsn(PEER_DB), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _peer_versions() -> dict[int, int]:
    with psycopg.connect(pg.dsn(PEER_DB)) as conn:
        rows = conn.execute(
            "SELECT id, version FROM cases_case WHERE state = 'need' AND call_title <> '' "
            "ORDER BY id"
        ).fetchall()
    return {int(a): int(b) for a, b in rows}


def _peer_counts() -> tuple[int, int]:
    with psycopg.connect(pg.dsn(PEER_DB)) as conn:
        advanced = conn.execute("SELECT count(*) FROM cases_case WHERE state = 'match'")
        logged = conn.execute("SELECT count(*) FROM django_fsm_log_statelog")
        return int(advanced.fetchone()[0]), int(logged.fetchone()[0])  # type: ignore[index]


def _gunicorn(python: Path, port: int, workers: int) -> list[str]:
    return [
        str(python.parent / "gunicorn"),
        "peer.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        "8",
    ]


def _peer_cases_needed(settings: RunSettings) -> int:
    per_run = settings.rounds * (settings.duration + settings.warmup) + 4
    return int(per_run * (200 if settings.quick else 1000)) * len(WORKERS)


def run(db: str, settings: RunSettings, work: Path) -> dict[str, Any]:
    """Alternate peer and project with one and with two processes; figures and ratios."""
    if not available():
        return {
            "name": "transition_vs_django",
            "valid": False,
            "met": False,
            "line": f"transition_vs_django: SKIPPED, no peer at {PEER_DIR}; ratio=n/a",
        }
    python = _venv()
    source = _source()
    _load_peer(python, source, _peer_cases_needed(settings), work)
    peer_lines = [
        wrk.Request("POST", f"/cases/{case_id}/advance", f"Bearer {PEER_TOKEN}", f'"{v}"')
        for case_id, v in _peer_versions().items()
    ]
    project_lines = advance_requests(ready_cases(db))
    margin = settings.connections * settings.threads + 8
    feeds = {
        "project": OnceFeed(work, "vs-django-project", project_lines, margin),
        "peer": OnceFeed(work, "vs-django-peer", peer_lines, margin),
    }
    env = servers.environment(pg.url(db))
    results: dict[str, Any] = {"name": "transition_vs_django", "target": f">= {TARGET}"}
    parts, valid, met = [], True, True
    for workers in WORKERS:
        project_port, peer_port = servers.free_port(), servers.free_port()
        before = _peer_counts()
        answered_before, runs_before = feeds["peer"].answered, feeds["peer"].runs
        with (
            servers.process(
                [*servers.serve_command(project_port), "--workers", str(workers)],
                env,
                work / f"vs-django-serve-{workers}.log",
                f"http://127.0.0.1:{project_port}/healthz",
            ) as serve,
            servers.process(
                _gunicorn(python, peer_port, workers),
                _peer_env(),
                work / f"vs-django-peer-{workers}.log",
                f"http://127.0.0.1:{peer_port}/healthz",
                cwd=source,
            ) as peer_server,
        ):
            project = feeds["project"].side(
                "project", f"http://127.0.0.1:{project_port}", serve.pid
            )
            peer = feeds["peer"].side("peer", f"http://127.0.0.1:{peer_port}", peer_server.pid)
            ratios = alternate(project, peer, settings)
        advanced, logged = (a - b for a, b in zip(_peer_counts(), before, strict=True))
        p, f = project.summary(), peer.summary()
        answered = feeds["peer"].answered - answered_before
        in_flight = settings.connections * (feeds["peer"].runs - runs_before)
        # wrk stops without the answers still in flight: advanced a few more than it counted
        consistent = advanced == logged and 0 <= advanced - answered <= in_flight
        ok = p["failed"] == 0 and f["failed"] == 0 and consistent
        ratio = median(ratios)
        valid, met = valid and ok, met and ok and ratio >= TARGET
        results[f"workers_{workers}"] = {
            "ratio": round(ratio, 3),
            "round_ratios": [round(r, 3) for r in ratios],
            "project": p,
            "peer": f,
            "peer_cases_advanced": advanced,
            "peer_log_rows": logged,
            "consistent": consistent,
        }
        parts.append(
            f"{workers} process{'es' if workers > 1 else ''}: project {p['throughput']:.0f} "
            f"req/s (p99 {p['p99_ms']:.0f} ms, {p['cpu_ms_per_request']} ms CPU), django "
            f"{f['throughput']:.0f} req/s (p99 {f['p99_ms']:.0f} ms, "
            f"{f['cpu_ms_per_request']} ms CPU) ratio={ratio:.3f}" + ("" if ok else " INVALID")
        )
    pg.drop(PEER_DB)
    results |= {"valid": valid, "met": met}
    results["line"] = f"transition_vs_django: {'; '.join(parts)}; target >= {TARGET}"
    return results
