"""Writes of receipts (实际到账) and amendments (合同变更) of registered contracts: the only place their
rules change data. Every write runs in one transaction, checks the policy, and changes states only
through the workflows of :mod:`.receipt_workflow` (which write the audit events).

The cap: a contract's confirmed plus pending receipts never exceed its certified amount (核定技术交易额);
only a registered amendment raises it. Every write that could break it (recording, confirming,
registering an amendment) first takes the contract's row lock (``SELECT … FOR UPDATE``), so two of them on
one contract are decided one after the other: two confirmations that together would exceed the amount
cannot both pass.

Bad input raises :class:`DomainError` with a clear message and changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import principal_of
from techmarket.contracts import policies
from techmarket.contracts.choices import AmendmentState, ContractState, ReceiptState
from techmarket.contracts.models import Amendment, Receipt, TechContract
from techmarket.contracts.receipt_workflow import AMENDMENT_WORKFLOW, RECEIPT_WORKFLOW
from techmarket.core import clock
from techmarket.core import services as core_services
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.files import PDF, check_upload, safe_name

MAX_AMOUNT = Decimal("99999999999999.99")  # 16 digits, 2 decimals (models.MONEY)
MAX_PAYER_CHARS = 200
MAX_REFERENCE_CHARS = 64
MAX_TEXT_CHARS = 2000
CENT = Decimal("0.01")
# States whose receipts count against the certified amount.
COUNTED = (ReceiptState.RECORDED, ReceiptState.CONFIRMED)


# --- input ---------------------------------------------------------------------------------------------


def _invalid(code: str, message: Any, field: str) -> DomainError:
    return DomainError(code, message, fields={field: [message]})


def parse_money(value: Any, field: str = "amount", *, allow_zero: bool = False) -> Decimal:
    """An amount in yuan: a number with at most two decimals, greater than zero (or zero when allowed)."""
    message = (
        _("金额格式不正确：请填写不小于零、最多两位小数的金额（元）。")
        if allow_zero
        else _("金额格式不正确：请填写大于零、最多两位小数的金额（元）。")
    )
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _invalid("malformed_amount", message, field)
    if isinstance(value, float):  # never through binary floating point
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise _invalid("malformed_amount", message, field) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _invalid("malformed_amount", message, field)
    if amount < 0 or (amount == 0 and not allow_zero) or amount > MAX_AMOUNT:
        raise _invalid("malformed_amount", message, field)
    return amount.quantize(CENT)


def parse_date(value: Any, field: str = "received_on") -> datetime.date:
    """A date (``YYYY-MM-DD`` or a date object)."""
    message = _("日期格式不正确，请按 YYYY-MM-DD 填写。")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise _invalid("malformed_date", message, field) from None


def _text(value: Any, field: str, max_chars: int, *, required: bool, missing: Any) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise _invalid("required", missing, field)
    if len(text) > max_chars:
        raise _invalid("too_long", _("最多%(count)d个字。") % {"count": max_chars}, field)
    return text


def _today() -> datetime.date:
    return timezone.localtime(clock.now()).date()


# --- the cap -------------------------------------------------------------------------------------------


def lock_contract(contract_id: int) -> TechContract:
    """The contract's row, locked until the end of the caller's transaction (every receipt and amendment
    write on one contract queues behind this lock)."""
    return TechContract.objects.select_for_update(of=("self",)).get(pk=contract_id)


def cap_of(contract: TechContract) -> Decimal:
    """What the receipts may reach: the certified amount (the total where none was certified)."""
    return contract.certified_amount if contract.certified_amount is not None else contract.total_amount


def counted_total(
    contract_id: int, *, states: tuple[str, ...] = COUNTED, exclude: int | None = None
) -> Decimal:
    """The sum of the contract's receipts in ``states`` (yuan)."""
    rows = Receipt.objects.filter(contract_id=contract_id, state__in=states)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return (rows.aggregate(total=Sum("amount"))["total"] or Decimal("0")).quantize(CENT)


