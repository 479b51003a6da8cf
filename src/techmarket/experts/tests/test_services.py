"""Creating, editing, (de)activating experts and linking achievements, per role, with audit events."""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.choices import ClassificationScheme
from techmarket.core.errors import DomainError, NotFound, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.core.tests.factories import ClassificationFactory
from techmarket.experts import services
from techmarket.experts.models import ExpertProfile
from techmarket.experts.tests.factories import expert, platform_admin

pytestmark = pytest.mark.django_db


def actions(profile: ExpertProfile) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="experts.expertprofile", target_id=str(profile.pk)).values_list(
            "action", flat=True
        )
    )


def test_platform_admin_creates_any_profile_with_an_audit_event(regions):
    admin = platform_admin()
    other_org = OrganisationFactory(region=regions["city"])
    profile = expert(regions["county"], actor=admin, organisation=other_org, is_commissioner=True)
    assert profile.organisation == other_org
    assert profile.is_commissioner
    assert profile.is_active
    assert profile.accepts_push
    assert profile.keyword_list == ["石墨烯", "导热膜", "复合材料"]
    assert actions(profile) == ["experts.expertprofile.create"]
    assert AuditEvent.objects.get(target_id=str(profile.pk)).actor == admin


def test_org_admin_creates_colleagues_in_own_organisation_only(regions, organisation):
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    profile = expert(regions["county"], actor=org_admin)
    assert profile.organisation == organisation
    with pytest.raises(NotPermitted):
        expert(regions["county"], actor=org_admin, organisation=OrganisationFactory())
    with pytest.raises(NotPermitted):
        expert(regions["county"], actor=org_admin, is_commissioner=True)


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ENTERPRISE, Role.BROKER, Role.REVIEWER, Role.EXPERT])
def test_other_roles_cannot_create_profiles_for_others(regions, organisation, role):
    user = user_with_role(role, organisation=organisation, region=regions["county"])
    with pytest.raises(NotPermitted):
        expert(regions["county"], actor=user)
    assert not ExpertProfile.objects.exists()


def test_expert_role_user_creates_own_profile_once(regions):
    user = user_with_role(Role.EXPERT)
    profile = expert(regions["county"], actor=user, user=user)
    assert profile.user == user
    with pytest.raises(DomainError) as error:
        expert(regions["county"], actor=user, user=user)
    assert error.value.code == "profile_exists"
    applicant = user_with_role(Role.APPLICANT)
    with pytest.raises(NotPermitted):
        expert(regions["county"], actor=applicant, user=applicant)


def test_only_platform_admins_link_a_login_to_someone_elses_profile(regions, organisation):
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    colleague = user_with_role(Role.EXPERT, organisation=organisation)
    with pytest.raises(NotPermitted):
        expert(regions["county"], actor=org_admin, user=colleague)
    assert expert(regions["county"], user=colleague).user == colleague


def test_invalid_fields_are_refused_with_field_errors(regions):
    industry = ClassificationFactory(scheme=ClassificationScheme.INDUSTRY, code="C39")
    with pytest.raises(DomainError) as error:
        expert(regions["county"], name="", email="not-an-address", discipline=industry)
    assert error.value.code == "invalid_expert"
    assert {"name", "email", "discipline"} <= set(error.value.fields)
    with pytest.raises(DomainError) as error:
        expert(regions["county"], research_keywords="、".join(f"词{n}" for n in range(11)))
    assert "research_keywords" in error.value.fields
    with pytest.raises(TypeError):
        expert(regions["county"], is_active=False)


