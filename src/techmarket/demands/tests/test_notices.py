"""Every step of a demand's life tells exactly the people it concerns, in Chinese, after commit."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.utils import translation

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.cast import standard_cast
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.errors import DomainError
from techmarket.demands import services
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_data
from techmarket.notifications import services as notification_services
from techmarket.notifications.choices import Channel, DeliveryStatus
from techmarket.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db

SECRET = "某受限产线改造需求"


@pytest.fixture(autouse=True)
def _no_lost_notices(caplog):
    """A notice hook swallows its failures (after commit); here a failure fails the test."""
    caplog.set_level(logging.ERROR, logger="techmarket.notifications.services")
    yield
    assert not [r for r in caplog.records if "notice hook" in r.getMessage()]


@pytest.fixture
def cast(regions):
    enterprise = OrganisationFactory(
        region=regions["county"], name="某电子公司", kind=OrganisationKind.ENTERPRISE
    )
    owner = user_with_role(Role.ENTERPRISE, organisation=enterprise)
    return standard_cast(regions, enterprise, owner)


def told(cast, since=0):
    """Role name → kinds of the notices each role received since the ``since`` id."""
    roles = {user.pk: role for role, user in cast.items() if getattr(user, "pk", None)}
    result: dict[str, list[str]] = {}
    for note in Notification.objects.filter(pk__gt=since).order_by("pk"):
        result.setdefault(roles.get(note.recipient_id, f"user{note.recipient_id}"), []).append(note.kind)
    return result


def last_id():
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def filed(cast, regions, **overrides):
    return services.demand_create(actor=cast["owner"], data=demand_data(regions["county"], **overrides))


def test_submission_and_publication(cast, regions, django_capture_on_commit_callbacks):
    demand = filed(cast, regions)
    with django_capture_on_commit_callbacks(execute=True):
        demand = services.demand_submit(actor=cast["owner"], demand=demand)
    assert told(cast) == {"county_reviewer": ["demand.review"]}
    (note,) = Notification.objects.all()
    assert note.title == f"待审核技术需求：{demand.title}"
    assert note.body == f"某电子公司 提交了技术需求“{demand.title}”，等待您审核。"
    assert note.link == f"/demands/{demand.pk}/"

    mark = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        demand = services.demand_approve(actor=cast["county_reviewer"], demand=demand)
    assert demand.state == DemandState.PUBLISHED
    # Approved and published in one change: announced once, as the publication.
    assert told(cast, mark) == {"owner": ["demand.published"], "own_org_admin": ["demand.published"]}
    note = Notification.objects.get(pk__gt=mark, recipient=cast["own_org_admin"])
    assert note.title == f"技术需求已发布：{demand.title}"
    assert "已通过审核并发布" in note.body


def test_approval_without_publication_then_publication(cast, regions, django_capture_on_commit_callbacks):
    demand = services.demand_submit(actor=cast["owner"], demand=filed(cast, regions))
    with django_capture_on_commit_callbacks(execute=True):
        demand = services.demand_approve(actor=cast["city_reviewer"], demand=demand, publish=False)
    assert told(cast) == {"owner": ["demand.approved"], "own_org_admin": ["demand.approved"]}
    assert Notification.objects.filter(title=f"技术需求已通过审核：{demand.title}").count() == 2
    mark = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_publish(actor=cast["city_reviewer"], demand=demand)
    assert told(cast, mark) == {"owner": ["demand.published"], "own_org_admin": ["demand.published"]}


def test_a_return_tells_the_enterprise_the_reason(cast, regions, django_capture_on_commit_callbacks):
    demand = services.demand_submit(actor=cast["owner"], demand=filed(cast, regions))
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_return(actor=cast["county_reviewer"], demand=demand, reason="请写明产能指标")
    assert told(cast) == {"owner": ["demand.returned"], "own_org_admin": ["demand.returned"]}
    for note in Notification.objects.all():
        assert note.title == f"技术需求被退回修改：{demand.title}"
        assert "退回理由：请写明产能指标" in note.body


@pytest.mark.parametrize(
    ("closer", "solved", "expected"),
    [
        ("owner", True, {"own_org_admin": ["demand.closed"]}),
        ("county_reviewer", False, {"owner": ["demand.closed"], "own_org_admin": ["demand.closed"]}),
    ],
)
def test_closing_tells_the_enterprise_but_not_the_closer(
    cast, regions, closer, solved, expected, django_capture_on_commit_callbacks
):
    demand = services.demand_submit(actor=cast["owner"], demand=filed(cast, regions))
    demand = services.demand_approve(actor=cast["county_reviewer"], demand=demand)
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_close(actor=cast[closer], demand=demand, solved=solved, note="没有合适的技术")
    assert told(cast) == expected
    note = Notification.objects.first()
    outcome = "已解决" if solved else "未解决"
    assert note.title == f"技术需求已关闭（{outcome}）：{demand.title}"
    assert "说明：没有合适的技术" in note.body


def test_a_withdrawal_tells_the_waiting_reviewers_and_the_colleagues(
    cast, regions, django_capture_on_commit_callbacks
):
    demand = services.demand_submit(actor=cast["owner"], demand=filed(cast, regions))
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_withdraw(actor=cast["owner"], demand=demand)
    assert told(cast) == {"county_reviewer": ["demand.withdrawn"], "own_org_admin": ["demand.withdrawn"]}


def test_a_demand_without_county_reviewers_goes_to_the_city(
    cast, regions, django_capture_on_commit_callbacks
):
    cast["county_reviewer"].is_active = False
    cast["county_reviewer"].save()
    demand = filed(cast, regions)
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_submit(actor=cast["owner"], demand=demand)
    assert told(cast) == {"city_reviewer": ["demand.review"]}


def test_a_restricted_demand_is_never_named_outside_its_circle(
    cast, regions, django_capture_on_commit_callbacks
):
    """The filer has since left the enterprise: a 受限 demand is no longer theirs to see."""
    filer = user_with_role(Role.ENTERPRISE, organisation=cast["owner"].organisation)
    demand = services.demand_create(
        actor=filer, data=demand_data(regions["county"], title=SECRET, confidentiality="restricted")
    )
    with django_capture_on_commit_callbacks(execute=True):
        demand = services.demand_submit(actor=filer, demand=demand)
    filer.organisation = cast["other_enterprise"].organisation
    filer.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_return(actor=cast["county_reviewer"], demand=demand, reason="补充")
    assert told(cast) == {"county_reviewer": ["demand.review"], "own_org_admin": ["demand.returned"]}
    assert not Notification.objects.filter(recipient=filer).exists()
    circle = {cast["county_reviewer"].email, cast["own_org_admin"].email}
    assert all(set(m.to) <= circle for m in mail.outbox if SECRET in m.subject + m.body)


def test_notices_are_chinese_whatever_the_language_of_the_request(
    cast, regions, django_capture_on_commit_callbacks
):
    demand = services.demand_submit(actor=cast["owner"], demand=filed(cast, regions))
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.demand_return(actor=cast["county_reviewer"], demand=demand, reason="补充")
    note = Notification.objects.get(recipient=cast["owner"])
    assert note.title.startswith("技术需求被退回修改")


def test_preferences_are_honoured(cast, regions, django_capture_on_commit_callbacks):
    admin = cast["own_org_admin"]
    notification_services.preferences_set(actor=admin, values={"demand": {"email": False}})
    demand = services.demand_submit(actor=cast["owner"], demand=filed(cast, regions))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_return(actor=cast["county_reviewer"], demand=demand, reason="补充")
    note = Notification.objects.get(recipient=admin)
    assert set(Delivery.objects.filter(notification=note).values_list("channel", "status")) == {
        (Channel.IN_APP, DeliveryStatus.SENT)
    }
    assert [m.to for m in mail.outbox] == [[cast["owner"].email]]


def test_a_refused_transition_tells_nobody(cast, regions, django_capture_on_commit_callbacks):
    demand = services.demand_submit(actor=cast["owner"], demand=filed(cast, regions))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        services.demand_approve(actor=cast["outside_city_reviewer"], demand=demand)
    assert not Notification.objects.exists()
