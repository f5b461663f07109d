"""Reminder templates rendered once per shape, then filled per reminder.

A sweep renders three Jinja2 templates for every mail, and most of that work is the same for
every reminder of a language: the text around the values. So each template is rendered once
per *shape* (language, overdue or not, escalation or not, days left) with numbered holes
instead of the values, split at the holes, and each mail is filled by joining the pieces with
its values: escaped for HTML the way Jinja2's autoescape escapes them, as `str` for text.

This holds because the templates only print values and branch on the shape's fields
(`c.overdue`, `escalation`, `c.days_left`): keep it so when editing them. As a guard, the
first mail of every shape is also rendered by Jinja2 itself and compared; a shape whose
filled mail differs there (a template that came to branch on, or filter, another value) is
rendered by Jinja2 from then on. `tests/notifications/test_skeletons.py` compares both ways
for every shape.
"""

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import escape

log = logging.getLogger(__name__)

HOLE = "\x00"
"""Marks a hole in a skeleton. No template holds it, and values are never searched for it."""

Shape = tuple[str, bool, bool, int]
"""(template name, overdue, escalation, days left)."""


class _Holes:
    """The `c` of a skeleton: each field it is asked for prints as a numbered hole."""

    def __init__(self, names: list[str], overdue: bool, days_left: int) -> None:
        self._names = names
        self.overdue = overdue
        self.days_left = days_left

    def __getattr__(self, name: str) -> str:
        return _hole(self._names, f"c.{name}")


def _hole(names: list[str], name: str) -> str:
    names.append(name)
    return f"{HOLE}{len(names) - 1}{HOLE}"


@dataclass(frozen=True, slots=True)
class Skeleton:
    """A template's text for one shape: `pieces[0] hole[0] pieces[1] ... pieces[-1]`."""

    pieces: tuple[str, ...]
    holes: tuple[str, ...]
    """What each hole prints: `c.<field>` or a top-level variable's name."""
    html: bool

    def fill(self, values: Callable[[str], Any]) -> str:
        """The template's text with each hole's value (escaped in HTML)."""
        out = [self.pieces[0]]
        for name, piece in zip(self.holes, self.pieces[1:], strict=True):
            value = values(name)
            out.append(escape(value) if self.html else str(value))
            out.append(piece)
        return "".join(out)


def build(env: Environment, shape: Shape, top_level: Mapping[str, Any]) -> Skeleton:
    """Render template `shape[0]` with holes for every value but the shape's own."""
    name, overdue, escalation, days_left = shape
    names: list[str] = []
    variables: dict[str, Any] = {"c": _Holes(names, overdue, days_left)}
    for key in top_level.keys() - {"c"}:
        variables[key] = escalation if key == "escalation" else _hole(names, key)
    parts = env.get_template(name).render(variables).split(HOLE)
    pieces, holes = parts[0::2], [names[int(index)] for index in parts[1::2]]
    return Skeleton(tuple(pieces), tuple(holes), html=name.endswith(".html"))


class Skeletons:
    """Skeletons by shape, built on first use and checked once against Jinja2's own render."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._known: dict[Shape, Skeleton | None] = {}
        self._lock = threading.Lock()

    def render(self, name: str, variables: Mapping[str, Any]) -> str:
        """What `env.get_template(name).render(variables)` gives, mostly without Jinja2."""
        c = variables["c"]
        shape: Shape = (name, bool(c.overdue), bool(variables["escalation"]), int(c.days_left))
        if shape not in self._known:
            return self._first(shape, variables)
        skeleton = self._known[shape]
        if skeleton is None:
            return self.env.get_template(name).render(variables)
        return skeleton.fill(lambda hole: _value(hole, variables))

    def _first(self, shape: Shape, variables: Mapping[str, Any]) -> str:
        real = self.env.get_template(shape[0]).render(variables)
        built = build(self.env, shape, variables)
        skeleton: Skeleton | None = built
        if built.fill(lambda hole: _value(hole, variables)) != real:
            log.warning("template %s does not fill from a skeleton; rendered in full", shape[0])
            skeleton = None
        with self._lock:
            self._known.setdefault(shape, skeleton)
        return real


def _value(hole: str, variables: Mapping[str, Any]) -> Any:
    if hole.startswith("c."):
        return getattr(variables["c"], hole[2:])
    return variables[hole]
