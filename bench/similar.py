"""`similar`: "Lignende behov", `GET /needs/{id}/similar`, over 100,000 shared needs.

Every need page asks for its similar needs (and "Det har andre gjort", the same search over
the knowledge library). Looking for any of a need's 16 first words matched most of the needs
and cost 313 ms a page; `workflow.needs.similar` now looks for its few rarest words and ranks
a capped candidate set. Issue 17's target for a catalogue read: p99 under 50 ms at 8
connections. As in `catalogue`, every case of this run's copy is put in the catalogue first
(one UPDATE, then ANALYZE, whose statistics pick the rare words), and a municipality's manager
asks for the similar needs of `CASES` needs spread evenly over the data, cycling through them.
The floor is a bare endpoint answering the first need's document, byte for byte as large,
alternated with the project as in `case_list`.
"""

from pathlib import Path
from typing import Any

import psycopg

from bench import pg
from bench.catalogue import measure_shared_reads
from bench.config import RunSettings

CASES = 200
"""How many needs' similar needs the requests cycle through."""


def case_ids(db: str, count: int = CASES) -> list[int]:
    """`count` shared needs' ids, spread evenly over all of them."""
    with psycopg.connect(pg.dsn(db), autocommit=True) as conn:
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM cases WHERE shared_at IS NOT NULL ORDER BY id"
            ).fetchall()
        ]
    step = max(len(ids) // count, 1)
    return ids[::step][:count]


def run(db: str, settings: RunSettings, work: Path) -> dict[str, Any]:
    """Share every need, then measure the similar needs against their floor; every figure."""
    return measure_shared_reads(
        "similar",
        db,
        lambda shared_db: [f"/api/v1/needs/{case_id}/similar" for case_id in case_ids(shared_db)],
        settings,
        work,
        found=len,
        keys=("needs", "similar_per_need"),
        describe=lambda _found, needs: f"{needs} needs cycled",
        first=20,
    )
