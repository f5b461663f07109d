"""The loopback SMTP server of the sweep benchmark, and the floor that sends to it.

`Sink` accepts every message and notes when each one arrived and how large it was. The
floor, `python -m bench.smtp --port N --count C --size S`, sends C mails of S bytes with
smtplib over one connection, as fast as the server takes them: what delivering C reminders
costs with no database, no rendering and no bookkeeping.
"""

import argparse
import smtplib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

FROM = "opi-workflow@localhost"
TO = "opi@kommune1.dk"


class Sink:
    """An aiosmtpd handler that accepts everything and records arrival times and sizes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.sizes: list[int] = []
        self.message_ids: set[str] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Note the message; accept it."""
        content: bytes = envelope.original_content or envelope.content
        now = time.perf_counter()
        marker = content.find(b"\nMessage-ID:")
        mid = content[marker : content.find(b"\n", marker + 1)] if marker >= 0 else b""
        with self.lock:
            self.times.append(now)
            self.sizes.append(len(content))
            if mid:
                self.message_ids.add(mid.decode("ascii", "replace").strip())
        return "250 OK"

    def count(self) -> int:
        """Messages received so far."""
        with self.lock:
            return len(self.times)

    def reset(self) -> None:
        """Forget everything received."""
        with self.lock:
            self.times.clear()
            self.sizes.clear()
            self.message_ids.clear()

    def rate(self) -> dict[str, float]:
        """Messages per second between the first and the last arrival, and the mean size."""
        with self.lock:
            times, sizes = list(self.times), list(self.sizes)
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        return {
            "messages": len(times),
            "seconds": round(span, 3),
            "per_second": round((len(times) - 1) / span, 1) if span else 0.0,
            "mean_bytes": round(sum(sizes) / len(sizes)) if sizes else 0,
        }


@contextmanager
def sink(port: int) -> Iterator[Sink]:
    """A running sink on 127.0.0.1:`port`."""
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def mail_of_size(size: int, n: int) -> bytes:
    """A plain mail of `size` bytes on the wire (CRLF lines, no dot-stuffing needed)."""
    message = EmailMessage()
    message["Subject"] = f"Påmindelse {n}"
    message["From"] = FROM
    message["To"] = TO
    message["Message-ID"] = f"<floor-{n}@localhost>"
    message.set_content("x")
    head = message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    filler = max(0, size - len(head))
    lines = [b"y" * 76 for _ in range(filler // 78)]
    body = b"\r\n".join(lines) + b"\r\n" if lines else b""
    return head + body + b"z" * max(0, filler - len(body))


def send_floor(port: int, count: int, size: int) -> None:
    """Send `count` mails of `size` bytes over one connection."""
    mails = [mail_of_size(size, n) for n in range(count)]
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for mail in mails:
            smtp.sendmail(FROM, [TO], mail)


def main() -> None:
    """Entry point of the floor sender."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--size", type=int, required=True)
    args = parser.parse_args()
    send_floor(args.port, args.count, args.size)


if __name__ == "__main__":
    main()
