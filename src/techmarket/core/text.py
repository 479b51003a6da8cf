"""Plain-text helpers every app shares (no domain knowledge, no Django)."""

from __future__ import annotations

import unicodedata

KEYWORD_SEPARATORS = "，；;、 "


def split_keywords(text: str) -> list[str]:
    """Keywords typed with any of the usual Chinese or Latin separators, blanks dropped."""
    for separator in KEYWORD_SEPARATORS:
        text = text.replace(separator, ",")
    return [word.strip() for word in text.split(",") if word.strip()]


def clean_input(text: str) -> str:
    """Text a person typed or pasted, as search and suggest read it.

    Invisible format characters (a byte-order mark, zero-width spaces and joiners, direction marks,
    soft hyphens) are dropped, so "\ufeff石墨烯" searches for 石墨烯; control characters (NUL, which
    PostgreSQL text cannot hold, tabs, line breaks) become spaces; lone surrogates, which no database
    can store, are dropped.
    """
    if not text:
        return ""
    if text.isprintable():
        return text
    kept: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cf", "Cs"):
            continue
        kept.append(" " if category == "Cc" else char)
    return "".join(kept)
