"""Reading the small action forms (new case, participants, signatures, deadlines, assessments).

A `Submitted` form keeps every typed value, so a refused form is shown again as the user left
it, and collects one error per field (an i18n key), so each message stands beside its field.
The workflow layer checks everything again; these checks only make the messages precise.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.schemas.common import MAX_ID
from api.web.forms import LOCAL_TZ
from workflow.core import formatting


@dataclass(slots=True)
class Submitted:
    """One submitted action form: its name on the page, what was typed and what is wrong."""

    name: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    """A refusal that concerns the whole form (an i18n key), shown above its button."""

    @classmethod
    def of(cls, name: str, form: Mapping[str, Any], keys: Iterable[str]) -> "Submitted":
        """The typed values of `keys` (everything else in the form is ignored)."""
        return cls(name, {k: str(form.get(k, "")) for k in keys})

    @property
    def ok(self) -> bool:
        """Whether no field was refused."""
        return not self.errors and self.message is None

    def value(self, key: str) -> str:
        """What the user typed in `key`."""
        return self.values.get(key, "")

    def text(self, key: str, *, max_length: int, required: bool = True) -> str:
        """A trimmed text; refused when missing (if required) or too long."""
        text = self.value(key).strip()
        if required and not text:
            self.errors[key] = "form.missing"
        elif len(text) > max_length:
            self.errors[key] = "form.too_long"
        elif "\x00" in text:
            self.errors[key] = "form.invalid"
        return text

    def integer(self, key: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
        """A whole number within bounds; refused when missing, unreadable or out of range."""
        text = self.value(key).strip()
        if not text:
            self.errors[key] = "form.missing"
            return None
        try:
            number = int(text)
        except ValueError:
            self.errors[key] = "form.int"
            return None
        if not minimum <= number <= maximum:
            self.errors[key] = "form.range"
            return None
        return number

    def moment(self, key: str) -> datetime | None:
        """A `datetime-local` value read as Copenhagen time; refused when missing or unreadable."""
        text = self.value(key).strip()
        if not text:
            self.errors[key] = "form.missing"
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.errors[key] = "form.datetime"
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)

    def refuse(self, key: str, message: str) -> None:
        """Mark `key` refused with `message` (an i18n key), unless already refused."""
        self.errors.setdefault(key, message)


def local_input(moment: datetime) -> str:
    """A moment as a `datetime-local` input value in Copenhagen time (never raising: a time
    stored before dates were bounded may lie where the conversion overflows)."""
    return formatting.local_time(moment).strftime("%Y-%m-%dT%H:%M")


def typed_value(typed: Submitted | None, form_name: str, key: str, default: str = "") -> str:
    """What the user typed into `key` of the form `form_name`, when that form was refused."""
    if typed is not None and typed.name == form_name:
        return typed.value(key)
    return default


def typed_error(typed: Submitted | None, form_name: str, key: str) -> str | None:
    """The error of `key` in the refused form `form_name`, if any."""
    if typed is not None and typed.name == form_name:
        return typed.errors.get(key)
    return None
