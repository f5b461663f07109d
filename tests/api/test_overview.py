"""`GET /overview`: the leaders' overview over HTTP, as JSON, CSV and a workbook, on both
databases; the figures themselves are checked by hand in `tests/workflow/leaders/`."""

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from tests.api_helpers import ApiClient
from tests.leaders_data import TEST_NOW, LeadersData, build
from workflow.leaders.figures import FIGURES

HALF_YEAR = {"from": "2026-01-01", "to": "2026-07-01"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _data(api: ApiClient) -> LeadersData:
    api.clock.now = TEST_NOW
    with Session(api.db.engine, expire_on_commit=False) as session:
        return build(session)


def _org(data_org: Any) -> dict[str, Any]:
    return {"id": data_org.id, "name": data_org.name}


def test_overview_as_json_csv_and_workbook(api: ApiClient) -> None:
    data = _data(api)
    manager = api.token("manager", _org(data.furesoe))
    answer = api.get("/overview", token=manager, params=HALF_YEAR)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["period_from"], body["period_to"]) == ("2026-01-01", "2026-07-01")
    assert body["municipality_id"] is None
    assert [(s["phase"], s["cases"]) for s in body["conversion"]] == [
        ("need", 5),
        ("match", 5),
        ("pilot", 2),
        ("scale", 1),
    ]
    assert [(o["municipality"], o["deadlines"]) for o in body["overdue"]] == [
        ("Furesø Kommune", 3),
        ("Randers Kommune", 1),
    ]
    assert body["phase_times"][0] == {
        "phase": "need",
        "stays": 6,
        "median_days": 15.0,
        "p90_days": 21.5,
    }

    one = api.get("/overview/refusals", token=manager, params=HALF_YEAR)
    assert one.status_code == 200
    assert one.json()["items"][0] == {
        "code": "call.ready",
        "phase": "need",
        "refusals": 3,
        "cases": 2,
    }

    # CSV: a BOM, the JSON's names in the first row, one row per step.
    csv_answer = api.get(
        "/overview/conversion", token=manager, params=HALF_YEAR, headers={"Accept": "text/csv"}
    )
    assert csv_answer.status_code == 200
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert csv_answer.headers["content-disposition"].startswith("attachment;")
    assert csv_answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_answer.content.decode("utf-8-sig"))))
    assert rows == [
        ["phase", "cases", "percent_of_created", "percent_of_previous"],
        ["Behov", "5", "100.0", ""],
        ["Match", "5", "100.0", "100.0"],
        ["Afprøvning", "2", "40.0", "40.0"],
        ["Skalering og vidensdeling", "1", "20.0", "50.0"],
    ]
    phases = api.get(
        "/overview/phases",
        token=manager,
        params=HALF_YEAR,
        headers={"Accept": "text/csv", "Accept-Language": "en"},
    )
    table = list(csv.reader(io.StringIO(phases.content.decode("utf-8-sig"))))
    assert table[0] == [
        "month",
        "need",
        "match",
        "agreement",
        "pilot",
        "scale",
        "completed",
        "cancelled",
    ]
    assert table[4] == ["2026-04", "0", "2", "1", "2", "0", "0", "1"]

    # The workbook: a sheet per figure, headers in the asked language, numbers as numbers.
    for path, headers in (("/overview.xlsx", {}), ("/overview", {"Accept": XLSX})):
        book_answer = api.get(path, token=manager, params=HALF_YEAR, headers=headers)
        assert book_answer.status_code == 200, book_answer.text
        assert book_answer.headers["content-type"] == XLSX
        book = load_workbook(io.BytesIO(book_answer.content))
        assert book.sheetnames == list(FIGURES)
        sheet = book["conversion"]
        assert sheet["A1"].value == "Fra behov til skalering"
        assert [c.value for c in sheet[4]] == [
            "Fase",
            "Sager",
            "% af oprettede",
            "% af forrige trin",
        ]
        assert [c.value for c in sheet[7]] == ["Afprøvning", 2, 40, 40]

    # Admins see every municipality, or one.
    everyone = api.get("/overview", params=HALF_YEAR).json()
    assert [s["cases"] for s in everyone["conversion"]] == [6, 5, 2, 1]
    randers = api.get(
        "/overview/conversion", params={**HALF_YEAR, "municipality_id": data.randers.id}
    ).json()
    assert [s["cases"] for s in randers["items"]] == [1, 1, 0, 0]

    # Scope: a company is refused, a municipality may not read another's, an unknown
    # municipality is not found.
    partner = api.token("partner", _org(data.company))
    assert api.get("/overview", token=partner).status_code == 403
    other = api.get("/overview", token=manager, params={"municipality_id": data.randers.id})
    assert other.status_code == 403
    assert other.headers["content-type"] == "application/problem+json"
    company_id = {"municipality_id": data.company.id}
    assert api.get("/overview", params=company_id).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-06-01", "to": "2026-06-01"},
        {"from": "2026-07-01", "to": "2026-01-01"},
        {"from": "1999-12-01"},
        {"to": "2101-01-01"},
        {"from": "2000-01-01", "to": "2026-01-01"},
        {"from": "1. januar"},
        {"from": "0.5"},
        {"from": "2026-02-30"},
        {"municipality_id": "0"},
        {"municipality_id": str(2**31)},
        {"since": "2026-01-01"},
    ],
    ids=[
        "from-equals-to",
        "from-after-to",
        "before-2000",
        "after-2100",
        "over-120-months",
        "not-a-date",
        "a-number",
        "no-such-day",
        "id-zero",
        "id-too-large",
        "unknown-parameter",
    ],
)
def test_bad_periods_and_parameters_are_422_problems(
    api: ApiClient, params: dict[str, str]
) -> None:
    for path in ("/overview", "/overview/phases", "/overview.xlsx"):
        answer = api.get(path, params=params)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"


def test_unknown_figure_and_missing_token(api: ApiClient) -> None:
    csv_of_all = api.get("/overview", headers={"Accept": "text/csv"})
    assert csv_of_all.status_code == 406
    assert "/api/v1/overview/phases" in csv_of_all.json()["detail"]
    either = api.get("/overview", headers={"Accept": "text/csv;q=0.5, application/json"})
    assert either.status_code == 200 and either.json()["phases"] is not None
    assert api.get("/overview/nothing").status_code == 422
    assert api.get("/overview", token=None).status_code == 401
    assert "/api/v1/overview/{figure}" in api.client.get("/openapi.json").json()["paths"]
