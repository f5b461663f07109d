"""The floors of the HTTP benchmarks: the least work the same requests need, on FastAPI.

- `POST /floor/rows/{id}/transitions` reads the same JSON body and `If-Match` header as a
  transition and, in one transaction, locks a row, updates it and inserts one row, through the
  service's own engine (`workflow.core.db.get_engine`: the same driver, pool size and pings);
- `GET /floor/document` returns a JSON document (read at start from `BENCH_FLOOR_DOC`) that is
  the same size and shape as the project's case-list answer.

Run like `opi serve`: `python -m bench.floor_app --port N` starts uvicorn with one worker and
the same settings. The tables are created by `bench.floor_tables`.
"""

import argparse
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from workflow.core.db import get_engine, make_engine
from workflow.core.gc_freeze import freeze_startup_objects

_LOCK = text("SELECT version FROM bench_floor_rows WHERE id = :id FOR UPDATE")
_UPDATE = text("UPDATE bench_floor_rows SET version = :version, state = :state WHERE id = :id")
_INSERT = text("INSERT INTO bench_floor_log (row_id, at, data) VALUES (:id, now(), :data)")


class FloorTransition(BaseModel):
    """The body a transition request carries."""

    trigger: str
    reason: str | None = None


@asynccontextmanager
async def _freeze(_app: FastAPI) -> AsyncIterator[None]:
    freeze_startup_objects()
    yield


def create_app() -> FastAPI:
    """The floor application on `OPI_DATABASE_URL`."""
    engine = get_engine(os.environ["OPI_DATABASE_URL"])
    doc_path = os.environ.get("BENCH_FLOOR_DOC")
    document: Any = json.loads(Path(doc_path).read_text("utf-8")) if doc_path else {}
    # The same runtime treatment as `opi serve` (workflow.core.gc_freeze).
    app = FastAPI(title="opi-workflow benchmark floor", lifespan=_freeze)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/floor/rows/{row_id}/transitions")
    def transition(
        row_id: int,
        body: FloorTransition,
        if_match: Annotated[str | None, Header(alias="If-Match")] = None,
    ) -> JSONResponse:
        with engine.begin() as conn:
            version = conn.execute(_LOCK, {"id": row_id}).scalar_one() + 1
            conn.execute(_UPDATE, {"id": row_id, "version": version, "state": body.trigger})
            conn.execute(_INSERT, {"id": row_id, "data": if_match or ""})
        return JSONResponse({"id": row_id, "version": version}, headers={"ETag": f'"{version}"'})

    @app.get("/floor/document")
    def floor_document() -> JSONResponse:
        return JSONResponse(document)

    return app


def create_tables(database_url: str, rows: int) -> None:
    """(Re)create the floor's tables with `rows` rows to lock, one per request."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_floor_log, bench_floor_rows"))
        conn.execute(
            text(
                "CREATE TABLE bench_floor_rows (id integer PRIMARY KEY, "
                "version integer NOT NULL, state varchar(20) NOT NULL)"
            )
        )
        conn.execute(
            text(
                "CREATE TABLE bench_floor_log (id bigserial PRIMARY KEY, row_id integer NOT NULL "
                "REFERENCES bench_floor_rows (id), at timestamptz NOT NULL, data text NOT NULL)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO bench_floor_rows SELECT g, 1, 'need' "
                "FROM generate_series(1, :rows) AS g"
            ),
            {"rows": rows},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE bench_floor_rows"))
    engine.dispose()


def main() -> None:
    """Serve the floor exactly as `opi serve` serves the API."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args()
    uvicorn.run(
        "bench.floor_app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=1,
        log_level=args.log_level,
    )


if __name__ == "__main__":
    main()
