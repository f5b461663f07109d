"""Text rules shared by every field: no NUL characters (PostgreSQL cannot store them)."""

from typing import Any


def find_nul(value: Any, path: str = "") -> str | None:
    """The path of the first string inside `value` that contains a NUL character, if any."""
    if isinstance(value, str):
        return path or "value" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = find_nul(key, path) or find_nul(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = find_nul(item, f"{path}[{index}]")
            if found:
                return found
    return None
