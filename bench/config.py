"""Sizes and durations of a benchmark run: the full run and the tiny one the smoke test uses."""

import os
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
LUA_DIR = BENCH_DIR / "lua"
VENV_BIN = ROOT / ".venv" / "bin"

PG_HOST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_TAG = os.environ.get("OPI_BENCH_TAG", "")
"""Appended to the benchmark databases' names, so that two checkouts on one machine (engineers
working side by side) never drop or regenerate each other's data; empty by default."""


@dataclass(frozen=True)
class DataSize:
    """How much data the benchmark database holds."""

    cases: int = 100_000
    ready_cases: int = 40_000
    """Cases in `need` whose `advance` guards are met: one per transition request."""
    due_reminders: int = 10_000
    audit_events: int = 1_000_000
    floor_rows: int = 300_000
    """Rows the transition floor locks and updates, one per request like the project's cases."""
    municipalities: int = 98
    companies: int = 400


@dataclass(frozen=True)
class RunSettings:
    """How each benchmark is driven."""

    size: DataSize = DataSize()
    duration: float = 10.0
    """Seconds of each measured wrk run."""
    warmup: float = 3.0
    """Seconds of an unmeasured wrk run before each measured one."""
    rounds: int = 3
    """Floor and project runs alternate this many times; the medians are reported."""
    connections: int = 8
    threads: int = 1
    extras: bool = True
    """Also the runs that give context but no ratio (one connection; a manager's search)."""
    template_max_age_hours: float = 48.0
    """Older benchmark data is regenerated: its due reminders would no longer be due."""
    quick: bool = False

    @property
    def label(self) -> str:
        """`full` or `quick` (and `OPI_BENCH_TAG`), used in database and result file names."""
        mode = "quick" if self.quick else "full"
        return f"{mode}_{BENCH_TAG}" if BENCH_TAG else mode


FULL = RunSettings()
QUICK = replace(
    FULL,
    size=DataSize(
        cases=500,
        ready_cases=400,
        due_reminders=10,
        audit_events=4_000,
        floor_rows=5_000,
        municipalities=4,
        companies=6,
    ),
    duration=1.0,
    warmup=0.0,
    rounds=1,
    connections=2,
    quick=True,
)
