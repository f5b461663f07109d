"""`python -m bench`: prepare the data, run the benchmarks, print one line each, save JSON."""

import argparse
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import machine, pg, wrk
from bench.config import FULL, QUICK, RESULTS_DIR, RunSettings

BENCHMARKS = (
    "audit_verify",
    "case_list",
    "catalogue",
    "similar",
    "sweep",
    "transition",
    "transition_vs_django",
    "load",
)
"""In this order: the read-only ones first, on the same copy of the data; `load` last, on
databases of its own."""

Runner = Callable[[str, RunSettings, Path], dict[str, Any]]


MODULES = {"transition_vs_django": "peer"}
"""The module of a benchmark not named after it; every other is `bench.<name>`."""


def _runner(name: str) -> Runner:
    """The benchmark's `run`, imported only when it runs (some import heavy tools)."""
    module = importlib.import_module(f"bench.{MODULES.get(name, name)}")
    runner: Runner = module.run
    return runner


def prepare(
    settings: RunSettings, log: Callable[[str], None] = print
) -> tuple[str, dict[str, Any]]:
    """A fresh copy of the (cached) benchmark data; its name and how the data was made."""
    from bench import floor_app
    from bench.generate import generate
    from workflow.core import migrate

    pg.ensure_running()
    template = f"opi_bench_tpl_{settings.label}"
    fingerprint = pg.fingerprint(settings.size)
    info = pg.template_info(template)
    data: dict[str, Any] = {"template": template, "fingerprint": fingerprint}
    if pg.template_is_fresh(info, fingerprint, settings.template_max_age_hours):
        assert info is not None
        data |= {"generated_at": info["generated_at"], "reused": True}
    else:
        log(f"generating benchmark data into {template} ...")
        now = datetime.now(UTC)
        made = generate(template, settings.size, now)
        pg.mark_template(template, fingerprint, now)
        data |= {"generated_at": now.isoformat(), "reused": False, "generated": asdict(made)}
        log(f"generated in {made.seconds:.0f} s: {made.cases} cases, {made.events} events")
    db = f"opi_bench_run_{settings.label}"
    pg.create(db, template)
    migrate.upgrade(pg.url(db))
    floor_app.create_tables(pg.url(db), settings.size.floor_rows)
    return db, data


def keep_logs_if_invalid(result: dict[str, Any], work: Path, into: Path) -> None:
    """Copy the run's server logs (`work/*.log`) to `into` when `result` is invalid (a
    request failed), and name them in the result under `logs`.

    The work folder is temporary and goes with the run; without its logs a failed request
    cannot be told apart from the load generator's noise afterwards. A valid result keeps
    nothing."""
    if result.get("valid", True):
        return
    into.mkdir(parents=True, exist_ok=True)
    kept = []
    for log in sorted(work.glob("*.log")):
        shutil.copy2(log, into / log.name)
        kept.append(str(into / log.name))
    result["logs"] = kept


def run(
    settings: RunSettings, names: tuple[str, ...] = BENCHMARKS, keep: bool = False
) -> dict[str, Any]:
    """Run the named benchmarks on a fresh copy of the data; every figure."""
    if {"transition", "case_list", "catalogue", "similar", "transition_vs_django"} & set(
        names
    ) and not wrk.available():
        raise SystemExit("wrk is not installed (make bench installs it: apt-get install wrk)")
    started = time.time()
    db, data = prepare(settings)
    os.environ["OPI_DATABASE_URL"] = pg.url(db)
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "mode": settings.label,
        "settings": asdict(replace(settings)),
        "machine": machine.describe(),
        "data": data,
        "benchmarks": {},
    }
    try:
        with tempfile.TemporaryDirectory(prefix="opi-bench-") as tmp:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            for name in names:
                work = Path(tmp) / name  # its own folder: an invalid one keeps only its logs
                work.mkdir()
                result = _runner(name)(db, settings, work)
                logs = RESULTS_DIR / f"logs-{settings.label}-{stamp}-{name}"
                keep_logs_if_invalid(result, work, logs)
                results["benchmarks"][name] = result
                print(result["line"], flush=True)
                if "logs" in result:
                    print(f"{name}: a request failed; the servers' logs are in {logs}", flush=True)
    finally:
        if not keep:
            pg.drop(db)
    results["seconds"] = round(time.time() - started, 1)
    results["machine"]["load_average_end"] = os.getloadavg()
    return results


def save(results: dict[str, Any]) -> Path:
    """Write the results to `bench/results/` (and `latest-<mode>.json`); the file."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"bench-{results['mode']}-{stamp}.json"
    text = json.dumps(results, indent=2, ensure_ascii=False, default=str)
    path.write_text(text + "\n", encoding="utf-8")
    (RESULTS_DIR / f"latest-{results['mode']}.json").write_text(text + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m bench`."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument("--quick", action="store_true", help="tiny data, one short round")
    parser.add_argument("--duration", type=float, help="seconds of each measured wrk run")
    parser.add_argument("--rounds", type=int, help="floor/project alternations")
    parser.add_argument("--keep", action="store_true", help="keep the run's database")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    if args.duration:
        settings = replace(settings, duration=args.duration)
    if args.rounds:
        settings = replace(settings, rounds=args.rounds)
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    names = tuple(n for n in BENCHMARKS if n in args.names) if args.names else BENCHMARKS
    results = run(settings, names, keep=args.keep)
    path = save(results)
    print(f"results: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
