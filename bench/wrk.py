"""Driving wrk (the C load generator) with `lua/requests.lua` and reading its figures."""

import json
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.config import LUA_DIR

SCRIPT = LUA_DIR / "requests.lua"


@dataclass(frozen=True)
class Request:
    """One prepared request: a line of the file the Lua script replays."""

    method: str
    path: str
    authorization: str = ""
    if_match: str = ""
    body: str = ""

    def line(self) -> str:
        """The tab-separated line; no field may hold a tab or a newline."""
        fields = (self.method, self.path, self.authorization, self.if_match, self.body)
        if any("\t" in f or "\n" in f for f in fields):
            raise ValueError(f"request field with a tab or newline: {fields}")
        return "\t".join(fields)


@dataclass(frozen=True)
class Load:
    """The figures of one wrk run."""

    requests: int
    sent: int
    seconds: float
    errors: dict[str, int]
    latency_ms: dict[str, float]

    @property
    def throughput(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> int:
        """Requests answered with a non-2xx/3xx status, or lost to a socket error."""
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, Any]:
        """The figures for the results file."""
        return {**asdict(self), "throughput": round(self.throughput, 1)}


def available() -> bool:
    """Whether wrk is installed."""
    return shutil.which("wrk") is not None


def write_requests(path: Path, requests: Iterable[Request]) -> int:
    """Write the request file; how many lines it has."""
    lines = [r.line() for r in requests]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def run(
    base_url: str,
    request_file: Path,
    *,
    duration: float,
    connections: int,
    threads: int = 1,
    timeout: float = 10.0,
) -> Load:
    """Run wrk against `base_url` replaying `request_file`; its figures."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",  # wrk takes whole seconds
        f"--timeout={timeout:.0f}s",
        "-s",
        str(SCRIPT),
        base_url,
        "--",
        str(request_file),
        str(threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    return Load(
        requests=raw["requests"],
        sent=raw["sent"],
        seconds=raw["duration_us"] / 1e6,
        errors={k: int(v) for k, v in raw["errors"].items() if v},
        latency_ms={k: round(v / 1000, 3) for k, v in raw["latency_us"].items()},
    )
