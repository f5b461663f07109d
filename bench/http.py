"""Alternating wrk runs of the project and its floor, and the figures they give."""

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import wrk
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
            "runs": [r.as_dict() for r in self.runs],
        }


def _one(side: Side, settings: RunSettings, duration: float, connections: int) -> wrk.Load:
    load = wrk.run(
        side.base_url,
        side.next_file("measure"),
        duration=duration,
        connections=connections,
        threads=settings.threads,
        mode=side.mode,
    )
    side.consumed(load)
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
                _one(side, settings, settings.warmup, connections)
            loads[side.name] = _one(side, settings, settings.duration, connections)
            side.runs.append(loads[side.name])
        floor_rps = loads[floor.name].throughput
        ratios.append(loads[project.name].throughput / floor_rps if floor_rps else 0.0)
    return ratios
