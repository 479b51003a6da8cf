"""Policies, runs and receipts for the subsidies tests, made through the services (the scenery around
them — contracts and their receipts — is written straight to the database by the contracts factories)."""

from __future__ import annotations

import copy
import datetime
import json
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import Organisation, User
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.contracts.tests.factories import receipt, registered_contract
from techmarket.core.models import Region
from techmarket.subsidies import engine, services
from techmarket.subsidies.choices import RunState
from techmarket.subsidies.models import PolicyVersion, SubsidyRun

POLICY_ID = "test-city-2026"
YEAR = 2026


def city_document(region_code: str = "990100", policy_id: str = POLICY_ID, **changes: Any) -> dict[str, Any]:
    """The shipped yueyang-2017 rules for the test city, in force from 2017 with no end."""
    document = copy.deepcopy(dict(engine.load_policy("yueyang-2017").document))
    document.update(
        {"id": policy_id, "region": region_code, "title": {"zh": "甲市技术合同奖补", "en": "City A"}}
    )
    document.pop("effective_to", None)
    document.update(changes)
    return document


def admin_user(username: str | None = None) -> User:
    kwargs = {"username": username} if username else {}
    return user_with_role(Role.PLATFORM_ADMIN, **kwargs)


def make_policy(admin: User, document: dict[str, Any] | None = None) -> PolicyVersion:
    return services.policy_create(actor=admin, document_text=json.dumps(document or city_document()))


def org_in(region: Region, name: str, kind: str = OrganisationKind.UNIVERSITY) -> Organisation:
    return OrganisationFactory(region=region, name=name, kind=kind)


def paid_contract(
    seller: Organisation,
    buyer: Organisation,
    amount: str,
    *,
    contract_type: str = "transfer",
    received_on: datetime.date = datetime.date(2026, 5, 1),
    title: str = "一种测试技术的转让合同",
) -> Any:
    """A registered contract whose confirmed receipts in 2026 total ``amount``."""
    item = registered_contract(
        seller=seller, buyer=buyer, contract_type=contract_type, total=amount, title=title
    )
    receipt(item, amount, received_on=received_on)
    return item


def run_in_state(
    state: str,
    *,
    computer: User,
    checker: User,
    approver: User,
    policy_id: str = POLICY_ID,
    budget: str = "10000000",
    deadline_passed: bool = False,
) -> SubsidyRun:
    """A run of the policy for 2026 brought to ``state`` through the services."""
    run = services.run_compute(actor=computer, policy_id=policy_id, year=YEAR, budget=budget)
    if state == RunState.COMPUTED:
        return run
    if state == RunState.RETURNED:
        return services.run_return(actor=checker, run=run, reason="数据有误")
    if state == RunState.CANCELLED:
        return services.run_cancel(actor=checker, run=run, reason="重复测算")
    run = services.run_check(actor=checker, run=run)
    if state == RunState.CHECKED:
        return run
    run = services.run_approve(actor=approver, run=run)
    if state == RunState.APPROVED:
        return run
    run = services.run_publish(actor=approver, run=run)
    if deadline_passed or state == RunState.PAID:
        SubsidyRun.objects.filter(pk=run.pk).update(
            objection_deadline=timezone.now() - datetime.timedelta(days=1)
        )
        run.refresh_from_db()
    if state == RunState.PUBLISHED:
        return run
    return services.run_pay(actor=approver, run=run)


__all__ = ["Decimal"]