def _refuse_over_cap(contract: TechContract, already: Decimal, amount: Decimal) -> None:
    cap = cap_of(contract)
    if already + amount > cap:
        message = _(
            "到账金额超过核定技术交易额：核定 %(cap)s 元，已确认和待确认到账 %(already)s 元，本笔 %(amount)s 元，"
            "最多还可登记 %(left)s 元。到账超过核定额的，须先登记合同变更。"
        ) % {"cap": cap, "already": already, "amount": amount, "left": max(cap - already, Decimal("0.00"))}
        raise _invalid("over_certified_amount", message, "amount")


def _refuse_unregistered(contract: TechContract) -> None:
    if contract.state != ContractState.REGISTERED:
        raise DomainError("contract_not_registered", _("只有已登记的技术合同才能登记到账或合同变更。"))


# --- receipts ------------------------------------------------------------------------------------------


def receipt_record(
    *,
    actor: Any,
    contract: TechContract,
    received_on: Any,
    amount: Any,
    payer: Any,
    bank_reference: Any,
    evidence: Any,
    submission_key: str = "",
) -> Receipt:
    """The seller side records a payment received on a registered contract, with its bank slip (PDF); it
    waits for the registry's confirmation and counts against the certified amount from now on."""
    principal = principal_of(actor)
    if not policies.can_view_contract(principal, contract):
        raise NotPermitted()
    _refuse_unregistered(contract)
    if not policies.can_record_receipt(principal, contract):
        raise NotPermitted(_("只有卖方或其代理机构可以登记到账。"))
    value = parse_money(amount)
    day = parse_date(received_on)
    if day > _today():
        raise _invalid("future_date", _("到账日期不能晚于今天。"), "received_on")
    if day < contract.signed_on:
        raise _invalid(
            "before_signing",
            _("到账日期不能早于合同签订日期（%(day)s）。") % {"day": contract.signed_on.isoformat()},
            "received_on",
        )
    payer_text = _text(payer, "payer", MAX_PAYER_CHARS, required=True, missing=_("请填写付款方。"))
    reference = _text(
        bank_reference, "bank_reference", MAX_REFERENCE_CHARS, required=True, missing=_("请填写银行流水号。")
    )
    if evidence is None:
        raise _invalid("evidence_required", _("请上传到账凭证（银行回单 PDF）。"), "evidence")
    try:
        check_upload(evidence, kinds=(PDF,), max_bytes=settings.TECHMARKET["MAX_ATTACHMENT_BYTES"])
    except DomainError as error:
        message = (
            _("到账凭证只能是 PDF 文件（银行回单）。") if error.code == "attachment_type" else error.message
        )
        raise _invalid(error.code, message, "evidence") from None
    with transaction.atomic():
        locked = lock_contract(contract.pk)
        _refuse_unregistered(locked)
        if (
            Receipt.objects.filter(contract_id=locked.pk, bank_reference=reference)
            .exclude(state=ReceiptState.REJECTED)
            .exists()
        ):
            raise _invalid(
                "duplicate_reference",
                _("该合同已登记过银行流水号为“%(reference)s”的到账。") % {"reference": reference},
                "bank_reference",
            )
        _refuse_over_cap(locked, counted_total(locked.pk), value)
        if submission_key and not core_services.claim_submission(submission_key):
            raise DomainError("duplicate_submission", _("该到账已提交，请勿重复提交。"))
        receipt = Receipt(
            contract=locked,
            received_on=day,
            amount=value,
            payer=payer_text,
            bank_reference=reference,
            recorded_by=actor,
        )
        receipt.evidence.save(safe_name(evidence.name, default="receipt.pdf"), evidence, save=False)
        data: dict[str, Any] = {"amount": str(value), "received_on": day.isoformat(), "contract": locked.pk}
        if submission_key:
            data["submission_key"] = submission_key
        try:
            with transaction.atomic():
                RECEIPT_WORKFLOW.start(receipt, "record", actor=actor, data=data)
        except IntegrityError:  # the same reference recorded by a colleague a moment ago
            receipt.evidence.delete(save=False)
            raise _invalid(
                "duplicate_reference",
                _("该合同已登记过银行流水号为“%(reference)s”的到账。") % {"reference": reference},
                "bank_reference",
            ) from None
    return receipt


