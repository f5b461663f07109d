"""`/ui/leaders`: "Overblik for ledere", the leaders' overview as a page.

The figures are `workflow.leaders.figures.overview`, exactly what `GET /api/v1/overview`
answers, scoped the same way (a municipality's people see their own municipality, admins and
auditors any or all; companies get 403). Each figure is a chart drawn on the server as SVG
(`api.web.leaders.charts`), its table (`workflow.leaders.tables`, the accessible form of the
chart) and a CSV download; all figures download as one workbook.

On the page the period is two dates a person reads naturally, "Fra" and "Til og med" (the
last day included); the API's `to` is the first day not included.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date as babel_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlmodel import Session, col

from api.deps import SessionDep
from api.web.auth import PageForbidden, PageNotFound, UserDep
from api.web.leaders.charts import Bar, Chart, Column, bars, columns
from api.web.leaders.words import WORDS
from api.web.render import language_of, render
from states import CaseState
from states.dates import MAX_YEAR, MIN_YEAR
from workflow.access.actor import Actor
from workflow.access.policy import sees_all
from workflow.core.formatting import LOCALES, format_date, format_number
from workflow.core.timeutil import utcnow
from workflow.leaders.figures import FIGURES, STATES, Overview, may_read_overview, overview
from workflow.leaders.period import (
    DEFAULT_MONTHS,
    MAX_MONTHS,
    Period,
    default_period,
    months_before,
)
from workflow.leaders.tables import (
    TITLES,
    Table,
    all_tables,
    requirement_label,
    table,
    to_csv,
    to_xlsx,
)
from workflow.models import Organisation, OrganisationKind

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class LeadersForm:
    """The page's filters as typed, what they mean, and what is wrong with them."""

    start_text: str = ""
    end_text: str = ""
    municipality_text: str = ""
    period: Period | None = None
    municipality_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)
    """Field name -> the key of its message in `WORDS`."""

    def query(self) -> str:
        """The filters as a query string, for the download links."""
        assert self.period is not None
        values = {
            "from": self.period.start.isoformat(),
            "to": (self.period.end - timedelta(days=1)).isoformat(),
            "municipality_id": self.municipality_id,
        }
        return urlencode({k: v for k, v in values.items() if v is not None})


