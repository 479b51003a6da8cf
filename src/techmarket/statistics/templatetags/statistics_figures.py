"""``{{ figures.amount_shown|figure }}``: an amount as the dashboard shows it, or a dash when the
suppression rules hide it (``statistics.selectors``)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def figure(value: Decimal | None) -> SafeString:
    if value is None:
        return format_html(
            '<span class="text-muted" title="{}">—</span>', _("单一合同占比过高或付款合同过少，不公开")
        )
    return format_html("{}", intcomma(floatformat(value, 2)))
