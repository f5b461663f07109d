"""The phase-data forms: which fields each section shows, how they read and how they parse.

A form always carries every field of its section, so the parsed result replaces the section's
fields one for one (an emptied field becomes `null`, which the merge patch removes). Lists such
as criteria are shown as a fixed number of rows, because the pages run without JavaScript.
Validation itself stays in `states.sections` (through `workflow.cases.service.update_case`); this
module only turns form strings into JSON values and reports what it could not read.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from api.web.i18n import pick, translate
from api.web.labels import VALUES
from states import CaseState
from states.sections import (
    AGREEMENT_CLAUSES,
    SECTION_MODELS,
    Evaluation,
    LegalTrack,
    Outcome,
    PurchaseRoute,
)
from states.sections import editable_sections as sections_editable_in
from workflow.core import formatting

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")
MAX_ROWS = 50
EMPTY_ROWS = 2

Kind = Literal[
    "text", "textarea", "email", "choice", "bool", "date", "datetime", "int", "rows", "clauses"
]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One form field: its key in the section (dotted for nested objects), kind and label."""

    key: str
    kind: Kind
    label: tuple[str, str]
    choices: tuple[str, ...] = ()
    columns: tuple["FieldSpec", ...] = ()


def _f(key: str, kind: Kind, da: str, en: str, **kw: Any) -> FieldSpec:
    return FieldSpec(key, kind, (da, en), **kw)


SECTION_TITLES: dict[str, tuple[str, str]] = {
    name: (model.label.da, model.label.en) for name, model in SECTION_MODELS.items()
}

SECTION_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "need": (
        _f("owner_name", "text", "Behovsejer (navn)", "Need owner (name)"),
        _f("owner_email", "email", "Behovsejer (e-mail)", "Need owner (email)"),
        _f("description", "textarea", "Beskrivelse af behovet", "Description of the need"),
        _f("target_group", "textarea", "Målgruppe", "Target group"),
        _f("expected_value", "textarea", "Forventet værdi", "Expected value"),
        _f(
            "legal_track",
            "choice",
            "Juridisk spor",
            "Legal track",
            choices=tuple(t.value for t in LegalTrack),
        ),
    ),
    "call": (
        _f("title", "text", "Opslagets titel", "Title of the call"),
        _f("text", "textarea", "Opslagstekst", "Call text"),
        _f(
            "criteria",
            "rows",
            "Tildelingskriterier",
            "Assessment criteria",
            columns=(
                _f("name", "text", "Kriterium", "Criterion"),
                _f("weight", "int", "Vægt (%)", "Weight (%)"),
            ),
        ),
        _f("submission_deadline", "datetime", "Frist for forslag", "Submission deadline"),
        _f("min_proposals", "int", "Mindste antal forslag", "Minimum number of proposals"),
    ),
    "agreement": (
        _f(
            "clauses",
            "clauses",
            "Bekræftede klausuler",
            "Confirmed clauses",
            choices=AGREEMENT_CLAUSES,
        ),
        _f(
            "dpa_signed_at",
            "datetime",
            "Databehandleraftale underskrevet",
            "Data processing agreement signed",
        ),
        _f("dpia_done", "bool", "Konsekvensanalyse (DPIA) udført", "Impact assessment (DPIA) done"),
    ),
    "pilot": (
        _f("site", "text", "Afprøvningssted", "Pilot site"),
        _f("start_date", "date", "Startdato", "Start date"),
        _f("end_date", "date", "Slutdato", "End date"),
        _f(
            "success_criteria",
            "rows",
            "Succeskriterier",
            "Success criteria",
            columns=(
                _f("metric", "text", "Måling", "Metric"),
                _f("baseline", "text", "Udgangspunkt", "Baseline"),
                _f("target", "text", "Mål", "Target"),
            ),
        ),
        _f("personal_data", "bool", "Behandler personoplysninger", "Processes personal data"),
        _f("health_data", "bool", "Behandler helbredsoplysninger", "Processes health data"),
        _f(
            "ethics_notification_required",
            "bool",
            "Skal anmeldes til videnskabsetisk komité",
            "Must be notified to an ethics committee",
        ),
        _f("ethics_reference", "text", "Komitéens reference", "Committee reference"),
        _f("ended_at", "datetime", "Afprøvningen afsluttet", "Pilot ended"),
        _f(
            "evaluation.outcome",
            "choice",
            "Evalueringens resultat",
            "Evaluation outcome",
            choices=tuple(o.value for o in Outcome),
        ),
        _f("evaluation.report", "textarea", "Evalueringsrapport", "Evaluation report"),
    ),
    "scale": (
        _f("knowledge_summary", "textarea", "Vidensopsamling", "Knowledge summary"),
        _f("published_at", "datetime", "Offentliggjort", "Published"),
        _f(
            "adopting_municipalities",
            "rows",
            "Kommuner der tager løsningen i brug",
            "Municipalities adopting the solution",
            columns=(
                _f("name", "text", "Kommune", "Municipality"),
                _f("organisation_id", "int", "Organisations-id", "Organisation id"),
                _f("letter_of_intent_at", "date", "Hensigtserklæring", "Letter of intent"),
            ),
        ),
        _f(
            "purchase_route",
            "choice",
            "Indkøbsvej",
            "Purchase route",
            choices=tuple(r.value for r in PurchaseRoute),
        ),
    ),
}

