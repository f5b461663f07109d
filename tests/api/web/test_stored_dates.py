"""A date outside 2000-2100 already in the database cannot break a page (issue 15.4).

Such rows exist where an older version accepted `9999-12-31T23:30:00Z`: the case's section
and the deadline the phase rules derived from it. They are written here directly, below the
validation, and every page and read of the case must still answer.
"""

import re
from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import Session, col

from tests.api_helpers import ApiClient, create_case, drive
from workflow.models import Case, Deadline

FAR = "9999-12-31T23:30:00Z"


def sign_in(api: ApiClient, token: str) -> None:
    form = api.client.get("/ui/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf
    done = api.client.post(
        "/ui/login",
        data={"csrf_token": csrf.group(1), "token": token, "next": "/ui/cases"},
        follow_redirects=False,
    )
    assert done.status_code == 303


def test_pages_and_reads_survive_a_stored_far_future_date(api: ApiClient) -> None:
    w = api.world()
    case = drive(api, w, create_case(api, w), "match")
    with Session(api.db.engine) as session:
        stored = session.get(Case, case["id"])
        assert stored is not None
        stored.call = {**stored.call, "submission_deadline": FAR}
        stored.pilot = {"start_date": "9999-12-31", "ended_at": "0001-01-01T00:00:00Z"}
        session.add(stored)
        session.execute(
            update(Deadline)
            .where(col(Deadline.case_id) == case["id"])
            .values(due_at=datetime(9999, 12, 31, 23, 30, tzinfo=UTC))
        )
        session.commit()
    for token in (w.manager, w.partner, w.auditor):
        for path in (f"/cases/{case['id']}", "/cases", f"/cases/{case['id']}/deadlines"):
            response = api.get(path, token=token)
            assert response.status_code in (200, 403), (path, response.text)
    sign_in(api, w.manager)
    for path in (f"/ui/cases/{case['id']}", "/ui/cases", "/ui/cases?overdue=1"):
        page = api.client.get(path)
        assert page.status_code == 200, (path, page.text[-500:])
    assert "9999" in api.client.get(f"/ui/cases/{case['id']}").text  # shown, not hidden


def test_date_inputs_on_pages_outside_2000_2100_are_refused_or_ignored(api: ApiClient) -> None:
    w = api.world()
    case = create_case(api, w)
    sign_in(api, w.manager)
    for query in ("from=9999-12-31", "to=9999-12-31", "from=0001-01-01&to=0001-01-01"):
        assert api.client.get(f"/ui/audit?{query}").status_code in (200, 403), query
    sign_in(api, w.auditor)
    for query in ("from=9999-12-31", "to=9999-12-31", "from=0001-01-01&to=0001-01-01"):
        assert api.client.get(f"/ui/audit?{query}").status_code == 200, query
    sign_in(api, w.manager)
    page = api.client.get(f"/ui/cases/{case['id']}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    form = {
        "csrf_token": csrf.group(1),
        "version": "1",
        "f.submission_deadline": "9999-12-31T23:30",
    }
    saved = api.client.post(
        f"/ui/cases/{case['id']}/sections/call", data=form, follow_redirects=False
    )
    assert saved.status_code == 422, saved.text[-800:]
    assert api.get(f"/cases/{case['id']}", token=w.manager).json()["version"] == 1
