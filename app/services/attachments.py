"""Files attached to published examples (PDF, DOCX, ODT, XLSX).

The type is decided by the content, never by the name: the ``filetype`` library reads the
magic bytes, and for the zip-based formats ``zipfile`` checks the structure each format
requires (DOCX: ``word/document.xml``; XLSX: ``xl/workbook.xml``; both with
``[Content_Types].xml``; ODT: a first ``mimetype`` member naming the ODF text type). A file
that claims one type and is another, a truncated PDF, a zip with too many or too large
members, or anything over ``UPLOAD_MAX_BYTES`` is refused with the field named.

Files are written to the configured storage (app/services/storage.py) before the row is
flushed, so a failed upload can leave an orphaned file but no row without a file.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from sqlmodel import Session, select

from app.core.errors import AppError, FieldError, InputError, NotFound
from app.core.time import utcnow
from app.models import Attachment, Example, User
from app.services.policy import authorize
from app.services.storage import Storage, StorageError

MAX_PER_EXAMPLE = 20
MAX_ZIP_MEMBERS = 5_000
MAX_UNPACKED = 200 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    kind: str
    content_type: str
    extension: str
    label: str


KINDS: dict[str, FileKind] = {
    "pdf": FileKind("pdf", "application/pdf", "pdf", "PDF"),
    "docx": FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word (DOCX)"),
    "odt": FileKind("odt", "application/vnd.oasis.opendocument.text", "odt", "OpenDocument (ODT)"),
    "xlsx": FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel (XLSX)"),
}
ACCEPT = ",".join([".pdf", ".docx", ".odt", ".xlsx", *(k.content_type for k in KINDS.values())])


class TooLarge(AppError):
    def __init__(self, limit: int) -> None:
        super().__init__(message=f"Filen är större än {limit // (1024 * 1024) or 1} MB", status=413,
                         code="too_large", fields=[FieldError("file", f"must be at most {limit} bytes")])


def _zip_kind(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED:
        return None
    names = {i.filename for i in infos}
    if infos and infos[0].filename == "mimetype":
        try:
            mimetype = archive.read("mimetype").strip()
        except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
            return None
        if mimetype == KINDS["odt"].content_type.encode() and "content.xml" in names:
            return "odt"
        return None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def detect_kind(data: bytes) -> str | None:
    """'pdf', 'docx', 'odt', 'xlsx' or None, from the bytes alone."""
    guess = filetype.guess(data[:8192])
    if guess is not None and guess.mime == "application/pdf":
        return "pdf" if b"%%EOF" in data[-2048:] else None
    if data[:4] == b"PK\x03\x04":
        return _zip_kind(data)
    return None


def clean_filename(name: str | None, kind: FileKind) -> str:
    """A safe display/download name with the extension of the detected type."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*;')
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip(" .") or "bilaga"
    return f"{stem[:150]}.{kind.extension}"


def list_attachments(session: Session, *, example_id: int) -> list[Attachment]:
    return list(session.exec(select(Attachment).where(Attachment.example_id == example_id).order_by(Attachment.id)).all())


def add_attachment(session: Session, *, storage: Storage, example: Example, user: User, filename: str | None,
                   data: bytes, max_bytes: int) -> Attachment:
    authorize("example.attach", user, example)
    if len(data) > max_bytes:
        raise TooLarge(max_bytes)
    if not data:
        raise InputError([FieldError("file", "choose a file")])
    kind_name = detect_kind(data)
    if kind_name is None:
        raise InputError([FieldError("file", "must be a PDF, DOCX, ODT or XLSX file (checked by content)")],
                         message="Filtypen stöds inte")
    count = len(list_attachments(session, example_id=example.id))
    if count >= MAX_PER_EXAMPLE:
        raise InputError([FieldError("file", f"at most {MAX_PER_EXAMPLE} attachments per example")])
    kind = KINDS[kind_name]
    key = f"{example.id}/{secrets.token_hex(16)}"
    try:
        storage.put(key, data, content_type=kind.content_type)
    except StorageError as exc:
        raise AppError(message="Filen kunde inte sparas just nu. Försök igen.", status=503,
                       code="storage_unavailable") from exc
    row = Attachment(example_id=example.id, filename=clean_filename(filename, kind), kind=kind.kind,
                     content_type=kind.content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                     storage_key=key, uploaded_by_id=user.id, created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def get_attachment(session: Session, *, example_id: int, attachment_id: int) -> Attachment:
    row = session.get(Attachment, attachment_id)
    if row is None or row.example_id != example_id:
        raise NotFound("Bilagan finns inte")
    return row


def read_attachment(storage: Storage, row: Attachment) -> bytes:
    try:
        return storage.get(row.storage_key)
    except StorageError as exc:
        raise AppError(message="Filen kan inte hämtas just nu.", status=503, code="storage_unavailable") from exc


def delete_attachment(session: Session, *, storage: Storage, example: Example, row: Attachment, user: User) -> None:
    authorize("example.attach", user, example)
    session.delete(row)
    session.flush()
    try:
        storage.delete(row.storage_key)
    except StorageError:
        pass  # the row is gone; an orphaned file is harmless


def size_text(size: int, lang: str = "sv") -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        value = f"{size / 1024:.0f} kB"
    else:
        value = f"{size / (1024 * 1024):.1f} MB"
    return value.replace(".", ",") if lang == "sv" else value