def _locked_receipt(receipt: Receipt) -> tuple[TechContract, Receipt]:
    contract = lock_contract(receipt.contract_id)
    locked = Receipt.objects.select_for_update(of=("self",)).get(pk=receipt.pk)
    locked.contract = contract
    return contract, locked


def _decision_checks(actor: Any, contract: TechContract, state: str, pending: str) -> None:
    principal = principal_of(actor)
    if not policies.can_view_contract(principal, contract):
        raise NotPermitted()
    _refuse_unregistered(contract)
    if not policies.can_decide_receipts(principal, contract):
        raise NotPermitted(_("只有卖方所在地区的技术合同登记机构可以办理。"))
    if state != pending:
        raise DomainError("already_decided", _("该记录已办理，不能重复办理。"))


def receipt_confirm(*, actor: Any, receipt: Receipt) -> Receipt:
    """The registry confirms a pending receipt: it counts in the 技术性收入核定 (``receipt_confirmed`` is
    sent). Refused when the confirmed receipts with it would exceed the certified amount."""
    with transaction.atomic():
        contract, locked = _locked_receipt(receipt)
        _decision_checks(actor, contract, locked.state, ReceiptState.RECORDED)
        _refuse_over_cap(
            contract,
            counted_total(contract.pk, states=(ReceiptState.CONFIRMED,), exclude=locked.pk),
            locked.amount,
        )
        return RECEIPT_WORKFLOW.fire(
            locked,
            "confirm",
            actor=actor,
            changes={"decided_by": actor, "decided_at": clock.now()},
            data={"amount": str(locked.amount)},
        )


def receipt_reject(*, actor: Any, receipt: Receipt, reason: str) -> Receipt:
    """The registry declines a pending receipt, with the reason the seller reads."""
    with transaction.atomic():
        contract, locked = _locked_receipt(receipt)
        _decision_checks(actor, contract, locked.state, ReceiptState.RECORDED)
        text = _text(reason, "reason", MAX_TEXT_CHARS, required=True, missing=_("请填写不予确认的理由。"))
        return RECEIPT_WORKFLOW.fire(
            locked,
            "reject",
            actor=actor,
            reason=text,
            changes={"decided_by": actor, "decided_at": clock.now(), "rejection_reason": text},
        )


# --- amendments ----------------------------------------------------------------------------------------


def _refuse_below_received(contract: TechContract, certified: Decimal) -> None:
    received = counted_total(contract.pk)
    if certified < received:
        message = _(
            "变更后的核定技术交易额（%(certified)s 元）不能低于已确认和待确认的到账合计（%(received)s 元）。"
        ) % {"certified": certified, "received": received}
        raise _invalid("below_received", message, "new_certified_amount")


