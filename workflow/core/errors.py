"""Domain errors: what the workflow refuses and why, with no notion of HTTP.

`api.http.problems` maps each class to the RFC 9457 problem and the status SPEC §4 names; the pages
map them to their own messages. A new refusal gets its class here and its row there.
"""

from typing import Any

from states import Unmet
from states.text import find_nul


class WorkflowError(Exception):
    """Base of every refusal the workflow layer raises on purpose."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(WorkflowError):
    """The thing does not exist, or is outside the caller's scope."""


class Forbidden(WorkflowError):
    """The caller's role may not do this."""


class Conflict(WorkflowError):
    """The request conflicts with the case's current state (e.g. a late proposal)."""


class InvalidTransition(Conflict):
    """The trigger does not exist for the case's current state."""


class RequirementsUnmet(Conflict):
    """`advance` was refused: the phase's requirements are not all met."""

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

    def __init__(self, detail: str, current_version: int) -> None:
        super().__init__(detail, current_version=current_version)
        self.current_version = current_version


class InvalidInput(WorkflowError):
    """The request is well-formed but its content is not acceptable."""


class TooLarge(WorkflowError):
    """An uploaded file is larger than the limit (413); nothing of it is kept."""


class UnsupportedType(WorkflowError):
    """An uploaded file's content is not of an accepted type (415)."""


class MalwareFound(InvalidInput):
    """The malware scanner found something in an uploaded file; it was not kept (422)."""


class Unavailable(WorkflowError):
    """A service the request needs (the malware scanner) did not answer (503)."""


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
