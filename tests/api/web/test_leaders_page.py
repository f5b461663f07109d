"""The page "Overblik for ledere" (`/ui/leaders`) on the fixed data set of
`tests/leaders_data.py`, on both databases: charts as SVG with their tables and downloads,
Danish and English, the filters' errors beside the fields, and who may see it."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from api.app import create_app
from tests.factories import DatabaseTarget
from tests.leaders_data import LeadersData, build
from tests.web_support import app_on, signed_in_client
from workflow.access.actor import SYSTEM_CLI
from workflow.access.tokens import create_token
from workflow.core.unit_of_work import UnitOfWork
from workflow.leaders.figures import FIGURES

HALF_YEAR = "from=2026-01-01&to=2026-06-30"


@dataclass
class LeadersWeb:
    """The app on the data set, with a token per kind of reader."""

    data: LeadersData
    tokens: dict[str, str]

    def client(self, who: str) -> TestClient:
        return signed_in_client(create_app(), self.tokens[who])


@pytest.fixture
def leaders_web(db: DatabaseTarget, monkeypatch: pytest.MonkeyPatch) -> Iterator[LeadersWeb]:
    with Session(db.engine, expire_on_commit=False) as session:
        data = build(session)
        work = UnitOfWork(session)
        tokens = {}
        for key, role, org in (
            ("manager", "manager", data.furesoe.id),
            ("staff", "staff", data.furesoe.id),
            ("auditor", "auditor", None),
            ("partner", "partner", data.company.id),
        ):
            _, tokens[key] = create_token(
                work, SYSTEM_CLI, name=f"{key} test", role=role, organisation_id=org
            )
        work.commit()
    with app_on(db, monkeypatch):
        yield LeadersWeb(data, tokens)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_draws_every_figure_with_its_table(leaders_web: LeadersWeb) -> None:
    client = leaders_web.client("manager")
    page = client.get(f"/ui/leaders?{HALF_YEAR}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<h1>Overblik for ledere</h1>" in html
    assert 'data-testid="nav-leaders"' in html and 'aria-current="page"' in html
    for figure in FIGURES:
        assert f'data-testid="figure-{figure}"' in html
        assert f'data-testid="table-{figure}"' in html
        assert f"/ui/leaders/{figure}.csv?from=2026-01-01&amp;to=2026-06-30" in html
    # Each chart is an accessible image: a title and a description, and a value per bar.
    assert html.count('role="img" aria-labelledby="chart-') == len(FIGURES)
    assert '<title id="chart-conversion-title">Fra behov til skalering</title>' in html
    assert "<title>Afprøvning: 2 sager (40 %)</title>" in html
    assert "<title>Skalering og vidensdeling: 1 sager (20 %)</title>" in html
    # The tables carry the numbers, in Danish number format.
    text = _text(html)
    assert "Behov 6 15 21,5" in text  # the need phase: 6 stays, median 15, p90 21.5 days
    assert (
        "call.ready Opslaget er klar: titel, tekst, kriterier på i alt 100 % og en frist Behov 3 2"
        in text
    )
    assert "Sygefravær 5,0 4 4,5 % -10" in text
    assert "Kommune: Furesø Kommune" in text
    assert "<script" not in html


def test_the_page_in_english(leaders_web: LeadersWeb) -> None:
    client = leaders_web.client("manager")
    client.get("/ui/language?lang=en&next=/ui/leaders")
    html = client.get(f"/ui/leaders?{HALF_YEAR}").text
    assert "<h1>Overview for leaders</h1>" in html
    assert '<title id="chart-conversion-title">From need to scale</title>' in html
    assert "Overblik for ledere" not in html


def test_csv_and_workbook_downloads(leaders_web: LeadersWeb) -> None:
    client = leaders_web.client("manager")
    answer = client.get(f"/ui/leaders/conversion.csv?{HALF_YEAR}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["Fase", "Sager", "% af oprettede", "% af forrige trin"]
    assert rows[3] == ["Afprøvning", "2", "40.0", "40.0"]
    book = client.get(f"/ui/leaders.xlsx?{HALF_YEAR}")
    assert book.status_code == 200
    sheets = load_workbook(io.BytesIO(book.content))
    assert sheets.sheetnames == list(FIGURES)
    assert client.get("/ui/leaders/nothing.csv").status_code == 404
    assert client.get("/ui/leaders/phases.csv?from=2026-13-01").status_code == 422


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=1.+januar", "from", "Skriv datoen som 2026-03-01."),
        ("from=1999-12-31", "from", "Datoen skal ligge i årene 2000-2100."),
        ("from=2026-06-01&to=2026-05-01", "to", "Til-datoen skal ligge på eller efter fra-datoen."),
        ("from=2000-01-01&to=2026-01-01", "to", "Højst 120 måneder ad gangen."),
        ("from=2026-01-01&to=2026-02-30", "to", "Skriv datoen som 2026-03-01."),
    ],
    ids=["not-a-date", "before-2000", "reversed", "too-long", "no-such-day"],
)
def test_bad_filters_are_explained_beside_the_field(
    leaders_web: LeadersWeb, query: str, field: str, message: str
) -> None:
    page = leaders_web.client("manager").get(f"/ui/leaders?{query}")
    assert page.status_code == 422
    assert (
        f'<p class="error" id="{field}-error" data-testid="error-{field}">{message}</p>'
        in page.text
    )
    assert 'data-testid="figure-phases"' not in page.text


def test_who_sees_what(leaders_web: LeadersWeb) -> None:
    staff = leaders_web.client("staff").get(f"/ui/leaders?{HALF_YEAR}")
    assert staff.status_code == 200 and "Kommune: Furesø Kommune" in staff.text
    assert 'name="municipality_id"' not in staff.text  # its own municipality only
    auditor = leaders_web.client("auditor")
    everyone = auditor.get(f"/ui/leaders?{HALF_YEAR}")
    assert "Alle kommuner" in everyone.text and 'name="municipality_id"' in everyone.text
    randers = leaders_web.data.randers.id
    one = auditor.get(f"/ui/leaders?{HALF_YEAR}&municipality_id={randers}")
    assert "Kommune: Randers Kommune" in one.text
    wrong = auditor.get(f"/ui/leaders?{HALF_YEAR}&municipality_id={leaders_web.data.company.id}")
    assert wrong.status_code == 422 and 'data-testid="error-municipality"' in wrong.text
    last_day = auditor.get("/ui/leaders?to=2100-12-31")  # the last day there is
    assert last_day.status_code == 200 and "31.12.2100" in last_day.text
    partner = leaders_web.client("partner")
    assert partner.get("/ui/leaders").status_code == 403
    assert partner.get("/ui/leaders/phases.csv").status_code == 403
    assert partner.get("/ui/leaders.xlsx").status_code == 403
    assert 'data-testid="nav-leaders"' not in partner.get("/ui/overview").text
