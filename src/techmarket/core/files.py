"""Checking uploaded files by their content, not their name: what kind of document a file really is.

A file is accepted when its first bytes match the signature of an allowed kind and its name ends with an
extension of that kind (so a renamed executable is refused, and so is a PDF named ``.png``). The kinds
are the documents people exchange on the platform: PDF, images, and office documents (both the current
ZIP-based formats and the older compound-file ones).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from techmarket.core.errors import DomainError

MAX_NAME_CHARS = 150


@dataclass(frozen=True)
class FileKind:
    """One accepted kind: its key, the content type it is served with, its extensions and signatures."""

    key: str
    content_type: str
    extensions: tuple[str, ...]
    signatures: tuple[bytes, ...]


ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

PDF = FileKind("pdf", "application/pdf", (".pdf",), (b"%PDF-",))
PNG = FileKind("png", "image/png", (".png",), (b"\x89PNG\r\n\x1a\n",))
JPEG = FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",))
GIF = FileKind("gif", "image/gif", (".gif",), (b"GIF87a", b"GIF89a"))
DOCX = FileKind(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), (ZIP,)
)
XLSX = FileKind(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), (ZIP,)
)
PPTX = FileKind(
    "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",), (ZIP,)
)
DOC = FileKind("doc", "application/msword", (".doc",), (OLE,))
XLS = FileKind("xls", "application/vnd.ms-excel", (".xls",), (OLE,))
PPT = FileKind("ppt", "application/vnd.ms-powerpoint", (".ppt",), (OLE,))

DOCUMENTS: tuple[FileKind, ...] = (PDF, PNG, JPEG, GIF, DOCX, XLSX, PPTX, DOC, XLS, PPT)


def safe_name(name: str | None, default: str = "attachment") -> str:
    """The uploaded name without path separators or control characters, at most 150 characters (the
    end kept, so the extension survives)."""
    cleaned = "".join(ch for ch in (name or "") if ch.isprintable() and ch not in "/\\")
    return cleaned.strip()[-MAX_NAME_CHARS:] or default


def check_upload(upload: UploadedFile, *, kinds: Iterable[FileKind], max_bytes: int) -> FileKind:
    """The kind of ``upload`` among ``kinds``; a DomainError (on field ``file``) when it is too large,
    empty, or not one of them by both its content and its name."""
    if upload.size is None or upload.size > max_bytes:
        raise DomainError(
            "attachment_too_large",
            _("附件不能超过 %(mb)d MB。") % {"mb": max_bytes // (1024 * 1024)},
            fields={"file": [_("文件过大。")]},
        )
    if upload.size == 0:
        raise DomainError("attachment_empty", _("附件是空文件。"), fields={"file": [_("文件为空。")]})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "").lower()
    for kind in kinds:
        if name.endswith(kind.extensions) and any(head.startswith(sig) for sig in kind.signatures):
            return kind
    raise DomainError(
        "attachment_type",
        _("附件类型不受支持：请上传 PDF、图片（PNG、JPEG、GIF）或 Office 文档。"),
        fields={"file": [_("文件类型不受支持。")]},
    )
