"""Template helpers: Bootstrap classes on form widgets, and query strings that keep the filters."""

from __future__ import annotations

from django import forms, template
from django.http import QueryDict
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bootstrap(bound_field: forms.BoundField) -> SafeString:
    """Render a widget with the Bootstrap class its type needs (and is-invalid when it has errors)."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = ""
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": css} if css else {}
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced (pagination and sort links)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    return query.urlencode()
