"""登记证明: the registration certificate of a registered contract as a PDF (weasyprint, Noto CJK fonts).

It names the registration number, the contract's name and type, the parties, the total and the certified
amount (核定技术交易额), the registry and the date, and the verification code that ``/verify/<code>/``
checks publicly. Rendered on request from the stored contract, never cached.
"""

from __future__ import annotations

import weasyprint
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from techmarket.contracts import selectors
from techmarket.contracts.models import TechContract


def filename(contract: TechContract) -> str:
    return f"registration-{contract.registration_number}.pdf"


def render_pdf(contract: TechContract, *, base_url: str = "") -> bytes:
    html = render_to_string(
        "contracts/certificate_pdf.html",
        {
            "contract": contract,
            "labels": selectors.contract_labels(contract),
            "verification": selectors.verification(contract.verification_code or ""),
            "verify_path": base_url.rstrip("/")
            + reverse("verify:check", args=[contract.verification_code or "-"]),
            "issued_at": timezone.localtime(),
        },
    )
    return bytes(weasyprint.HTML(string=html).write_pdf())
