"""Servers of our own on loopback: a free port, a subprocess that runs until a block ends,
waiting until a server answers, and a server in a thread.

The subprocess helpers are the benchmark's (`bench.servers`), which starts the same servers
the same way; `running` keeps the tests' defaults (the caller's directory, 30 s to stop)."""

import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

from bench.servers import free_port, process, stop, wait_until_ready

__all__ = ["free_port", "running", "serving", "stop", "wait_until_ready"]


@contextmanager
def running(
    command: list[str], env: dict[str, str], log_path: Path, ready_url: str, stop_after: float = 30
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` (its output to `log_path`) for the block, entered once `ready_url`
    answers; stopped afterwards, killed if it takes longer than `stop_after` seconds."""
    with process(command, env, log_path, ready_url, cwd=None, stop_after=stop_after) as proc:
        yield proc


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[None]:
    """Serve `server` from a daemon thread for the block; shut down and closed afterwards."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
