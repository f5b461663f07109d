"""The phase-data forms: which fields each section shows, how they read and how they parse.

A form always carries every field of its section, so the parsed result replaces the section's
fields one for one (an emptied field becomes `null`, which the merge patch removes). Lists such
as criteria are shown as a fixed number of rows, because the pages run without JavaScript.
Validation itself stays in `states.sections` (through `workflow.cases.service.update_case`); this
module only turns form strings into JSON values and reports what it could not read.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, EmailStr
from pydantic.fields import FieldInfo

from api.web.i18n import pick, translate
from api.web.labels import VALUES
from states import CaseState
from states.sections import AGREEMENT_CLAUSES, SECTION_MODELS, field_text
from states.sections import editable_sections as sections_editable_in
from workflow.access.actor import Actor
from workflow.access.policy import may_edit_section
from workflow.core import formatting
from workflow.core.timeutil import COPENHAGEN
from workflow.models import Case

LOCAL_TZ = COPENHAGEN
"""The zone a typed `datetime-local` value is read in: the one every page shows times in."""
MAX_ROWS = 50
EMPTY_ROWS = 2

Kind = Literal[
    "text", "textarea", "email", "choice", "bool", "date", "datetime", "int", "rows", "clauses"
]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One form field: its key in the section (dotted for nested objects), kind and label.

    Built from the section's pydantic model (`states.sections`), never written by hand.
    """

    key: str
    kind: Kind
    label: tuple[str, str]
    choices: tuple[str, ...] = ()
    columns: tuple["FieldSpec", ...] = ()
    help: tuple[str, str] | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    required: bool = False


SECTION_TITLES: dict[str, tuple[str, str]] = {
    name: (model.label.da, model.label.en) for name, model in SECTION_MODELS.items()
}

LONG_TEXT = 1000
"""A text field allowing more characters than this is a textarea."""


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type under `X | None` and `Annotated[...]`, and the constraints found on the way."""
    constraints: list[Any] = []
    while True:
        if get_origin(annotation) is Annotated:
            annotation, *extra = get_args(annotation)
            for item in extra:
                constraints.extend(getattr(item, "metadata", [item]))
            continue
        if get_origin(annotation) in (Union, UnionType):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            if len(rest) == 1:
                annotation = rest[0]
                continue
        return annotation, constraints


def _kind(base: Any, max_length: int | None) -> Kind:
    if get_origin(base) is list:
        return "rows"
    if get_origin(base) is dict:
        return "clauses"  # the agreement's clauses, each confirmed or not
    if get_origin(base) in (Union, UnionType):
        return "text"  # a measure: a number or a short text (`states.sections.Measure`)
    if isinstance(base, type):
        if issubclass(base, bool):
            return "bool"
        if issubclass(base, int):
            return "int"
        if issubclass(base, StrEnum):
            return "choice"
        if base is EmailStr or getattr(base, "__name__", "") == "EmailStr":
            return "email"
        if issubclass(base, datetime) or base is AwareDatetime:
            return "datetime"
        if issubclass(base, date):
            return "date"
    return "textarea" if max_length is None or max_length > LONG_TEXT else "text"


def _spec(model: type[BaseModel], key: str, info: FieldInfo) -> FieldSpec:
    text = field_text(model, key)
    base, constraints = _unwrap(info.annotation)
    constraints = [*constraints, *info.metadata]
    limits: dict[str, int] = {}
    for c in constraints:
        for name in ("max_length", "ge", "le"):
            if isinstance(getattr(c, name, None), int):
                limits[name] = getattr(c, name)
    kind = _kind(base, limits.get("max_length"))
    choices: tuple[str, ...] = ()
    if kind == "choice":
        choices = tuple(m.value for m in base)
    elif kind == "clauses":
        choices = AGREEMENT_CLAUSES
    columns: tuple[FieldSpec, ...] = ()
    if kind == "rows":
        (row_model,) = get_args(base)
        columns = tuple(_spec(row_model, k, i) for k, i in row_model.model_fields.items())
    return FieldSpec(
        key,
        kind,
        (text.label.da, text.label.en),
        choices=choices,
        columns=columns,
        help=(text.help.da, text.help.en) if text.help else None,
        max_length=limits.get("max_length") if kind in ("text", "textarea", "email") else None,
        minimum=limits.get("ge"),
        maximum=limits.get("le"),
        required=info.is_required(),
    )


def section_fields(model: type[BaseModel]) -> tuple[FieldSpec, ...]:
    """A section's form fields, in the model's order; a nested object's fields are dotted."""
    specs: list[FieldSpec] = []
    for key, info in model.model_fields.items():
        base, _ = _unwrap(info.annotation)
        if isinstance(base, type) and issubclass(base, BaseModel):
            specs.extend(replace(spec, key=f"{key}.{spec.key}") for spec in section_fields(base))
        else:
            specs.append(_spec(model, key, info))
    return tuple(specs)


