"""Open calls in public (issue 17, item 5): `GET /public/calls` and its feeds need no token.

Equal treatment: a published call is open to every company, registered or not, so the call
list, each call, the Atom feed and the iCalendar feed of submission deadlines are readable by
anyone. They show the call section alone (`workflow.public.calls`); an id that is not an open
call is 404, whether the case is unpublished, cancelled, closed or missing.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from api.deps import Language, Now, SessionDep, strict_query
from api.http.replies import json_response
from api.public_feeds import ATOM_TYPE, CALENDAR_TYPE, atom_feed, deadline_calendar
from api.routes.params import Limit, Offset, id_path
from api.schemas.common import Page, feed_responses, problem_responses
from api.schemas.public import OpenCall
from workflow.core.settings import Settings, get_settings
from workflow.public.calls import PublicCall, open_call, open_calls

router = APIRouter(tags=["public"], dependencies=[Depends(strict_query)])

SettingsDep = Annotated[Settings, Depends(get_settings)]
CallId = Annotated[int, id_path("The call's (its case's) id.")]
FEED_SIZE = 500
"""At most this many calls in a feed, closing soonest first."""
PAGE_PATH = "/ui/public/calls"
"""Where the public call pages are (`api.web.public.public_pages`)."""


def page_url(settings: Settings, call_id: int | None = None) -> str:
    """The absolute address of the public call list, or of one call's page."""
    base = settings.base_url.rstrip("/") + PAGE_PATH
    return base if call_id is None else f"{base}/{call_id}"


def _urls(settings: Settings, calls: list[PublicCall]) -> dict[int, str]:
    return {c.id: page_url(settings, c.id) for c in calls}


@router.get("/public/calls", response_model=Page[OpenCall], responses=problem_responses(422))
def list_open_calls(
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    """The open calls (in `match`, before their submission deadline), closing soonest first.
    No token: every company may read them."""
    calls, total = open_calls(session, now, limit=limit, offset=offset)
    items = [OpenCall.of(c, page_url(settings, c.id)) for c in calls]
    return json_response(Page[OpenCall](items=items, total=total))


@router.get(
    "/public/calls.atom",
    response_class=Response,
    responses=feed_responses("An Atom feed (RFC 4287).", "application/atom+xml", 422),
)
def open_calls_atom(
    session: SessionDep, settings: SettingsDep, now: Now, lang: Language
) -> Response:
    """The open calls as an Atom feed, in the `Accept-Language` language (Danish by default).
    No token."""
    calls, _ = open_calls(session, now, limit=FEED_SIZE)
    self_url = settings.base_url.rstrip("/") + "/api/v1/public/calls.atom"
    body = atom_feed(
        calls,
        self_url=self_url,
        page_url=page_url(settings),
        call_url=_urls(settings, calls),
        now=now,
        lang=lang,
    )
    return Response(body, media_type=ATOM_TYPE)


@router.get(
    "/public/calls.ics",
    response_class=Response,
    responses=feed_responses(
        "An iCalendar feed (RFC 5545) of the submission deadlines.", "text/calendar", 422
    ),
)
def open_calls_ics(
    session: SessionDep, settings: SettingsDep, now: Now, lang: Language
) -> Response:
    """The open calls' submission deadlines as iCalendar, one event per call with a UID that
    stays the same for the call's life. No token."""
    calls, _ = open_calls(session, now, limit=FEED_SIZE)
    body = deadline_calendar(calls, call_url=_urls(settings, calls), now=now, lang=lang)
    return Response(
        body,
        media_type=CALENDAR_TYPE,
        headers={"Content-Disposition": 'inline; filename="open-calls.ics"'},
    )


@router.get(
    "/public/calls/{case_id}", response_model=OpenCall, responses=problem_responses(404, 422)
)
def get_open_call(
    case_id: CallId, session: SessionDep, settings: SettingsDep, now: Now
) -> JSONResponse:
    """One open call. Any id that is not an open call (unpublished, cancelled, closed or no
    case at all) is 404. No token."""
    return json_response(OpenCall.of(open_call(session, case_id, now), page_url(settings, case_id)))
