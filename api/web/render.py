"""Rendering the Jinja2 templates with what every page needs: language, user, CSRF token."""

from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.web.form_input import typed_error, typed_value
from api.web.forms import format_date, format_datetime
from api.web.i18n import ROLES, pick, translate
from api.web.labels import VALUES
from api.web.session import WebSession, new_session
from states import CaseState
from workflow.access.actor import Actor
from workflow.access.policy import Action, competes, may
from workflow.access.roles import Role
from workflow.core.formatting import format_size
from workflow.core.settings import get_settings

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
WEB_PREFIX = "/ui"


def see_other(path: str) -> RedirectResponse:
    """Send the browser on to the page at `path` below `WEB_PREFIX` after a form's POST
    (303, so a reload does not post the form again)."""
    return RedirectResponse(f"{WEB_PREFIX}{path}", status_code=303)


@dataclass(frozen=True, slots=True)
class NavCounts:
    """The numbers beside the navigation links (`api.web.overview.overview_view.nav_counts`)."""

    overview: int
    deadlines: int
    calls: int | None
    """Open calls, for partners only."""


def _offers(action: Action, page: str) -> property:
    """A `WebUser` property: whether the navigation offers `page`, the one `action` guards
    (`workflow.access.policy`). One line a link, so the links and their rights read as a table."""
    return property(lambda user: may(user.actor, action), doc=f"Whether the nav offers {page}.")


@dataclass(frozen=True, slots=True)
class WebUser:
    """The signed-in person: their actor, the name of their organisation and, on pages read
    with GET, the counts beside the navigation links."""

    actor: Actor
    organisation_name: str | None
    counts: NavCounts | None = None

    @property
    def role(self) -> Role:
        """The token's role."""
        return self.actor.role

    reads_audit = _offers(Action.READ_AUDIT, "the audit page")
    reads_requests = _offers(Action.READ_ORGANISATION_REQUESTS, '"Anmodninger" (join requests)')
    reads_overview = _offers(Action.READ_OVERVIEW, '"Overblik for ledere"')
    manages_users = _offers(Action.MANAGE_USERS, "the users page")

    @property
    def competes(self) -> bool:
        """Whether the user speaks for a competing company (sees its own proposals only)."""
        return competes(self.actor)


@lru_cache
def environment() -> Environment:
    """The template environment, built once (autoescaping on, undefined names are errors)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["urlencode_query"] = lambda params: urlencode(
        {k: v for k, v in params.items() if v not in (None, "")}
    )
    return env


def language_of(request: Request) -> str:
    """The page language chosen for this request (set by the session middleware)."""
    return str(getattr(request.state, "language", "da"))


def web_session_of(request: Request) -> WebSession:
    """This request's session (set by the session middleware)."""
    session = getattr(request.state, "web_session", None)
    if not isinstance(session, WebSession):
        session = new_session()
        request.state.web_session = session
        request.state.session_changed = True
    return session


def current_path(request: Request) -> str:
    """The path and query of this request, for `next=` links."""
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    user: WebUser | None = None,
) -> HTMLResponse:
    """The template rendered as an HTML response, with the common context filled in."""
    language = language_of(request)
    here = current_path(request)
    common: dict[str, Any] = {
        "lang": language,
        "t": partial(translate, language),
        "pick": lambda pair, fallback="": pick(pair, language, fallback),
        "value_label": lambda value: pick(VALUES.get(str(value)), language, str(value)),
        "state_label": lambda state: CaseState(state).label(language),
        "role_label": lambda role: pick(ROLES.get(role), language, role),
        "fmt_dt": lambda value: format_datetime(value, language),
        "fmt_date": lambda value: format_date(value, language),
        "fmt_size": lambda value: format_size(value, language),
        "document_max_mb": get_settings().document_max_bytes // (1024 * 1024),
        "typed_value": typed_value,
        "typed_error": typed_error,
        "ui": WEB_PREFIX,
        "active": "",
        "user": user,
        "csrf_token": web_session_of(request).csrf,
        "language_links": {
            code: f"{WEB_PREFIX}/language?lang={code}&next={quote(here, safe='')}"
            for code in ("da", "en")
        },
    }
    html = environment().get_template(template).render({**common, **(context or {})})
    return HTMLResponse(html, status_code=status_code)


def safe_next(value: str | None) -> str:
    """A redirect target inside the pages; anything else becomes "Mit overblik"."""
    if (
        value
        and value.startswith(WEB_PREFIX + "/")
        and not value.startswith("//")
        and "\\" not in value
        and "\n" not in value
        and "\r" not in value
    ):
        return value
    return f"{WEB_PREFIX}/overview"
