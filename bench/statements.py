"""Counting the SQL statements one API request runs, in process, on the benchmark database."""

from typing import Any

from sqlalchemy import event


def count_statements(
    method: str, path: str, headers: dict[str, str], body: str | None = None
) -> dict[str, Any]:
    """Send one request through the app in this process; its status and every statement.

    `OPI_DATABASE_URL` must name the benchmark database before the service's settings are
    first read. Pool pings and transaction control are counted apart from the statements.
    """
    from fastapi.testclient import TestClient

    from api.app import create_app
    from workflow.db import get_engine

    engine = get_engine()
    statements: list[str] = []
    commits: list[int] = []

    def on_execute(*args: Any) -> None:
        statements.append(" ".join(str(args[2]).split())[:160])

    def on_commit(*_: Any) -> None:
        commits.append(1)

    client = TestClient(create_app())
    client.get("/healthz")  # the engine's pool gets its first connection outside the count
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        response = client.request(
            method, path, headers=headers, content=body.encode() if body else None
        )
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)
    return {
        "status": response.status_code,
        "statements": len(statements),
        "commits": len(commits),
        "response_bytes": len(response.content),
        "sql": statements,
    }
