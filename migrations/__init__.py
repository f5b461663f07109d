"""Alembic migrations of the opi-workflow schema (SQLite and PostgreSQL)."""
