"""The overview's figures as tables: the page's data tables, the CSV files and the workbook.

One table per figure, the same on the page, in the CSV download and on the workbook's sheet,
so what a leader reads beside a chart is exactly what they download. Cells are numbers or
text; headers and states come in the page's language (Danish by default).

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula, so text cells
that start so (a case title, a metric) are written with a leading apostrophe in CSV and as
explicit text in the workbook; numbers are written as numbers.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

from states import CaseState
from states.requirements import label_of
from states.text import Text
from workflow.leaders.figures import FIGURES, STATES, Overview

Cell = str | int | float | None

TITLES: dict[str, Text] = {
    "phases": Text(
        "Sager pr. fase ved månedens udgang", "Cases per phase at the end of each month"
    ),
    "phase_times": Text("Tid i hver fase (dage)", "Time in each phase (days)"),
    "conversion": Text("Fra behov til skalering", "From need to scale"),
    "overdue": Text("Overskredne frister pr. kommune", "Overdue deadlines per municipality"),
    "refusals": Text(
        "Afviste fremrykninger pr. krav (hvor sagerne går i stå)",
        "Refused advances by requirement (where cases get stuck)",
    ),
    "reminders": Text("Påmindelser sendt og fejlet", "Reminders sent and failed"),
    "pilot_effects": Text("Afprøvningernes effekt", "Pilot effects"),
}

_HEADERS: dict[str, Text] = {
    "month": Text("Måned", "Month"),
    "phase": Text("Fase", "Phase"),
    "stays": Text("Forløb", "Stays"),
    "median_days": Text("Median (dage)", "Median (days)"),
    "p90_days": Text("90 %-fraktil (dage)", "90th percentile (days)"),
    "cases": Text("Sager", "Cases"),
    "percent_of_created": Text("% af oprettede", "% of created"),
    "percent_of_previous": Text("% af forrige trin", "% of previous step"),
    "municipality": Text("Kommune", "Municipality"),
    "deadlines": Text("Overskredne frister", "Overdue deadlines"),
    "code": Text("Kode", "Code"),
    "requirement": Text("Krav", "Requirement"),
    "refusals": Text("Afvisninger", "Refusals"),
    "sent": Text("Sendt", "Sent"),
    "failed": Text("Fejlet", "Failed"),
    "case_id": Text("Sag", "Case"),
    "title": Text("Titel", "Title"),
    "metric": Text("Måling", "Metric"),
    "baseline": Text("Udgangspunkt", "Baseline"),
    "target": Text("Mål", "Target"),
    "result": Text("Målt resultat", "Measured result"),
    "unit": Text("Enhed", "Unit"),
    "effect_percent": Text("Effekt (%)", "Effect (%)"),
}


@dataclass(frozen=True, slots=True)
class Table:
    """One figure as a table: `keys` name the columns (stable, for programs), `headers` label
    them in the page's language, `rows` hold the cells."""

    figure: str
    title: str
    keys: list[str]
    headers: list[str]
    rows: list[list[Cell]]


def _state(value: str, language: str) -> str:
    return CaseState(value).label(language)


def table(result: Overview, figure: str, language: str) -> Table:
    """Figure `figure` of `result` as a table in `language`."""
    if figure == "phases":
        keys = ["month", *(s.value for s in STATES)]
        headers = [_HEADERS["month"].pick(language), *(s.label(language) for s in STATES)]
        by_month: dict[str, list[Cell]] = {}
        for row in result.phases:
            by_month.setdefault(row.month, [row.month]).append(row.cases)
        return Table(figure, TITLES[figure].pick(language), keys, headers, list(by_month.values()))
    columns, rows = _columns_and_rows(result, figure, language)
    return Table(
        figure,
        TITLES[figure].pick(language),
        columns,
        [_HEADERS[c].pick(language) for c in columns],
        rows,
    )


def _columns_and_rows(
    result: Overview, figure: str, language: str
) -> tuple[list[str], list[list[Cell]]]:
    if figure == "phase_times":
        return ["phase", "stays", "median_days", "p90_days"], [
            [_state(r.phase, language), r.stays, r.median_days, r.p90_days]
            for r in result.phase_times
        ]
    if figure == "conversion":
        return ["phase", "cases", "percent_of_created", "percent_of_previous"], [
            [_state(r.phase, language), r.cases, r.percent_of_created, r.percent_of_previous]
            for r in result.conversion
        ]
    if figure == "overdue":
        return ["municipality", "deadlines", "cases"], [
            [r.municipality, r.deadlines, r.cases] for r in result.overdue
        ]
    if figure == "refusals":
        return ["code", "requirement", "phase", "refusals", "cases"], [
            [
                r.code,
                requirement_label(r.code, language),
                _state(r.phase, language),
                r.refusals,
                r.cases,
            ]
            for r in result.refusals
        ]
    if figure == "reminders":
        return ["month", "sent", "failed"], [[r.month, r.sent, r.failed] for r in result.reminders]
    if figure == "pilot_effects":
        columns = ["case_id", "title", "metric", "baseline", "target", "result", "unit"]
        return [*columns, "effect_percent"], [
            [
                r.case_id,
                r.title,
                r.metric,
                _cell(r.baseline),
                _cell(r.target),
                _cell(r.result),
                r.unit,
                r.effect_percent,
            ]
            for r in result.pilot_effects
        ]
    raise ValueError(f"unknown figure {figure!r}")


def requirement_label(code: str, language: str) -> str:
    """The requirement's label, or its code when it is no longer defined."""
    label = label_of(code)
    return label.pick(language) if label else code


def _cell(value: Any) -> Cell:
    if value is None or (isinstance(value, int | float | str) and not isinstance(value, bool)):
        return value
    return str(value)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: Cell) -> Cell:
    """Text a spreadsheet would run as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(tab: Table, *, keys: bool) -> bytes:
    """The table as CSV: UTF-8 with a BOM (so spreadsheets read æ, ø and å), the column
    `keys` (for programs) or the `headers` (for people) in the first row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(tab.keys if keys else tab.headers)
    for row in tab.rows:
        writer.writerow(["" if v is None else _inert(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: Sequence[Table], heading: str) -> bytes:
    """The tables as a workbook, one sheet each (named by figure), `heading` above each."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for tab in tables:
        sheet = book.create_sheet(tab.figure[:31])
        sheet.append([tab.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append([heading])
        sheet.append([])
        sheet.append(tab.headers)
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        for row in tab.rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
        for index, header in enumerate(tab.headers, start=1):
            letter = sheet.cell(row=4, column=index).column_letter
            sheet.column_dimensions[letter].width = max(12, min(50, len(header) + 4))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def all_tables(result: Overview, language: str) -> list[Table]:
    """Every figure of `result` as a table, in page order."""
    return [table(result, figure, language) for figure in FIGURES]