def _day(text: str, name: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[name] = "error.date"
        return None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        errors[name] = "error.years"
        return None
    return day


def municipalities(db: Session) -> list[tuple[int, str]]:
    """Every municipality, by name: the choices of admins and auditors."""
    rows = db.execute(
        select(col(Organisation.id), col(Organisation.name))
        .where(col(Organisation.kind) == OrganisationKind.MUNICIPALITY.value)
        .order_by(col(Organisation.name))
    ).all()
    return [(int(i), str(n)) for i, n in rows]


def parse_form(request: Request, actor: Actor, choices: list[tuple[int, str]]) -> LeadersForm:
    """The filters from the query string, checked; the period is set when they are valid."""
    params = request.query_params
    form = LeadersForm(
        start_text=params.get("from", "").strip()[:40],
        end_text=params.get("to", "").strip()[:40],
        municipality_text=params.get("municipality_id", "").strip()[:20],
    )
    start = _day(form.start_text, "from", form.errors)
    last = _day(form.end_text, "to", form.errors)
    if sees_all(actor) and form.municipality_text:
        known = {str(i): i for i, _ in choices}
        if form.municipality_text in known:
            form.municipality_id = known[form.municipality_text]
        else:
            form.errors["municipality_id"] = "error.municipality"
    if form.errors:
        return form
    default = default_period(utcnow())
    end = last + timedelta(days=1) if last is not None else default.end
    if start is None:
        start = default.start if last is None else months_before(end, DEFAULT_MONTHS)
    if start >= end:
        form.errors["to"] = "error.order"
        return form
    period = Period(start, end)
    if len(period.months()) > MAX_MONTHS:
        form.errors["to"] = "error.long"
        return form
    form.period = period
    return form


def _month(label: str, language: str) -> str:
    year, month = (int(part) for part in label.split("-"))
    return babel_date(date(year, month, 1), "MMM yy", locale=LOCALES[language])


def _num(value: float | None, language: str) -> str:
    return "–" if value is None else format_number(value, language)


def _charts(result: Overview, language: str) -> dict[str, Chart]:
    """A chart per figure."""
    w = {key: text.pick(language) for key, text in WORDS.items()}

    def head(figure: str) -> tuple[str, str, str]:
        """A chart's id, title and description, each named after its figure."""
        return f"chart-{figure}", TITLES[figure].pick(language), w[f"desc.{figure}"]

    months: dict[str, list[int]] = {}
    for row in result.phases:
        months.setdefault(row.month, []).append(row.cases)
    charts = {
        "phases": columns(
            *head("phases"),
            [Column(_month(m, language), v) for m, v in months.items()],
            [s.label(language) for s in STATES],
            stacked=True,
            unit=w["cases_unit"],
        ),
        "phase_times": bars(
            *head("phase_times"),
            [
                Bar(
                    CaseState(r.phase).label(language),
                    r.median_days or 0.0,
                    WORDS["median_p90"]
                    .format(median=_num(r.median_days, language), p90=_num(r.p90_days, language))
                    .pick(language)
                    if r.stays
                    else w["nothing"],
                    r.p90_days,
                )
                for r in result.phase_times
            ],
        ),
        "conversion": bars(
            *head("conversion"),
            [
                Bar(
                    CaseState(r.phase).label(language),
                    float(r.cases),
                    WORDS["cases_n"].format(n=r.cases).pick(language)
                    + (
                        f" ({_num(r.percent_of_created, language)} %)"
                        if r.percent_of_created is not None
                        else ""
                    ),
                )
                for r in result.conversion
            ],
        ),
        "overdue": bars(
            *head("overdue"),
            [Bar(r.municipality, float(r.deadlines), str(r.deadlines)) for r in result.overdue],
            "#b3261e",
        ),
        "refusals": bars(
            *head("refusals"),
            [
                Bar(requirement_label(r.code, language), float(r.refusals), str(r.refusals))
                for r in result.refusals
            ],
            "#8a5a00",
        ),
        "reminders": columns(
            *head("reminders"),
            [Column(_month(r.month, language), [r.sent, r.failed]) for r in result.reminders],
            [w["sent"], w["failed"]],
            stacked=False,
            unit=w["reminders_unit"],
        ),
        "pilot_effects": bars(
            *head("pilot_effects"),
            [
                Bar(
                    f"{r.title}: {r.metric}",
                    r.effect_percent,
                    f"{_num(r.effect_percent, language)} %",
                )
                for r in result.pilot_effects
                if r.effect_percent is not None
            ],
            "#0f7b6c",
        ),
    }
    return charts


def _cell(value: Any, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value, language)
    return str(value)


def _overview(
    db: Session, user: UserDep, request: Request
) -> tuple[LeadersForm, Overview | None, list[tuple[int, str]]]:
    if not may_read_overview(user.actor):
        raise PageForbidden()
    choices = municipalities(db) if sees_all(user.actor) else []
    form = parse_form(request, user.actor, choices)
    if form.period is None:
        return form, None, choices
    return form, overview(db, user.actor, form.period, utcnow(), form.municipality_id), choices


@router.get("/leaders", response_class=HTMLResponse)
def leaders_page(request: Request, user: UserDep, db: SessionDep) -> HTMLResponse:
    """Overblik for ledere: every figure as a chart with its table and downloads."""
    form, result, choices = _overview(db, user, request)
    language = language_of(request)
    context: dict[str, Any] = {
        "form": form,
        "w": lambda key, **values: (
            WORDS[key].format(**values).pick(language) if values else WORDS[key].pick(language)
        ),
        "choices": choices,
        "active": "leaders",
        "result": result,
        "figures": FIGURES,
        "cell": lambda value: _cell(value, language),
        "one_day": timedelta(days=1),
    }
    if result is not None and form.period is not None:
        names = dict(choices)
        own = user.organisation_name or ""
        scope_name = names.get(form.municipality_id or 0) if sees_all(user.actor) else own
        context |= {
            "charts": _charts(result, language),
            "tables": {t.figure: t for t in all_tables(result, language)},
            "query": form.query(),
            "scope_name": scope_name,
            "period_text": WORDS["period"]
            .format(
                start=format_date(form.period.start, language),
                end=format_date(form.period.end - timedelta(days=1), language),
            )
            .pick(language),
        }
    status = 422 if form.errors else 200
    return render(request, "leaders.html", context, status_code=status, user=user)


def _download_name(form: LeadersForm, stem: str, suffix: str) -> str:
    assert form.period is not None
    return f"overblik-{stem}-{form.period.start}-{form.period.end - timedelta(days=1)}.{suffix}"


@router.get("/leaders.xlsx")
def leaders_workbook(request: Request, user: UserDep, db: SessionDep) -> Response:
    """Every figure as one workbook, headers in the page's language."""
    form, result, _ = _overview(db, user, request)
    if result is None:
        return _bad_request(request)
    language = language_of(request)
    assert form.period is not None
    heading = WORDS["period"].format(
        start=form.period.start.isoformat(),
        end=(form.period.end - timedelta(days=1)).isoformat(),
    )
    body = to_xlsx(all_tables(result, language), heading.pick(language))
    return _download(body, XLSX, _download_name(form, "alle", "xlsx"))


@router.get("/leaders/{figure}.csv")
def leaders_csv(request: Request, user: UserDep, db: SessionDep, figure: str) -> Response:
    """One figure's table as CSV (UTF-8 with a BOM), headers in the page's language."""
    if figure not in FIGURES:
        raise PageNotFound()
    form, result, _ = _overview(db, user, request)
    if result is None:
        return _bad_request(request)
    tab: Table = table(result, figure, language_of(request))
    body = to_csv(tab, keys=False)
    return _download(body, "text/csv; charset=utf-8", _download_name(form, figure, "csv"))


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _bad_request(request: Request) -> Response:
    """A download asked for with filters the page would have refused."""
    context = {"status": 422, "message": "error.bad_request"}
    return render(request, "error.html", context, status_code=422)
