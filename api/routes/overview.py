"""`GET /overview`: the leaders' overview ("Overblik for ledere", issue 17 item 4).

JSON by default; each figure also as CSV (`GET /overview/{figure}` with `Accept: text/csv`)
and every figure as one workbook (`GET /overview.xlsx`). A municipality's managers and staff
read their own municipality's figures, admins and auditors anyone's or everyone's; companies
get 403 (`workflow.access.policy.Action.READ_OVERVIEW`).
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from api.deps import CurrentActor, Language, Now, SessionDep, strict_query
from api.http.problems import ApiProblem
from api.http.replies import json_response
from api.schemas.common import MAX_ID, problem_responses
from api.schemas.overview import FigurePublic, OverviewPublic
from states.dates import Day
from workflow.access.actor import Actor
from workflow.leaders.figures import FIGURES, Overview, overview
from workflow.leaders.period import make_period
from workflow.leaders.tables import all_tables, table, to_csv, to_xlsx

router = APIRouter(tags=["overview"], dependencies=[Depends(strict_query)])

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Figure = Literal[
    "phases", "phase_times", "conversion", "overdue", "refusals", "reminders", "pilot_effects"
]
assert set(Figure.__args__) == set(FIGURES)  # type: ignore[attr-defined]

MunicipalityId = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_ID,
        description="One municipality's figures (its own cases and those it takes part in). "
        "Admins and auditors only; a municipality's people always get their own.",
    ),
]
From = Annotated[
    Day | None,
    Query(
        alias="from",
        description="First day counted (ISO 8601, Copenhagen time; default: the first day of "
        "the month eleven months ago). Years 2000-2100.",
    ),
]
To = Annotated[
    Day | None,
    Query(
        alias="to",
        description="First day not counted, after `from` (default: the first day of next "
        "month). At most 120 months after `from`.",
    ),
]
_XLSX_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}
}
_CSV_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV: {"schema": {"type": "string"}}}, "description": "JSON or CSV."}
}


@dataclass(frozen=True, slots=True)
class OverviewQuery:
    """Whose figures over which days, asked by whom: what every overview route computes."""

    actor: Actor
    session: Session
    now: datetime
    municipality_id: int | None
    start: date | None
    end: date | None

    def figures(self) -> Overview:
        """The overview asked for (computed only when called: a 406 comes before it)."""
        period = make_period(self.start, self.end, self.now)
        return overview(self.session, self.actor, period, self.now, self.municipality_id)


async def overview_query(
    actor: CurrentActor,
    session: SessionDep,
    now: Now,
    municipality_id: MunicipalityId = None,
    start: From = None,
    end: To = None,
) -> OverviewQuery:
    """The overview's caller and query parameters, declared once for every overview route
    (`async`: no I/O, so no hop to the thread pool)."""
    return OverviewQuery(actor, session, now, municipality_id, start, end)


OverviewParams = Annotated[OverviewQuery, Depends(overview_query)]


def _public(result: Overview) -> OverviewPublic:
    return OverviewPublic(
        municipality_id=result.municipality_id,
        period_from=result.period.start,
        period_to=result.period.end,
        generated_at=result.generated_at,
        **{name: [asdict(row) for row in getattr(result, name)] for name in FIGURES},
    )


def wants(request: Request, offered: tuple[str, ...]) -> str:
    """The first of `offered` the `Accept` header prefers (by weight, then by its order);
    the first offered when it names none of them."""
    best, best_q = offered[0], -1.0
    for part in request.headers.get("accept", "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media.lower() in offered and q > best_q and q > 0:
            best, best_q = media.lower(), q
    return best


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _filename(result: Overview, stem: str, suffix: str) -> str:
    return f"overblik-{stem}-{result.period.start}-{result.period.end}.{suffix}"


@router.get(
    "/overview",
    response_model=OverviewPublic,
    responses={**_XLSX_CONTENT, **problem_responses(401, 403, 404, 406, 422)},
)
def get_overview(
    request: Request,
    language: Language,
    query: OverviewParams,
) -> Response:
    """Every figure of the leaders' overview for one municipality or (admins, auditors) all.

    With `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` the
    answer is the workbook of `GET /overview.xlsx`. CSV comes one figure at a time:
    `GET /overview/{figure}` with `Accept: text/csv` (here `Accept: text/csv` alone is 406).
    """
    wanted = wants(request, ("application/json", XLSX, CSV))
    if wanted == CSV:
        figures = ", ".join(f"/api/v1/overview/{name}" for name in FIGURES)
        raise ApiProblem(406, f"CSV comes one figure at a time: {figures}.")
    result = query.figures()
    if wanted == XLSX:
        return _workbook(result, language)
    return json_response(_public(result))


def _workbook(result: Overview, language: str) -> Response:
    heading = f"{result.period.start} – {result.period.end}"
    body = to_xlsx(all_tables(result, language), heading)
    return _download(body, XLSX, _filename(result, "alle", "xlsx"))


@router.get(
    "/overview.xlsx",
    response_class=Response,
    responses={**_XLSX_CONTENT, **problem_responses(401, 403, 404, 422)},
)
def get_overview_workbook(
    language: Language,
    query: OverviewParams,
) -> Response:
    """Every figure as one workbook (`.xlsx`), a sheet per figure, headers in the
    `Accept-Language` language (Danish by default)."""
    result = query.figures()
    return _workbook(result, language)


@router.get(
    "/overview/{figure}",
    response_model=FigurePublic,
    responses={**_CSV_CONTENT, **problem_responses(401, 403, 404, 406, 422)},
)
def get_figure(
    figure: Figure,
    request: Request,
    language: Language,
    query: OverviewParams,
) -> Response:
    """One figure: JSON `{figure, items}`, or with `Accept: text/csv` a CSV file (UTF-8 with
    a byte order mark; the first row the column names, as in the JSON)."""
    result = query.figures()
    if wants(request, ("application/json", CSV)) == CSV:
        body = to_csv(table(result, figure, language), keys=True)
        return _download(body, f"{CSV}; charset=utf-8", _filename(result, figure, "csv"))
    items = [asdict(row) for row in getattr(result, figure)]
    return json_response(FigurePublic(figure=figure, items=items))
