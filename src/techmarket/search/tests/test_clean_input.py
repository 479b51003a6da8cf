"""Typed or pasted text as search and suggest read it (issue 9: a BOM before a word was a 500)."""

from __future__ import annotations

import pytest

from techmarket.search import segment
from techmarket.search.segment import clean_input


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\ufeff石墨烯", "石墨烯"),
        ("石\u200b墨\u200d烯\u2060", "石墨烯"),
        ("\u202e石墨烯\u200e", "石墨烯"),
        ("锂\x00电池", "锂 电池"),
        ("a\tb\r\nc", "a b  c"),
        ("\ud800石墨烯", "石墨烯"),
        ("普通文本 text", "普通文本 text"),
        ("", ""),
    ],
)
def test_invisible_and_control_characters(raw, clean):
    assert clean_input(raw) == clean


def test_search_tokens_ignore_a_byte_order_mark():
    assert segment.tokens("\ufeff石墨烯导热膜") == segment.tokens("石墨烯导热膜")
    assert segment.tokens("石\u200b墨烯") == segment.tokens("石墨烯")
