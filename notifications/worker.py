"""`opi worker`: the background jobs in a process of their own, without the HTTP API.

Run any number of workers next to `opi serve --no-scheduler` (or next to schedulers inside
served processes): the sweep is safe to run concurrently, so each reminder still goes out once.
"""

import logging
import signal
import threading
from datetime import UTC, datetime
from types import FrameType

from notifications.scheduler import build_scheduler
from notifications.sweep import sweep
from workflow.core.db import get_engine
from workflow.core.gc_freeze import freeze_startup_objects
from workflow.core.settings import get_settings
from workflow.ops.logs import configure_logging

log = logging.getLogger(__name__)


def run_worker(*, once: bool = False) -> int:
    """Sweep every `OPI_SWEEP_SECONDS` until SIGTERM or SIGINT; with `once`, one pass only.

    The caller (`opi worker`) has checked that the database's schema is this version's.
    """
    settings = get_settings()
    if once:
        result = sweep(get_engine(), settings)
        print(
            f"reminders: {result.claimed} claimed, {result.sent} sent, {result.retried} to retry, "
            f"{result.failed} failed, {result.not_sent} not sent",
            flush=True,
        )
        return 0 if not result.errors else 1
    configure_logging(settings.log_format)
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping after the current job", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    scheduler = build_scheduler(settings)
    freeze_startup_objects()
    scheduler.start()
    job = scheduler.get_job("reminder-sweep")
    if job is not None:
        job.modify(next_run_time=datetime.now(UTC))  # sweep at once, then on the interval
    print(f"opi worker: sweeping every {settings.sweep_seconds:g} s", flush=True)
    stop.wait()
    scheduler.shutdown(wait=True)
    return 0
