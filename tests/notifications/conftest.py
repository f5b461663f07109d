"""The `scene` fixture of the reminder tests: Furesø's case with two partner companies."""

import pytest
from sqlmodel import Session

from tests.reminder_support import Scene, make_scene


@pytest.fixture
def scene(session: Session) -> Scene:
    """The reminder tests' scene on the parametrised test database (`make_scene`)."""
    return make_scene(session)
