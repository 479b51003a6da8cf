"""The inbox page, the navbar badge and the REST endpoints, as each kind of caller sees them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from techmarket.accounts.tests.factories import UserFactory
from techmarket.notifications import services
from techmarket.notifications.context_processors import unread
from techmarket.notifications.models import Notification

pytestmark = pytest.mark.django_db


def send(recipient, title="新消息", link=""):
    return services.notify(recipient, kind="test", title=title, body="正文", link=link, channels=["in_app"])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_login(client):
    for method, url in [
        ("get", reverse("notifications:inbox")),
        ("post", reverse("notifications:read_all")),
        ("post", reverse("notifications:open", args=[1])),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


def test_inbox_lists_own_messages_with_unread_highlighted_and_the_badge():
    user, other = UserFactory(), UserFactory()
    send(user, "未读的消息")
    services.mark_read(user, send(user, "已读的消息").pk)
    send(other, "别人的消息")
    body = logged_in(user).get(reverse("notifications:inbox")).content.decode()
    assert "未读的消息" in body
    assert "已读的消息" in body
    assert "别人的消息" not in body
    assert body.count("list-group-item-primary") == 1
    assert 'id="notifications-unread">1<' in body
    unread_only = logged_in(user).get(reverse("notifications:inbox"), {"unread": "1"}).content.decode()
    assert "未读的消息" in unread_only
    assert "已读的消息" not in unread_only


def test_opening_marks_read_and_follows_only_local_links():
    user = UserFactory()
    local = send(user, link="/achievements/")
    foreign = send(user, link="https://evil.example/")
    protocol_relative = send(user, link="//evil.example/")
    client = logged_in(user)
    response = client.post(reverse("notifications:open", args=[local.pk]))
    assert response["Location"] == "/achievements/"
    assert Notification.objects.get(pk=local.pk).read_at is not None
    for notification in (foreign, protocol_relative):
        response = client.post(reverse("notifications:open", args=[notification.pk]))
        assert response["Location"] == reverse("notifications:inbox")


def test_opening_another_users_message_is_404():
    owner, other = UserFactory(), UserFactory()
    notification = send(owner)
    assert logged_in(other).post(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_mark_all_read_page():
    user = UserFactory()
    send(user)
    send(user)
    response = logged_in(user).post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


def test_context_processor_costs_one_count_query_and_nothing_for_visitors(rf):
    from django.contrib.auth.models import AnonymousUser

    user = UserFactory()
    send(user)
    request = rf.get("/")
    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as queries:
        assert unread(request) == {"notifications_unread": 0}
    assert len(queries) == 0
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        assert unread(request) == {"notifications_unread": 1}
    assert len(queries) == 1
    assert "COUNT" in queries[0]["sql"].upper()


API = "/api/v1/notifications/"


def test_api_refuses_anonymous_callers(client):
    assert client.get(API).status_code in (401, 403)
    assert client.post(f"{API}1/read/").status_code in (401, 403)
    assert client.post(f"{API}read-all/").status_code in (401, 403)
    body = client.get(API).json()
    assert body["code"] == "not_authenticated"


def test_api_lists_own_messages_and_filters_unread():
    user, other = UserFactory(), UserFactory()
    first = send(user, "第一条")
    send(user, "第二条")
    send(other, "别人的")
    client = logged_in(user)
    titles = [item["title"] for item in client.get(API).json()["results"]]
    assert titles == ["第二条", "第一条"]
    services.mark_read(user, first.pk)
    unread_titles = [item["title"] for item in client.get(API, {"unread": "1"}).json()["results"]]
    assert unread_titles == ["第二条"]


def test_api_marks_read_own_only_and_all():
    user, other = UserFactory(), UserFactory()
    mine = send(user)
    theirs = send(other)
    client = logged_in(user)
    response = client.post(f"{API}{mine.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    response = client.post(f"{API}{theirs.pk}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    send(user)
    send(user)
    assert client.post(f"{API}read-all/").json() == {"updated": 2}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
