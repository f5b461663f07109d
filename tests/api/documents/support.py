"""Test files of each accepted type, made by the tests, and a case with proposals to hold them."""

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx

from tests.api_helpers import ApiClient, World, create_case, drive

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
TEXT = "Evalueringsrapport: uro faldt med 40 % på Svanepunktet.\n".encode()
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def docx() -> bytes:
    """A minimal Office Open XML word document (a zip with its content types first), the same
    bytes at every call (fixed member times)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in _DOCX_PARTS:
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 1, 9, 0, 0)), text)
    return buffer.getvalue()


_DOCX_PARTS = (
    (
        "[Content_Types].xml",
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    ("_rels/.rels", "<Relationships/>"),
    ("word/document.xml", "<w:document/>"),
)


def upload(
    api: ApiClient,
    path: str,
    token: str,
    content: bytes,
    *,
    kind: str = "other",
    title: str = "Bilag",
    file_name: str = "bilag.pdf",
    replaces: int | None = None,
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    """POST a multipart upload to `path` (under /api/v1)."""
    data: dict[str, Any] = {"kind": kind, "title": title}
    if replaces is not None:
        data["replaces"] = str(replaces)
    return api.post(
        path, token=token, data=data, files={"file": (file_name, content, content_type)}
    )


def raw_upload(
    api: ApiClient, path: str, token: str, content: bytes, file_name: bytes
) -> httpx.Response:
    """A multipart upload written by hand, so the file name reaches the server byte for byte
    (httpx would percent-encode control characters)."""
    boundary = "opi-test-boundary-7d1f"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBilag\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'
        ).encode()
        + file_name
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return api.post(
        path,
        token=token,
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


@dataclass
class MatchCase:
    """A case in `match` with one proposal from each company."""

    world: World
    case_id: int
    proposal: int
    rival_proposal: int


def match_case(api: ApiClient) -> MatchCase:
    """The world's case, driven to `match`, with a proposal from RoligRum and from SenseCare."""
    w = api.world()
    case = drive(api, w, create_case(api, w), "match")
    ids = []
    for token in (w.partner, w.rival_partner):
        response = api.post(
            f"/cases/{case['id']}/proposals", token=token, json={"title": "Sanserum"}
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return MatchCase(w, case["id"], ids[0], ids[1])
