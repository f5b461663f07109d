"""The overview's tables as CSV and workbook: a BOM, numbers as numbers, no formulas."""

import csv
import io
from datetime import date

from openpyxl import load_workbook

from tests.leaders_data import TEST_NOW
from workflow.leaders.figures import Overview, PilotEffect
from workflow.leaders.period import Period
from workflow.leaders.tables import table, to_csv, to_xlsx

FORMULA = '=HYPERLINK("https://example.org","klik")'


def _overview() -> Overview:
    effect = PilotEffect(7, FORMULA, "-5 kg", 14, 7, "4,5", "@enhed", -67.9)
    return Overview(None, Period(date(2026, 1, 1), date(2026, 2, 1)), TEST_NOW,
                    [], [], [], [], [], [], [effect])  # fmt: skip


def test_csv_neutralises_formulas_and_keeps_numbers() -> None:
    body = to_csv(table(_overview(), "pilot_effects", "da"), keys=True)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "case_id"
    assert rows[1] == ["7", "'" + FORMULA, "'-5 kg", "14", "7", "4,5", "'@enhed", "-67.9"]


def test_workbook_cells_are_text_or_numbers_never_formulas() -> None:
    book = load_workbook(io.BytesIO(to_xlsx([table(_overview(), "pilot_effects", "en")], "x")))
    sheet = book["pilot_effects"]
    assert [c.value for c in sheet[4]][:3] == ["Case", "Title", "Metric"]
    row = sheet[5]
    assert row[1].value == FORMULA and row[1].data_type == "s"
    assert row[0].value == 7 and row[7].value == -67.9
