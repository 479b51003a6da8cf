"""Who hears about a contract's registration, and what they read (after-commit hooks of CONTRACT_WORKFLOW).

Submitted (or resubmitted) → the registrars of the seller's region chain. Returned, registered, refused →
the filer, and the administrators of the seller and of the agency. Nobody is told about a contract they
may not open (``policies.can_view_contract``); the person who acted is not told about their own action.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.contracts import policies
from techmarket.contracts.models import TechContract
from techmarket.core.workflow import Fired
from techmarket.notifications.services import notice_hook, notify_each


def filers(contract: TechContract) -> list[User]:
    """The filer and the administrators of the seller and the agency."""
    return [
        contract.filed_by,
        *account_selectors.org_admins(contract.seller_organisation_id),
        *account_selectors.org_admins(contract.agency_organisation_id),
    ]


def _tell(people: list[User], contract: TechContract, actor: Any, kind: str, title: str, body: str) -> None:
    notify_each(
        people,
        actor=actor,
        may_see=lambda user: policies.can_view_contract(principal_of(user), contract),
        kind=kind,
        title=title,
        body=body,
        link=reverse("contracts:detail", args=[contract.pk]),
        data={"contract": contract.pk},
    )


@notice_hook
def submitted(fired: Fired[TechContract]) -> None:
    """Submitted: the registry reviews it."""
    contract = TechContract.objects.select_related("filed_by").get(pk=fired.obj.pk)
    _tell(
        account_selectors.registrars_of(policies.seller_chain(contract)),
        contract,
        fired.actor,
        "contracts.submitted",
        _("技术合同待登记审查：%(title)s") % {"title": contract.title},
        _("%(seller)s 提交了技术合同登记申请，请审查。") % {"seller": contract.seller_name},
    )


@notice_hook
def decided(fired: Fired[TechContract]) -> None:
    """Returned, registered or refused: the filer's side."""
    contract = TechContract.objects.select_related("filed_by").get(pk=fired.obj.pk)
    if fired.transition == "register":
        title = _("技术合同已登记：%(title)s") % {"title": contract.title}
        body = _("合同登记编号 %(number)s，核定技术交易额 %(amount)s 元。登记证明可在合同页面下载。") % {
            "number": contract.registration_number,
            "amount": contract.certified_amount,
        }
    elif fired.transition == "return":
        title = _("技术合同被退回补正：%(title)s") % {"title": contract.title}
        body = _("退回原因：%(reason)s") % {"reason": fired.reason}
    else:
        title = _("技术合同不予登记：%(title)s") % {"title": contract.title}
        body = _("不予登记原因：%(reason)s") % {"reason": fired.reason}
    _tell(filers(contract), contract, fired.actor, f"contracts.{fired.transition}", title, body)
