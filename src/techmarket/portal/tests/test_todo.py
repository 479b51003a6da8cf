"""我的待办: each role lands on its own work after login, and sees only what its apps let it see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import PASSWORD, OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state
from techmarket.docking import services as docking_services
from techmarket.docking.models import ResponseClock
from techmarket.matching.choices import TargetKind
from techmarket.matching.models import Suggestion
from techmarket.notifications.services import notify
from techmarket.portal import todo

pytestmark = pytest.mark.django_db


def page(user) -> tuple[str, dict[str, object]]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("core:todo"))
    assert response.status_code == 200
    context = response.context
    items = {
        item.key: item for item in [*context["actionable"], *context["informational"], *context["clear"]]
    }
    return response.content.decode(), items


@pytest.fixture
def enterprise(regions):
    org = OrganisationFactory(region=regions["county"], kind=OrganisationKind.ENTERPRISE, name="甲企业")
    return user_with_role(Role.ENTERPRISE, organisation=org, username="enterprise")


@pytest.fixture
def outsider(regions):
    org = OrganisationFactory(region=regions["other_county"], name="乙研究院")
    return user_with_role(Role.ORG_ADMIN, organisation=org, username="outsider")


def test_login_lands_on_the_todo_page_and_the_home_page_stays_reachable(client, applicant):
    response = client.post(reverse("accounts:login"), {"username": "applicant", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:todo")
    assert client.get(reverse("core:todo")).status_code == 200
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert reverse("core:todo") in home.content.decode()  # the navigation's "我的待办"


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("core:todo"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert client.get(reverse("core:todo_badge")).content.decode().strip() == ""


def test_reviewer_sees_records_waiting_at_their_level_in_their_chain(regions, reviewers, applicant, outsider):
    restricted = achievement_in_state(
        AchievementState.COUNTY_REVIEW,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="受限的待审成果",
        confidentiality="restricted",
    )
    content, items = page(reviewers["county"])
    assert items["achievements.review"].count == 1
    assert restricted.name in content
    assert reverse("achievements:review_queue") in content
    # The city reviewer of the same chain waits for the county: nothing at their level yet.
    content, items = page(reviewers["city"])
    assert items["achievements.review"].count == 0
    assert restricted.name not in content
    # Outside the chain and outside the organisation: the 受限 record never shows.
    for user in (reviewers["other_city"], outsider):
        content, _ = page(user)
        assert restricted.name not in content


def test_applicant_sees_returned_records_with_the_reason_drafts_and_where_records_wait(
    regions, reviewers, applicant, outsider
):
    returned = achievement_in_state(
        AchievementState.RETURNED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="退回的成果",
    )
    drafted = achievement_in_state(
        AchievementState.DRAFT,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="草稿成果",
    )
    waiting = achievement_in_state(
        AchievementState.CITY_REVIEW,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="市审成果",
    )
    content, items = page(applicant)
    assert [row.label for row in items["achievements.returned"].rows] == [returned.name]
    assert "请补充技术指标" in content  # the return reason
    assert [row.label for row in items["achievements.drafts"].rows] == [drafted.name]
    assert items["achievements.in_review"].rows[0].label == waiting.name
    assert "市级审核中" in content
    assert not items["achievements.in_review"].actionable
    assert "achievements.review" not in items  # not a reviewer
    assert todo.waiting_count(list(items.values())) == 2  # returned + draft; under review only informs
    # A colleague who is an applicant does not see another applicant's drafts; the organisation admin does.
    colleague = user_with_role(Role.APPLICANT, organisation=applicant.organisation)
    content, items = page(colleague)
    assert drafted.name not in content
    assert items["achievements.drafts"].count == 0
    admin = user_with_role(Role.ORG_ADMIN, organisation=applicant.organisation)
    content, items = page(admin)
    assert drafted.name in content
    assert returned.name in content
    content, _ = page(outsider)
    assert drafted.name not in content
    assert returned.name not in content


def test_enterprise_sees_returned_demands_with_the_reason_and_its_demands_states(
    regions, reviewers, enterprise, outsider
):
    returned = demand_in_state(
        DemandState.RETURNED,
        enterprise=enterprise,
        region=regions["county"],
        reviewer=reviewers["county"],
        title="退回的需求",
    )
    published = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise,
        region=regions["county"],
        reviewer=reviewers["county"],
        title="受限的已发布需求",
        confidentiality="restricted",
    )
    content, items = page(enterprise)
    assert items["demands.returned"].rows[0].label == returned.title
    assert "请补充技术指标" in content
    assert published.title in content
    assert "已发布" in content
    assert "achievements.drafts" not in items  # enterprises file demands, not records
    # Another organisation and a broker never see the 受限 demand, not even its running clock.
    broker = user_with_role(Role.BROKER, organisation=outsider.organisation)
    for user in (outsider, broker):
        content, _ = page(user)
        assert published.title not in content
        assert returned.title not in content


def test_reviewer_and_broker_see_running_clocks_with_time_left_and_the_overdue_first(
    regions, reviewers, enterprise
):
    late = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise,
        region=regions["county"],
        reviewer=reviewers["county"],
        title="超时需求",
    )
    fresh = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise,
        region=regions["county"],
        reviewer=reviewers["county"],
        title="新需求",
    )
    ResponseClock.objects.filter(demand=late).update(deadline=timezone.now() - timedelta(hours=3))
    broker = user_with_role(Role.BROKER)
    for user in (reviewers["county"], broker):
        _, items = page(user)
        clocks = items["docking.clocks"]
        assert clocks.count == 2
        assert clocks.urgent
        assert [row.label for row in clocks.rows] == [late.title, fresh.title]
        assert clocks.rows[0].urgent
        assert "已超时" in str(clocks.rows[0].note)
        assert "剩余" in str(clocks.rows[1].note)
    _, items = page(reviewers["other_city"])
    assert items["docking.clocks"].count == 0


def test_responders_see_suggestions_waiting_for_a_decision(regions, reviewers, enterprise, outsider):
    demand = demand_in_state(
        DemandState.PUBLISHED, enterprise=enterprise, region=regions["county"], reviewer=reviewers["county"]
    )
    Suggestion.objects.create(demand=demand, kind=TargetKind.ORGANISATION, organisation=outsider.organisation)
    _, items = page(reviewers["county"])
    assert items["matching.decisions"].count == 1
    assert "1" in str(items["matching.decisions"].rows[0].note)
    _, items = page(reviewers["other_city"])
    assert items["matching.decisions"].count == 0
    _, items = page(enterprise)
    assert "matching.decisions" not in items


def test_push_recipient_sees_invitations_and_the_enterprise_the_answers(
    regions, reviewers, enterprise, outsider
):
    demand = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise,
        region=regions["county"],
        reviewer=reviewers["county"],
        title="推送需求",
    )
    Suggestion.objects.create(
        demand=demand, kind=TargetKind.ORGANISATION, organisation=outsider.organisation, state="confirmed"
    )
    docking_services.response_push(actor=reviewers["county"], demand=demand)
    content, items = page(outsider)
    assert items["docking.invitations"].count == 1
    assert demand.title in content
    _, items = page(enterprise)
    assert "1" in str(items["docking.news"].note)  # one push in the last days
    assert items["docking.news"].count == 0  # nobody answered yet


def test_platform_admin_sees_organisations_to_verify_and_every_region(
    regions, reviewers, enterprise, applicant
):
    restricted = achievement_in_state(
        AchievementState.COUNTY_REVIEW,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="受限的审核中成果",
        confidentiality="restricted",
    )
    pending = OrganisationFactory(
        region=regions["other_county"], status=OrganisationStatus.PENDING, name="待认证单位"
    )
    demand = demand_in_state(
        DemandState.SUBMITTED, enterprise=enterprise, region=regions["other_county"], title="乙县需求"
    )
    admin = user_with_role(Role.PLATFORM_ADMIN)
    content, items = page(admin)
    assert pending.name in content
    assert items["accounts.organisations"].count == 1
    assert demand.title in content
    assert items["demands.review"].count == 1
    # The platform's review backlog is a count per level: no 受限 title reaches the administrator.
    assert items["achievements.review_all"].count == 1
    assert "县级审核中 1" in str(items["achievements.review_all"].note)
    assert not items["achievements.review_all"].actionable
    assert restricted.name not in content
    # Nobody else sees the verification queue.
    _, items = page(enterprise)
    assert "accounts.organisations" not in items


def test_everyone_sees_the_unread_count_and_the_badge_counts_what_waits(
    client, applicant, regions, reviewers
):
    notify(applicant, kind="test", title="一条消息", body="正文", link="/")
    achievement_in_state(
        AchievementState.DRAFT, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    content, items = page(applicant)
    assert items["notifications.unread"].count == 1
    assert reverse("notifications:inbox") in content
    client.force_login(applicant)
    badge = client.get(reverse("core:todo_badge")).content.decode()
    assert 'id="todo-waiting"' in badge
    assert ">1<" in badge
    assert todo.waiting_count(todo.todo_items(principal_of(applicant))) == 1


def test_the_page_answers_only_get(client, applicant):
    client.force_login(applicant)
    assert client.post(reverse("core:todo")).status_code == 405
