"""Every step of an achievement's review tells exactly the people it concerns, in Chinese, after commit."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.utils import translation

from techmarket.accounts.tests.cast import standard_cast
from techmarket.achievements import services
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import draft
from techmarket.notifications import services as notification_services
from techmarket.notifications.choices import Channel, DeliveryStatus
from techmarket.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db

SECRET = "某型号受限导热膜"


@pytest.fixture(autouse=True)
def _no_lost_notices(caplog):
    """A notice hook swallows its failures (after commit); here a failure fails the test."""
    caplog.set_level(logging.ERROR, logger="techmarket.notifications.services")
    yield
    assert not [r for r in caplog.records if "notice hook" in r.getMessage()]


@pytest.fixture
def cast(regions, organisation, applicant):
    regions["province"].requires_province_review = True
    regions["province"].save()
    return standard_cast(regions, organisation, applicant)


def told(cast, since=0, kind=None):
    """Role name → kinds of the notices each role received since the ``since`` id."""
    roles = {user.pk: role for role, user in cast.items() if getattr(user, "pk", None)}
    rows = Notification.objects.filter(pk__gt=since)
    if kind:
        rows = rows.filter(kind=kind)
    result: dict[str, list[str]] = {}
    for note in rows.order_by("pk"):
        result.setdefault(roles.get(note.recipient_id, f"user{note.recipient_id}"), []).append(note.kind)
    return result


def last_id():
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def step(capture, function, **kwargs):
    with capture(execute=True):
        return function(**kwargs)


def test_the_whole_review_tells_each_party_in_turn(cast, regions, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    record = draft(applicant=cast["owner"], region=regions["county"])
    assert told(cast) == {}

    mark = last_id()
    record = step(capture, services.achievement_submit, actor=cast["owner"], achievement=record)
    assert told(cast, mark) == {"county_reviewer": ["achievement.review"]}
    (note,) = Notification.objects.filter(pk__gt=mark)
    assert note.title == f"待审核科技成果：{record.name}"
    assert "测试大学 提交了科技成果" in note.body
    assert "县级审核" in note.body
    assert note.link == f"/achievements/{record.pk}/"

    mark = last_id()
    record = step(capture, services.achievement_approve, actor=cast["county_reviewer"], achievement=record)
    assert told(cast, mark) == {"owner": ["achievement.approved"], "city_reviewer": ["achievement.review"]}
    owner_note = Notification.objects.get(pk__gt=mark, recipient=cast["owner"])
    assert owner_note.title == f"科技成果已通过县级审核：{record.name}"
    assert "现进入市级审核" in owner_note.body

    mark = last_id()
    record = step(capture, services.achievement_approve, actor=cast["city_reviewer"], achievement=record)
    assert record.state == AchievementState.PROVINCE_REVIEW
    assert told(cast, mark) == {
        "owner": ["achievement.approved"],
        "province_reviewer": ["achievement.review"],
    }

    mark = last_id()
    record = step(capture, services.achievement_approve, actor=cast["province_reviewer"], achievement=record)
    assert record.state == AchievementState.PUBLISHED
    assert told(cast, mark) == {
        "owner": ["achievement.published"],
        "own_org_admin": ["achievement.published"],
        # The earlier levels approved it: they hear it is out (the publishing reviewer knows).
        "county_reviewer": ["achievement.reviewed_published"],
        "city_reviewer": ["achievement.reviewed_published"],
    }
    published = Notification.objects.get(pk__gt=mark, recipient=cast["own_org_admin"])
    assert record.registration_number in published.body
    assert published.title == f"科技成果已发布：{record.name}"


def test_a_return_tells_the_filer_and_the_org_admins_the_reason(
    cast, regions, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    record = draft(applicant=cast["owner"], region=regions["county"])
    record = step(capture, services.achievement_submit, actor=cast["owner"], achievement=record)
    mark = last_id()
    step(
        capture,
        services.achievement_return,
        actor=cast["county_reviewer"],
        achievement=record,
        reason="请补充第三方检测报告",
    )
    assert told(cast, mark) == {"owner": ["achievement.returned"], "own_org_admin": ["achievement.returned"]}
    for note in Notification.objects.filter(pk__gt=mark):
        assert note.title == f"科技成果被退回修改：{record.name}"
        assert "县级审核中被退回修改" in note.body
        assert "退回理由：请补充第三方检测报告" in note.body

    mark = last_id()
    step(capture, services.achievement_submit, actor=cast["own_org_admin"], achievement=record)
    assert told(cast, mark) == {"county_reviewer": ["achievement.review"]}
    assert "修改后重新提交" in Notification.objects.get(pk__gt=mark).body


def test_a_revocation_tells_the_filer_and_the_org_admins_the_reason(
    cast, regions, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    record = draft(applicant=cast["owner"], region=regions["county"])
    for actor in ("owner", "county_reviewer", "city_reviewer", "province_reviewer"):
        name = "achievement_submit" if actor == "owner" else "achievement_approve"
        record = getattr(services, name)(actor=cast[actor], achievement=record)
    mark = last_id()
    step(
        capture,
        services.achievement_revoke,
        actor=cast["city_reviewer"],
        achievement=record,
        reason="成果权属存在争议",
    )
    assert told(cast, mark) == {"owner": ["achievement.revoked"], "own_org_admin": ["achievement.revoked"]}
    note = Notification.objects.filter(pk__gt=mark).first()
    assert "撤销理由：成果权属存在争议" in note.body
    assert record.registration_number in note.body


def test_a_withdrawal_tells_the_waiting_reviewers_and_the_colleagues_not_the_actor(
    cast, regions, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    record = draft(applicant=cast["owner"], region=regions["county"])
    record = services.achievement_submit(actor=cast["owner"], achievement=record)
    record = services.achievement_approve(actor=cast["county_reviewer"], achievement=record)
    mark = last_id()
    step(capture, services.achievement_withdraw, actor=cast["owner"], achievement=record)
    assert told(cast, mark) == {
        "city_reviewer": ["achievement.withdrawn"],
        "own_org_admin": ["achievement.withdrawn"],
    }
    reviewer_note = Notification.objects.get(pk__gt=mark, recipient=cast["city_reviewer"])
    assert "无需再进行市级审核" in reviewer_note.body


def test_a_restricted_record_is_never_named_to_anyone_outside_its_circle(
    cast, regions, django_capture_on_commit_callbacks
):
    """The filer has since moved to another organisation: a 受限 record is no longer theirs to see."""
    capture = django_capture_on_commit_callbacks
    filer = cast["own_applicant"]
    record = draft(applicant=filer, region=regions["county"], name=SECRET, confidentiality="restricted")
    record = step(capture, services.achievement_submit, actor=filer, achievement=record)
    filer.organisation = cast["other_applicant"].organisation
    filer.save()
    for reviewer in ("county_reviewer", "city_reviewer"):
        record = step(capture, services.achievement_approve, actor=cast[reviewer], achievement=record)
    step(
        capture,
        services.achievement_return,
        actor=cast["province_reviewer"],
        achievement=record,
        reason="请补充",
    )
    assert told(cast) == {
        "county_reviewer": ["achievement.review"],
        "city_reviewer": ["achievement.review"],
        "province_reviewer": ["achievement.review"],
        "own_org_admin": ["achievement.returned"],
    }
    assert not Notification.objects.filter(recipient=filer).exists()
    circle = {
        cast[role].email
        for role in ("county_reviewer", "city_reviewer", "province_reviewer", "own_org_admin")
    }
    assert mail.outbox
    assert all(set(m.to) <= circle for m in mail.outbox if SECRET in m.subject + m.body)


def test_notices_are_chinese_whatever_the_language_of_the_request(
    cast, regions, django_capture_on_commit_callbacks
):
    record = draft(applicant=cast["owner"], region=regions["county"])
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.achievement_submit(actor=cast["owner"], achievement=record)
    (note,) = Notification.objects.all()
    assert note.title.startswith("待审核科技成果")
    assert "等待您的县级审核" in note.body


def test_each_person_s_channels_are_honoured(cast, regions, django_capture_on_commit_callbacks):
    owner, admin = cast["owner"], cast["own_org_admin"]
    notification_services.preferences_set(actor=owner, values={"achievement": {"email": False, "sms": True}})
    record = draft(applicant=owner, region=regions["county"])
    record = services.achievement_submit(actor=owner, achievement=record)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.achievement_return(actor=cast["county_reviewer"], achievement=record, reason="请补充")
    to_owner = Notification.objects.get(recipient=owner, kind="achievement.returned")
    to_admin = Notification.objects.get(recipient=admin, kind="achievement.returned")
    owner_channels = {d.channel: (d.status, d.detail) for d in Delivery.objects.filter(notification=to_owner)}
    assert owner_channels == {
        Channel.IN_APP: (DeliveryStatus.SENT, ""),
        Channel.SMS: (DeliveryStatus.SENT, ""),
    }
    admin_channels = {d.channel: (d.status, d.detail) for d in Delivery.objects.filter(notification=to_admin)}
    assert admin_channels == {
        Channel.IN_APP: (DeliveryStatus.SENT, ""),
        Channel.EMAIL: (DeliveryStatus.SENT, ""),
    }
    assert [m.to for m in mail.outbox] == [[admin.email]]
    assert "退回理由：请补充" in mail.outbox[0].body


def test_a_refused_transition_tells_nobody(cast, regions, django_capture_on_commit_callbacks):
    from techmarket.core.errors import DomainError

    record = draft(applicant=cast["owner"], region=regions["county"])
    record = services.achievement_submit(actor=cast["owner"], achievement=record)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        services.achievement_approve(actor=cast["city_reviewer"], achievement=record)
    assert not Notification.objects.exists()
