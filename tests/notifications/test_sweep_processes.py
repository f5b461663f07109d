"""Several `opi worker` processes, and a killed one: each reminder goes out once, none is lost.

These run real worker processes against a real SMTP server on loopback. They are bounded by a
generous time limit (never asserted on), and marked slow.
"""

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from tests.factories import DatabaseTarget
from tests.loopback import free_port, stop
from tests.notifications.test_sweep import opi_command, worker_env
from tests.reminder_support import Inbox, Scene, make_scene, smtp_server
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.service import add_deadline
from workflow.models import AuditEvent, Reminder

pytestmark = pytest.mark.slow

LIMIT_SECONDS = 180.0
"""Upper bound on any wait below; a healthy run needs a small fraction of it."""


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition` until it holds; fail (not hang) after `LIMIT_SECONDS`."""
    give_up = time.monotonic() + LIMIT_SECONDS
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


def add_due_reminders(session: Session, scene: Scene, count: int) -> set[str]:
    """`count` deadlines whose 7-day reminder is due now: one email each. Their dedup keys."""
    now = utcnow()
    work = UnitOfWork(session)
    deadlines = [
        add_deadline(
            work,
            scene.case_id,
            scene.manager,
            title=f"Leverance {n}",
            due_at=now + timedelta(days=6),
            responsible_organisation_id=(scene.company_da if n % 2 else scene.company_en).id,
            now=now,
            calendar="any",
        )
        for n in range(count)
    ]
    work.commit()
    ids = [d.id for d in deadlines]
    keys = set(
        session.execute(
            select(Reminder.dedup_key).where(
                col(Reminder.deadline_id).in_(ids), col(Reminder.rung) == "pre7"
            )
        ).scalars()
    )
    work.commit()
    assert len(keys) == count
    return keys


def count_rows(session: Session, status: str) -> int:
    """Reminder rows in `status`, read in a transaction of its own."""
    value = session.execute(
        select(func.count()).select_from(Reminder).where(col(Reminder.status) == status)
    ).scalar_one()
    session.commit()
    return int(value)


def count_due(session: Session) -> int:
    """Rows still pending whose time has come."""
    value = session.execute(
        select(func.count())
        .select_from(Reminder)
        .where(col(Reminder.status) == "pending", col(Reminder.send_at) <= utcnow())
    ).scalar_one()
    session.commit()
    return int(value)


class Workers:
    """`opi worker` processes started for a test and always stopped after it."""

    def __init__(self, stack: ExitStack, tmp_path: Path, env: dict[str, str]) -> None:
        self.stack, self.tmp_path, self.env = stack, tmp_path, env
        self.processes: list[subprocess.Popen[str]] = []

    def start(self, *command: str) -> subprocess.Popen[str]:
        """One more `opi worker` (or other `opi` command), its output in a file (a full pipe
        would stall it)."""
        n = len(self.processes)
        out = self.stack.enter_context((self.tmp_path / f"worker{n}.log").open("w"))
        process = subprocess.Popen(
            opi_command(*(command or ("worker",))),
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes.append(process)
        self.stack.callback(stop, process)
        return process

    def started(self, process: subprocess.Popen[str]) -> bool:
        """Whether the worker has printed its start line."""
        n = self.processes.index(process)
        if process.poll() is not None:
            pytest.fail(f"worker {n} exited: {self.log(n)}")
        return "opi worker: sweeping" in self.log(n)

    def log(self, n: int) -> str:
        """What worker `n` printed."""
        return (self.tmp_path / f"worker{n}.log").read_text()


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def scene_and_smtp(
    stack: ExitStack, db: DatabaseTarget, delay: float = 0.0
) -> tuple[Session, Scene, Inbox, int]:
    """A session open until the test ends, the reminder scene in it, and a loopback SMTP
    server (answering after `delay` seconds): its inbox and port."""
    session = stack.enter_context(Session(db.engine, expire_on_commit=False))
    scene = make_scene(session)
    inbox, port = stack.enter_context(smtp_server(delay=delay))
    return session, scene, inbox, port


def test_three_workers_deliver_500_reminders_exactly_once(
    pg_db: DatabaseTarget, tmp_path: Path, stack: ExitStack
) -> None:
    session, scene, inbox, port = scene_and_smtp(stack, pg_db)
    env = worker_env(
        pg_db, port, OPI_SWEEP_SECONDS="0.2", OPI_SWEEP_BATCH="10", OPI_LEASE_SECONDS="120"
    )
    workers = Workers(stack, tmp_path, env)
    processes = [workers.start() for _ in range(3)]
    for process in processes:
        wait_for(lambda p=process: workers.started(p), "the workers to start")  # type: ignore[misc]

    keys = add_due_reminders(session, scene, 500)  # one commit: every sweeper sees them at once
    wait_for(lambda: count_rows(session, "sent") == 500, "every reminder to be marked sent")

    received = Counter(inbox.message_ids())
    expected = {f"<{key}@opi.example.dk>" for key in keys}
    assert set(received) == expected
    assert [mid for mid, n in received.items() if n > 1] == []
    assert count_due(session) == 0
    sent_events = list(
        session.execute(
            select(AuditEvent.data).where(col(AuditEvent.action) == "reminder.sent")
        ).scalars()
    )
    session.commit()
    assert len(sent_events) == 500
    by_worker = Counter(json.loads(data)["worker"] for data in sent_events)
    print("reminders delivered per worker:", dict(by_worker))


def test_a_worker_killed_mid_batch_loses_nothing_and_resends_are_recognisable(
    db: DatabaseTarget, tmp_path: Path, stack: ExitStack
) -> None:
    session, scene, inbox, port = scene_and_smtp(stack, db, delay=0.02)
    env = worker_env(db, port, OPI_SWEEP_SECONDS="0.2", OPI_SWEEP_BATCH="50", OPI_LEASE_SECONDS="3")
    workers = Workers(stack, tmp_path, env)
    keys = add_due_reminders(session, scene, 200)

    doomed = workers.start()
    wait_for(lambda: inbox.count() >= 20, "the first worker to send some mail")
    os.kill(doomed.pid, signal.SIGKILL)  # mid-batch: 50 claimed, about 20 sent
    doomed.wait()
    assert inbox.count() < 200

    workers.start()
    wait_for(lambda: count_rows(session, "sent") == 200, "the restarted worker to finish")

    received = Counter(inbox.message_ids())
    expected = {f"<{key}@opi.example.dk>" for key in keys}
    assert set(received) == expected, "a reminder was lost"
    # A mail sent just before the kill but not yet marked goes out again once the lease has
    # expired: with the same Message-ID, so the receiver (and this test) sees it is a repeat.
    assert {mid for mid, n in received.items() if n > 1} <= expected
    assert count_due(session) == 0
    marked = session.execute(
        select(func.count())
        .select_from(AuditEvent)
        .where(col(AuditEvent.action) == "reminder.sent")
    ).scalar_one()
    session.commit()
    assert marked == 200  # marking is idempotent: one audit event per reminder


def test_opi_serve_sweeps_in_process_with_its_scheduler(
    db: DatabaseTarget, tmp_path: Path, stack: ExitStack
) -> None:
    session, scene, inbox, port = scene_and_smtp(stack, db)
    workers = Workers(stack, tmp_path, worker_env(db, port, OPI_SWEEP_SECONDS="0.5"))
    keys = add_due_reminders(session, scene, 3)
    workers.start("serve", "--port", str(free_port()), "--log-level", "warning")
    wait_for(lambda: count_rows(session, "sent") == 3, "the served app's scheduler to sweep")
    assert sorted(inbox.message_ids()) == sorted(f"<{key}@opi.example.dk>" for key in keys)