def test_update_by_each_role(regions, organisation):
    admin = platform_admin()
    owner = user_with_role(Role.EXPERT)
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    stranger_admin = user_with_role(Role.ORG_ADMIN, organisation=OrganisationFactory())
    applicant = user_with_role(Role.APPLICANT, organisation=organisation)
    profile = expert(regions["county"], actor=admin, user=owner, organisation=organisation)

    services.expert_update(owner, profile, title="研究员")
    services.expert_update(org_admin, profile, research_fields="储能材料")
    services.expert_update(admin, profile, is_commissioner=True)
    for outsider in (stranger_admin, applicant, user_with_role(Role.REVIEWER, region=regions["city"])):
        with pytest.raises(NotPermitted):
            services.expert_update(outsider, profile, title="院士")
    with pytest.raises(NotPermitted):
        services.expert_update(owner, profile, is_commissioner=False)
    with pytest.raises(NotPermitted):
        services.expert_update(owner, profile, organisation=OrganisationFactory())
    profile.refresh_from_db()
    assert (profile.title, profile.research_fields, profile.is_commissioner) == ("研究员", "储能材料", True)
    assert actions(profile).count("experts.expertprofile.update") == 3
    services.expert_update(owner, profile, title="研究员")
    assert actions(profile).count("experts.expertprofile.update") == 3


def test_set_active_is_for_platform_admins_and_audited(regions, organisation):
    admin = platform_admin()
    owner = user_with_role(Role.EXPERT)
    profile = expert(regions["county"], actor=admin, user=owner, organisation=organisation)
    for user in (owner, user_with_role(Role.ORG_ADMIN, organisation=organisation)):
        with pytest.raises(NotPermitted):
            services.expert_set_active(user, profile, False)
    profile = services.expert_set_active(admin, profile, False, reason="已退休")
    assert not profile.is_active
    event = AuditEvent.objects.get(action="experts.expertprofile.deactivate")
    assert (event.from_state, event.to_state, event.reason) == ("active", "inactive", "已退休")
    services.expert_set_active(admin, profile, False)
    assert actions(profile).count("experts.expertprofile.deactivate") == 1
    assert services.expert_set_active(admin, profile, True).is_active
    assert "experts.expertprofile.activate" in actions(profile)


@pytest.fixture
def records(regions, reviewers, applicant):
    def make(state: str = AchievementState.PUBLISHED, **overrides):
        return achievement_in_state(
            state, applicant=applicant, region=regions["county"], reviewers=reviewers, **overrides
        )

    return make


def test_link_only_published_achievements_the_actor_may_see(regions, organisation, applicant, records):
    public = records(name="公开成果")
    restricted = records(name="受限成果", confidentiality="restricted")
    draft = records(AchievementState.DRAFT, name="草稿成果")
    admin = platform_admin()
    profile = expert(regions["county"], actor=admin)
    with pytest.raises(NotFound):
        services.expert_link_achievements(admin, profile, [restricted.pk])
    with pytest.raises(NotFound):
        services.expert_link_achievements(admin, profile, [public.pk, 999999])
    with pytest.raises(NotFound):
        services.expert_link_achievements(admin, profile, ["x"])
    services.expert_link_achievements(admin, profile, [public.pk])
    assert list(profile.achievements.all()) == [public]

    org_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    colleague = expert(regions["county"], actor=org_admin)
    with pytest.raises(NotFound):
        services.expert_link_achievements(org_admin, colleague, [draft.pk])
    services.expert_link_achievements(org_admin, colleague, [public.pk, restricted.pk])
    assert set(colleague.achievements.all()) == {public, restricted}
    event = AuditEvent.objects.filter(action="experts.expertprofile.link_achievements").last()
    assert event.data == {"added": sorted([public.pk, restricted.pk]), "removed": []}
    with pytest.raises(NotPermitted):
        services.expert_link_achievements(applicant, colleague, [])


def test_linking_never_touches_links_the_actor_cannot_see(regions, organisation, records):
    public = records(name="公开成果")
    restricted = records(name="受限成果", confidentiality="restricted")
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    owner = user_with_role(Role.EXPERT)
    admin = platform_admin()
    profile = expert(regions["county"], actor=admin, user=owner, organisation=organisation)
    services.expert_link_achievements(org_admin, profile, [public.pk, restricted.pk])
    # The expert (no organisation) does not see the 受限 record: unlinking everything they see keeps it.
    services.expert_link_achievements(owner, profile, [])
    assert list(profile.achievements.all()) == [restricted]
