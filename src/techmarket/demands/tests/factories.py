"""Preconditions for demand tests. Demands reach their states through the real services."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import Organisation, User
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Classification, Region
from techmarket.core.tests.factories import ClassificationFactory, cover_region
from techmarket.demands import services
from techmarket.demands.choices import DemandState
from techmarket.demands.models import Demand


def industry(code: str = "C39", name: str = "计算机、通信和其他电子设备制造业") -> Classification:
    found = Classification.objects.filter(scheme=ClassificationScheme.INDUSTRY, code=code).first()
    return found or ClassificationFactory(scheme=ClassificationScheme.INDUSTRY, code=code, name=name)


def demand_data(region: Region, **overrides: Any) -> dict[str, Any]:
    """A complete, valid demand form."""
    data: dict[str, Any] = {
        "title": "手机散热用高导热薄膜",
        "background": "公司生产智能手机，新机型功耗上升，现有散热方案温升过高。",
        "problem": "需要一种面内导热系数高于1200W/mK、厚度不超过50μm的导热膜，用于手机主板散热，并能批量生产。",
        "targets": "导热系数≥1200W/mK；厚度≤50μm；成本低于每平方米200元。",
        "keywords": "导热膜，石墨烯，散热",
        "industry": industry(),
        "discipline": None,
        "region": region,
        "budget_min": "50",
        "budget_max": "150",
        "cooperation": ["license", "co_develop"],
        "expected_trl": 6,
        "deadline": timezone.localdate() + datetime.timedelta(days=90),
        "contact_name": "李经理",
        "contact_phone": "13912345678",
        "contact_email": "li@example.com",
        "confidentiality": "public",
    }
    data.update(overrides)
    return data


def enterprise_user(region: Region, organisation: Organisation | None = None, **kwargs: Any) -> User:
    organisation = organisation or OrganisationFactory(region=region, kind=OrganisationKind.ENTERPRISE)
    return user_with_role(Role.ENTERPRISE, organisation=organisation, **kwargs)


def demand_in_state(
    state: str, *, enterprise: User, region: Region, reviewer: User | None = None, **overrides: Any
) -> Demand:
    """Drive a new demand to ``state`` through the services, as real users would."""
    cover_region(enterprise.organisation, region)
    demand = services.demand_create(actor=enterprise, data=demand_data(region, **overrides))
    if state == DemandState.DRAFT:
        return demand
    if state == DemandState.WITHDRAWN:
        return services.demand_withdraw(actor=enterprise, demand=demand)
    demand = services.demand_submit(actor=enterprise, demand=demand)
    if state == DemandState.SUBMITTED:
        return demand
    assert reviewer is not None, "states after review need a reviewer of the demand's region"
    if state == DemandState.RETURNED:
        return services.demand_return(actor=reviewer, demand=demand, reason="请补充技术指标")
    demand = services.demand_approve(actor=reviewer, demand=demand, publish=state != DemandState.APPROVED)
    if state in {DemandState.APPROVED, DemandState.PUBLISHED}:
        return demand
    if state == DemandState.DOCKING:
        return services.demand_start_docking(actor=reviewer, demand=demand)
    if state == DemandState.SOLVED:
        return services.demand_close(actor=enterprise, demand=demand, solved=True, note="已签约")
    if state == DemandState.UNSOLVED:
        return services.demand_close(actor=enterprise, demand=demand, solved=False, note="无合适技术")
    raise ValueError(state)
