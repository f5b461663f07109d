"""The README's results table renders every benchmark's rows, the peer's and the floors'."""

from typing import Any

from bench.report import render


def _side(rps: float, p99: float, cpu: float | None = None) -> dict[str, Any]:
    return {"throughput": rps, "p50_ms": p99 / 2, "p99_ms": p99, "cpu_ms_per_request": cpu}


def _results() -> dict[str, Any]:
    machine = {
        "cores": 2,
        "cpu": "AMD EPYC",
        "ram_gib": 23.5,
        "postgresql": "15.20",
        "python": "3.11.7",
        "load_average": [1.0, 1.0, 1.0],
        "load_average_end": [2.0, 2.0, 2.0],
    }
    peer = {
        "name": "transition_vs_django",
        "target": ">= 1.2",
        "valid": True,
        "ratio": 1.3,
        "workers_1": {"ratio": 0.5, "project": _side(40, 500, 10.2), "peer": _side(80, 300, 5)},
        "workers_2": {"ratio": 1.3, "project": _side(130, 90, 4), "peer": _side(100, 120, 5)},
    }
    audit = {
        "name": "audit_verify",
        "target": ">= 0.5",
        "met": False,
        "ratio": 0.13,
        "events": 1_000_000,
        "project": {"seconds": 16.0, "events_per_second": 62_500},
        "floor": {"seconds": 2.0, "events_per_second": 500_000},
        "read_floor": {
            "seconds": 14.0,
            "events_per_second": 71_428,
            "ratio": 0.88,
            "target": ">= 0.6",
            "met": True,
        },
    }
    catalogue = {
        "name": "catalogue",
        "target": "p99 < 50 ms",
        "met": False,
        "valid": True,
        "ratio": 0.06,
        "connections": 8,
        "queries": 40,
        "matches_per_query": {"min": 2500, "max": 6020},
        "project": _side(61, 218, 14.6),
        "floor": _side(1020, 16),
    }
    similar = {
        "name": "similar",
        "target": "p99 < 50 ms",
        "met": False,
        "valid": False,
        "ratio": 0.03,
        "connections": 8,
        "needs": 200,
        "project": _side(62, 201, 14.2),
        "floor": _side(2126, 7),
    }
    load = {"name": "load", "valid": True, "line": "load (200 clients, 30 s each): 0 x 5xx"}
    return {
        "started_at": "2026-12-02T13:35:00+00:00",
        "machine": machine,
        "benchmarks": {
            "audit_verify": audit,
            "catalogue": catalogue,
            "similar": similar,
            "transition_vs_django": peer,
            "load": load,
        },
    }


def test_the_peer_gets_a_row_per_process_count_and_the_read_floor_its_own() -> None:
    table = render(_results())
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == 6, table
    one, two = (r for r in rows if r.startswith("| `transition_vs_django`"))
    assert "(1 process)" in one and "| 0.50 | >= 1.2 | **no** |" in one
    assert "(2 processes)" in two and "| 1.30 | >= 1.2 | yes |" in two
    assert "Django + django-fsm-2: 80 req/s" in one
    read = next(r for r in rows if "(read-and-hash)" in r)
    assert "14.00 s" in read and "| 0.88 | >= 0.6 | yes |" in read
    memory = next(r for r in rows if r.startswith("| `audit_verify` |"))
    assert "| 0.13 | >= 0.5 | **no** |" in memory


def test_the_catalogue_reads_get_rows_and_a_run_with_failed_requests_says_so() -> None:
    table = render(_results())
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    catalogue = next(r for r in rows if r.startswith("| `catalogue` |"))
    assert "61 req/s, p50 109 ms, p99 218 ms at 8 connections" in catalogue
    assert "40 words, 2,500-6,020 matches each" in catalogue
    assert "| 1020 req/s, p99 16 ms | 0.06 | p99 < 50 ms | **no** |" in catalogue
    similar = next(r for r in rows if r.startswith("| `similar` |"))
    assert "200 needs cycled" in similar and "**no** (invalid: failed requests)" in similar


def test_lines_without_a_ratio_follow_the_table_once() -> None:
    lines = render(_results()).splitlines()
    assert lines[-1] == "load (200 clients, 30 s each): 0 x 5xx"
    assert not any(line.startswith("transition_vs_django:") for line in lines)
