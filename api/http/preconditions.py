"""`If-Match` handling: writes to a case must name the version they were based on (SPEC §4)."""

from typing import Annotated

from fastapi import Header

from api.http.problems import ApiProblem
from workflow.core.errors import StaleVersion
from workflow.models import Case

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The case\'s `ETag` (its version, quoted: `"3"`); required.',
        max_length=1000,
    ),
]


def _versions(header: str) -> set[int] | None:
    """The versions an `If-Match` value names; None for `*` (any current version)."""
    versions: set[int] = set()
    for raw in header.split(","):
        tag = raw.strip()
        if tag == "*":
            return None
        # Weak tags never match under If-Match's strong comparison (RFC 9110 §13.1.1).
        if tag.startswith('"') and tag.endswith('"') and len(tag) >= 2:
            tag = tag[1:-1]
        if tag.isascii() and tag.isdigit():
            versions.add(int(tag))
    return versions


def require_if_match(header: str | None) -> str:
    """428 when `If-Match` is missing or empty."""
    if header is None or not header.strip():
        raise ApiProblem(
            428, "This write needs If-Match with the case's ETag.", slug="if-match-required"
        )
    return header


def check_if_match(case: Case, header: str) -> int:
    """The case's version if `header` matches it (call with the case locked); else 412."""
    versions = _versions(header)
    if versions is not None and case.version not in versions:
        raise StaleVersion(
            f"The case is at version {case.version}; If-Match names another.",
            current_version=case.version,
        )
    return case.version
