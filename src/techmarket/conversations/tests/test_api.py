"""The API: the same participants-only rule, posting with attachments (multipart), read, join."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from techmarket.conversations.models import Message, Participant

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_participant_lists_reads_and_writes(scene, thread, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client = api(scene["enterprise"])
    listed = client.get(reverse("api:conversation-thread-list")).json()
    assert [row["id"] for row in listed["results"]] == [thread.pk]
    about = {"subject_kind": "demands.demand", "subject_id": scene["demand"].pk}
    assert client.get(reverse("api:conversation-thread-list"), about).json()["count"] == 1
    other = {"subject_kind": "achievements.achievement"}
    assert client.get(reverse("api:conversation-thread-list"), other).json()["count"] == 0
    assert client.get(reverse("api:conversation-thread-list"), {"subject_id": "x"}).status_code == 404
    assert listed["results"][0]["unread"] == 1
    detail = client.get(reverse("api:conversation-thread-detail", args=[thread.pk])).json()
    assert {p["side"] for p in detail["participants"]} == {"enterprise", "provider"}
    messages = client.get(reverse("api:conversation-thread-messages", args=[thread.pk])).json()
    assert messages[0]["body"].startswith("我们有成熟的")
    assert client.post(reverse("api:conversation-thread-read", args=[thread.pk])).json() == {"unread": 1}
    posted = client.post(
        reverse("api:conversation-thread-messages", args=[thread.pk]),
        {"body": "附上需求说明", "file": [SimpleUploadedFile("说明.pdf", b"%PDF-1.4 x")]},
        format="multipart",
    )
    assert posted.status_code == 201, posted.content
    attachment = posted.json()["attachments"][0]
    assert attachment["original_name"] == "说明.pdf"
    download = client.get(attachment["url"])
    assert download.status_code == 200
    json_post = client.post(
        reverse("api:conversation-thread-messages", args=[thread.pk]), {"body": "JSON 也可以"}, format="json"
    )
    assert json_post.status_code == 201
    bad = client.post(
        reverse("api:conversation-thread-messages", args=[thread.pk]), {"body": ""}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "who", ["company_colleague", "broker", "other_enterprise", "platform_admin", "reviewer"]
)
def test_outsiders_get_404_everywhere(scene, thread, who):
    client = api(scene[who])
    assert client.get(reverse("api:conversation-thread-list")).json()["results"] == []
    for name in ("api:conversation-thread-detail", "api:conversation-thread-messages"):
        assert client.get(reverse(name, args=[thread.pk])).status_code == 404
    assert (
        client.post(
            reverse("api:conversation-thread-messages", args=[thread.pk]), {"body": "x"}, format="json"
        ).status_code
        == 404
    )
    assert client.post(reverse("api:conversation-thread-read", args=[thread.pk])).status_code == 404
    assert (
        client.get(
            reverse("api:conversation-thread-attachment", kwargs={"pk": thread.pk, "attachment_id": 1})
        ).status_code
        == 404
    )
    assert Message.objects.count() == 1


def test_anonymous_is_refused(thread):
    assert api(None).get(reverse("api:conversation-thread-list")).status_code in (401, 403)


def test_join_through_the_api(scene, thread):
    assert (
        api(scene["other_enterprise"])
        .post(reverse("api:conversation-thread-join", args=[thread.pk]))
        .status_code
        == 404
    )
    joined = api(scene["broker"]).post(reverse("api:conversation-thread-join", args=[thread.pk]))
    assert joined.status_code == 200
    assert "broker" in {p["side"] for p in joined.json()["participants"]}
    assert Participant.objects.filter(thread=thread, user=scene["broker"]).exists()
