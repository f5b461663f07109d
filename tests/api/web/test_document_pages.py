"""Documents on the pages: the upload form without JavaScript, the list with versions, the
proposal's documents for its own company only, refusals in Danish beside the file field."""

import re

from sqlalchemy import func, select
from sqlmodel import Session

from tests.api.documents.support import ELF, PDF, TEXT
from tests.web_support import WebApp, csrf_of
from workflow.models import Document, DocumentVersion


def _documents(web: WebApp) -> int:
    with Session(web.db.engine) as s:
        return int(s.execute(select(func.count()).select_from(DocumentVersion)).scalar_one())


def test_the_manager_uploads_and_downloads_on_the_case_page(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.match_case_id
    page = client.get(f"/ui/cases/{case_id}")
    assert 'data-testid="document-upload"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "Ingen dokumenter endnu." in page.text
    posted = client.post(
        f"/ui/cases/{case_id}/documents",
        data={"csrf_token": csrf_of(page.text), "kind": "dpa", "title": "Databehandleraftale"},
        files={"file": ("dba.pdf", PDF, "application/pdf")},
    )
    assert posted.status_code == 303, posted.text
    after = client.get(posted.headers["location"])
    assert "Dokumentet er gemt." in after.text
    assert "Databehandleraftale" in after.text and "Version 1: dba.pdf" in after.text
    link = re.search(r'href="(/ui/documents/\d+/content\?version=1)"', after.text)
    assert link is not None
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")


def test_a_refused_upload_says_why_beside_the_field(web: WebApp) -> None:
    client = web.signed_in("manager")
    case_id = web.world.match_case_id
    page = client.get(f"/ui/cases/{case_id}")
    before = _documents(web)
    refused = client.post(
        f"/ui/cases/{case_id}/documents",
        data={"csrf_token": csrf_of(page.text), "kind": "other", "title": "Program"},
        files={"file": ("program.pdf", ELF, "application/pdf")},
    )
    assert refused.status_code == 415
    assert 'id="doc-file-error"' in refused.text
    assert "Filtypen kan ikke modtages" in refused.text
    empty = client.post(
        f"/ui/cases/{case_id}/documents",
        data={"csrf_token": csrf_of(page.text), "kind": "other", "title": "Tom"},
        files={"file": ("tom.txt", b"", "text/plain")},
    )
    assert empty.status_code == 422
    assert "Filen er tom." in empty.text or "Vælg en fil." in empty.text
    assert _documents(web) == before


def test_a_company_adds_documents_to_its_own_proposal_only(web: WebApp) -> None:
    w = web.world
    company = web.signed_in("partner_a")
    own = company.get(f"/ui/cases/{w.match_case_id}/proposals/{w.proposal_a_id}")
    assert own.status_code == 200 and 'data-testid="document-upload"' in own.text
    posted = company.post(
        f"/ui/cases/{w.match_case_id}/proposals/{w.proposal_a_id}/documents",
        data={"csrf_token": csrf_of(own.text), "kind": "proposal", "title": "Vores forslag"},
        files={"file": ("forslag.txt", TEXT, "text/plain")},
    )
    assert posted.status_code == 303, posted.text
    with Session(web.db.engine) as s:
        [document] = s.execute(select(Document)).scalars().all()
    rival = web.signed_in("partner_b")
    assert rival.get(f"/ui/documents/{document.id}/content").status_code == 404
    forged = rival.post(
        f"/ui/cases/{w.match_case_id}/proposals/{w.proposal_a_id}/documents",
        data={"csrf_token": csrf_of(rival.get("/ui/overview").text), "kind": "proposal",
              "title": "Snyd"},
        files={"file": ("snyd.txt", TEXT, "text/plain")},
    )  # fmt: skip
    assert forged.status_code == 404
    assert _documents(web) == 1
    manager = web.signed_in("manager")
    seen = manager.get(f"/ui/cases/{w.match_case_id}/proposals/{w.proposal_a_id}")
    assert "Vores forslag" in seen.text and 'data-testid="document-upload"' not in seen.text
