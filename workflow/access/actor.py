"""Who does something: the actor recorded on every audit event."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """A person's token or a named system process acting on the service."""

    name: str
    role: str
    organisation_id: int | None = None
    token_id: int | None = None

    @property
    def is_system(self) -> bool:
        """Whether this is an automatic process, never a person."""
        return self.role == "system"


SYSTEM_SWEEP = Actor(name="system:reminder-sweep", role="system")
SYSTEM_CHECKPOINT = Actor(name="system:audit-checkpoint", role="system")
SYSTEM_CLI = Actor(name="system:cli", role="system")
SYSTEM_DEMO = Actor(name="system:demo-loader", role="system")
