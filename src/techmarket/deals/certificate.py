"""交易鉴证书: the transaction certificate of a deal as a PDF (weasyprint, Noto CJK fonts).

It names the parties, the price, the mode and terms, the times (listed, dealt), the deal number and the
record hash: the bid log's final hash for an auction's deal, the SHA-256 of the canonical offer history
(``services.offers_hash``) for a negotiated one. Rendered on request from the stored deal, never cached.
"""

from __future__ import annotations

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.deals.choices import DealSource
from techmarket.deals.models import Deal
from techmarket.trading.choices import LicenseKind, ListingMode


def filename(deal: Deal) -> str:
    return f"certificate-{deal.number}.pdf"


def render_pdf(deal: Deal) -> bytes:
    mode = str(ListingMode(deal.mode).label)
    if deal.license_kind:
        mode = f"{mode}（{LicenseKind(deal.license_kind).label}）"
    html = render_to_string(
        "deals/certificate_pdf.html",
        {
            "deal": deal,
            "mode": mode,
            "hash_label": _("竞价记录末项哈希")
            if deal.source == DealSource.AUCTION
            else _("报价记录哈希（SHA-256）"),
            "issued_at": timezone.localtime(),
        },
    )
    return bytes(weasyprint.HTML(string=html).write_pdf())
