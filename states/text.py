"""Text shared by every layer: the two languages, one bilingual text type, one language choice,
and the rule that no field may hold a NUL character (PostgreSQL cannot store them).

Every word a person reads exists in Danish (the default) and English. Keeping both halves in one
`Text` value, picked by one function, means a missing translation cannot hide in a ternary.
"""

from dataclasses import dataclass
from typing import Any, Final, Literal

Language = Literal["da", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("da", "en")
DEFAULT_LANGUAGE: Final[Language] = "da"


def language(value: str | None) -> Language:
    """A supported language for `value` (`en`, `en-GB`, `da-DK`, ...); Danish for the rest."""
    tag = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return "en" if tag == "en" else DEFAULT_LANGUAGE


def negotiate(accept_language: str | None) -> Language:
    """The supported language an `Accept-Language` header prefers most (RFC 9110 §12.5.4).

    Weights decide (`en;q=0.9, da` means Danish); among equal weights the first listed wins;
    a `q=0` tag is refused, `*` means either. Danish when nothing supported is acceptable, and
    an unreadable weight counts as 0 rather than failing the request.
    """
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        weight = 1.0
        for param in params.split(";"):
            name, _, raw = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(raw)
                except ValueError:
                    weight = 0.0
        if weight <= 0 or not tag:
            continue
        if tag == "*":
            candidate: Language = DEFAULT_LANGUAGE
        elif tag.split("-")[0] in LANGUAGES:
            candidate = language(tag)
        else:
            continue
        if best is None or weight > best[0]:
            best = (weight, position, candidate)
    return best[2] if best else DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Danish and English; `pick` chooses by language, Danish by default."""

    da: str
    en: str

    def pick(self, lang: str | None) -> str:
        """The half for `lang` (anything but English reads Danish)."""
        return self.en if language(lang) == "en" else self.da

    def format(self, **values: object) -> "Text":
        """Both halves with their `{name}` placeholders filled in."""
        return Text(self.da.format(**values), self.en.format(**values))

    def as_dict(self) -> dict[str, str]:
        """`{"da": ..., "en": ...}`, as JSON schemas and APIs carry it."""
        return {"da": self.da, "en": self.en}


def has_nul(value: Any) -> bool:
    """Whether any string inside `value` (keys included) contains a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(item) for item in value)
    return False


def find_nul(value: Any, path: str = "") -> str | None:
    """The path of the first string inside `value` that contains a NUL character, if any."""
    if not has_nul(value):
        return None  # the common case, without building a path for every member
    return _nul_path(value, path)


def _nul_path(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path or "value" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _nul_path(key, path) or _nul_path(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}[{index}]")
            if found:
                return found
    return None
