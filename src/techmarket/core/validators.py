"""Validators for national codes, and the check that an upload is a whole, readable PDF."""

from __future__ import annotations

import logging
import warnings
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

# pypdf logs every repair it attempts on a damaged file; an upload's verdict is all that matters here.
logging.getLogger("pypdf").setLevel(logging.ERROR)

# GB 32100-2015: the 31 characters used by the unified social credit code (no I, O, Z, S, V).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code, computed per GB 32100-2015."""
    total = sum(USCC_ALPHABET.index(ch) * weight for ch, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="uscc_length")
    if any(ch not in USCC_ALPHABET for ch in code):
        raise ValidationError(_("统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）。"), code="uscc_chars")
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="uscc_check")


def validate_region_code(value: str) -> None:
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValidationError(_("行政区划代码应为6位数字（GB/T 2260）。"), code="region_code")


PDF_MAGIC = b"%PDF-"


def pdf_problem(stream: IO[bytes]) -> str | None:
    """Why an uploaded file is not an acceptable PDF, or None when it is one.

    The whole file is parsed (cross-reference table, trailer, page tree), not just its first bytes: a
    file that starts with ``%PDF-`` but is cut short or garbage after it is ``"damaged"``; a file that
    needs a password to open is ``"encrypted"`` (reviewers and the public could not read it); one that
    does not even start like a PDF is ``"not_pdf"``. The stream is left at its start.
    """
    stream.seek(0)
    head = stream.read(len(PDF_MAGIC))
    stream.seek(0)
    if head != PDF_MAGIC:
        return "not_pdf"
    # pypdf reports what it repairs through logging and warnings: for an upload only the verdict counts.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                return "encrypted"
            pages = reader.pages
            if len(pages) == 0:
                return "damaged"
            for page in pages:
                page.mediabox  # noqa: B018 -- resolving each page object is the check
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
            return "damaged"
        finally:
            stream.seek(0)
    return None
