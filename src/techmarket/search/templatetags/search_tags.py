from django import template
from django.utils.safestring import SafeString

from techmarket.search.highlight import snippet

register = template.Library()


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """``{{ record.abstract|highlight:q }}``: a snippet with the matched query words marked."""
    return snippet(text, query or "")


@register.filter
def mark_words(text: str, query: str) -> SafeString:
    """``{{ record.name|mark_words:q }}``: the whole text with the matched query words marked."""
    return snippet(text, query or "", width=None)
