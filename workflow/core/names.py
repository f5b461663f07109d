"""Names of organisations, tokens and signatories: cleaned first, then validated.

A name is trimmed before it is stored, and Python's `str.strip` also removes control
characters such as U+001C. Validating before trimming let `"\\u001c"` through as a one-character
name that was stored empty (and failed the answer's own schema: a 500). So the name is cleaned
first and the cleaned value is what is checked and kept; a control character anywhere in it
(NUL included, which SQLite would store and PostgreSQL cannot) is refused.
"""

import unicodedata

MAX_NAME_LENGTH = 200


def clean_name(value: str, what: str = "name") -> str:
    """`value` trimmed; ValueError when it is empty, too long or holds a control character."""
    cleaned = value.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in cleaned):
        raise ValueError(f"the {what} contains a control character")
    if not cleaned:
        raise ValueError(f"the {what} needs at least one visible character")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValueError(f"the {what} is longer than {MAX_NAME_LENGTH} characters")
    return cleaned
