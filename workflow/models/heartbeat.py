"""When a background job last ran, and last ran well: what `/metrics` reports as ages."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from workflow.models.columns import time_field


class JobHeartbeat(SQLModel, table=True):
    """One row per job name, overwritten on each run.

    The audit verification writes nothing else when no chain changed (no new checkpoint), so
    without this row nobody could tell a verification that ran an hour ago from one that has
    not run for a week; and the job may run in any `opi serve` or `opi worker` process.
    """

    __tablename__ = "job_heartbeats"

    name: str = Field(max_length=60, primary_key=True)
    last_run_at: datetime = time_field()
    last_ok_at: datetime | None = time_field(nullable=True, now=False)
