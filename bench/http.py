"""Alternating wrk runs of the project and its floor, and the figures they give."""

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import servers, wrk
from bench.config import RunSettings

RequestFile = Callable[[str], Path]
"""Writes the request file for the next run of a side (`warmup` or `measure`); its path."""


@dataclass
class Side:
    """The project or the floor: where it listens, what it is sent, what it did."""

    name: str
    base_url: str
    next_file: RequestFile
    runs: list[wrk.Load] = field(default_factory=list)
    consumed: Callable[[wrk.Load], None] = lambda load: None
    mode: wrk.Mode = "cycle"
    """`once` for writes: each prepared request is sent at most once."""
    pid: int | None = None
    """The server's process, whose CPU time per request is noted when known."""
    cpu_ms: list[float] = field(default_factory=list)

    def median(self, pick: Callable[[wrk.Load], float]) -> float:
        """The median of a figure over the measured runs."""
        return statistics.median(pick(r) for r in self.runs) if self.runs else 0.0

    def summary(self) -> dict[str, Any]:
        """Medians of the measured runs and every run's figures."""
        return {
            "throughput": round(self.median(lambda r: r.throughput), 1),
            "p50_ms": round(self.median(lambda r: r.latency_ms["p50"]), 2),
            "p99_ms": round(self.median(lambda r: r.latency_ms["p99"]), 2),
            "failed": sum(r.failed for r in self.runs),
            "cpu_ms_per_request": round(statistics.median(self.cpu_ms), 2) if self.cpu_ms else None,
            "runs": [r.as_dict() for r in self.runs],
        }


def measure(
    side: Side, settings: RunSettings, duration: float, connections: int, *, keep: bool = True
) -> wrk.Load:
    """One wrk run against `side`; kept in `side.runs` (with the server's CPU) if `keep`."""
    before = servers.cpu_seconds(side.pid) if side.pid else None
    load = wrk.run(
        side.base_url,
        side.next_file("measure" if keep else "warmup"),
        duration=duration,
        connections=connections,
        threads=settings.threads,
        mode=side.mode,
    )
    side.consumed(load)
    if keep:
        side.runs.append(load)
        if before is not None and side.pid and load.requests:
            used = servers.cpu_seconds(side.pid) - before
            side.cpu_ms.append(1000 * used / load.requests)
    return load


def alternate(
    project: Side, floor: Side, settings: RunSettings, connections: int | None = None
) -> list[float]:
    """Warm up and measure floor then project, `settings.rounds` times; each round's ratio."""
    connections = connections or settings.connections
    ratios = []
    for _ in range(settings.rounds):
        loads = {}
        for side in (floor, project):
            if settings.warmup > 0:
                measure(side, settings, settings.warmup, connections, keep=False)
            loads[side.name] = measure(side, settings, settings.duration, connections)
        floor_rps = loads[floor.name].throughput
        ratios.append(loads[project.name].throughput / floor_rps if floor_rps else 0.0)
    return ratios


def median(values: list[float]) -> float:
    """The middle of `values` (the upper one of an even count), 0 when there are none: the
    figure a benchmark reports of its rounds."""
    return sorted(values)[len(values) // 2] if values else 0.0


def headline(
    name: str, target: str, met: bool, valid: bool, ratio: float, ratios: list[float]
) -> dict[str, Any]:
    """The keys every benchmark's result starts with, the same in each for `bench.report`:
    a target counts as met only in a valid run."""
    return {
        "name": name,
        "target": target,
        "met": valid and met,
        "valid": valid,
        "ratio": round(ratio, 3),
        "round_ratios": [round(r, 3) for r in ratios],
    }
