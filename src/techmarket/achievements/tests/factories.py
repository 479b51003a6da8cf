"""Preconditions for achievement tests. Records reach their states through the real services."""

from __future__ import annotations

import datetime
from typing import Any

from techmarket.accounts.choices import Role
from techmarket.accounts.models import Organisation, User
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements import services
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.models import Achievement
from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Region
from techmarket.core.tests.factories import ClassificationFactory, cover_region


def achievement_data(region: Region, **overrides: Any) -> dict[str, Any]:
    """A complete, valid registration form."""
    data: dict[str, Any] = {
        "name": "高导热石墨烯复合薄膜的制备技术",
        "achievement_type": "applied",
        "discipline": ClassificationFactory(
            scheme=ClassificationScheme.DISCIPLINE, code="430", name="材料科学"
        ),
        "industry": ClassificationFactory(
            scheme=ClassificationScheme.INDUSTRY, code="C39", name="计算机、通信和其他电子设备制造业"
        ),
        "keywords": "石墨烯，导热膜，散热",
        "abstract": "本成果提出一种高导热石墨烯复合薄膜的低成本制备工艺，导热系数达到1500W/mK，可用于手机散热。",
        "technical_indicators": "面内导热系数≥1500W/mK；厚度25–100μm。",
        "innovation_points": "低温还原与辊压结合。",
        "application_prospects": "消费电子散热、动力电池热管理。",
        "funding_source": "non_fiscal",
        "programme_name": "",
        "project_number": "",
        "evaluation_form": "acceptance",
        "evaluation_date": datetime.date(2025, 6, 1),
        "completion_date": datetime.date(2025, 5, 1),
        "attribute": "original",
        "stage": "middle",
        "trl": 6,
        "transfer_modes": ["license", "transfer"],
        "price_negotiable": False,
        "reference_price": "120.00",
        "region": region,
        "confidentiality": "public",
        "organisations": ["测试大学", "测试研究院"],
        "persons": [{"name": "张三", "organisation_name": "测试大学", "role": "leader", "title": "教授"}],
        "ip_rights": [{"number": "ZL202310000001.X", "ip_type": "invention", "status": "granted"}],
    }
    data.update(overrides)
    return data


def applicant_of(organisation: Organisation | None = None, region: Region | None = None) -> User:
    if organisation is None:
        organisation = OrganisationFactory(region=region) if region else OrganisationFactory()
    return user_with_role(Role.APPLICANT, organisation=organisation)


def draft(*, applicant: User, region: Region, **overrides: Any) -> Achievement:
    cover_region(applicant.organisation, region)
    return services.achievement_create(actor=applicant, data=achievement_data(region, **overrides))


def achievement_in_state(
    state: str, *, applicant: User, region: Region, reviewers: dict[str, User], **overrides: Any
) -> Achievement:
    """Drive a new record to ``state`` through the services, as real users would."""
    achievement = draft(applicant=applicant, region=region, **overrides)
    if state == AchievementState.DRAFT:
        return achievement
    if state == AchievementState.WITHDRAWN:
        return services.achievement_withdraw(actor=applicant, achievement=achievement)
    achievement = services.achievement_submit(actor=applicant, achievement=achievement)
    path = {
        AchievementState.COUNTY_REVIEW: [],
        AchievementState.RETURNED: ["return"],
        AchievementState.CITY_REVIEW: ["county"],
        AchievementState.PROVINCE_REVIEW: ["county", "city"],
        AchievementState.PUBLISHED: ["county", "city", "province"],
        AchievementState.REVOKED: ["county", "city", "province", "revoke"],
    }[AchievementState(state)]
    for step in path:
        if achievement.state == AchievementState.PUBLISHED and step == "province":
            continue
        if step == "return":
            level = {"county_review": "county", "city_review": "city"}[achievement.state]
            achievement = services.achievement_return(
                actor=reviewers[level], achievement=achievement, reason="请补充技术指标"
            )
        elif step == "revoke":
            achievement = services.achievement_revoke(
                actor=reviewers["city"], achievement=achievement, reason="成果权属存在争议"
            )
        elif (step == "county" and achievement.state == AchievementState.COUNTY_REVIEW) or step != "county":
            achievement = services.achievement_approve(actor=reviewers[step], achievement=achievement)
    return achievement


def filing_post(data: dict[str, Any], *, stored: dict[str, int] | None = None) -> dict[str, Any]:
    """The filing page's POST body for a registration form (as :func:`achievement_data` returns it):
    the pickers' codes and the three formsets' rows with their management forms. ``stored`` says how
    many rows of each formset the record already had (the edit page's initial forms)."""
    stored = stored or {}
    body: dict[str, Any] = {
        key: value
        for key, value in data.items()
        if key not in {"organisations", "persons", "ip_rights", "stage"} and value is not None
    }
    for key in ("discipline", "industry", "region"):
        if hasattr(body.get(key), "code"):
            body[key] = body[key].code
    if body.get("price_negotiable") is False:
        body.pop("price_negotiable")
    rows = {
        "organisations": [{"name": name} for name in data.get("organisations", [])],
        "persons": data.get("persons", []),
        "ip_rights": data.get("ip_rights", []),
    }
    for prefix, items in rows.items():
        body[f"{prefix}-TOTAL_FORMS"] = str(len(items))
        body[f"{prefix}-INITIAL_FORMS"] = str(stored.get(prefix, 0))
        body[f"{prefix}-MIN_NUM_FORMS"] = "0"
        body[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for index, item in enumerate(items):
            for name, value in item.items():
                if name == "DELETE":
                    if value:
                        body[f"{prefix}-{index}-DELETE"] = "on"
                else:
                    body[f"{prefix}-{index}-{name}"] = value
    return body
