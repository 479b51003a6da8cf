"""Opening threads (one per subject and party), posting, attachments, read markers, joining."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from techmarket.accounts.policies import forget_principal
from techmarket.conversations import selectors, services
from techmarket.conversations.choices import Side
from techmarket.conversations.models import Message, MessageAttachment, Participant, Thread
from techmarket.core.audit import events_for
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.demands import services as demand_services
from techmarket.notifications.models import Notification

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def pdf(name: str = "方案.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def sides(thread: Thread) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for participant in Participant.objects.filter(thread=thread).select_related("user"):
        found.setdefault(participant.side, set()).add(participant.user.username)
    return found


def test_opening_a_demand_thread_adds_both_sides_and_the_first_message(scene, thread):
    assert thread.subject_kind == "demands.demand"
    assert thread.subject_id == scene["demand"].pk
    assert thread.party_key == f"org:{scene['applicant'].organisation_id}"
    assert sides(thread) == {
        Side.ENTERPRISE: {"ent_li", "ent_admin"},
        Side.PROVIDER: {"applicant", "uni_admin"},
    }
    assert Message.objects.get(thread=thread).body.startswith("我们有成熟的")
    assert events_for(thread).filter(action="conversations.thread.open").count() == 1
    # The enterprise's people are told; the author is not.
    told = set(
        Notification.objects.filter(kind="conversation.message").values_list("recipient__username", flat=True)
    )
    assert told == {"ent_li", "ent_admin", "uni_admin"}


def test_opening_again_returns_the_same_thread_and_adds_a_colleague(scene, thread):
    again = demand_services.demand_conversation_open(actor=scene["university_admin"], demand=scene["demand"])
    assert again.pk == thread.pk
    assert Thread.objects.count() == 1


def test_an_expert_without_organisation_is_a_party_of_their_own(scene, regions):
    from techmarket.docking.tests.factories import expert_with_login

    expert = expert_with_login(regions["city"]).user
    first = demand_services.demand_conversation_open(actor=expert, demand=scene["demand"])
    assert first.party_key == f"user:{expert.pk}"
    assert sides(first)[Side.PROVIDER] == {expert.username}


def test_the_actor_must_be_a_participant(scene):
    with pytest.raises(NotPermitted):
        services.thread_open(
            actor=scene["broker"],
            subject_kind="demands.demand",
            subject_id=scene["demand"].pk,
            title="x",
            party_key="org:1",
            enterprise=[scene["enterprise"]],
            provider=[scene["applicant"]],
        )
    assert not Thread.objects.exists()


def test_post_by_a_participant_notifies_the_others_and_counts_unread(scene, thread):
    enterprise = scene["enterprise"]
    from techmarket.accounts.policies import principal_of

    assert selectors.unread_count(principal_of(enterprise)) == 1
    services.thread_mark_read(actor=enterprise, thread=thread)
    assert selectors.unread_count(principal_of(enterprise)) == 0
    Notification.objects.all().delete()
    services.message_post(actor=enterprise, thread=thread, body="请提供导热系数的检测报告。")
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"applicant", "uni_admin", "ent_admin"}
    assert selectors.unread_count(principal_of(scene["applicant"])) == 1
    # One's own message never counts as unread.
    assert selectors.unread_count(principal_of(enterprise)) == 0
    thread.refresh_from_db()
    assert thread.last_message_at is not None


@pytest.mark.parametrize(
    "who", ["broker", "reviewer", "platform_admin", "company_colleague", "other_enterprise"]
)
def test_a_non_participant_may_not_post(scene, thread, who):
    with pytest.raises(NotPermitted):
        services.message_post(actor=scene[who], thread=thread, body="插一句")
    assert Message.objects.count() == 1


def test_empty_and_overlong_messages_are_refused(scene, thread):
    with pytest.raises(DomainError) as empty:
        services.message_post(actor=scene["enterprise"], thread=thread, body="  ")
    assert "body" in empty.value.fields
    with pytest.raises(DomainError):
        services.message_post(
            actor=scene["enterprise"], thread=thread, body="长" * (services.MAX_BODY_CHARS + 1)
        )


def test_attachments_are_checked_by_content_and_name(scene, thread, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    message = services.message_post(
        actor=scene["enterprise"],
        thread=thread,
        body="",
        files=[pdf(), SimpleUploadedFile("照片.png", PNG, content_type="image/png")],
    )
    stored = list(MessageAttachment.objects.filter(message=message).order_by("id"))
    assert [(a.original_name, a.content_type) for a in stored] == [
        ("方案.pdf", "application/pdf"),
        ("照片.png", "image/png"),
    ]
    assert "conversations/" in stored[0].file.name
    assert "方案" not in stored[0].file.name
    for bad in (pdf("病毒.exe"), SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf")):
        with pytest.raises(DomainError) as refused:
            services.message_post(actor=scene["enterprise"], thread=thread, body="", files=[bad])
        assert refused.value.code == "attachment_type"
    limited = override_settings(TECHMARKET={**settings.TECHMARKET, "MAX_ATTACHMENT_BYTES": 10})
    with limited, pytest.raises(DomainError) as large:
        services.message_post(actor=scene["enterprise"], thread=thread, body="", files=[pdf()])
    assert large.value.code == "attachment_too_large"
    assert MessageAttachment.objects.count() == 2


def test_a_broker_handling_the_demand_may_join_once(scene, thread):
    broker = scene["broker"]
    services.thread_join(actor=broker, thread=thread)
    assert Participant.objects.get(thread=thread, user=broker).side == Side.BROKER
    forget_principal(broker)
    with pytest.raises(NotPermitted):
        services.thread_join(actor=broker, thread=Thread.objects.get(pk=thread.pk))
    services.message_post(actor=broker, thread=thread, body="我来协调双方的检测安排。")


@pytest.mark.parametrize(
    "who", ["other_enterprise", "other_applicant", "other_reviewer", "company_colleague"]
)
def test_others_may_not_join(scene, thread, who):
    with pytest.raises(NotPermitted):
        services.thread_join(actor=scene[who], thread=thread)


def test_the_demands_chain_reviewer_may_join(scene, thread):
    services.thread_join(actor=scene["reviewer"], thread=thread)
    assert Participant.objects.filter(thread=thread, side=Side.BROKER).count() == 1


def test_marking_read_is_audited_only_when_something_changes(scene, thread):
    assert services.thread_mark_read(actor=scene["enterprise"], thread=thread) == 1
    assert services.thread_mark_read(actor=scene["enterprise"], thread=thread) == 0
    assert events_for(thread).filter(action="conversations.thread.read").count() == 1
