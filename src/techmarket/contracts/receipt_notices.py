"""Who hears about receipts and amendments, and what they read (after-commit hooks of
:mod:`.receipt_workflow`).

- a receipt recorded, an amendment filed → the registrars of the contract's seller region chain;
- a receipt confirmed or rejected, an amendment registered or refused → the seller's filer (the person who
  filed the contract and the person who recorded the receipt or filed the amendment).

Nobody is told about a contract they may not read (``policies.can_view_contract``); the person who acted is
not told about their own action. The text is in the platform language.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.contracts import policies
from techmarket.contracts.models import Amendment, Receipt, TechContract
from techmarket.core.workflow import Fired
from techmarket.notifications.services import notice_hook, notify_each


def _name(contract: TechContract) -> str:
    return contract.registration_number or contract.title


def _registrars(contract: TechContract) -> list[User]:
    return account_selectors.registrars_of(policies.seller_chain(contract))


def _tell(users: list[User], contract: TechContract, actor: object, **notice: object) -> None:
    notify_each(
        users,
        actor=actor,
        may_see=lambda user: policies.can_view_contract(principal_of(user), contract),
        **notice,
    )


@notice_hook
def receipt_recorded(fired: Fired[Receipt]) -> None:
    receipt = Receipt.objects.select_related("contract").get(pk=fired.obj.pk)
    contract = receipt.contract
    _tell(
        _registrars(contract),
        contract,
        fired.actor,
        kind="contracts.receipt",
        title=_("待确认到账：%(name)s") % {"name": _name(contract)},
        body=_("%(seller)s 登记了一笔到账：%(day)s，%(amount)s 元，付款方 %(payer)s，等待您确认。")
        % {
            "seller": contract.seller_name,
            "day": receipt.received_on.isoformat(),
            "amount": receipt.amount,
            "payer": receipt.payer,
        },
        link=reverse("contracts:receipt_detail", args=[receipt.pk]),
        data={"contract": contract.pk, "receipt": receipt.pk},
    )


@notice_hook
def receipt_decided(fired: Fired[Receipt]) -> None:
    receipt = Receipt.objects.select_related("contract", "contract__filed_by", "recorded_by").get(
        pk=fired.obj.pk
    )
    contract = receipt.contract
    confirmed = fired.transition == "confirm"
    values = {"name": _name(contract), "amount": receipt.amount, "day": receipt.received_on.isoformat()}
    _tell(
        [contract.filed_by, receipt.recorded_by],
        contract,
        fired.actor,
        kind="contracts.receipt_decided",
        title=(_("到账已确认：%(name)s") if confirmed else _("到账未予确认：%(name)s")) % values,
        body=(
            _("%(day)s 到账 %(amount)s 元已由登记机构确认，计入技术性收入。") % values
            if confirmed
            else _("%(day)s 到账 %(amount)s 元未予确认。\n理由：%(reason)s")
            % {**values, "reason": fired.reason}
        ),
        link=reverse("contracts:receipt_detail", args=[receipt.pk]),
        data={"contract": contract.pk, "receipt": receipt.pk, "state": str(fired.to_state)},
    )


@notice_hook
def amendment_filed(fired: Fired[Amendment]) -> None:
    amendment = Amendment.objects.select_related("contract").get(pk=fired.obj.pk)
    contract = amendment.contract
    _tell(
        _registrars(contract),
        contract,
        fired.actor,
        kind="contracts.amendment",
        title=_("待登记的合同变更：%(name)s") % {"name": _name(contract)},
        body=_(
            "%(seller)s 申请将合同金额变更为 %(total)s 元、核定技术交易额变更为 %(certified)s 元。\n原因：%(reason)s"
        )
        % {
            "seller": contract.seller_name,
            "total": amendment.new_total_amount,
            "certified": amendment.new_certified_amount,
            "reason": amendment.reason,
        },
        link=reverse("contracts:receipts", args=[contract.pk]),
        data={"contract": contract.pk, "amendment": amendment.pk},
    )


@notice_hook
def amendment_decided(fired: Fired[Amendment]) -> None:
    amendment = Amendment.objects.select_related("contract", "contract__filed_by", "filed_by").get(
        pk=fired.obj.pk
    )
    contract = amendment.contract
    registered = fired.transition == "register"
    values = {"name": _name(contract), "certified": amendment.new_certified_amount}
    _tell(
        [contract.filed_by, amendment.filed_by],
        contract,
        fired.actor,
        kind="contracts.amendment_decided",
        title=(_("合同变更已登记：%(name)s") if registered else _("合同变更不予登记：%(name)s")) % values,
        body=(
            _("合同变更已登记，核定技术交易额变更为 %(certified)s 元。") % values
            if registered
            else _("合同变更不予登记。\n理由：%(reason)s") % {"reason": fired.reason}
        ),
        link=reverse("contracts:receipts", args=[contract.pk]),
        data={"contract": contract.pk, "amendment": amendment.pk, "state": str(fired.to_state)},
    )
