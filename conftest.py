"""Fixtures shared by every test: a region tree, its reviewers and a verified organisation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.models import Organisation, User
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.models import Region
from techmarket.core.tests.factories import region_tree


@pytest.fixture
def regions(db: None) -> dict[str, Region]:
    return region_tree()


@pytest.fixture
def reviewers(regions: dict[str, Region]) -> dict[str, User]:
    """One reviewer per level of the first city's chain, plus the other city's reviewer."""
    return {
        "county": user_with_role(Role.REVIEWER, region=regions["county"], username="county_reviewer"),
        "city": user_with_role(Role.REVIEWER, region=regions["city"], username="city_reviewer"),
        "province": user_with_role(Role.REVIEWER, region=regions["province"], username="province_reviewer"),
        "other_city": user_with_role(Role.REVIEWER, region=regions["other_city"], username="other_reviewer"),
    }


@pytest.fixture
def organisation(regions: dict[str, Region]) -> Organisation:
    return OrganisationFactory(region=regions["county"], name="测试大学")


@pytest.fixture
def applicant(organisation: Organisation) -> User:
    return user_with_role(Role.APPLICANT, organisation=organisation, username="applicant")


@pytest.fixture(autouse=True)
def _fresh_match_indexes() -> Iterator[None]:
    """Each test's database starts empty: no process-wide match index may outlive it."""
    from techmarket.matching import indexes

    indexes.reset()
    yield
    indexes.reset()
