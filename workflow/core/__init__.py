"""Shared infrastructure: database engines, settings, time, domain errors, migrations."""