def amendment_file(
    *,
    actor: Any,
    contract: TechContract,
    new_total_amount: Any,
    new_certified_amount: Any,
    reason: Any,
    submission_key: str = "",
) -> Amendment:
    """The seller side files a change of the contract's total and certified amount (补充协议) with its
    reason; the registry registers or refuses it. One pending amendment per contract at a time."""
    principal = principal_of(actor)
    if not policies.can_view_contract(principal, contract):
        raise NotPermitted()
    _refuse_unregistered(contract)
    if not policies.can_file_amendment(principal, contract):
        raise NotPermitted(_("只有卖方或其代理机构可以提交合同变更。"))
    total = parse_money(new_total_amount, "new_total_amount")
    certified = parse_money(new_certified_amount, "new_certified_amount")
    text = _text(reason, "reason", MAX_TEXT_CHARS, required=True, missing=_("请填写变更原因。"))
    if certified > total:
        raise _invalid(
            "certified_above_total", _("核定技术交易额不能高于合同总金额。"), "new_certified_amount"
        )
    with transaction.atomic():
        locked = lock_contract(contract.pk)
        _refuse_unregistered(locked)
        if total == locked.total_amount and certified == cap_of(locked):
            raise _invalid("unchanged", _("变更后的金额与现有金额相同。"), "new_certified_amount")
        if Amendment.objects.filter(contract_id=locked.pk, state=AmendmentState.SUBMITTED).exists():
            raise DomainError("amendment_pending", _("该合同已有一项待登记的合同变更，请等待登记机构办理。"))
        _refuse_below_received(locked, certified)
        if submission_key and not core_services.claim_submission(submission_key):
            raise DomainError("duplicate_submission", _("该合同变更已提交，请勿重复提交。"))
        amendment = Amendment(
            contract=locked,
            new_total_amount=total,
            new_certified_amount=certified,
            reason=text,
            filed_by=actor,
        )
        data: dict[str, Any] = {
            "contract": locked.pk,
            "new_total_amount": str(total),
            "new_certified_amount": str(certified),
        }
        if submission_key:
            data["submission_key"] = submission_key
        AMENDMENT_WORKFLOW.start(amendment, "file", actor=actor, data=data)
    return amendment


def _locked_amendment(amendment: Amendment) -> tuple[TechContract, Amendment]:
    contract = lock_contract(amendment.contract_id)
    locked = Amendment.objects.select_for_update(of=("self",)).get(pk=amendment.pk)
    locked.contract = contract
    return contract, locked


def amendment_register(*, actor: Any, amendment: Amendment, note: str = "") -> Amendment:
    """The registry registers a pending amendment: the contract's total and certified amount change (never
    below what is already received), the change is recorded on the contract's history and
    ``amendment_registered`` is sent, all in one transaction."""
    with transaction.atomic():
        contract, locked = _locked_amendment(amendment)
        _decision_checks(actor, contract, locked.state, AmendmentState.SUBMITTED)
        text = _text(note, "note", MAX_TEXT_CHARS, required=False, missing="")
        _refuse_below_received(contract, locked.new_certified_amount)
        previous_total, previous_certified = contract.total_amount, cap_of(contract)
        TechContract.objects.filter(pk=contract.pk).update(
            total_amount=locked.new_total_amount,
            certified_amount=locked.new_certified_amount,
            updated_at=clock.now(),
        )
        record_event(
            actor=actor,
            action="contracts.contract.amend",
            target=contract,
            data={
                "amendment": locked.pk,
                "previous_total": str(previous_total),
                "previous_certified": str(previous_certified),
                "total": str(locked.new_total_amount),
                "certified": str(locked.new_certified_amount),
            },
        )
        contract.total_amount = locked.new_total_amount
        contract.certified_amount = locked.new_certified_amount
        return AMENDMENT_WORKFLOW.fire(
            locked,
            "register",
            actor=actor,
            reason=text,
            changes={"decided_by": actor, "decided_at": clock.now(), "decision_note": text},
            data={"previous_total": str(previous_total), "previous_certified": str(previous_certified)},
        )


def amendment_refuse(*, actor: Any, amendment: Amendment, reason: str) -> Amendment:
    """The registry refuses a pending amendment (不予登记), with the reason the seller reads."""
    with transaction.atomic():
        contract, locked = _locked_amendment(amendment)
        _decision_checks(actor, contract, locked.state, AmendmentState.SUBMITTED)
        text = _text(reason, "reason", MAX_TEXT_CHARS, required=True, missing=_("请填写不予登记的理由。"))
        return AMENDMENT_WORKFLOW.fire(
            locked,
            "refuse",
            actor=actor,
            reason=text,
            changes={"decided_by": actor, "decided_at": clock.now(), "decision_note": text},
        )
