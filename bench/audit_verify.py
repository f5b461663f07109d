"""`audit_verify`: recomputing every chain of a 1,000,000-event log vs hashing its bytes.

The project is `workflow.audit.verify.verify_log`, the function behind `opi audit verify` and
`GET /audit/verify`, timed in this process. The floor is SHA-256 over the same canonical bytes
(`workflow.audit.writer.event_bytes` of every stored event, built beforehand and held in
memory), one digest per event in one pass: the hashing any verification must do, with no reading,
encoding or checking. Floor and project alternate; a warm-up verification fills the caches.
"""

import hashlib
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import pg, servers
from bench.config import VENV_BIN, RunSettings
from workflow.audit.stream import ReadSnapshot
from workflow.audit.verify import verify_log
from workflow.audit.writer import encode_event
from workflow.core.db import make_engine
from workflow.core.settings import Settings

TARGET = 0.5


def canonical_bytes(db: str) -> list[bytes]:
    """The bytes each stored event's hash covers, in the verifier's order."""
    from json.encoder import encode_basestring as enc

    engine = make_engine(pg.url(db))
    blobs: list[bytes] = []
    try:
        with ReadSnapshot(engine) as snap:
            sql = (
                f"SELECT chain, seq, {snap.at_text}, actor_name, actor_role, "
                "actor_organisation_id, action, data, prev_hash FROM audit_events "
                "ORDER BY case_id NULLS FIRST, seq"
            )
            for chain, seq, at, name, role, org, action, data, prev in snap.rows(sql):
                blobs.append(
                    encode_event(enc(chain), seq, at, name, role, org, action, data, enc(prev))
                )
    finally:
        engine.dispose()
    return blobs


def _floor(blobs: list[bytes]) -> float:
    sha256 = hashlib.sha256
    started = time.perf_counter()
    for blob in blobs:
        sha256(blob).hexdigest()
    return time.perf_counter() - started


def run(db: str, settings: RunSettings, work: Path) -> dict[str, Any]:
    """Time floor and project alternately; the figures and the ratio."""
    key = Settings().checkpoint_key
    engine = make_engine(pg.url(db))
    blobs = canonical_bytes(db)
    total_bytes, stored = sum(len(b) for b in blobs), len(blobs)
    if settings.warmup > 0:
        verify_log(engine, key)
    floors, projects, cpu, reports = [], [], [], []
    for _ in range(settings.rounds):
        floors.append(_floor(blobs))
        started, cpu_started = time.perf_counter(), time.process_time()
        report = verify_log(engine, key)
        projects.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        reports.append(report.as_dict())
    engine.dispose()
    del blobs
    cli = _cli(db, work)
    ratios = [f / p for f, p in zip(floors, projects, strict=True)]
    ratio = sorted(ratios)[len(ratios) // 2]
    events = reports[-1]["events_checked"]
    valid = all(r["ok"] and r["events_checked"] == stored for r in reports)
    project_s = sorted(projects)[len(projects) // 2]
    floor_s = sorted(floors)[len(floors) // 2]
    return {
        "name": "audit_verify",
        "target": f">= {TARGET}",
        "met": valid and ratio >= TARGET,
        "valid": valid,
        "ratio": round(ratio, 3),
        "round_ratios": [round(r, 3) for r in ratios],
        "events": events,
        "canonical_bytes": total_bytes,
        "project": {
            "seconds": round(project_s, 3),
            "events_per_second": round(events / project_s),
            "runs": [round(s, 3) for s in projects],
            "cpu_seconds": [round(s, 3) for s in cpu],
            "report": reports[-1],
        },
        "floor": {
            "seconds": round(floor_s, 3),
            "events_per_second": round(events / floor_s),
            "runs": [round(s, 3) for s in floors],
        },
        "cli": cli,
        "line": (
            f"audit_verify: project {project_s:.2f} s for {events} events "
            f"({events / project_s:,.0f}/s), floor {floor_s:.2f} s "
            f"({events / floor_s:,.0f}/s, {total_bytes / 1e6:.0f} MB); target >= {TARGET}"
            + ("" if valid else "; INVALID: the log did not verify")
            + f"; ratio={ratio:.3f}"
        ),
    }


def _cli(db: str, work: Path) -> dict[str, Any]:
    """`opi audit verify` once, as an operator runs it (start-up included)."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(VENV_BIN / "opi"), "audit", "verify"],
        env=servers.environment(pg.url(db)),
        capture_output=True,
        text=True,
        check=False,
    )
    (work / "audit-verify-cli.log").write_text(done.stdout + done.stderr)
    return {
        "exit_code": done.returncode,
        "seconds": round(time.perf_counter() - started, 3),
        "output": done.stdout.strip()[:300],
    }
