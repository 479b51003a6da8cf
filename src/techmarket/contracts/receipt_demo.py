"""Demo receipts for ``techmarket demo``: called with the contracts the registration demo registered.

Through the services (so the audit log, notices and signals are what real use leaves): on each contract
the seller records receipts with a bank slip and a registrar of the seller's region confirms them; one
receipt stays pending, one is rejected with a reason, and one contract gets an amendment that raises its
certified amount, registered, with a receipt above the old amount confirmed after it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from techmarket.accounts import selectors as account_selectors
from techmarket.contracts import policies, receipt_services
from techmarket.contracts.choices import ContractState
from techmarket.contracts.models import Receipt, TechContract
from techmarket.core import clock

# A one-page PDF (no text): the stand-in for a bank slip (银行回单).
BANK_SLIP = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n168\n%%EOF\n"
)


def _share(amount: Decimal, percent: int) -> Decimal:
    return (amount * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _day(contract: TechContract, days_after_signing: int) -> str:
    today = timezone.localtime(clock.now()).date()
    return min(contract.signed_on + datetime.timedelta(days=days_after_signing), today).isoformat()


def _record(contract: TechContract, percent: int, days: int, serial: int) -> Receipt:
    cap = receipt_services.cap_of(contract)
    return receipt_services.receipt_record(
        actor=contract.filed_by,
        contract=contract,
        received_on=_day(contract, days),
        amount=_share(cap, percent),
        payer=contract.buyer_name,
        bank_reference=f"DEMO{contract.pk:06d}{serial:02d}",
        evidence=SimpleUploadedFile(f"bank-slip-{contract.pk}-{serial}.pdf", BANK_SLIP),
    )


def demo_receipts(contracts: Iterable[TechContract]) -> dict[str, Any]:
    """Receipts (confirmed, pending, rejected) and an amendment on the given registered contracts whose
    filer may still act for the seller and whose region has a registrar; returns what was made."""
    made: Counter[str] = Counter()
    usable: list[tuple[TechContract, Any]] = []
    for contract in contracts:
        contract = TechContract.objects.select_related("filed_by").get(pk=contract.pk)
        registrars = account_selectors.registrars_of(policies.seller_chain(contract))
        if (
            contract.state == ContractState.REGISTERED
            and registrars
            and receipt_services.cap_of(contract) > 0
        ):
            usable.append((contract, registrars[0]))
    last = len(usable) - 1
    for index, (contract, registrar) in enumerate(usable):
        receipt_services.receipt_confirm(actor=registrar, receipt=_record(contract, 40, 30, 1))
        made["confirmed"] += 1
        if index == 0:
            receipt_services.receipt_confirm(actor=registrar, receipt=_record(contract, 30, 90, 2))
            _record(contract, 10, 120, 3)  # waits for the registry
            made["confirmed"] += 1
            made["pending"] += 1
        if index == min(1, last):
            wrong = _record(contract, 20, 60, 4)
            receipt_services.receipt_reject(
                actor=registrar, receipt=wrong, reason="回单金额与登记金额不一致，请核对后重新登记。"
            )
            made["rejected"] += 1
        if index == min(2, last):
            raised = _share(receipt_services.cap_of(contract), 120)
            amendment = receipt_services.amendment_file(
                actor=contract.filed_by,
                contract=contract,
                new_total_amount=max(raised, contract.total_amount),
                new_certified_amount=raised,
                reason="签订补充协议，增加技术服务内容。",
            )
            receipt_services.amendment_register(
                actor=registrar, amendment=amendment, note="补充协议齐全，准予登记。"
            )
            made["amendments"] += 1
            contract.refresh_from_db()
            # The rest of the raised amount: the received total passes the amount certified before.
            room = raised - receipt_services.counted_total(contract.pk)
            receipt_services.receipt_confirm(
                actor=registrar,
                receipt=receipt_services.receipt_record(
                    actor=contract.filed_by,
                    contract=contract,
                    received_on=_day(contract, 150),
                    amount=room,
                    payer=contract.buyer_name,
                    bank_reference=f"DEMO{contract.pk:06d}05",
                    evidence=SimpleUploadedFile(f"bank-slip-{contract.pk}-5.pdf", BANK_SLIP),
                ),
            )
            made["confirmed"] += 1
    return dict(made)
