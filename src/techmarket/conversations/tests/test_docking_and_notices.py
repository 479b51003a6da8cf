"""A pushed holder's answer opens the thread; closing/withdrawing tells the push recipients; reviewers
hear of the publication they approved; the 对接邀请 link for every invited person; the to-do item."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.accounts.policies import principal_of
from techmarket.conversations.models import Message, Thread
from techmarket.demands import services as demand_services
from techmarket.docking import policies as docking_policies
from techmarket.docking import services as docking_services
from techmarket.docking.models import PushRecipient
from techmarket.docking.tests.factories import confirmed
from techmarket.matching.choices import TargetKind
from techmarket.notifications.models import Notification
from techmarket.portal.todo import todo_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(scene):
    """The demand's match with the university's achievement, confirmed and pushed by the broker."""
    confirmed(scene["broker"], scene["demand"], TargetKind.ACHIEVEMENT, scene["achievement"].pk)
    docking_services.response_push(actor=scene["broker"], demand=scene["demand"], message="请联系")
    return PushRecipient.objects.get(user=scene["applicant"])


def test_the_applicant_filer_is_invited_and_sees_the_menu_entry(scene, pushed):
    assert docking_policies.can_receive_pushes(principal_of(scene["applicant"]))
    client = Client()
    client.force_login(scene["applicant"])
    home = client.get("/").content.decode()
    assert reverse("docking:inbox") in home
    assert client.get(reverse("docking:inbox")).status_code == 200


def test_a_person_with_invitations_but_no_usual_role_still_sees_the_entry(scene, pushed):
    from techmarket.accounts.models import RoleAssignment
    from techmarket.accounts.policies import forget_principal

    RoleAssignment.objects.filter(user=scene["applicant"]).delete()
    forget_principal(scene["applicant"])
    assert docking_policies.can_receive_pushes(principal_of(scene["applicant"]))
    assert not docking_policies.can_receive_pushes(principal_of(scene["other_enterprise"]))


def test_an_interested_answer_opens_the_thread_with_the_message(scene, pushed):
    Notification.objects.all().delete()
    docking_services.answer(
        actor=scene["applicant"], recipient_row=pushed, kind="interested", message="可以提供样品"
    )
    thread = Thread.objects.get()
    assert thread.subject_id == scene["demand"].pk
    assert Message.objects.get(thread=thread).body == "可以提供样品"
    notice = Notification.objects.get(recipient=scene["enterprise"], kind="docking.answer")
    assert notice.link == reverse("conversations:detail", args=[thread.pk])
    # Told once (the answer's notice), not again as a conversation message.
    assert not Notification.objects.filter(
        recipient=scene["enterprise"], kind="conversation.message"
    ).exists()
    client = Client()
    client.force_login(scene["applicant"])
    inbox = client.get(reverse("docking:inbox")).content.decode()
    assert reverse("conversations:detail", args=[thread.pk]) in inbox


def test_a_decline_opens_nothing(scene, pushed):
    docking_services.answer(
        actor=scene["applicant"], recipient_row=pushed, kind="declined", reason="no_capacity"
    )
    assert not Thread.objects.exists()


def test_the_answer_page_leads_to_the_thread(scene, pushed):
    client = Client()
    client.force_login(scene["applicant"])
    response = client.post(reverse("docking:answer", args=[pushed.pk]), {"kind": "interested"})
    assert response["Location"] == reverse("conversations:detail", args=[Thread.objects.get().pk])


def test_unread_threads_are_on_the_todo_page(scene, pushed):
    docking_services.answer(
        actor=scene["applicant"], recipient_row=pushed, kind="message", message="请看方案"
    )
    items = {item.key: item for item in todo_items(principal_of(scene["enterprise"]))}
    assert items["conversations.unread"].count == 1
    assert items["conversations.unread"].rows[0].label == scene["demand"].title
    assert "conversations.unread" not in {item.key for item in todo_items(principal_of(scene["applicant"]))}
    client = Client()
    client.force_login(scene["enterprise"])
    page = client.get(reverse("core:todo")).content.decode()
    assert "有未读消息的对接对话" in page


@pytest.mark.parametrize("solved", [True, False])
def test_closing_tells_every_push_recipient(scene, pushed, solved, django_capture_on_commit_callbacks):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        demand_services.demand_close(
            actor=scene["enterprise"], demand=scene["demand"], solved=solved, note="已找到方案"
        )
    told = set(
        Notification.objects.filter(kind="demand.closed").values_list("recipient__username", flat=True)
    )
    assert {"applicant", "uni_admin"} <= told


def test_withdrawing_tells_every_push_recipient(scene, pushed, django_capture_on_commit_callbacks):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        demand_services.demand_withdraw(actor=scene["enterprise"], demand=scene["demand"])
    notices = Notification.objects.filter(kind="demand.withdrawn", recipient=scene["applicant"])
    assert notices.count() == 1
    assert notices.get().link == ""


def test_a_restricted_withdrawn_demand_still_tells_those_it_was_pushed_to(
    scene, regions, reviewers, django_capture_on_commit_callbacks
):
    from techmarket.demands.choices import DemandState
    from techmarket.demands.tests.factories import demand_in_state

    secret = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=scene["enterprise"],
        region=regions["county"],
        reviewer=reviewers["county"],
        title="受限需求",
        confidentiality="restricted",
    )
    confirmed(reviewers["county"], secret, TargetKind.ACHIEVEMENT, scene["achievement"].pk)
    docking_services.response_push(actor=reviewers["county"], demand=secret)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        demand_services.demand_withdraw(actor=scene["enterprise"], demand=secret)
    assert Notification.objects.filter(kind="demand.withdrawn", recipient=scene["applicant"]).exists()
    assert not Notification.objects.filter(recipient=scene["broker"]).exists()


def test_the_approver_hears_of_a_publication_by_someone_else(
    scene, regions, reviewers, django_capture_on_commit_callbacks
):
    from techmarket.demands.choices import DemandState
    from techmarket.demands.tests.factories import demand_in_state

    approved = demand_in_state(
        DemandState.APPROVED,
        enterprise=scene["enterprise"],
        region=regions["county"],
        reviewer=reviewers["county"],
    )
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        demand_services.demand_publish(actor=reviewers["city"], demand=approved)
    assert Notification.objects.filter(
        recipient=reviewers["county"], kind="demand.reviewed_published"
    ).exists()
    assert not Notification.objects.filter(
        recipient=reviewers["city"], kind="demand.reviewed_published"
    ).exists()


def test_the_earlier_levels_hear_of_an_achievements_publication(
    scene, regions, reviewers, applicant, django_capture_on_commit_callbacks
):
    from techmarket.achievements.choices import AchievementState
    from techmarket.achievements.tests.factories import achievement_in_state

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        record = achievement_in_state(
            AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
        )
    told = set(
        Notification.objects.filter(kind="achievement.reviewed_published").values_list(
            "recipient__username", flat=True
        )
    )
    from techmarket.core.audit import events_for

    approvals = [
        e.actor.username for e in events_for(record).filter(action__endswith="_approve").order_by("id")
    ]
    assert len(approvals) >= 2
    assert told == set(approvals[:-1])  # every earlier level; the one who published knows
