"""`sweep`: 10,000 due reminders among 100,000 cases, delivered by one `opi worker`.

The worker sweeps every second (`OPI_SWEEP_SECONDS=1`; the other settings are the service's
defaults) and mails a loopback aiosmtpd server that accepts everything. The rate is taken at
the server, between the first and the last message, so process start-up is not counted;
the floor (a bare smtplib loop over one connection, mails of the same mean size) is measured
at the same server the same way. Afterwards every reminder must be `sent`, exactly once.
"""

import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg

from bench import pg, servers
from bench.config import VENV_BIN, RunSettings
from bench.smtp import sink

TARGET = 0.7  # issue 18
SWEEP_SECONDS = "1"


def _due(db: str) -> int:
    with psycopg.connect(pg.dsn(db)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM reminders r JOIN cases c ON c.id = r.case_id "
            "WHERE r.status = 'pending' AND r.next_attempt_at <= now() AND NOT c.on_hold"
        ).fetchone()
    return int(row[0]) if row else 0


def _statuses(db: str) -> dict[str, int]:
    with psycopg.connect(pg.dsn(db)) as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM reminders WHERE sent_at IS NOT NULL "
            "OR (status = 'pending' AND next_attempt_at <= now()) GROUP BY status"
        ).fetchall()
        events = conn.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'reminder.sent'"
        ).fetchone()
    return {str(s): int(n) for s, n in rows} | {
        "audit_reminder_sent": int(events[0]) if events else 0
    }


def run(db: str, settings: RunSettings, work: Path) -> dict[str, Any]:
    """Deliver the due reminders with `opi worker`, then the floor; the figures and ratio."""
    due = _due(db)
    port = servers.free_port()
    env = servers.environment(
        pg.url(db),
        OPI_SMTP_HOST="127.0.0.1",
        OPI_SMTP_PORT=str(port),
        OPI_SWEEP_SECONDS=SWEEP_SECONDS,
    )
    timeout = 60 + due * 0.05
    with sink(port) as inbox:
        started = time.perf_counter()
        command = [str(VENV_BIN / "opi"), "worker"]
        cpu_from: tuple[int, float] | None = None
        with servers.process(command, env, work / "sweep-worker.log") as worker:
            while (got := inbox.count()) < due and time.perf_counter() - started < timeout:
                if worker.poll() is not None:
                    raise RuntimeError(
                        f"opi worker exited: {(work / 'sweep-worker.log').read_text()}"
                    )
                if cpu_from is None and got:  # from the first mail on: start-up not counted
                    cpu_from = (got, servers.cpu_seconds(worker.pid))
                time.sleep(0.05)
            wall = time.perf_counter() - started
            cpu_ms = None
            if cpu_from is not None and inbox.count() > cpu_from[0]:
                used = servers.cpu_seconds(worker.pid) - cpu_from[1]
                cpu_ms = round(1000 * used / (inbox.count() - cpu_from[0]), 3)
            time.sleep(2.0 if settings.extras else 0.5)  # anything sent twice arrives meanwhile
        project = inbox.rate()
        distinct = len(inbox.message_ids)
        statuses = _statuses(db)
        floors = []
        for _ in range(settings.rounds):
            inbox.reset()
            subprocess.run(
                [
                    str(VENV_BIN / "python"),
                    "-m",
                    "bench.smtp",
                    "--port",
                    str(port),
                    "--count",
                    str(max(due, 2)),
                    "--size",
                    str(project["mean_bytes"]),
                ],
                check=True,
                cwd=servers.ROOT,
            )
            floors.append(inbox.rate())
    floor = sorted(floors, key=lambda f: f["per_second"])[len(floors) // 2]
    ratio = project["per_second"] / floor["per_second"] if floor["per_second"] else 0.0
    valid = (
        project["messages"] == due
        and distinct == due
        and statuses.get("sent", 0) == due
        and statuses.get("pending", 0) == 0
    )
    return {
        "name": "sweep",
        "target": f">= {TARGET}",
        "met": valid and ratio >= TARGET,
        "valid": valid,
        "ratio": round(ratio, 3),
        "due": due,
        "project": project
        | {
            "wall_seconds_from_start": round(wall, 2),
            "distinct": distinct,
            "worker_cpu_ms_per_mail": cpu_ms,
        },
        "floor": floor,
        "floor_runs": floors,
        "reminder_rows": statuses,
        "worker_env": {"OPI_SWEEP_SECONDS": SWEEP_SECONDS},
        "line": (
            f"sweep: project {project['per_second']:.1f} mails/s ({due} reminders, "
            f"{project['seconds']:.1f} s, {project['mean_bytes']} B each), floor "
            f"{floor['per_second']:.1f} mails/s; target >= {TARGET}"
            + ("" if valid else f"; INVALID: {statuses}")
            + f"; ratio={ratio:.3f}"
        ),
    }
