"""Counting the SQL statements one API request runs, in process, on the benchmark database."""

from typing import Any

from sqlalchemy import event


def count_statements(
    database_url: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str | None = None,
) -> dict[str, Any]:
    """Send one request through the app in this process; its status and every statement.

    The app's sessions are bound to an engine of their own on `database_url` (the way the
    API tests override `get_session`); pool pings and commits are not statements.
    """
    from collections.abc import Iterator

    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from api.app import create_app
    from api.deps import get_session
    from workflow.core.db import make_engine

    engine = make_engine(database_url)

    def session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as s:
            yield s

    statements: list[str] = []
    commits: list[int] = []

    def on_execute(*args: Any) -> None:
        statements.append(" ".join(str(args[2]).split())[:160])

    def on_commit(*_: Any) -> None:
        commits.append(1)

    app = create_app()
    app.dependency_overrides[get_session] = session
    client = TestClient(app)
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
        engine.dispose()
    return {
        "status": response.status_code,
        "statements": len(statements),
        "commits": len(commits),
        "response_bytes": len(response.content),
        "sql": statements,
    }
