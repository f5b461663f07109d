"""Prometheus metrics of the service (`GET /metrics`, README "Operations").

Two kinds, on purpose. What a process did (requests answered, transitions applied or
refused) exists only in that process: counters here, which prometheus-client's multiprocess
mode adds up over `opi serve --workers N` (`PROMETHEUS_MULTIPROC_DIR`, set by `opi serve`).
What the database knows (reminders by status, how late the sweep is, when the audit log was
last verified and checkpointed) is read when scraped, so it is right whichever process, or
separate `opi worker`, did the work.
"""

import os
from collections.abc import Iterable, Iterator
from datetime import datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from workflow.core.timeutil import utcnow
from workflow.models import AuditCheckpoint, Reminder, ReminderStatus
from workflow.ops.heartbeats import AUDIT_VERIFICATION, last_ok

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED_ROUTE = "(unmatched)"
"""The route label of requests no route matched: their paths would be unbounded labels."""

HTTP_REQUESTS = Counter(
    "opi_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "opi_http_request_duration_seconds",
    "Time from a request's arrival to its last response byte, by method and route template.",
    ["method", "route"],
)
TRANSITIONS = Counter(
    "opi_transitions", "Transitions applied and committed, by trigger.", ["trigger"]
)
REFUSALS = Counter(
    "opi_transition_refusals",
    "Refused transitions, by unmet requirement code (`invalid-transition` when the trigger "
    "does not apply); a refusal with two unmet requirements counts once for each.",
    ["requirement"],
)


def count_request(method: str, route: str, status: int, seconds: float) -> None:
    """One answered request."""
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_DURATION.labels(method, route).observe(seconds)


def count_transition(trigger: str) -> None:
    """One committed transition."""
    TRANSITIONS.labels(trigger).inc()


def count_refusal(codes: Iterable[str]) -> None:
    """One committed refusal, under each requirement code that caused it."""
    for code in codes:
        REFUSALS.labels(code).inc()


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time."""

    def __init__(self, engine: Engine, now: datetime | None = None) -> None:
        self.engine, self.now = engine, now

    def collect(self) -> Iterator[Metric]:
        """Every gauge; `opi_database_up` 0 (and nothing else) when the database fails."""
        up = GaugeMetricFamily("opi_database_up", "Whether /metrics could read the database.")
        try:
            gauges = list(self._read(self.now or utcnow()))
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from gauges

    def _read(self, now: datetime) -> Iterator[Metric]:
        with Session(self.engine) as session:
            counted = select(col(Reminder.status), func.count()).group_by(col(Reminder.status))
            by_status: dict[str, int] = {
                status: count for status, count in session.execute(counted).all()
            }
            oldest_due = session.execute(
                select(func.min(col(Reminder.next_attempt_at))).where(
                    col(Reminder.status) == ReminderStatus.PENDING.value,
                    col(Reminder.next_attempt_at) <= now,
                )
            ).scalar_one()
            checkpoint = session.execute(select(func.max(col(AuditCheckpoint.at)))).scalar_one()
            verified = last_ok(session, AUDIT_VERIFICATION)
        reminders = GaugeMetricFamily(
            "opi_reminders",
            "Reminder rows by status (sent, failed, skipped, ... : the sweep's outcomes).",
            labels=["status"],
        )
        for status in ReminderStatus:
            reminders.add_metric([status.value], by_status.get(status.value, 0))
        yield reminders
        yield GaugeMetricFamily(
            "opi_reminder_sweep_lag_seconds",
            "Age of the oldest reminder that is due and not sent (0 when none is waiting).",
            value=_age(now, oldest_due) or 0.0,
        )
        for name, at, what in (
            ("opi_audit_checkpoint_age_seconds", checkpoint, "the newest audit checkpoint"),
            ("opi_audit_verification_age_seconds", verified, "the last clean audit verification"),
        ):
            age = _age(now, at)
            if age is not None:  # absent until it first happens: alert with absent()
                yield GaugeMetricFamily(name, f"Seconds since {what}.", value=age)


def _age(now: datetime, at: datetime | None) -> float | None:
    return None if at is None else max(0.0, (now - at).total_seconds())


def exposition(engine: Engine) -> tuple[bytes, str]:
    """The text exposition of every metric, and its content type."""
    if os.environ.get(MULTIPROC_ENV):
        counters = CollectorRegistry()
        MultiProcessCollector(counters)
    else:
        counters = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(engine))
    return generate_latest(counters) + generate_latest(database), CONTENT_TYPE_LATEST