def _nested_titles() -> dict[str, tuple[str, str]]:
    titles: dict[str, tuple[str, str]] = {}
    for model in SECTION_MODELS.values():
        for key, info in model.model_fields.items():
            base, _ = _unwrap(info.annotation)
            if isinstance(base, type) and issubclass(base, BaseModel):
                label = field_text(model, key).label
                titles[key] = (label.da, label.en)
    return titles


SECTION_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    name: section_fields(model) for name, model in SECTION_MODELS.items()
}
"""Every section's form, generated from `states.sections.SECTION_MODELS`."""

NESTED_TITLES: dict[str, tuple[str, str]] = _nested_titles()

SECTIONS_OF_STATE: dict[str, tuple[str, ...]] = {
    CaseState.NEED.value: ("need", "call"),
    CaseState.MATCH.value: ("call",),
    CaseState.AGREEMENT.value: ("agreement", "pilot"),
    CaseState.PILOT.value: ("pilot",),
    CaseState.SCALE.value: ("scale",),
    CaseState.COMPLETED.value: ("scale",),
}
"""The sections a phase works on: shown open and first on the case page."""


def editable_sections(case: Case, actor: Actor) -> tuple[str, ...]:
    """The sections `actor` may edit on the pages for `case` in its current state.

    Which sections a state opens is the process's rule (`states.sections.EDITABLE_IN_STATE`,
    enforced for every door by `workflow.cases.service.update_case`); who may change them is
    the access policy's (`workflow.access.policy.may_edit_section`).
    """
    sections = sections_editable_in(case.state)
    return tuple(s for s in sections if may_edit_section(actor, s, case))


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


OptionGroups = list[tuple[str, list[tuple[str, str]]]]
"""A select's choices in labelled groups: `[(group label, [(value, label), ...]), ...]`."""


@dataclass(slots=True)
class CellView:
    """One input of a list row."""

    name: str
    kind: str
    label: str
    value: str
    display: str
    groups: OptionGroups = field(default_factory=list)
    """When set, the cell is a choice among these (an organisation by name, say)."""


def _with_groups(cell: CellView, groups: OptionGroups | None) -> CellView:
    """`cell` as a choice among `groups`: shown by its option's label, and a stored value
    that no group offers kept as an option of its own, so saving never drops it."""
    if not groups:
        return cell
    labels = {value: label for _, options in groups for value, label in options}
    cell.groups = groups
    if cell.value and cell.value not in labels:
        cell.groups = [*groups, ("", [(cell.value, cell.value)])]
    cell.display = labels.get(cell.value, cell.display)
    return cell


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
    help: str = ""
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    changed_by: str | None = None


def _submitted_checks(
    submitted: Mapping[str, Any], name: str, choices: tuple[str, ...]
) -> set[str]:
    return {c for c in choices if f"{name}.{c}" in submitted}


