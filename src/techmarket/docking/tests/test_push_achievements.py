"""A pushed achievement reaches its holders: invited, told, and able to answer in the docking inbox."""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.demands.models import DemandRecipient
from techmarket.demands.tests.factories import enterprise_user
from techmarket.docking import services
from techmarket.docking.models import PushRecipient
from techmarket.docking.tests.factories import confirmed, engine_suggestion, published_demand
from techmarket.matching.choices import TargetKind
from techmarket.notifications.models import Notification

pytestmark = pytest.mark.django_db

ACHIEVEMENT = "钠离子电池正极材料规模化制备技术"
SECRET = "某受限固态电解质技术"


@pytest.fixture
def holder(regions):
    """A university with an organisation administrator, the applicant who filed the record, and a
    colleague applicant who did not."""
    university = OrganisationFactory(region=regions["city"], name="甲市理工大学")
    return {
        "organisation": university,
        "admin": user_with_role(Role.ORG_ADMIN, organisation=university, username="univ_admin"),
        "filer": user_with_role(Role.APPLICANT, organisation=university, username="univ_filer"),
        "colleague": user_with_role(Role.APPLICANT, organisation=university, username="univ_colleague"),
    }


@pytest.fixture
def pushed_setting(regions, reviewers, holder):
    enterprise = enterprise_user(regions["county"], username="enterprise")
    demand = published_demand(
        regions["county"], reviewers["county"], enterprise=enterprise, title="储能电池降本"
    )
    record = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=holder["filer"],
        region=regions["city"],
        reviewers=reviewers,
        name=ACHIEVEMENT,
    )
    confirmed(reviewers["county"], demand, TargetKind.ACHIEVEMENT, record.pk)
    return {"demand": demand, "enterprise": enterprise, "achievement": record, **holder}


def push(setting, reviewers):
    return services.response_push(actor=reviewers["county"], demand=setting["demand"], message="请与企业联系")


def test_the_holders_of_a_pushed_achievement_are_invited_and_told(pushed_setting, reviewers, regions):
    stranger = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(region=regions["city"]))
    response = push(pushed_setting, reviewers)
    admin, filer = pushed_setting["admin"], pushed_setting["filer"]
    rows = PushRecipient.objects.filter(response=response)
    assert {row.user_id for row in rows} == {admin.pk, filer.pk}
    assert {row.suggestion.kind for row in rows} == {TargetKind.ACHIEVEMENT}
    demand = pushed_setting["demand"]
    assert set(DemandRecipient.objects.filter(demand=demand).values_list("user_id", flat=True)) == {
        admin.pk,
        filer.pk,
    }
    for user in (admin, filer):
        (note,) = Notification.objects.filter(recipient=user, kind="docking.push")
        assert note.title == f"新的需求对接推送：{demand.title}"
        assert f"与贵单位的科技成果“{ACHIEVEMENT}”匹配" in note.body
        assert "请与企业联系" in note.body
        row = rows.get(user=user)
        assert note.link == f"/docking/inbox/#push-{row.pk}"
    for user in (pushed_setting["colleague"], stranger):
        assert not Notification.objects.filter(recipient=user).exists()
        assert not PushRecipient.objects.filter(user=user).exists()
    (told,) = Notification.objects.filter(recipient=pushed_setting["enterprise"], kind="docking.response")
    assert ACHIEVEMENT in told.body


def test_a_filer_who_left_or_is_inactive_is_not_invited(pushed_setting, reviewers, regions):
    filer = pushed_setting["filer"]
    filer.organisation = OrganisationFactory(region=regions["city"])
    filer.save()
    response = push(pushed_setting, reviewers)
    assert {row.user_id for row in PushRecipient.objects.filter(response=response)} == {
        pushed_setting["admin"].pk
    }
    assert not Notification.objects.filter(recipient=filer).exists()


def test_an_achievement_without_organisation_admins_reaches_its_filer(reviewers, regions):
    university = OrganisationFactory(region=regions["city"])
    filer = user_with_role(Role.APPLICANT, organisation=university)
    record = achievement_in_state(
        AchievementState.PUBLISHED, applicant=filer, region=regions["city"], reviewers=reviewers
    )
    demand = published_demand(regions["county"], reviewers["county"])
    confirmed(reviewers["county"], demand, TargetKind.ACHIEVEMENT, record.pk)
    services.response_push(actor=reviewers["county"], demand=demand)
    assert list(PushRecipient.objects.values_list("user_id", flat=True)) == [filer.pk]


def test_the_holder_answers_in_the_inbox_page(pushed_setting, reviewers, client):
    push(pushed_setting, reviewers)
    filer = pushed_setting["filer"]
    row = PushRecipient.objects.get(user=filer)
    client.force_login(filer)
    page = client.get("/docking/inbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert pushed_setting["demand"].title in html
    assert f"本单位科技成果 “{ACHIEVEMENT}”" in html
    assert f"/docking/inbox/{row.pk}/answer/" in html

    answered = client.post(f"/docking/inbox/{row.pk}/answer/", {"kind": "interested"})
    assert answered.status_code == 302
    row.refresh_from_db()
    assert row.answer == "interested"
    (note,) = Notification.objects.filter(recipient=pushed_setting["enterprise"], kind="docking.answer")
    assert note.title == f"对接答复：甲市理工大学（科技成果：{ACHIEVEMENT}） 有意向"

    # The colleague who was not invited cannot answer for the organisation.
    client.force_login(pushed_setting["colleague"])
    assert "暂无推送给您的需求" in client.get("/docking/inbox/").content.decode()
    assert client.post(f"/docking/inbox/{row.pk}/answer/", {"kind": "declined"}).status_code == 404


def test_the_holder_answers_through_the_api(pushed_setting, reviewers, client):
    push(pushed_setting, reviewers)
    admin = pushed_setting["admin"]
    client.force_login(admin)
    listed = client.get("/api/v1/docking/pushes/").json()
    (item,) = listed["results"] if isinstance(listed, dict) else listed
    assert (item["match_kind"], item["match_name"]) == ("achievement", ACHIEVEMENT)
    answered = client.post(
        f"/api/v1/docking/pushes/{item['id']}/answer/",
        {"answer": "message", "message": "可提供中试样品"},
        content_type="application/json",
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["match_name"] == ACHIEVEMENT
    (note,) = Notification.objects.filter(recipient=pushed_setting["enterprise"], kind="docking.answer")
    assert "可提供中试样品" in note.body


def test_a_restricted_achievement_s_holder_answers_without_naming_it_to_the_enterprise(
    regions, reviewers, holder
):
    enterprise = enterprise_user(regions["county"])
    demand = published_demand(regions["county"], reviewers["county"], enterprise=enterprise)
    record = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=holder["filer"],
        region=regions["city"],
        reviewers=reviewers,
        name=SECRET,
        confidentiality="restricted",
    )
    engine_suggestion(demand, TargetKind.ACHIEVEMENT, record)
    services.response_push(actor=reviewers["county"], demand=demand)
    row = PushRecipient.objects.get(user=holder["admin"])
    (invite,) = Notification.objects.filter(recipient=holder["admin"], kind="docking.push")
    assert SECRET in invite.body  # the holder's own record
    services.answer(actor=holder["admin"], recipient_row=row, kind="interested")
    told = Notification.objects.filter(recipient=enterprise)
    assert told.exists()
    assert all(SECRET not in note.title + note.body for note in told)
    assert all("甲市理工大学" not in note.title + note.body for note in told)
    (answer,) = told.filter(kind="docking.answer")
    assert "一项受限成果的持有单位" in answer.title
