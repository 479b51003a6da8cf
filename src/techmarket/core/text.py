"""Plain-text helpers every app shares (no domain knowledge, no Django)."""

from __future__ import annotations

KEYWORD_SEPARATORS = "，；;、 "


def split_keywords(text: str) -> list[str]:
    """Keywords typed with any of the usual Chinese or Latin separators, blanks dropped."""
    for separator in KEYWORD_SEPARATORS:
        text = text.replace(separator, ",")
    return [word.strip() for word in text.split(",") if word.strip()]
