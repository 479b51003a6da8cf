"""Snippets of a record's text around the words a query matched, those words marked."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from techmarket.search import segment
from techmarket.search.backends import query_tokens

SNIPPET_CHARS = 80


def snippet(text: str, query: str, *, width: int | None = SNIPPET_CHARS) -> SafeString:
    """About ``width`` characters of ``text`` around the first matched word, matches in ``<mark>``.

    ``width=None`` keeps the whole text (titles). Matching is on the normalised text (full-width and case folded), which keeps every character's
    position, so the marks land on the original characters. Without a match, the text's beginning.
    """
    text = " ".join((text or "").split())
    words = sorted({word for word in query_tokens(query) if word}, key=len, reverse=True)
    folded = segment.normalise(text)
    if len(folded) != len(text):  # NFKC changed the length (ligatures): mark nothing rather than misplace
        words = []
    pattern = re.compile("|".join(re.escape(word) for word in words)) if words else None
    first = pattern.search(folded) if pattern else None
    if width is None:
        start, end = 0, len(text)
    else:
        start = max(0, first.start() - width // 4) if first else 0
        end = min(len(text), start + width)
    parts: list[str] = ["…" if start else ""]
    position = start
    for match in pattern.finditer(folded, start, end) if pattern else []:
        parts.append(escape(text[position : match.start()]))
        parts.append(f'<mark class="search-hit">{escape(text[match.start() : match.end()])}</mark>')
        position = match.end()
    parts.append(escape(text[position:end]))
    parts.append("…" if end < len(text) else "")
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text escaped above)
