"""Driving wrk (the C load generator) with `lua/requests.lua` and reading its figures.

Where wrk is not installed (a CI image without it), `OPI_BENCH_PYTHON_LOAD=1` lets the smoke
test replay the same request file with a small threaded httpx client instead; its figures
are for checking that the benchmark code works, never for the results table.
"""

import json
import os
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import httpx

from bench.config import LUA_DIR

SCRIPT = LUA_DIR / "requests.lua"
PYTHON_LOAD = "OPI_BENCH_PYTHON_LOAD"
Mode = Literal["cycle", "once"]


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

    @classmethod
    def parse(cls, line: str) -> "Request":
        """The request a line of a request file stands for."""
        fields = [*line.rstrip("\n").split("\t"), "", "", "", ""][:5]
        return cls(*fields)


@dataclass(frozen=True)
class Load:
    """The figures of one wrk run."""

    requests: int
    sent: int
    overflow: int
    seconds: float
    errors: dict[str, int]
    latency_ms: dict[str, float]
    generator: str = "wrk"

    @property
    def throughput(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> int:
        """Requests answered with a non-2xx/3xx status, lost to a socket error, or not sent."""
        return sum(self.errors.values()) + self.overflow

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
    mode: Mode = "cycle",
    timeout: float = 10.0,
) -> Load:
    """Run wrk against `base_url` replaying `request_file`; its figures."""
    if not available() and os.environ.get(PYTHON_LOAD) == "1":
        return replay(base_url, request_file, duration=duration, connections=connections, mode=mode)
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
        mode,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    return Load(
        requests=raw["requests"],
        sent=raw["sent"],
        overflow=raw["overflow"],
        seconds=raw["duration_us"] / 1e6,
        errors={k: int(v) for k, v in raw["errors"].items() if v},
        latency_ms={k: round(v / 1000, 3) for k, v in raw["latency_us"].items()},
    )


def replay(
    base_url: str, request_file: Path, *, duration: float, connections: int, mode: Mode
) -> Load:
    """The same replay as the Lua script, with `connections` threads of httpx."""
    requests = [Request.parse(x) for x in request_file.read_text("utf-8").splitlines() if x]
    lock = threading.Lock()
    state = {"next": 0, "sent": 0, "overflow": 0, "status": 0, "socket": 0}
    latencies: list[float] = []
    stop_at = time.perf_counter() + duration

    def take() -> Request | None:
        with lock:
            if state["next"] >= len(requests):
                if mode == "once":
                    state["overflow"] += 1
                    return None
                state["next"] = 0
            request = requests[state["next"]]
            state["next"] += 1
            state["sent"] += 1
            return request

    def worker() -> None:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while time.perf_counter() < stop_at and (request := take()) is not None:
                headers = {"Authorization": request.authorization, "If-Match": request.if_match}
                headers = {k: v for k, v in headers.items() if v}
                if request.body:
                    headers["Content-Type"] = "application/json"
                started = time.perf_counter()
                try:
                    answer = client.request(
                        request.method, request.path, headers=headers, content=request.body or None
                    )
                except httpx.HTTPError:
                    with lock:
                        state["socket"] += 1
                    continue
                with lock:
                    latencies.append(time.perf_counter() - started)
                    state["status"] += answer.status_code >= 400

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 3)

    errors = {k: state[k] for k in ("status", "socket") if state[k]}
    return Load(
        requests=len(latencies),
        sent=state["sent"],
        overflow=state["overflow"],
        seconds=seconds,
        errors=errors,
        latency_ms={
            "mean": round(statistics.fmean(ordered) * 1000, 3),
            "max": pct(100),
            "p50": pct(50),
            "p90": pct(90),
            "p99": pct(99),
        },
        generator="python",
    )
