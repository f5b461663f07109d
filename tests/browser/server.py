"""Running the real service in a uvicorn subprocess on a free loopback port, and Chromium.

Shared by the browser tests and the screenshot script. Chromium is Debian's `chromium`
package, driven by Playwright through `executable_path`: Playwright never downloads a browser.
"""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.loopback import free_port, running

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def serve(
    database_url: str, log_path: Path, *, port: int | None = None, **env: str
) -> Iterator[str]:
    """The service on `database_url`, served by uvicorn in a subprocess; yields its base URL.

    `port` is for a caller that must know the address before the start (`OPI_BASE_URL`)."""
    port = port or free_port()
    environment = {
        **os.environ,
        "OPI_DATABASE_URL": database_url,
        "OPI_ENVIRONMENT": "test",
        "OPI_SECRET_KEY": "web-test-secret-key",
        "OPI_AUDIT_KEY": "web-test-audit-key",
        **env,
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    base = f"http://127.0.0.1:{port}"
    with running(command, environment, log_path, f"{base}/healthz", stop_after=15):
        yield base
