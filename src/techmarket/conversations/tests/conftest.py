"""A demand pushed to an achievement's holders, and the people around it, for the conversation tests."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user


@pytest.fixture
def scene(regions, reviewers, organisation, applicant) -> dict[str, Any]:
    """An enterprise's published demand; a university (``organisation``) holding a published achievement
    (filed by ``applicant``, with an organisation administrator); outsiders of every kind."""
    county = regions["county"]
    company = OrganisationFactory(region=county, kind=OrganisationKind.ENTERPRISE, name="光谷手机有限公司")
    enterprise = enterprise_user(county, organisation=company, username="ent_li", display_name="李经理")
    company_admin = user_with_role(Role.ORG_ADMIN, organisation=company, username="ent_admin")
    demand = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise,
        region=county,
        reviewer=reviewers["county"],
        title="高导热石墨烯薄膜需求",
    )
    university_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation, username="uni_admin")
    achievement = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=county,
        reviewers=reviewers,
        name="石墨烯导热膜卷对卷工艺",
    )
    agency = OrganisationFactory(region=regions["city"], kind=OrganisationKind.AGENCY, name="技术转移中心")
    other_company = OrganisationFactory(region=county, kind=OrganisationKind.ENTERPRISE, name="另一家企业")
    return {
        "enterprise": enterprise,
        "company_admin": company_admin,
        "company_colleague": enterprise_user(county, organisation=company, username="ent_colleague"),
        "demand": demand,
        "applicant": applicant,
        "university_admin": university_admin,
        "achievement": achievement,
        "broker": user_with_role(Role.BROKER, organisation=agency, username="broker"),
        "reviewer": reviewers["county"],
        "other_reviewer": reviewers["other_city"],
        "other_enterprise": enterprise_user(county, organisation=other_company, username="ent_other"),
        "other_applicant": user_with_role(
            Role.APPLICANT, organisation=OrganisationFactory(region=county), username="other_applicant"
        ),
        "platform_admin": user_with_role(Role.PLATFORM_ADMIN, username="platform_admin"),
    }


@pytest.fixture
def thread(scene):
    """The university's thread on the enterprise's demand, opened by its filer with a first message."""
    from techmarket.demands import services as demand_services

    return demand_services.demand_conversation_open(
        actor=scene["applicant"], demand=scene["demand"], body="我们有成熟的卷对卷工艺，可以对接。"
    )
