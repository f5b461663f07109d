"""The web pages' words in Danish (the default) and English.

A plain table, no gettext catalogue: the pages are few, and keeping each Danish text next to its
English one (in `words.toml`, read by `api.web.words`) makes a missing translation impossible.
`translate` falls back to the key itself, so a forgotten entry shows up on the page instead of
raising. The names of roles and triggers are tables of `words.toml` too, keyed by the values of
`Role` and `Trigger`.
"""

from api.web.words import WORDS
from states.text import DEFAULT_LANGUAGE, LANGUAGES, Text, language
from workflow.core.formatting import format_number

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "pick", "translate"]

_UI: dict[str, Text] = WORDS["pages"]

ROLES: dict[str, Text] = WORDS["roles"]
TRIGGERS: dict[str, Text] = WORDS["triggers"]


def translate(language: str, key: str, **values: object) -> str:
    """The text for `key` in `language`, with `{name}` placeholders filled from `values`."""
    text = pick(_UI.get(key), language, key)
    if not values:
        return text
    shown = {
        name: format_number(v, language) if isinstance(v, int) and not isinstance(v, bool) else v
        for name, v in values.items()
    }  # counts read `1.234 sager` in Danish, `1,234 cases` in English
    return text.format(**shown)


def pick(pair: Text | tuple[str, str] | None, language: str, fallback: str = "") -> str:
    """The Danish or English half of a label pair (or `fallback` when there is none).

    Takes a `Text` (the tables of `words.toml`) or a `(da, en)` tuple (the labels defined in
    `states/`, which does not depend on the web layer).
    """
    if pair is None:
        return fallback
    return (pair if isinstance(pair, Text) else Text(*pair)).pick(language)


def normalise_language(value: str | None) -> str:
    """A supported language code; Danish for anything unknown."""
    return language(value)
