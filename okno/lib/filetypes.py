"""Decide what a file is from its bytes, and whether Okno accepts it.

The client's file name and declared type are never trusted: a ``photo.jpg`` that
is a Windows program is refused, a ``scan.pdf`` that is really a PNG is stored as
a PNG. puremagic reads the signatures; this module adds what it cannot tell
(which Office or OpenDocument format a zip is, and plain text).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import puremagic


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str


class RejectedFile(ValueError):
    """The file's content is of a type Okno does not accept."""


ACCEPTED: dict[str, str] = {
    # documents
    "application/pdf": ".pdf",
    "application/rtf": ".rtf",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "message/rfc822": ".eml",
    # images
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "image/heic": ".heic",
    # archives
    "application/zip": ".zip",
    "application/x-7z-compressed": ".7z",
    "application/vnd.rar": ".rar",
    # sound and video (call recordings, a video of a defect)
    "audio/mpeg": ".mp3",
    "audio/wav": ".wav",
    "audio/ogg": ".ogg",
    "audio/mp4": ".m4a",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
}

_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/x-ms-bmp": "image/bmp",
    "audio/x-wav": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "application/x-rar-compressed": "application/vnd.rar",
    "application/x-rar": "application/vnd.rar",
    "application/x-zip-compressed": "application/zip",
    "text/rtf": "application/rtf",
    "application/x-cfb": "application/msword",
}

_OOXML_PARTS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_EXTENSIONS = {".csv": "text/csv", ".eml": "message/rfc822"}


def _zip_type(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
            if "[Content_Types].xml" in names:
                for prefix, mime in _OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return mime
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        pass
    return "application/zip"


def _looks_like_text(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "cp1251", "koi8-r"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
        return control <= len(text) // 100
    return False


def _plain_text(head: bytes, data: bytes) -> bool:
    """Text with no markup, no script line and no RTF or PostScript header: nothing
    a signature scan could tell apart from plain text (the scan costs a millisecond)."""
    if b"<" in head or head.lstrip()[:2] in (b"#!", b"%!") or head.lstrip().startswith(b"{\\rtf"):
        return False
    return _looks_like_text(data)


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot >= 0 else ""


# Signatures that name their type beyond doubt: the commonest attachments skip the
# full signature scan (about a millisecond a file).
_UNAMBIGUOUS = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(data: bytes, filename: str = "") -> FileType:
    """The type of ``data`` as Okno will store it; ``RejectedFile`` if not accepted."""
    if not data:
        raise RejectedFile("the file is empty")
    head = data[:8192]
    mime = ""
    known = next((mime for signature, mime in _UNAMBIGUOUS if head.startswith(signature)), "")
    if known:
        mime = known
    elif _plain_text(head, data):
        mime = _TEXT_EXTENSIONS.get(_extension(filename), "text/plain")
    elif head.startswith(b"PK\x03\x04"):
        mime = _zip_type(data)
    elif head.startswith(_OLE_SIGNATURE):
        # Old Office formats share one container; the extension picks among them.
        mime = {".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint"}.get(
            _extension(filename), "application/msword"
        )
    else:
        try:
            # No file name: given one, puremagic guesses from the extension when no
            # signature matches, which is exactly the trust we refuse.
            matches = puremagic.magic_string(head)
        except (puremagic.PureError, ValueError):
            matches = []
        for match in matches:
            candidate = _ALIASES.get(match.mime_type, match.mime_type)
            if candidate:
                mime = candidate
                break
        if mime.startswith("text/") and mime not in ACCEPTED:
            # HTML, scripts, SVG: active content, never accepted.
            raise RejectedFile("web pages and scripts are not accepted")
        if not mime and _looks_like_text(data):
            mime = _TEXT_EXTENSIONS.get(_extension(filename), "text/plain")
    if mime not in ACCEPTED:
        raise RejectedFile(f"files of type {mime or 'unknown'} are not accepted")
    return FileType(mime=mime, extension=ACCEPTED[mime])


def safe_filename(filename: str, file_type: FileType) -> str:
    """The client's name without path parts or control characters, with an
    extension that matches the content."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")[:200]
    if not name:
        name = "file"
    if _extension(name) not in _equivalent_extensions(file_type):
        name = f"{name}{file_type.extension}"
    return name


def _equivalent_extensions(file_type: FileType) -> set[str]:
    ext = file_type.extension
    extra = {
        ".jpg": {".jpeg", ".jpe", ".jfif"},
        ".tif": {".tiff"},
        ".txt": {".log", ".text", ".csv", ".md"},
        ".eml": {".txt"},
        ".mp4": {".m4v"},
    }
    return {ext, *extra.get(ext, set())}
