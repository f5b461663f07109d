"""Danish search terms computed in Python, so SQLite's FTS5 can stem like PostgreSQL's `danish`.

FTS5 has no Danish tokenizer, so each case stores its need text already stemmed by the Snowball
Danish stemmer (`need_terms`), and a search stems its words the same way. PostgreSQL stems with
its own built-in `danish` configuration (the same Snowball algorithm) and needs no stored terms.

A search matches each word of the query as a *prefix* of a stem: Snowball stems "demens" to
"dem" and "demente" to "dement", so a need about "demente borgere" is found by "demens" only
through the prefix. Only word characters become terms, so no query text can ever reach FTS5 or
`to_tsquery` as syntax (quotes, operators, `NEAR`, `:*` are dropped with the other punctuation).
"""

import re
import threading

import snowballstemmer

WORD = re.compile(r"[^\W_]+")
"""A word: letters and digits of any alphabet, nothing else (underscore included)."""

MAX_QUERY_TERMS = 16
"""More words than this add nothing to a need search and only cost time: the rest are ignored."""

MAX_TERM_LENGTH = 60
"""A longer "word" (a pasted hash, a run of one letter) is cut to this many characters."""


_per_thread = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    """This thread's Danish stemmer. A Snowball stemmer keeps the word it is stemming on
    itself, so one shared by FastAPI's worker threads stemmed two requests' words into each
    other: an `IndexError` (a 500) or a wrong stem (`tests/workflow/needs/test_terms.py`)."""
    stemmer: snowballstemmer.stemmer | None = getattr(_per_thread, "stemmer", None)
    if stemmer is None:
        stemmer = _per_thread.stemmer = snowballstemmer.stemmer("danish")
    return stemmer


def words(text: str) -> list[str]:
    """The case-folded words of `text`, each at most `MAX_TERM_LENGTH` characters."""
    return [w[:MAX_TERM_LENGTH] for w in WORD.findall(text.casefold())]


def stems(text: str) -> list[str]:
    """The Danish stems of the words of `text`, in order."""
    found: list[str] = _stemmer().stemWords(words(text))
    return found


def need_terms(*parts: str | None) -> str:
    """The stored search terms of a need: the stems of its parts, space separated."""
    return " ".join(stem for part in parts if part for stem in stems(part))


def query_terms(q: str) -> list[str]:
    """The distinct stems a search for `q` looks for (at most `MAX_QUERY_TERMS`), in order."""
    seen: dict[str, None] = {}
    for stem in stems(q):
        seen.setdefault(stem, None)
        if len(seen) == MAX_QUERY_TERMS:
            break
    return list(seen)


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every term as a quoted prefix.

    The terms are word characters only (`WORD`), so the double quotes cannot be broken out of.
    """
    return " AND ".join(f'"{term}"*' for term in terms)


def tsquery_text(words_: list[str]) -> str:
    """A `to_tsquery('danish', ...)` text: every word quoted, as a stemmed prefix."""
    return " & ".join(f"'{word}':*" for word in words_)
