"""Domain errors. The API maps each to an RFC 9457 problem with the status SPEC §4 names."""

from typing import Any

from states import Unmet
from states.text import find_nul


class WorkflowError(Exception):
    """Base of every refusal the workflow layer raises on purpose."""

    status: int = 400
    type_slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(WorkflowError):
    """The thing does not exist, or is outside the caller's scope."""

    status, type_slug, title = 404, "not-found", "Not found"


class Forbidden(WorkflowError):
    """The caller's role may not do this."""

    status, type_slug, title = 403, "forbidden", "Forbidden"


class Conflict(WorkflowError):
    """The request conflicts with the case's current state (e.g. a late proposal)."""

    status, type_slug, title = 409, "conflict", "Conflict"


class InvalidTransition(Conflict):
    """The trigger does not exist for the case's current state."""

    type_slug, title = "invalid-transition", "Invalid transition"


class RequirementsUnmet(Conflict):
    """`advance` was refused: the phase's requirements are not all met."""

    type_slug, title = "requirements-unmet", "Requirements unmet"

    def __init__(self, detail: str, unmet: list[Unmet]) -> None:
        super().__init__(detail)
        self.unmet = unmet


class SectionLocked(Conflict):
    """A patch would change a section that the case's current state keeps closed."""

    def __init__(self, section: str, state: str, editable: tuple[str, ...]) -> None:
        open_now = ", ".join(editable) if editable else "none"
        super().__init__(
            f"The {section} section cannot be changed while the case is in {state}; "
            f"sections open in this state: {open_now}.",
            section=section,
            state=state,
            editable=list(editable),
        )


class StaleVersion(WorkflowError):
    """`If-Match` named a version that is no longer current."""

    status, type_slug, title = 412, "stale-version", "Precondition failed"

    def __init__(self, detail: str, current_version: int) -> None:
        super().__init__(detail, current_version=current_version)
        self.current_version = current_version


class InvalidInput(WorkflowError):
    """The request is well-formed but its content is not acceptable."""

    status, type_slug, title = 422, "invalid-input", "Unprocessable content"


def check_text(value: object, field: str) -> None:
    """Refuse text the databases cannot store (NUL characters), as invalid input."""
    where = find_nul(value, field)
    if where:
        raise InvalidInput(f"{where} contains a NUL character, which is not allowed.")


def check_reason(reason: str | None, *, required: bool, what: str, max_length: int) -> None:
    """Refuse a missing reason where `what` needs one, and any reason that is too long or
    holds a NUL character."""
    if required and (reason is None or not reason.strip()):
        raise InvalidInput(f"{what} needs a reason.")
    check_text(reason, "reason")
    if reason is not None and len(reason) > max_length:
        raise InvalidInput(f"The reason is longer than {max_length} characters.")