NESTED_TITLES: dict[str, tuple[str, str]] = {
    "evaluation": (Evaluation.label.da, Evaluation.label.en)
}

SECTIONS_OF_STATE: dict[str, tuple[str, ...]] = {
    CaseState.NEED.value: ("need", "call"),
    CaseState.MATCH.value: ("call",),
    CaseState.AGREEMENT.value: ("agreement", "pilot"),
    CaseState.PILOT.value: ("pilot",),
    CaseState.SCALE.value: ("scale",),
    CaseState.COMPLETED.value: ("scale",),
}
"""The sections a phase works on: shown open and first on the case page."""


def editable_sections(state: str, role: str) -> tuple[str, ...]:
    """The sections `role` may edit on the pages for a case in `state`.

    Which sections a state opens is the process's rule (`states.sections.EDITABLE_IN_STATE`,
    enforced for every door by `workflow.cases.service.update_case`); the role part is the
    pages' own.
    """
    sections = sections_editable_in(state)
    if role == "manager":
        return sections
    if role == "staff":
        return tuple(s for s in sections if s == "need")
    return ()


# --- reading values for display ------------------------------------------------------------


def _get(data: Mapping[str, Any], key: str) -> Any:
    value: Any = data
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def parse_datetime(value: Any) -> datetime | None:
    """A stored ISO timestamp as an aware datetime (None when absent or unreadable)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


def format_datetime(value: Any, language: str) -> str:
    """A stored timestamp in Copenhagen time, written the language's way (Babel, as in mail)."""
    moment = parse_datetime(value)
    return "" if moment is None else formatting.format_datetime(moment, language)


def format_date(value: Any, language: str) -> str:
    """A stored date written the language's way (`23.11.2026`, `23 Nov 2026`)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if not isinstance(value, date):
        return ""
    return formatting.format_date(value, language)


def _input_value(spec: FieldSpec, raw: Any) -> str:
    if raw is None:
        return ""
    if spec.kind == "datetime":
        moment = parse_datetime(raw)
        return formatting.local_time(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""
    if spec.kind == "bool":
        return "true" if raw is True else "false" if raw is False else ""
    return str(raw)


def _display(spec: FieldSpec, raw: Any, language: str) -> str:
    if raw is None or raw == "" or raw == []:
        return ""
    if spec.kind == "choice":
        return pick(VALUES.get(str(raw)), language, str(raw))
    if spec.kind == "bool":
        return translate(language, "case.yes" if raw else "case.no")
    if spec.kind == "date":
        return format_date(raw, language)
    if spec.kind == "datetime":
        return format_datetime(raw, language)
    return str(raw)


@dataclass(slots=True)
class CellView:
    """One input of a list row."""

    name: str
    kind: str
    label: str
    value: str
    display: str


@dataclass(slots=True)
class FieldView:
    """A field as the template shows it, both to read and to edit."""

    name: str
    kind: str
    label: str
    display: str
    value: str
    options: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[CellView]] = field(default_factory=list)
    checks: list[tuple[str, str, bool]] = field(default_factory=list)
    error: str | None = None


def field_views(
    section: str, data: Mapping[str, Any], language: str, errors: Mapping[str, str] | None = None
) -> list[FieldView]:
    """The section's fields with their current values, labels and any errors to show."""
    errors = errors or {}
    views: list[FieldView] = []
    for spec in SECTION_FIELDS[section]:
        raw = _get(data, spec.key)
        name = f"f.{spec.key}"
        view = FieldView(
            name=name,
            kind=spec.kind,
            label=pick(spec.label, language),
            display=_display(spec, raw, language),
            value=_input_value(spec, raw),
            error=errors.get(spec.key),
        )
        if spec.kind == "choice":
            view.options = [(c, pick(VALUES.get(c), language, c)) for c in spec.choices]
        elif spec.kind == "bool":
            view.options = [
                ("true", translate(language, "case.yes")),
                ("false", translate(language, "case.no")),
            ]
        elif spec.kind == "clauses":
            confirmed = raw if isinstance(raw, Mapping) else {}
            view.checks = [
                (f"{name}.{c}", pick(VALUES.get(c), language, c), confirmed.get(c) is True)
                for c in spec.choices
            ]
            view.display = ", ".join(label for _, label, on in view.checks if on)
        elif spec.kind == "rows":
            view.columns = [pick(c.label, language) for c in spec.columns]
            items = [r for r in raw if isinstance(r, Mapping)] if isinstance(raw, list) else []
            view.rows = [
                [
                    CellView(
                        name=f"{name}.{i}.{c.key}",
                        kind=c.kind,
                        label=pick(c.label, language),
                        value=_input_value(c, item.get(c.key)) if item else "",
                        display=_display(c, item.get(c.key), language) if item else "",
                    )
                    for c in spec.columns
                ]
                for i, item in enumerate([*items, *([{}] * EMPTY_ROWS)][:MAX_ROWS])
            ]
            view.display = "" if not items else str(len(items))
        views.append(view)
    return views


