"""notify(): in-app row now, e-mail and SMS only after commit, failures recorded; reading is per user."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from techmarket.accounts.tests.factories import UserFactory
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.models import AuditEvent
from techmarket.notifications import selectors, services
from techmarket.notifications.choices import Channel, DeliveryStatus
from techmarket.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def send(recipient, **overrides):
    fields = {
        "kind": "demand.matched",
        "title": "您的需求有新的匹配成果",
        "body": "请查看匹配结果。",
        "link": "/demands/1/",
    }
    fields.update(overrides)
    return services.notify(recipient, **fields)


def wants_sms(user):
    """SMS is off by default (通知设置); these tests are about a user who switched it on."""
    services.preferences_set(actor=user, values={"demand": {"sms": True}})
    return user


def statuses(notification: Notification) -> dict[str, str]:
    return {d.channel: d.status for d in Delivery.objects.filter(notification=notification)}


def test_in_app_row_is_stored_with_its_fields_and_an_audit_event():
    user = UserFactory()
    notification = send(user, data={"demand": 1})
    stored = Notification.objects.get(pk=notification.pk)
    assert stored.recipient == user
    assert (stored.kind, stored.title, stored.link, stored.data) == (
        "demand.matched",
        "您的需求有新的匹配成果",
        "/demands/1/",
        {"demand": 1},
    )
    assert stored.read_at is None
    assert statuses(stored)[Channel.IN_APP] == DeliveryStatus.SENT
    assert AuditEvent.objects.filter(
        action="notifications.notification.create", target_id=str(stored.pk)
    ).exists()


def test_email_and_sms_leave_only_after_commit(django_capture_on_commit_callbacks, caplog):
    user = wants_sms(UserFactory(email="zhang@example.org", phone="13812345678"))
    caplog.set_level(logging.INFO, logger="techmarket.sms")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = send(user)
    assert mail.outbox == []
    assert set(statuses(notification)) == {Channel.IN_APP}
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhang@example.org"]
    assert mail.outbox[0].subject == "您的需求有新的匹配成果"
    assert "/demands/1/" in mail.outbox[0].body
    assert statuses(notification) == {
        Channel.IN_APP: DeliveryStatus.SENT,
        Channel.EMAIL: DeliveryStatus.SENT,
        Channel.SMS: DeliveryStatus.SENT,
    }


def test_sms_is_logged_with_the_number_masked(django_capture_on_commit_callbacks, caplog):
    user = wants_sms(UserFactory(phone="13812345678"))
    caplog.set_level(logging.INFO, logger="techmarket.sms")
    with django_capture_on_commit_callbacks(execute=True):
        send(user, channels=["sms"])
    records = [r for r in caplog.records if r.name == "techmarket.sms"]
    assert len(records) == 1
    text = records[0].getMessage()
    assert "138****5678" in text
    assert "13812345678" not in text
    assert "您的需求有新的匹配成果" in text


def test_nothing_leaves_when_the_change_rolls_back(django_capture_on_commit_callbacks, caplog):
    user = UserFactory(email="li@example.org", phone="13812345678")
    caplog.set_level(logging.INFO, logger="techmarket.sms")

    def failing_change() -> None:
        with transaction.atomic():
            send(user)
            raise RuntimeError("the caller's change failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_change()
    assert mail.outbox == []
    assert not [r for r in caplog.records if r.name == "techmarket.sms"]
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_missing_address_and_number_are_recorded_as_skipped(django_capture_on_commit_callbacks):
    user = wants_sms(UserFactory(email="", phone=""))
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(user)
    deliveries = {d.channel: d for d in notification.deliveries.all()}
    assert deliveries[Channel.EMAIL].status == DeliveryStatus.SKIPPED
    assert deliveries[Channel.EMAIL].detail == "no_email"
    assert deliveries[Channel.SMS].status == DeliveryStatus.SKIPPED
    assert deliveries[Channel.SMS].detail == "no_phone"
    assert mail.outbox == []


def test_only_the_requested_channels_are_used(django_capture_on_commit_callbacks):
    user = UserFactory(email="wang@example.org", phone="13812345678")
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(user, channels=["in_app"])
    assert statuses(notification) == {Channel.IN_APP: DeliveryStatus.SENT}
    assert mail.outbox == []


def test_unknown_channel_is_refused():
    with pytest.raises(DomainError) as error:
        send(UserFactory(), channels=["fax"])
    assert error.value.code == "unknown_channel"
    assert not Notification.objects.exists()


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise OSError("mail server refused")


class BrokenSender:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


def test_failures_are_recorded_and_never_raised(django_capture_on_commit_callbacks, settings):
    settings.TECHMARKET = {**settings.TECHMARKET, "SMS_SENDER": f"{__name__}.BrokenSender"}
    settings.EMAIL_BACKEND = f"{__name__}.BrokenEmailBackend"
    user = wants_sms(UserFactory(email="zhao@example.org", phone="13812345678"))
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(user)
    deliveries = {d.channel: d for d in notification.deliveries.all()}
    assert deliveries[Channel.SMS].status == DeliveryStatus.FAILED
    assert "gateway down" in deliveries[Channel.SMS].detail
    assert deliveries[Channel.EMAIL].status == DeliveryStatus.FAILED
    assert "mail server refused" in deliveries[Channel.EMAIL].detail
    assert deliveries[Channel.IN_APP].status == DeliveryStatus.SENT


def test_mark_read_touches_only_the_recipients_own_rows():
    owner, other = UserFactory(), UserFactory()
    notification = send(owner)
    with pytest.raises(NotFound):
        services.mark_read(other, notification.pk)
    assert Notification.objects.get(pk=notification.pk).read_at is None
    with pytest.raises(NotFound):
        services.mark_read(owner, "not-a-number")
    read = services.mark_read(owner, notification.pk)
    assert read.read_at is not None
    first_read = read.read_at
    assert services.mark_read(owner, notification.pk).read_at == first_read
    assert AuditEvent.objects.filter(action="notifications.notification.read").count() == 1


def test_mark_all_read_and_the_selectors():
    owner, other = UserFactory(), UserFactory()
    send(owner, title="一")
    send(owner, title="二")
    theirs = send(other, title="三")
    assert selectors.unread_count(owner) == 2
    assert [n.title for n in selectors.inbox(owner)] == ["二", "一"]
    assert services.mark_all_read(owner) == 2
    assert selectors.unread_count(owner) == 0
    assert selectors.inbox(owner, unread_only=True).count() == 0
    assert selectors.inbox(owner).count() == 2
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert services.mark_all_read(owner) == 0
    assert AuditEvent.objects.filter(action="notifications.notification.read_all").count() == 1


def test_selectors_give_anonymous_visitors_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert selectors.unread_count(AnonymousUser()) == 0
    assert selectors.inbox(AnonymousUser()).count() == 0
