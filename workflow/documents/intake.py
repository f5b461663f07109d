"""Receiving an upload: into a temporary file while hashing and counting, then checking it.

The bytes are copied piece by piece from the request's spooled file into a temporary file of
the store's, hashed and counted on the way; past the size limit the copy stops at once and the
partial file is removed. Only a file that is whole, not empty, clean (clamd) and of an accepted
type (libmagic) goes on to be stored. The caller removes the temporary file in every case
(`Received.discard`).
"""

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from workflow.core.errors import InvalidInput, TooLarge, Unavailable, UnsupportedType
from workflow.documents import scan, sniff

PIECE_BYTES = 1024 * 1024
MAX_FILE_NAME = 255
"""Longest file name kept (most file systems' limit)."""


@dataclass(frozen=True, slots=True)
class Received:
    """An upload on disk: where, its SHA-256, its size and its cleaned name."""

    path: Path
    sha256: str
    size: int
    file_name: str

    def discard(self) -> None:
        """Remove the temporary file (the store keeps its own copy)."""
        self.path.unlink(missing_ok=True)


def clean_file_name(name: str | None) -> str:
    """The file name as given, NFC-normalised and trimmed; `InvalidInput` for a name with a
    path separator, a control character, no visible character or more than 255 characters.

    A browser sends the bare name; a separator means a client trying to place the file, and a
    control character would end up in a `Content-Disposition` header. Neither is cleaned
    silently: the sender hears why.
    """
    cleaned = unicodedata.normalize("NFC", (name or "").strip())
    if not cleaned:
        raise InvalidInput("The file needs a name.", field="file")
    if "/" in cleaned or "\\" in cleaned:
        raise InvalidInput("The file name may not contain / or \\.", field="file")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in cleaned):
        raise InvalidInput("The file name contains a control character.", field="file")
    if cleaned in (".", ".."):
        raise InvalidInput("The file name is not a name.", field="file")
    if len(cleaned) > MAX_FILE_NAME:
        raise InvalidInput(
            f"The file name is longer than {MAX_FILE_NAME} characters.", field="file"
        )
    return cleaned


def receive(source: BinaryIO, file_name: str, spool_dir: Path, max_bytes: int) -> Received:
    """Copy `source` into a temporary file in `spool_dir`, hashing and counting it.

    `TooLarge` as soon as more than `max_bytes` arrive (the partial file removed);
    `InvalidInput` for an empty file.
    """
    digest = hashlib.sha256()
    size = 0
    handle, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=spool_dir)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            while piece := source.read(PIECE_BYTES):
                size += len(piece)
                if size > max_bytes:
                    raise TooLarge(
                        f"The file is larger than {max_bytes} bytes.", max_bytes=max_bytes
                    )
                digest.update(piece)
                out.write(piece)
        if size == 0:
            raise InvalidInput("The file is empty.", field="file")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Received(path, digest.hexdigest(), size, file_name)


def check_content(received: Received, clamd: str | None) -> tuple[str, str | None]:
    """The file's accepted media type, and the malware signature clamd found (None: clean or
    not scanned). Malware is reported, not raised, so the caller can audit the refusal."""
    if clamd:
        try:
            verdict = scan.scan_file(clamd, received.path)
        except scan.ScannerUnavailable as exc:
            raise Unavailable(
                "The malware scanner is not available; try again shortly.", reason=str(exc)
            ) from None
        if verdict.infected:
            return "", verdict.signature
    try:
        return sniff.media_type_of(received.path), None
    except sniff.Refused as exc:
        raise UnsupportedType(
            "Only PDF, Office documents, images and plain UTF-8 text are accepted; "
            f"this file is {exc}.",
            detected=str(exc),
        ) from None
