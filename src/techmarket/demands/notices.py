"""Who hears about each step of a demand's life, and what they read.

After-commit hooks of ``DEMAND_WORKFLOW`` (declared on its transitions): the reviewers a submitted demand
waits for, and the enterprise (the filer and its organisation's administrators) when the demand is
approved, returned, published, closed or withdrawn; at publication also a reviewer who approved it (when
someone else published it); at closing or withdrawal everyone it was pushed to (who may have an answer
pending). The responders hear from the response clock (docking), and at the first push the enterprise
hears from docking, so neither is repeated here.
Nobody is told about a demand they may not open (``policies.can_view``: a 受限 demand's title stays in
its circle); the person who acted is not told about their own action. Written in the platform language.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.core.audit import events_for
from techmarket.core.models import Region
from techmarket.core.workflow import Fired
from techmarket.demands import policies
from techmarket.demands.choices import DemandState
from techmarket.demands.models import Demand, DemandRecipient
from techmarket.notifications.services import notice_hook, notify_each


def reviewers_waiting(demand: Demand) -> list[User]:
    """The reviewers of the demand's own level, or of the nearest level up that has any."""
    for code in Region.record_chain_codes(demand):
        reviewers = account_selectors.reviewers_at(code)
        if reviewers:
            return reviewers
    return []


def enterprise(demand: Demand) -> list[User]:
    """The demand's filer and the administrators of its organisation."""
    return [demand.created_by, *account_selectors.org_admins(demand.owner_organisation_id)]


def push_recipients(demand: Demand) -> list[User]:
    """Everyone a response about the demand was pushed to (experts, organisations, achievement holders)."""
    rows = DemandRecipient.objects.filter(demand=demand).select_related("user").order_by("id")
    return [row.user for row in rows]


def approvers(demand: Demand) -> list[User]:
    """The reviewers who approved the demand (from its audit timeline)."""
    events = events_for(demand).filter(action="demands.demand.approve", actor__isnull=False).order_by("id")
    people: dict[int, User] = {}
    for event in events:
        if event.actor is not None:
            people.setdefault(event.actor.pk, event.actor)
    return list(people.values())


def _tell(
    users: list[User], fired: Fired[Demand], kind: str, title: str, body: str, *, linked: bool = True
) -> None:
    """Tell ``users`` who may open the demand (with a link to it); with ``linked`` False, tell them all
    without a link: people it was pushed to, who knew the demand and may no longer open it."""
    demand = fired.obj
    notify_each(
        users,
        actor=fired.actor,
        may_see=(lambda user: policies.can_view(principal_of(user), demand)) if linked else None,
        kind=kind,
        title=title,
        body=body,
        link=reverse("demands:detail", args=[demand.pk]) if linked else "",
        data={"demand": demand.pk, "state": str(fired.to_state)},
    )


def _names(demand: Demand, **more: Any) -> dict[str, Any]:
    return {"title": demand.title, "organisation": demand.owner_organisation.name, **more}


@notice_hook
def submitted(fired: Fired[Demand]) -> None:
    """Submitted (or resubmitted after a return): the reviewers it waits for."""
    demand = fired.obj
    names = _names(demand)
    if fired.from_state == DemandState.RETURNED:
        body = _("%(organisation)s 修改后重新提交了技术需求“%(title)s”，等待您审核。") % names
    else:
        body = _("%(organisation)s 提交了技术需求“%(title)s”，等待您审核。") % names
    _tell(reviewers_waiting(demand), fired, "demand.review", _("待审核技术需求：%(title)s") % names, body)


@notice_hook
def approved(fired: Fired[Demand]) -> None:
    """Approved and left for a separate publication: the enterprise. An approval published in the same
    change is announced once, as the publication."""
    demand = fired.obj
    if not Demand.objects.filter(pk=demand.pk, state=DemandState.APPROVED).exists():
        return
    names = _names(demand)
    _tell(
        enterprise(demand),
        fired,
        "demand.approved",
        _("技术需求已通过审核：%(title)s") % names,
        _("贵单位的技术需求“%(title)s”已通过审核，等待发布。") % names,
    )


@notice_hook
def returned(fired: Fired[Demand]) -> None:
    """Returned with a reason: the enterprise."""
    names = _names(fired.obj, reason=fired.reason)
    _tell(
        enterprise(fired.obj),
        fired,
        "demand.returned",
        _("技术需求被退回修改：%(title)s") % names,
        _("贵单位的技术需求“%(title)s”被退回修改。\n退回理由：%(reason)s\n请修改后重新提交。") % names,
    )


@notice_hook
def published(fired: Fired[Demand]) -> None:
    """Published: the enterprise (the responders hear from the response clock)."""
    names = _names(fired.obj)
    _tell(
        enterprise(fired.obj),
        fired,
        "demand.published",
        _("技术需求已发布：%(title)s") % names,
        _(
            "贵单位的技术需求“%(title)s”已通过审核并发布。平台将为其匹配科技成果、专家和机构，"
            "并在响应时限内推送对接结果。"
        )
        % names,
    )
    # A reviewer who approved it and left publication to a colleague hears that it is out.
    _tell(
        approvers(fired.obj),
        fired,
        "demand.reviewed_published",
        _("您审核过的技术需求已发布：%(title)s") % names,
        _("您审核通过的技术需求“%(title)s”（%(organisation)s）已发布，响应计时已开始。") % names,
    )


@notice_hook
def closed(fired: Fired[Demand]) -> None:
    """Closed, solved or not (with the reason): the enterprise, but not whoever closed it."""
    demand = fired.obj
    outcome = DemandState(fired.to_state).label
    names = _names(demand, outcome=outcome, note=fired.reason)
    body = _("贵单位的技术需求“%(title)s”已关闭：%(outcome)s。") % names
    if fired.reason:
        body += "\n" + _("说明：%(note)s") % names
    _tell(
        enterprise(demand),
        fired,
        "demand.closed",
        _("技术需求已关闭（%(outcome)s）：%(title)s") % names,
        body,
    )
    pushed_body = (
        _("%(organisation)s 的技术需求“%(title)s”已关闭：%(outcome)s。该需求的对接邀请无需再答复。") % names
    )
    if fired.reason:
        pushed_body += "\n" + _("说明：%(note)s") % names
    _tell(
        push_recipients(demand),
        fired,
        "demand.closed",
        _("技术需求已关闭（%(outcome)s）：%(title)s") % names,
        pushed_body,
    )


@notice_hook
def withdrawn(fired: Fired[Demand]) -> None:
    """Withdrawn by the enterprise: the reviewers it was waiting for, and the rest of the enterprise."""
    demand = fired.obj
    names = _names(demand)
    if fired.from_state == DemandState.SUBMITTED:
        _tell(
            reviewers_waiting(demand),
            fired,
            "demand.withdrawn",
            _("技术需求已撤回：%(title)s") % names,
            _("%(organisation)s 已撤回技术需求“%(title)s”，无需再审核。") % names,
        )
    _tell(
        enterprise(demand),
        fired,
        "demand.withdrawn",
        _("技术需求已撤回：%(title)s") % names,
        _("贵单位的技术需求“%(title)s”已撤回。") % names,
    )
    _tell(
        push_recipients(demand),
        fired,
        "demand.withdrawn",
        _("技术需求已撤回：%(title)s") % names,
        _("%(organisation)s 已撤回技术需求“%(title)s”，该需求的对接邀请无需再答复。") % names,
        linked=False,
    )
