"""The API's JSON parser: a body nested deeper than any request needs is a 400, never a 500.

Python's ``json`` module recurses once per nesting level, so ``[[[[…]]]]`` a few thousand levels deep
raises ``RecursionError`` (not the ``ValueError`` DRF turns into a parse error); a body that parses but
nests hundreds of levels deep would overflow later, in validation or in the error envelope. Both answer
the JSON error envelope (``parse_error``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

# No request body of the API nests deeper than a few levels (a record, its lists, their items).
MAX_DEPTH = 32
TOO_DEEP = "too_deep"


def depth_exceeds(data: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``data`` (parsed JSON) nests lists and objects more than ``limit`` levels deep; iterative,
    so the check itself cannot overflow."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with nesting too deep for the API refused as a parse error."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("请求内容嵌套层级过深。"), code=TOO_DEEP) from None
        if depth_exceeds(data):
            raise exceptions.ParseError(_("请求内容嵌套层级过深。"), code=TOO_DEEP)
        return data
