"""Starting the servers under test as subprocesses: `opi serve`, `opi worker`, the floor app.

The project and its floor run as separate processes started the same way, each with one
uvicorn worker and the same log level, and are stopped (SIGTERM, then SIGKILL) by their own
process ids when the benchmark is done with them.
"""

import os
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.config import ROOT, VENV_BIN

LOG_LEVEL = "warning"


def free_port() -> int:
    """A TCP port on the loopback interface nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process `pid` and its live descendants have used so far
    (a server with several worker processes, or gunicorn's master and its worker)."""
    total = 0
    for proc in [pid, *_descendants(pid)]:
        try:
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


def environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a server process: ours, with the benchmark database and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPI_")}
    env |= {"OPI_DATABASE_URL": database_url, "OPI_ENVIRONMENT": "development", **extra}
    return env


def _help(*args: str) -> str:
    done = subprocess.run(
        [str(VENV_BIN / "opi"), *args, "--help"], capture_output=True, text=True, check=False
    )
    return done.stdout


def opi_has(*command: str) -> bool:
    """Whether `opi <command...>` exists in this checkout."""
    return "usage:" in _help(*command)


def serve_command(port: int) -> list[str]:
    """`opi serve` on `port`, without the in-process reminder sweep when that can be turned off."""
    command = [str(VENV_BIN / "opi"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", LOG_LEVEL]
    if "--no-scheduler" in _help("serve"):
        command.append("--no-scheduler")
    return command


def floor_command(port: int) -> list[str]:
    """The floor app on `port`, on the same uvicorn settings as `opi serve`."""
    return [
        str(VENV_BIN / "python"),
        "-m",
        "bench.floor_app",
        "--port",
        str(port),
        "--log-level",
        LOG_LEVEL,
    ]


@contextmanager
def process(
    command: Sequence[str],
    env: dict[str, str],
    log: Path,
    ready_url: str | None = None,
    cwd: Path | None = ROOT,
    stop_after: float = 15,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` (in `cwd`, its output to `log`) until the block ends; wait for `ready_url`
    to answer 200 first. Stopped afterwards, killed if it takes longer than `stop_after` s."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            list(command), env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            if ready_url is not None:
                wait_until_ready(proc, ready_url, log)
            yield proc
        finally:
            stop(proc, stop_after)


def stop(proc: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float = 15) -> None:
    """SIGTERM the process and wait; SIGKILL it if it has not ended in `timeout` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


def wait_until_ready(
    proc: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 60
) -> None:
    """Return once `url` answers 200; fail with the server's log if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}: {log.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s: {log.read_text()}")
