"""`python -m bench.report [results.json]`: the README's results table from a results file.

The table in README.md ("Benchmarks") is pasted from this output, so the committed figures
are exactly those of one recorded run.
"""

import json
import sys
from pathlib import Path
from typing import Any

from bench.config import RESULTS_DIR

PEER = "transition_vs_django"
"""The benchmark with a row per process count and no overall ratio."""


def _machine(m: dict[str, Any]) -> str:
    pg = m.get("postgresql_settings", {})
    return (
        f"{m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, PostgreSQL {m['postgresql']} "
        f"(fsync {pg.get('fsync')}, synchronous_commit {pg.get('synchronous_commit')}, "
        f"shared_buffers {pg.get('shared_buffers')}), Python {m['python']}; load average "
        f"{m['load_average'][0]:.1f} at the start, {m['load_average_end'][0]:.1f} at the end"
    )


def _met(b: dict[str, Any]) -> str:
    if not b.get("valid", True):
        return "**no** (invalid: failed requests)"
    return "yes" if b["met"] else "**no**"


def _row(name: str, b: dict[str, Any]) -> str:
    p, f = b["project"], b["floor"]
    met = _met(b)
    if name == "transition":
        figures = (
            f"{p['throughput']:.0f} req/s, p50 {p['p50_ms']:.0f} ms, p99 {p['p99_ms']:.0f} ms; "
            f"{b['statements_per_transition']['statements']} SQL statements, "
            f"{p.get('cpu_ms_per_request')} ms CPU per request"
        )
        floor = (
            f"{f['throughput']:.0f} req/s, p99 {f['p99_ms']:.0f} ms; "
            f"{f.get('cpu_ms_per_request')} ms CPU per request"
        )
    elif name == "case_list":
        one = b.get("project_one_connection", {})
        figures = (
            f"{p['throughput']:.0f} req/s; p50 {p['p50_ms']:.0f} ms, p99 {p['p99_ms']:.0f} ms "
            f"at {b['connections']} connections, p99 {one.get('p99_ms', 0):.0f} ms at 1; "
            f"{b['matches']} matches, {b['document_bytes']} B"
        )
        floor = f"{f['throughput']:.0f} req/s, p99 {f['p99_ms']:.0f} ms"
    elif name in ("catalogue", "similar"):
        if name == "catalogue":
            counts = b["matches_per_query"]
            asked = f"{b['queries']} words, {counts['min']:,}-{counts['max']:,} matches each"
        else:
            asked = f"{b['needs']} needs cycled"
        figures = (
            f"{p['throughput']:.0f} req/s, p50 {p['p50_ms']:.0f} ms, p99 {p['p99_ms']:.0f} ms "
            f"at {b['connections']} connections; {asked}; "
            f"{p.get('cpu_ms_per_request')} ms CPU per request"
        )
        floor = f"{f['throughput']:.0f} req/s, p99 {f['p99_ms']:.0f} ms"
    elif name == "sweep":
        figures = (
            f"{p['per_second']:.0f} mails/s ({b['due']} reminders in {p['seconds']:.1f} s, "
            f"{p['mean_bytes']} B each)"
        )
        floor = f"{f['per_second']:.0f} mails/s"
    elif name == "audit_verify":
        figures = f"{p['seconds']:.2f} s for {b['events']:,} events ({p['events_per_second']:,}/s)"
        floor = f"{f['seconds']:.2f} s ({f['events_per_second']:,}/s)"
        read = b.get("read_floor")
        if read:  # the honest floor beside the in-memory one: its own row
            yes = "yes" if read["met"] else "**no**"
            return (
                f"| `{name}` | {figures} | {floor} | {b['ratio']:.2f} | {b['target']} | {met} |\n"
                f"| `{name}` (read-and-hash) | {figures} | binary `COPY` and SHA-256: "
                f"{read['seconds']:.2f} s ({read['events_per_second']:,}/s) | "
                f"{read['ratio']:.2f} | {read['target']} | {yes} |"
            )
    else:  # a benchmark this table does not know yet: its own summary line
        return f"| `{name}` | {b['line']} | | {b['ratio']:.2f} | {b['target']} | {met} |"
    return f"| `{name}` | {figures} | {floor} | {b['ratio']:.2f} | {b['target']} | {met} |"


def _peer_rows(b: dict[str, Any]) -> list[str]:
    rows = []
    for key in sorted(k for k in b if k.startswith("workers_")):
        w = b[key]
        p, f, n = w["project"], w["peer"], key.removeprefix("workers_")
        met = "yes" if b["valid"] and w["ratio"] >= float(b["target"].split()[-1]) else "**no**"
        rows.append(
            f"| `transition_vs_django` ({n} process{'es' if n != '1' else ''}) | "
            f"{p['throughput']:.0f} req/s, p50 {p['p50_ms']:.0f} ms, p99 {p['p99_ms']:.0f} ms; "
            f"{p.get('cpu_ms_per_request')} ms CPU per request | Django + django-fsm-2: "
            f"{f['throughput']:.0f} req/s, p99 {f['p99_ms']:.0f} ms; "
            f"{f.get('cpu_ms_per_request')} ms CPU per request | {w['ratio']:.2f} | "
            f"{b['target']} | {met} |"
        )
    return rows


def render(results: dict[str, Any]) -> str:
    """The markdown: a line on the machine, then one table row per benchmark."""
    lines = [
        f"Run of {results['started_at'][:16].replace('T', ' ')} UTC on "
        + _machine(results["machine"])
        + ".",
        "",
        "| benchmark | project | floor | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    benchmarks = results["benchmarks"].items()
    for name, b in benchmarks:
        if name == PEER:
            lines += _peer_rows(b)
        elif "ratio" in b:
            lines.append(_row(name, b))
    # The load benchmark has no floor: it reports what load must never do.
    lines += [
        "",
        *(b["line"] for name, b in benchmarks if "ratio" not in b and name != PEER),
    ]
    return "\n".join(lines)


def main() -> None:
    """Print the table of the given results file (default: the latest full run)."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS_DIR / "latest-full.json"
    print(render(json.loads(path.read_text("utf-8"))))


if __name__ == "__main__":
    main()
