"""`opi serve --workers N` (issue 15, findings 14 and 15) on PostgreSQL: every worker process
answers, reminders go out once though each process runs the sweep, the metrics add up over
the processes, and JSON log lines carry the request id."""

import json
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from tests.factories import DatabaseTarget
from tests.notifications.test_sweep_processes import add_due_reminders, count_rows, wait_for
from tests.reminder_support import make_scene, smtp_server
from tests.served import opi_serve, served_env

pytestmark = pytest.mark.slow


def access_lines(log_path: Path) -> list[dict[str, object]]:
    """The JSON access log lines the server wrote so far."""
    lines = []
    for line in log_path.read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == "opi.access":
                lines.append(record)
    return lines


def healthz_counted(base: str) -> float:
    """`/healthz` requests answered 200, added up over every worker process."""
    text = httpx.get(f"{base}/metrics", timeout=30).text
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "opi_http_requests_total" and s.labels == {
                "method": "GET",
                "route": "/healthz",
                "status": "200",
            }:
                return float(s.value)
    return 0.0


def test_two_workers_both_answer_and_deliver_each_reminder_once(
    pg_db: DatabaseTarget, tmp_path: Path
) -> None:
    with Session(pg_db.engine, expire_on_commit=False) as session, smtp_server() as (inbox, port):
        scene = make_scene(session)
        env = served_env(
            pg_db.url,
            OPI_LOG_FORMAT="json",
            OPI_SWEEP_SECONDS="0.2",
            OPI_SWEEP_BATCH="10",
            OPI_SMTP_HOST="127.0.0.1",
            OPI_SMTP_PORT=str(port),
            OPI_MAIL_FROM="frister@opi.example.dk",
            OPI_REMINDER_CALENDAR="any",
        )
        log_path = tmp_path / "serve.log"
        with opi_serve(env, log_path, "--workers", "2", "--log-level", "info") as base:
            keys = add_due_reminders(session, scene, 60)

            ids: set[str] = set()
            pids: set[int] = set()
            lock = threading.Lock()

            def ask() -> None:
                request_id = f"test-{uuid.uuid4().hex}"
                answer = httpx.get(
                    f"{base}/healthz", headers={"X-Request-ID": request_id}, timeout=30
                )
                assert answer.status_code == 200
                assert answer.headers["x-request-id"] == request_id
                with lock:
                    ids.add(request_id)

            give_up = time.monotonic() + 120
            while len(pids) < 2 and time.monotonic() < give_up:
                threads = [threading.Thread(target=ask) for _ in range(8)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                time.sleep(0.2)  # let the log lines reach the file
                pids = {
                    int(str(r["process"])) for r in access_lines(log_path) if r["request_id"] in ids
                }
            assert len(pids) == 2, "both worker processes answer"

            wait_for(lambda: count_rows(session, "sent") == 60, "every reminder to be sent")
            received = Counter(inbox.message_ids())
            assert set(received) == {f"<{key}@opi.example.dk>" for key in keys}
            assert [mid for mid, n in received.items() if n > 1] == []

            # Counters add up over both processes: every one of our requests, plus the one
            # that found the server ready.
            assert healthz_counted(base) == len(ids) + 1

        logged = [r for r in access_lines(log_path) if r["request_id"] in ids]
        assert {r["route"] for r in logged} == {"/healthz"}
        assert all(r["status"] == 200 and r["level"] == "INFO" for r in logged)
