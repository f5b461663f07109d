"""Who does something: the actor recorded on every audit event."""

from dataclasses import dataclass

from workflow.access.roles import Role
from workflow.models.identity import SignInMethod

SYSTEM_PREFIX = "system:"
"""Names starting with this belong to the service's own processes; no token or user may take
one (issue 15 finding 10), so an audit event named `system:…` was written by the service."""


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, a service token or a named system process acting on the service.

    `token_id` is the stable id of the token used (None for a single sign-on, the bootstrap
    admin and system processes), `user_id` the person's (None for service tokens and system
    processes), `via` how they signed in (`SignInMethod`). All of them are on every audit event.
    """

    name: str
    role: Role
    organisation_id: int | None = None
    token_id: int | None = None
    user_id: int | None = None
    via: str = SignInMethod.TOKEN.value

    def __post_init__(self) -> None:
        # Rows and tests hand over the role as its stored string; holding the enum member
        # means every comparison below is against `Role`, never a spelling of it.
        object.__setattr__(self, "role", Role(self.role))

    @property
    def is_system(self) -> bool:
        """Whether this is an automatic process, never a person."""
        return self.role is Role.SYSTEM


def _system(name: str) -> Actor:
    return Actor(name=SYSTEM_PREFIX + name, role=Role.SYSTEM, via=SignInMethod.SYSTEM.value)


def is_reserved_name(name: str) -> bool:
    """Whether `name` is one only the service's own processes may carry."""
    return name.strip().casefold().startswith(SYSTEM_PREFIX)


SYSTEM_SWEEP = _system("reminder-sweep")
SYSTEM_CHECKPOINT = _system("audit-checkpoint")
SYSTEM_CLI = _system("cli")
SYSTEM_DEMO = _system("demo-loader")
