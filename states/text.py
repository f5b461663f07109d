"""Text rules shared by every field: no NUL characters (PostgreSQL cannot store them)."""

from typing import Any


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