# --- parsing a submitted form --------------------------------------------------------------


class _Unreadable(ValueError):
    """A form value that cannot be turned into its field's type."""


def _parse_scalar(spec: FieldSpec, text: str) -> Any:
    text = text.strip()
    if text == "":
        return None
    if spec.kind == "int":
        try:
            return int(text)
        except ValueError as exc:
            raise _Unreadable("form.int") from exc
    if spec.kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise _Unreadable("form.date") from exc
    if spec.kind == "datetime":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise _Unreadable("form.datetime") from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=LOCAL_TZ)
        return moment.isoformat()
    if spec.kind == "bool":
        if text not in ("true", "false"):
            raise _Unreadable("form.choice")
        return text == "true"
    if spec.kind == "choice" and text not in spec.choices:
        raise _Unreadable("form.choice")
    return text


def _parse_rows(spec: FieldSpec, form: Mapping[str, Any], errors: dict[str, str]) -> Any:
    rows: list[dict[str, Any]] = []
    for i in range(MAX_ROWS):
        row: dict[str, Any] = {}
        for column in spec.columns:
            text = str(form.get(f"f.{spec.key}.{i}.{column.key}", ""))
            try:
                value = _parse_scalar(column, text)
            except _Unreadable as exc:
                errors[spec.key] = str(exc)
                continue
            if value is not None:
                row[column.key] = value
        if row:
            rows.append(row)
    return rows or None


def parse_section_form(
    section: str, form: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The section's new values as a merge patch, and the fields that could not be read.

    Errors map a field's key to an i18n key (`form.int`, `form.date`, ...).
    """
    patch: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in SECTION_FIELDS[section]:
        if spec.kind == "rows":
            value = _parse_rows(spec, form, errors)
        elif spec.kind == "clauses":
            value = {c: f"f.{spec.key}.{c}" in form for c in spec.choices}
        else:
            try:
                value = _parse_scalar(spec, str(form.get(f"f.{spec.key}", "")))
            except _Unreadable as exc:
                errors[spec.key] = str(exc)
                continue
        head, _, tail = spec.key.partition(".")
        if tail:
            patch.setdefault(head, {})[tail] = value
        else:
            patch[head] = value
    for key, value in list(patch.items()):
        # A nested object whose fields are all empty is removed rather than stored as {}.
        if isinstance(value, dict) and key != "clauses" and all(v is None for v in value.values()):
            patch[key] = None
    return patch, errors


def errors_from_validation(section: str, errors: list[dict[str, Any]]) -> dict[str, str]:
    """Map `InvalidInput` errors (loc = [section, field, ...]) to the form's field keys."""
    keys = {spec.key for spec in SECTION_FIELDS[section]}
    mapped: dict[str, str] = {}
    for error in errors:
        loc = [str(p) for p in error.get("loc", [])][1:]
        key = ".".join(loc[:2]) if ".".join(loc[:2]) in keys else (loc[0] if loc else "")
        if key in keys and key not in mapped:
            mapped[key] = _error_key(str(error.get("type", "")))
    return mapped


def _error_key(pydantic_type: str) -> str:
    if pydantic_type in ("string_too_long", "too_long"):
        return "form.too_long"
    if pydantic_type in ("missing", "string_too_short", "too_short"):
        return "form.missing"
    if pydantic_type.startswith(("greater_than", "less_than")):
        return "form.range"
    if pydantic_type.startswith("int"):
        return "form.int"
    return "form.invalid"