def field_views(
    section: str,
    data: Mapping[str, Any],
    language: str,
    errors: Mapping[str, str] | None = None,
    *,
    submitted: Mapping[str, Any] | None = None,
    changed: Mapping[str, str] | None = None,
    choices: Mapping[str, OptionGroups] | None = None,
) -> list[FieldView]:
    """The section's fields with their current values, labels and any errors to show.

    `submitted` is a refused form: its inputs show what the user typed, not the stored data,
    so nothing typed is lost. `changed` names, per field, who changed it since the user's form
    was rendered (a stale form). `choices` turns list columns (by their dotted key, such as
    `adopting_municipalities.organisation_id`) into choices among the case's own options.
    """
    choices = choices or {}
    errors = errors or {}
    changed = changed or {}
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
            help=pick(spec.help, language) if spec.help else "",
            max_length=spec.max_length,
            minimum=spec.minimum,
            maximum=spec.maximum,
            changed_by=changed.get(spec.key.partition(".")[0]),
        )
        if submitted is not None and spec.kind not in ("rows", "clauses"):
            view.value = str(submitted.get(name, ""))
        if spec.kind == "choice":
            view.options = [(c, pick(VALUES.get(c), language, c)) for c in spec.choices]
        elif spec.kind == "bool":
            view.options = [
                ("true", translate(language, "case.yes")),
                ("false", translate(language, "case.no")),
            ]
        elif spec.kind == "clauses":
            confirmed = raw if isinstance(raw, Mapping) else {}
            on = (
                _submitted_checks(submitted, name, spec.choices)
                if submitted is not None
                else {c for c in spec.choices if confirmed.get(c) is True}
            )
            view.checks = [
                (f"{name}.{c}", pick(VALUES.get(c), language, c), c in on) for c in spec.choices
            ]
            view.display = ", ".join(
                pick(VALUES.get(c), language, c) for c in spec.choices if confirmed.get(c) is True
            )
        elif spec.kind == "rows":
            view.columns = [pick(c.label, language) for c in spec.columns]
            items = [r for r in raw if isinstance(r, Mapping)] if isinstance(raw, list) else []
            view.rows = _row_views(
                spec,
                name,
                items,
                language,
                choices,
                lambda c, item: (
                    _input_value(c, item.get(c.key)) if item else "",
                    _display(c, item.get(c.key), language) if item else "",
                ),
            )
            if submitted is not None:
                view.rows = _row_views(
                    spec,
                    name,
                    _submitted_rows(submitted, spec, name),
                    language,
                    choices,
                    lambda c, row: (str(row.get(c.key, "")), ""),
                )
            view.display = "" if not items else str(len(items))
        views.append(view)
    return views


def _row_views(
    spec: FieldSpec,
    name: str,
    rows: Sequence[Mapping[str, Any]],
    language: str,
    choices: Mapping[str, OptionGroups],
    cell: Callable[[FieldSpec, Mapping[str, Any]], tuple[str, str]],
) -> list[list[CellView]]:
    """A list field's rows as inputs: `rows`, then empty ones to fill in, `MAX_ROWS` at most.

    The stored rows and a refused form's typed rows differ only in each cell's value and
    display, which `cell` gives for a column and a row (an empty row is `{}`).
    """
    return [
        [
            _with_groups(
                CellView(f"{name}.{i}.{c.key}", c.kind, pick(c.label, language), *cell(c, row)),
                choices.get(f"{spec.key}.{c.key}"),
            )
            for c in spec.columns
        ]
        for i, row in enumerate([*rows, *([{}] * EMPTY_ROWS)][:MAX_ROWS])
    ]


def _submitted_rows(
    submitted: Mapping[str, Any], spec: FieldSpec, name: str
) -> list[dict[str, str]]:
    """The rows the user typed, empty ones left out, in their order."""
    rows: list[dict[str, str]] = []
    for i in range(MAX_ROWS):
        row = {c.key: str(submitted.get(f"{name}.{i}.{c.key}", "")) for c in spec.columns}
        if any(v.strip() for v in row.values()):
            rows.append(row)
    return rows


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
