"""Migration 0014 on both databases: the `organisation_requests` table, its one-pending-request
rule in the database itself, and a clean downgrade to the revision before it."""

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from tests.migration_support import insert_furesoe, migrated
from workflow.core.db import make_engine
from workflow.core.migrate import alembic_config

INSERT = text(
    "INSERT INTO organisation_requests (case_id, company_name, cvr, contact_name, email, "
    "language, status, created_at) VALUES (1, 'Nordlys ApS', '12345678', 'Karen', "
    "'karen@nordlys.example', 'da', :status, '2026-12-01 10:00:00')"
)


def test_one_pending_request_per_call_and_cvr_and_downgrade(empty_db: str) -> None:
    with migrated(empty_db) as engine:
        with engine.begin() as conn:
            insert_furesoe(conn, "2026-12-01 10:00:00")
            conn.execute(
                text(
                    "INSERT INTO cases (title, state, on_hold, lead_municipality_id, need, call, "
                    "agreement, pilot, scale, version, phase_entered_at, created_at, "
                    "updated_at, search_full, search_call) VALUES ('Sag', 'match', false, 1, "
                    "'{}', '{}', '{}', '{}', '{}', 1, '2026-12-01 10:00:00', "
                    "'2026-12-01 10:00:00', '2026-12-01 10:00:00', '', '')"
                )
            )
            conn.execute(INSERT, {"status": "pending"})
            conn.execute(INSERT, {"status": "declined"})  # decided ones do not count
            conn.execute(INSERT, {"status": "approved"})
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(INSERT, {"status": "pending"})
    command.downgrade(alembic_config(empty_db), "0011")
    engine = make_engine(empty_db)
    try:
        assert "organisation_requests" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
