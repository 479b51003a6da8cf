"""通知设置: channels per group of notices, their defaults, the page, the API, and notify() honouring them."""

from __future__ import annotations

import pytest
from django.core import mail

from techmarket.accounts.tests.factories import UserFactory
from techmarket.core.errors import DomainError
from techmarket.core.models import AuditEvent
from techmarket.notifications import selectors, services
from techmarket.notifications.choices import Channel, DeliveryStatus, NoticeGroup, group_of
from techmarket.notifications.models import Delivery, NotificationPreference

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/preferences/"


@pytest.mark.parametrize(
    ("kind", "group"),
    [
        ("achievement.returned", "achievement"),
        ("demand.published", "demand"),
        ("docking.push", "docking"),
        ("docking.answer", "docking"),
        ("docking.reminder", "clock"),
        ("docking.escalation", "clock"),
        ("conversation.message", "conversation"),
        ("conversations.other", "other"),
        ("", "other"),
    ],
)
def test_each_kind_belongs_to_a_group(kind, group):
    assert group_of(kind) == group


def test_defaults_are_in_app_and_email_without_sms():
    user = UserFactory()
    rows = selectors.preferences(user)
    assert [row.group for row in rows] == list(NoticeGroup.values)
    assert all(row.email and not row.sms for row in rows)
    assert selectors.channels_for(user, "docking.push") == {Channel.IN_APP, Channel.EMAIL}


def test_setting_changes_only_what_it_names_and_is_audited():
    user = UserFactory()
    rows = services.preferences_set(actor=user, values={"clock": {"sms": True}})
    by_group = {row.group: row for row in rows}
    assert (by_group["clock"].email, by_group["clock"].sms) == (True, True)
    assert (by_group["docking"].email, by_group["docking"].sms) == (True, False)
    assert NotificationPreference.objects.filter(user=user).count() == 1
    (event,) = AuditEvent.objects.filter(action="notifications.preference.set")
    assert event.data == {
        "before": {"clock": {"email": True, "sms": False}},
        "after": {"clock": {"email": True, "sms": True}},
    }
    services.preferences_set(actor=user, values={"clock": {"sms": True}, "docking": {"email": True}})
    assert AuditEvent.objects.filter(action="notifications.preference.set").count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"weather": {"email": True}}, "weather"),
        ({"docking": {"in_app": False}}, "docking.in_app"),
        ({"docking": {"fax": True}}, "docking.fax"),
        ({"docking": {"email": "yes"}}, "docking.email"),
        ({"docking": True}, "docking"),
    ],
)
def test_bad_settings_change_nothing(values, field):
    user = UserFactory()
    with pytest.raises(DomainError) as error:
        services.preferences_set(actor=user, values={"clock": {"sms": True}, **values})
    assert field in error.value.fields
    assert "通知设置有误" in error.value.message
    assert not NotificationPreference.objects.exists()


def test_notify_follows_the_recipient_s_choice(django_capture_on_commit_callbacks):
    user = UserFactory(email="wu@example.org", phone="13812345678")
    services.preferences_set(actor=user, values={"docking": {"email": False, "sms": True}})
    with django_capture_on_commit_callbacks(execute=True):
        pushed = services.notify(user, kind="docking.push", title="新的推送", body="请查看")
        other = services.notify(user, kind="achievement.returned", title="退回", body="请修改")
    assert {d.channel: (d.status, d.detail) for d in Delivery.objects.filter(notification=pushed)} == {
        Channel.IN_APP: (DeliveryStatus.SENT, ""),
        Channel.SMS: (DeliveryStatus.SENT, ""),
    }
    assert {d.channel: (d.status, d.detail) for d in Delivery.objects.filter(notification=other)} == {
        Channel.IN_APP: (DeliveryStatus.SENT, ""),
        Channel.EMAIL: (DeliveryStatus.SENT, ""),
    }
    assert [m.subject for m in mail.outbox] == ["退回"]
    (event,) = AuditEvent.objects.filter(action="notifications.notification.create", target_id=str(pushed.pk))
    assert (event.data["channels"], event.data["opted_out"]) == (["in_app", "sms"], ["email"])


def test_a_caller_s_narrower_channels_still_win(django_capture_on_commit_callbacks):
    user = UserFactory(email="wu@example.org", phone="13812345678")
    services.preferences_set(actor=user, values={"other": {"sms": True}})
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify(user, kind="misc", title="t", body="b", channels=["in_app"])
    assert set(Delivery.objects.filter(notification=note).values_list("channel", flat=True)) == {"in_app"}


# --- The API -------------------------------------------------------------------------------------


def test_api_reads_and_writes_the_caller_s_own_settings(client):
    user, other = UserFactory(), UserFactory()
    client.force_login(user)
    rows = client.get(URL).json()
    assert [row["group"] for row in rows] == list(NoticeGroup.values)
    assert rows[0] == {
        "group": "achievement",
        "name": "科技成果审核",
        "in_app": True,
        "email": True,
        "sms": False,
    }
    changed = client.put(
        URL,
        [{"group": "docking", "sms": True}, {"group": "demand", "email": False}],
        content_type="application/json",
    )
    assert changed.status_code == 200
    by_group = {row["group"]: row for row in changed.json()}
    assert (by_group["docking"]["email"], by_group["docking"]["sms"]) == (True, True)
    assert (by_group["demand"]["email"], by_group["demand"]["sms"]) == (False, False)
    assert not NotificationPreference.objects.filter(user=other).exists()


@pytest.mark.parametrize(
    "body",
    [
        [{"group": "weather", "email": True}],
        [{"email": True}],
        {"group": "docking", "sms": True},
        [{"group": "docking", "sms": "maybe"}],
        "docking",
    ],
)
def test_api_refuses_bad_settings_with_a_clear_message(client, body):
    client.force_login(UserFactory())
    answer = client.put(URL, body, content_type="application/json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"code", "message", "fields"}
    assert not NotificationPreference.objects.exists()


def test_api_needs_a_login(client):
    assert client.get(URL).status_code in {401, 403}
    assert client.put(URL, [], content_type="application/json").status_code in {401, 403}


# --- The page ------------------------------------------------------------------------------------


def test_the_page_is_reached_from_the_messages_and_saves(client):
    user = UserFactory()
    client.force_login(user)
    assert "/notifications/settings/" in client.get("/notifications/").content.decode()
    page = client.get("/notifications/settings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "通知设置" in html
    assert "响应时限提醒与督办" in html
    assert 'name="docking__email" id="id_docking__email" aria-label="对接推送与答复 电子邮件" checked' in html
    data = {f"{group}__email": "on" for group in NoticeGroup.values}
    data.pop("achievement__email")
    data["clock__sms"] = "on"
    saved = client.post("/notifications/settings/", data)
    assert saved.status_code == 302
    rows = {row.group: row for row in selectors.preferences(user)}
    assert (rows["achievement"].email, rows["achievement"].sms) == (False, False)
    assert (rows["clock"].email, rows["clock"].sms) == (True, True)
    assert "通知设置已保存" in client.get(saved.url).content.decode()


def test_the_page_needs_a_login(client):
    answer = client.get("/notifications/settings/")
    assert answer.status_code == 302
    assert "/login" in answer.url or "/accounts/" in answer.url
