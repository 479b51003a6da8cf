"""Pages per role: a thread, posting, attachments and joining answer its participants and nobody else."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from techmarket.conversations import services
from techmarket.conversations.models import Message, Participant, Thread

pytestmark = pytest.mark.django_db

PARTICIPANTS = ("enterprise", "company_admin", "applicant", "university_admin")
OUTSIDERS = (
    "company_colleague",
    "broker",
    "reviewer",
    "other_reviewer",
    "other_enterprise",
    "other_applicant",
    "platform_admin",
)


def client_of(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def attachment(scene, thread, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    message = services.message_post(
        actor=scene["enterprise"],
        thread=thread,
        body="检测要求见附件",
        files=[SimpleUploadedFile("检测要求.pdf", b"%PDF-1.4 secret", content_type="application/pdf")],
    )
    return message.attachments.get()


@pytest.mark.parametrize("who", PARTICIPANTS)
def test_participants_read_the_thread_and_its_attachment(scene, thread, attachment, who):
    client = client_of(scene[who])
    page = client.get(reverse("conversations:detail", args=[thread.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "我们有成熟的卷对卷工艺" in text
    assert "检测要求.pdf" in text
    download = client.get(reverse("conversations:attachment", args=[thread.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 secret"
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_else_gets_404_for_page_post_and_attachment(scene, thread, attachment, who):
    client = client_of(scene[who])
    assert client.get(reverse("conversations:detail", args=[thread.pk])).status_code == 404
    assert client.post(reverse("conversations:post", args=[thread.pk]), {"body": "插话"}).status_code == 404
    assert client.get(reverse("conversations:attachment", args=[thread.pk, attachment.pk])).status_code == 404
    assert Message.objects.filter(thread=thread).count() == 2
    listed = client.get(reverse("conversations:list")).content.decode()
    assert thread.title not in listed


def test_anonymous_visitors_are_sent_to_log_in(thread, attachment):
    client = Client()
    for url in (
        reverse("conversations:list"),
        reverse("conversations:detail", args=[thread.pk]),
        reverse("conversations:attachment", args=[thread.pk, attachment.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_opening_the_thread_marks_it_read_and_the_list_shows_unread(scene, thread):
    client = client_of(scene["enterprise"])
    listed = client.get(reverse("conversations:list")).content.decode()
    assert thread.title in listed
    assert "1 条未读" in listed
    assert 'id="conversations-unread"' in client.get(reverse("conversations:badge")).content.decode()
    client.get(reverse("conversations:detail", args=[thread.pk]))
    assert "条未读" not in client.get(reverse("conversations:list")).content.decode()
    assert client.get(reverse("conversations:badge")).content.decode().strip() == ""


def test_posting_with_files_from_the_page(scene, thread, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client = client_of(scene["applicant"])
    response = client.post(
        reverse("conversations:post", args=[thread.pk]),
        {
            "body": "报告两份",
            "file": [
                SimpleUploadedFile("报告一.pdf", b"%PDF-1.4 a"),
                SimpleUploadedFile("报告二.pdf", b"%PDF-1.4 b"),
            ],
        },
    )
    assert response.status_code == 302
    message = Message.objects.filter(thread=thread).latest("id")
    assert message.attachments.count() == 2
    refused = client.post(
        reverse("conversations:post", args=[thread.pk]),
        {"body": "", "file": SimpleUploadedFile("a.exe", b"MZ")},
    )
    assert refused.status_code == 400
    assert "附件类型不受支持" in refused.content.decode() or "文件类型不受支持" in refused.content.decode()


def test_the_broker_joins_from_the_demand_page(scene, thread):
    client = client_of(scene["broker"])
    page = client.get(reverse("demands:detail", args=[scene["demand"].pk])).content.decode()
    assert reverse("conversations:join", args=[thread.pk]) in page
    response = client.post(reverse("conversations:join", args=[thread.pk]))
    assert response.status_code == 302
    assert Participant.objects.filter(thread=thread, user=scene["broker"]).exists()
    assert client.get(reverse("conversations:detail", args=[thread.pk])).status_code == 200


@pytest.mark.parametrize(
    "who", ["other_enterprise", "other_applicant", "company_colleague", "other_reviewer"]
)
def test_join_is_404_for_those_who_may_not(scene, thread, who):
    client = client_of(scene[who])
    assert client.post(reverse("conversations:join", args=[thread.pk])).status_code == 404
    assert (
        reverse("conversations:join", args=[thread.pk])
        not in client.get(reverse("demands:detail", args=[scene["demand"].pk])).content.decode()
    )


# --- 我要对接 -------------------------------------------------------------------------------------


def test_start_on_a_demand_page(scene):
    client = client_of(scene["applicant"])
    page = client.get(reverse("demands:detail", args=[scene["demand"].pk])).content.decode()
    assert 'id="start-conversation"' in page
    response = client.post(reverse("demands:converse", args=[scene["demand"].pk]))
    thread = Thread.objects.get()
    assert response["Location"] == reverse("conversations:detail", args=[thread.pk])
    again = client.post(reverse("demands:converse", args=[scene["demand"].pk]))
    assert again["Location"] == response["Location"]
    assert Thread.objects.count() == 1
    page = client.get(reverse("demands:detail", args=[scene["demand"].pk])).content.decode()
    assert 'id="start-conversation"' not in page
    assert reverse("conversations:detail", args=[thread.pk]) in page


@pytest.mark.parametrize("who", ["enterprise", "company_admin", "other_enterprise", "broker", "reviewer"])
def test_no_start_button_on_a_demand_for_others(scene, who):
    client = client_of(scene[who])
    page = client.get(reverse("demands:detail", args=[scene["demand"].pk])).content.decode()
    assert 'id="start-conversation"' not in page
    assert client.post(reverse("demands:converse", args=[scene["demand"].pk])).status_code == 403
    assert not Thread.objects.exists()


def test_start_on_an_achievement_page(scene):
    client = client_of(scene["enterprise"])
    url = reverse("achievements:detail", args=[scene["achievement"].pk])
    assert 'id="start-conversation"' in client.get(url).content.decode()
    response = client.post(reverse("achievements:converse", args=[scene["achievement"].pk]))
    thread = Thread.objects.get()
    assert response["Location"] == reverse("conversations:detail", args=[thread.pk])
    assert thread.subject_kind == "achievements.achievement"
    assert set(Participant.objects.filter(thread=thread).values_list("user__username", "side")) == {
        ("ent_li", "enterprise"),
        ("ent_admin", "enterprise"),
        ("applicant", "provider"),
        ("uni_admin", "provider"),
    }
    holder = client_of(scene["applicant"]).get(url).content.decode()
    assert reverse("conversations:detail", args=[thread.pk]) in holder


@pytest.mark.parametrize("who", ["applicant", "university_admin", "broker", "reviewer", "other_applicant"])
def test_no_start_button_on_an_achievement_for_non_enterprises(scene, who):
    client = client_of(scene[who])
    url = reverse("achievements:detail", args=[scene["achievement"].pk])
    assert 'id="start-conversation"' not in client.get(url).content.decode()
    assert client.post(reverse("achievements:converse", args=[scene["achievement"].pk])).status_code == 403


def test_a_restricted_achievement_only_for_those_who_may_see_it(scene, regions, reviewers, applicant):
    from techmarket.achievements import services as achievement_services
    from techmarket.achievements.choices import AchievementState
    from techmarket.achievements.tests.factories import achievement_in_state

    secret = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="受限的导热膜工艺",
        confidentiality="restricted",
    )
    outsider = client_of(scene["other_enterprise"])
    assert outsider.get(reverse("achievements:detail", args=[secret.pk])).status_code == 404
    assert outsider.post(reverse("achievements:converse", args=[secret.pk])).status_code == 404
    achievement_services.access_grant(actor=applicant, achievement=secret, user=scene["enterprise"])
    granted = client_of(scene["enterprise"])
    assert granted.post(reverse("achievements:converse", args=[secret.pk])).status_code == 302
    thread = Thread.objects.get(subject_id=secret.pk)
    # The enterprise's administrator was not granted the record: not brought into the thread.
    assert not Participant.objects.filter(thread=thread, user=scene["company_admin"]).exists()
