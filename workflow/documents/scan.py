"""Malware scanning with ClamAV's clamd over its INSTREAM protocol (`OPI_CLAMD_SOCKET`).

A small client rather than the PyPI `clamd` package (last released 2014): INSTREAM is a few
lines. The file is sent in chunks, each prefixed with its length as a 4-byte big-endian
number, ended by a zero length; clamd answers `stream: OK` or `stream: <name> FOUND`.
"""

import socket
import struct
from dataclasses import dataclass
from pathlib import Path

SEND_BYTES = 64 * 1024
TIMEOUT_SECONDS = 60.0


class ScannerUnavailable(RuntimeError):
    """clamd could not be reached or gave an answer that is not a verdict."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What clamd found: `signature` is None for a clean file."""

    signature: str | None

    @property
    def infected(self) -> bool:
        """Whether clamd named a signature."""
        return self.signature is not None


def _connect(address: str) -> socket.socket:
    if address.startswith("tcp:"):
        _, host, port = address.split(":", 2)
        return socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(TIMEOUT_SECONDS)
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    return sock


def scan_file(address: str, path: Path) -> Verdict:
    """Stream the file at `path` to clamd at `address` and return its verdict."""
    try:
        with _connect(address) as sock, path.open("rb") as handle:
            sock.sendall(b"zINSTREAM\0")
            while piece := handle.read(SEND_BYTES):
                sock.sendall(struct.pack("!L", len(piece)) + piece)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                more = sock.recv(4096)
                if not more:
                    break
                answer += more
    except OSError as exc:
        raise ScannerUnavailable(f"clamd at {address} could not be reached: {exc}") from exc
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(" FOUND"):
        return Verdict(text.removeprefix("stream:").removesuffix(" FOUND").strip())
    if text.endswith(": OK"):
        return Verdict(None)
    raise ScannerUnavailable(f"clamd answered {text!r}")


def ping(address: str) -> bool:
    """Whether clamd answers PING (for tests and readiness)."""
    try:
        with _connect(address) as sock:
            sock.sendall(b"zPING\0")
            return sock.recv(64).rstrip(b"\0") == b"PONG"
    except OSError:
        return False
