"""Benchmarks of opi-workflow against the physical floor of the same work (issue 6).

Each benchmark measures the project and a floor doing the least work the same job needs, in
the same run and the same way, and reports `ratio = project / floor`:

- `transition`: `POST /cases/{id}/transitions` through `opi serve` vs a FastAPI endpoint that
  locks a row, updates it and inserts one row in one transaction (wrk, 8 connections);
- `sweep`: reminders delivered by `opi worker` vs a bare smtplib loop over one connection;
- `audit_verify`: verifying the audit log vs SHA-256 over the same canonical bytes;
- `case_list`: `GET /cases?state=pilot&q=...` vs a bare endpoint returning a JSON document of
  the same size.

Run with `make bench` (or `python -m bench --help`). Results go to `bench/results/`.
"""
