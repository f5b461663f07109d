"""Which files are accepted, decided from their content by libmagic, never from their name.

A document is a PDF, an Office document (Office Open XML or OpenDocument, both zip files, or a
legacy OLE compound file), an image, or plain UTF-8 text. libmagic (Debian's `libmagic1`, the
library behind `file`) reads the bytes; a `.pdf` that is really an executable is refused, and a
PDF named `.txt` is a PDF. SVG and HTML are refused: a browser would run their scripts.
"""

from pathlib import Path

import magic

ACCEPTED: dict[str, str] = {
    "application/pdf": "application/pdf",
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "image/gif": "image/gif",
    "image/webp": "image/webp",
    "image/tiff": "image/tiff",
    "application/msword": "application/msword",
    "application/vnd.ms-excel": "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint": "application/vnd.ms-powerpoint",
    "application/vnd.ms-office": "application/vnd.ms-office",
    "application/x-ole-storage": "application/x-ole-storage",
    "application/CDFV2": "application/x-ole-storage",
}
"""libmagic's answer → the media type stored and served."""

OFFICE_PREFIXES = (
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
)
TEXT_TYPES = frozenset({"text/plain", "text/csv"})
"""Text libmagic may report for plain text; it must also decode as UTF-8."""
TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"


class Refused(ValueError):
    """The file is not of an accepted type; the message says what it is."""


def media_type_of(path: Path) -> str:
    """The accepted media type of the file at `path`, or `Refused`."""
    found = magic.from_file(str(path), mime=True)
    if found in ACCEPTED:
        return ACCEPTED[found]
    if found.startswith(OFFICE_PREFIXES):
        return found
    if found in TEXT_TYPES:
        if not _utf8(path):
            raise Refused("text that is not UTF-8")
        return TEXT_MEDIA_TYPE
    raise Refused(found)


def _utf8(path: Path) -> bool:
    """Whether the whole file decodes as UTF-8 (read in pieces; a character split between two
    pieces is carried over)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while piece := handle.read(1024 * 1024):
                decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
