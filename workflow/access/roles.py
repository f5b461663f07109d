"""The roles an actor can have (SPEC §4), as one enum.

`SYSTEM` is the pseudo-role of the service's own processes (the reminder sweep, the CLI, the
demo loader), `RECIPIENT` that of someone acknowledging a reminder through its signed link and
`PUBLIC` that of a visitor of the public call pages: all three are recorded in the audit log
like any other role, but no token can carry them (`workflow.access.policy.TOKEN_ROLES`) and
none may do anything the policy guards. The enum imports nothing, so the database models can
use it too.
"""

from enum import StrEnum


class Role(StrEnum):
    """What an actor may do is decided by its role (`workflow.access.policy`)."""

    ADMIN = "admin"
    MANAGER = "manager"
    """Projektleder: runs the cases its municipality leads."""
    STAFF = "staff"
    """Kommunal medarbejder: describes its municipality's needs."""
    PARTNER = "partner"
    """A company's or knowledge institution's person."""
    AUDITOR = "auditor"
    """Reads everything, changes nothing."""
    SYSTEM = "system"
    """The service itself; never a token's role."""
    RECIPIENT = "recipient"
    """A reminder's recipient using its signed acknowledge link; never a token's role."""
    PUBLIC = "public"
    """Anyone on the public call pages, without sign-in (a company asking to take part);
    never a token's role."""


PSEUDO_ROLES = frozenset({Role.SYSTEM, Role.RECIPIENT, Role.PUBLIC})
"""Roles of actors that are no token: the service's own processes, a signed link's holder."""

TOKEN_ROLES: tuple[Role, ...] = tuple(r for r in Role if r not in PSEUDO_ROLES)
"""The roles a token can carry."""
