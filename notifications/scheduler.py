"""Background jobs run by APScheduler 3: the reminder sweep and audit checkpoints.

Each job opens its own sessions and handles each item on its own, so one bad row never stops
the batch. Several processes may run the same jobs; the jobs are safe to run concurrently.
"""

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from workflow.settings import Settings

log = logging.getLogger(__name__)


def run_reminder_sweep() -> None:
    """One pass of the reminder sweep (filled in by the notifications work)."""


def run_audit_checkpoint() -> None:
    """Write one signed audit checkpoint (filled in by the audit work)."""


def build_scheduler(settings: Settings) -> BackgroundScheduler:
    """A scheduler with the sweep every `OPI_SWEEP_SECONDS` and periodic audit checkpoints."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        run_reminder_sweep,
        "interval",
        seconds=settings.sweep_seconds,
        id="reminder-sweep",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        run_audit_checkpoint,
        "interval",
        seconds=settings.checkpoint_seconds,
        id="audit-checkpoint",
        max_instances=1,
        coalesce=True,
    )
    return scheduler
