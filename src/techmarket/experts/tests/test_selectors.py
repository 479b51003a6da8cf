"""What each caller sees of the pool: active profiles, masked contacts, and never another's 受限 record."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.choices import ClassificationScheme
from techmarket.core.errors import NotFound
from techmarket.core.tests.factories import ClassificationFactory
from techmarket.experts import selectors, services
from techmarket.experts.models import ExpertProfile
from techmarket.experts.tests.factories import expert, platform_admin

pytestmark = pytest.mark.django_db
ANONYMOUS = principal_of(AnonymousUser())


@pytest.fixture
def linked(regions, reviewers, applicant, organisation):
    """An expert of the applicant's organisation linked to one public and one 受限 achievement."""
    public = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="公开的导热膜成果",
        abstract="公开简介：石墨烯导热膜。",
    )
    restricted = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="机密配方的受限成果",
        abstract="受限简介：不可外泄的工艺参数。",
        confidentiality="restricted",
    )
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    profile = expert(regions["county"], actor=org_admin, bio="从事导热材料研究。")
    services.expert_link_achievements(org_admin, profile, [public.pk, restricted.pk])
    return profile, public, restricted


def test_restricted_linked_achievement_is_shown_only_to_its_audience(linked, applicant, reviewers, regions):
    profile, public, restricted = linked
    outsiders = [
        ANONYMOUS,
        principal_of(user_with_role(Role.ENTERPRISE, organisation=OrganisationFactory())),
        principal_of(platform_admin()),
        principal_of(reviewers["other_city"]),
        principal_of(user_with_role(Role.EXPERT)),
    ]
    for principal in outsiders:
        assert list(selectors.linked_achievements(principal, profile)) == [public]
    for insider in (applicant, reviewers["county"], reviewers["city"]):
        assert set(selectors.linked_achievements(principal_of(insider), profile)) == {public, restricted}


def test_match_documents_carry_only_public_achievements(linked, regions):
    profile, _public, restricted = linked
    discipline = ClassificationFactory(scheme=ClassificationScheme.DISCIPLINE, code="430")
    services.expert_update(platform_admin(), profile, discipline=discipline)
    inactive = expert(regions["city"], name="停用专家")
    services.expert_set_active(platform_admin(), inactive, False)
    documents = list(selectors.match_documents())
    assert [d["id"] for d in documents] == [f"expert:{profile.pk}"]
    document = documents[0]
    assert document == {
        "id": f"expert:{profile.pk}",
        "title": "李明 功能材料与器件",
        "keywords": ["石墨烯", "导热膜", "复合材料"],
        "abstract": "从事导热材料研究。 公开的导热膜成果",
        "industry": "",
        "discipline": "430",
        "region": regions["county"].code,
    }
    text = repr(documents)
    assert restricted.name not in text
    assert "受限简介" not in text
    assert "机密" not in text


def test_match_documents_take_a_queryset(regions):
    first = expert(regions["county"], name="甲")
    expert(regions["county"], name="乙")
    ids = [d["id"] for d in selectors.match_documents(ExpertProfile.objects.filter(pk=first.pk))]
    assert ids == [f"expert:{first.pk}"]


def test_contact_is_masked_except_for_the_expert_editors_admins_and_reviewers(
    regions, organisation, reviewers
):
    owner = user_with_role(Role.EXPERT)
    profile = expert(regions["county"], user=owner, organisation=organisation)
    masked = {"phone": "139****5678", "email": "l***@example.org"}
    clear = {"phone": "13912345678", "email": "liming@example.org"}
    assert selectors.expert_contact(ANONYMOUS, profile) == masked
    for user in (user_with_role(Role.ENTERPRISE), user_with_role(Role.APPLICANT, organisation=organisation)):
        assert selectors.expert_contact(principal_of(user), profile) == masked
    for user in (
        owner,
        platform_admin(),
        reviewers["other_city"],
        user_with_role(Role.ORG_ADMIN, organisation=organisation),
    ):
        assert selectors.expert_contact(principal_of(user), profile) == clear


def test_list_search_region_and_commissioner_filters(regions):
    first = expert(regions["county"], name="张伟", research_keywords="水稻育种", is_commissioner=True)
    second = expert(regions["other_county"], name="王芳", research_keywords="锂电池、储能")
    third = expert(
        regions["city"], name="刘强", research_fields="智能制造装备", organisation_name="光谷智造公司"
    )

    def names(**kwargs):
        return sorted(p.name for p in selectors.expert_list(ANONYMOUS, **kwargs))

    assert names() == sorted([first.name, second.name, third.name])
    assert names(query="储能") == ["王芳"]
    assert names(query="智造") == ["刘强"]
    assert names(query="张伟 水稻") == ["张伟"]
    assert names(region=regions["city"].code) == sorted(["张伟", "刘强"])
    assert names(region=regions["province"].code) == sorted([first.name, second.name, third.name])
    assert names(region=regions["other_county"].code) == ["王芳"]
    assert names(commissioner=True) == ["张伟"]
    assert names(commissioner=False) == sorted(["王芳", "刘强"])


def test_inactive_profiles_are_visible_only_to_their_editors(regions, organisation):
    owner = user_with_role(Role.EXPERT)
    admin = platform_admin()
    profile = expert(regions["county"], actor=admin, user=owner, organisation=organisation)
    services.expert_set_active(admin, profile, False)
    for principal in (ANONYMOUS, principal_of(user_with_role(Role.ENTERPRISE))):
        assert not selectors.expert_list(principal).exists()
        with pytest.raises(NotFound):
            selectors.expert_detail(principal, profile.pk)
    for user in (owner, admin, user_with_role(Role.ORG_ADMIN, organisation=organisation)):
        assert selectors.expert_detail(principal_of(user), profile.pk) == profile
        assert list(selectors.expert_list(principal_of(user))) == [profile]
    with pytest.raises(NotFound):
        selectors.expert_detail(ANONYMOUS, "abc")


def test_recipients_are_the_linked_active_login(regions):
    owner = user_with_role(Role.EXPERT)
    assert selectors.recipients_of(expert(regions["county"], user=owner)) == [owner]
    assert selectors.recipients_of(expert(regions["county"], name="无账号")) == []
    owner.is_active = False
    owner.save()
    assert selectors.recipients_of(owner.expert_profile) == []
