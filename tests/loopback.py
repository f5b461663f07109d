"""Servers of our own on loopback: a free port, and waiting until one answers."""

import socket
import subprocess
import time
from pathlib import Path

import httpx

READY_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Return once `url` answers 200; fail with the server's log if it exits or never does."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not start in {READY_TIMEOUT}s:\n{log_path.read_text()}")
