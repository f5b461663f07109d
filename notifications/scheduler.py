"""Background jobs run by APScheduler 3: the reminder sweep and audit checkpoints.

Each job opens its own sessions and handles each item on its own, so one bad row never stops
the batch. Several processes may run the same jobs; the jobs are safe to run concurrently.
"""

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from workflow.core.settings import Settings

log = logging.getLogger(__name__)


def run_reminder_sweep() -> None:
    """One pass of the reminder sweep over the process's database (`OPI_DATABASE_URL`)."""
    from notifications.sweep import sweep
    from workflow.core.db import get_engine
    from workflow.core.settings import get_settings

    result = sweep(get_engine(), get_settings())
    if result.claimed:
        log.info(
            "reminder sweep: %d claimed, %d sent, %d to retry, %d failed, %d not sent",
            result.claimed,
            result.sent,
            result.retried,
            result.failed,
            result.not_sent,
        )


def run_audit_checkpoint(engine: Engine | None = None, settings: Settings | None = None) -> bool:
    """Verify the audit log and write a signed checkpoint of every chain's head.

    Acts as the system actor `system:audit-checkpoint`. Every process may schedule this job
    (`opi serve --workers N`, `opi worker`); one runs it at a time, the others skip their turn.
    Each run is noted in `job_heartbeats` (the age `/metrics` reports). A broken chain is
    never signed: the job logs the first broken event as an error and returns False. Nothing
    is written when no chain changed since the newest checkpoint. Invalid checkpoints are
    logged as errors.
    """
    from workflow.access.actor import SYSTEM_CHECKPOINT
    from workflow.audit.verify import verify_and_checkpoint
    from workflow.core.db import get_engine
    from workflow.core.settings import get_settings
    from workflow.ops.exclusive import exclusive
    from workflow.ops.heartbeats import AUDIT_VERIFICATION, record_run

    settings = settings or get_settings()
    engine = engine or get_engine()
    try:
        with exclusive(engine, "audit-checkpoint") as mine:
            if not mine:
                log.info("audit checkpoint: another process is at it, skipping this turn")
                return True
            outcome = verify_and_checkpoint(engine, settings.checkpoint_key, SYSTEM_CHECKPOINT)
            record_run(engine, AUDIT_VERIFICATION, ok=not outcome.refused)
    except Exception:  # the next run tries again; the scheduler must keep running
        log.exception("audit checkpoint failed")
        return False
    if outcome.refused:
        broken = outcome.report.first_broken
        log.error(
            "audit log does not verify, no checkpoint written: %s",
            broken.as_dict() if broken else "unknown",
        )
        return False
    for invalid in outcome.report.invalid_checkpoints:
        log.error("audit checkpoint does not verify: %s", invalid.detail)
    if outcome.created and outcome.checkpoint is not None:
        log.info(
            "audit checkpoint %d: %d chains, %d events",
            outcome.checkpoint.id,
            outcome.checkpoint.chains,
            outcome.checkpoint.events,
        )
    return True


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
