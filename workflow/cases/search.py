"""The text `GET /cases?q=` searches, kept with each case so both databases search alike.

A case stores two search texts: what the municipality's people search (the title and the
need's description) and what a company searches (the title and the published call's text).
Each is its parts case-folded in Python and joined by `SEPARATOR`; a search folds `q` the same
way and looks for it as a plain substring. PostgreSQL and SQLite then agree: neither database's
own `lower()` is asked (SQLite's folds ASCII only, PostgreSQL's follows the database's locale),
and on PostgreSQL one trigram index per text finds the matches (migration 0007).
"""

from collections.abc import Mapping
from typing import Any

SEPARATOR = "\u24c8"
"""Joins the parts: Ⓢ, CIRCLED LATIN CAPITAL LETTER S. Case folding turns it into ⓢ, so it
never occurs in folded text, neither in a stored part nor in a folded `q`, and no `q` can match
across two parts. It is not ASCII either, so SQLite's LIKE, which ignores ASCII case, takes it
literally."""


def fold(text: str) -> str:
    """`text` case-folded: the Unicode caseless form (Æ → æ, ß → ss), one character at a time,
    so a substring of a text folds to a substring of the folded text."""
    return text.casefold()


def _joined(*parts: object) -> str:
    return SEPARATOR.join(fold(part) if isinstance(part, str) else "" for part in parts)


def search_texts(title: str, need: Mapping[str, Any], call: Mapping[str, Any]) -> tuple[str, str]:
    """The (internal, published) search texts of a case with this title and these sections:
    title and need description, and title and call text."""
    return _joined(title, need.get("description")), _joined(title, call.get("text"))
