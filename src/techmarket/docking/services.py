"""Writes for docking: the response clock, pushing confirmed matches and the recipients' answers.

Every time-dependent function takes ``now`` (default: the current time) so that tests drive the clock
explicitly. Every change writes an audit event in the transaction that makes it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.achievements import policies as achievement_policies
from techmarket.conversations import selectors as conversation_selectors
from techmarket.conversations.types import Thread
from techmarket.core import services as core_services
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted
from techmarket.core.models import Region
from techmarket.demands import policies as demand_policies
from techmarket.demands import services as demand_services
from techmarket.demands.choices import OPEN_STATES
from techmarket.demands.types import Demand
from techmarket.docking import policies, selectors
from techmarket.docking.choices import OPEN_CLOCK_STATES, AnswerKind, ClockState, DeclineReason
from techmarket.docking.models import MAX_RESPONSE_HOURS, ClockPolicy, PushRecipient, Response, ResponseClock
from techmarket.docking.workflow import ANSWER_WORKFLOW, CLOCK_WORKFLOW
from techmarket.experts import policies as expert_policies
from techmarket.experts.selectors import recipients_of
from techmarket.matching import selectors as matching_selectors
from techmarket.matching import services as matching_services
from techmarket.matching.choices import TargetKind
from techmarket.matching.types import Suggestion
from techmarket.notifications.selectors import with_preferences
from techmarket.notifications.services import notify

F = TypeVar("F", bound=Callable[..., Any])

MAX_MESSAGE_CHARS = 2000
PROBLEM_EXCERPT_CHARS = 200


def _in_platform_language(function: F) -> F:
    """Notifications are stored text read later by people whose language is unknown here: write them
    in the platform's default language, whatever the language of the request that caused them."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


# --- The clock ------------------------------------------------------------------------------------


def clock_start(*, demand: Demand, actor: Any = None, now: datetime | None = None) -> ResponseClock:
    """Start the demand's clock with the hours of the nearest region policy (a no-op if it runs)."""
    existing = ResponseClock.objects.filter(demand=demand).first()
    if existing is not None:
        return existing
    started = now or demand.published_at or timezone.now()
    hours, remind_before = selectors.hours_for(demand.region)
    deadline = started + timedelta(hours=hours)
    clock = ResponseClock(
        demand=demand,
        started_at=started,
        hours=hours,
        deadline=deadline,
        remind_at=max(started, deadline - timedelta(hours=remind_before)),
    )
    return CLOCK_WORKFLOW.start(
        clock,
        "start",
        actor=actor,
        data={"demand": demand.pk, "hours": hours, "deadline": deadline.isoformat()},
    )


@_in_platform_language
def clock_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Send due reminders and escalations once each; safe to run as often and as concurrently as wanted."""
    now = now or timezone.now()
    running = ResponseClock.objects.filter(state__in=OPEN_CLOCK_STATES, demand__state__in=OPEN_STATES)
    due_reminders = running.filter(state=ClockState.RUNNING, remind_at__lte=now, deadline__gt=now)
    due_escalations = running.exclude(state=ClockState.ESCALATED).filter(deadline__lte=now)
    reminded = sum(
        clock_remind(clock_id=pk, now=now) for pk in list(due_reminders.values_list("pk", flat=True))
    )
    escalated = sum(
        clock_escalate(clock_id=pk, now=now) for pk in list(due_escalations.values_list("pk", flat=True))
    )
    return {"reminded": reminded, "escalated": escalated}


def _claim(
    clock: ResponseClock, name: str, actor: Any, changes: dict[str, Any], data: dict[str, Any]
) -> bool:
    """Fire the tick's transition unless another worker already did (the guard against duplicates:
    the engine locks the row and re-reads its state). Only the system (``actor`` None) may."""
    try:
        CLOCK_WORKFLOW.fire(clock, name, actor=actor, changes=changes, data=data)
    except InvalidTransition:
        return False
    return True


@transaction.atomic
def clock_remind(*, clock_id: int, now: datetime, actor: Any = None) -> bool:
    """Tell the responsible reviewers (and brokers of a 公开 demand) that the deadline nears, once.

    The periodic tick's step: False when the clock was already reminded, escalated or stopped.
    """
    clock = ResponseClock.objects.select_related("demand__region").get(pk=clock_id)
    demand = clock.demand
    recipients = selectors.reminder_recipients(demand)
    data = {"recipients": [user.pk for user in recipients]}
    if not _claim(clock, "remind", actor, {"reminded_at": now}, data):
        return False
    hours_left = max(0, round((clock.deadline - now).total_seconds() / 3600, 1))
    for user in with_preferences(recipients):
        notify(
            user,
            kind="docking.reminder",
            title=_("需求响应即将到期：%(title)s") % {"title": demand.title},
            body=_(
                "技术需求“%(title)s”（%(region)s）须在 %(deadline)s 前推送对接响应，剩余约 %(hours)s 小时。"
            )
            % {
                "title": demand.title,
                "region": demand.region,
                "deadline": _local(clock.deadline),
                "hours": hours_left,
            },
            link=reverse("docking:dashboard"),
            data={"demand": demand.pk},
        )
    return True


@transaction.atomic
def clock_escalate(*, clock_id: int, now: datetime, actor: Any = None) -> bool:
    """Past the deadline with no response: tell the next level up, once (the periodic tick's step)."""
    clock = ResponseClock.objects.select_related("demand__region").get(pk=clock_id)
    demand = clock.demand
    code, recipients = selectors.escalation_targets(demand)
    data = {"escalated_to": code, "recipients": [user.pk for user in recipients]}
    if not _claim(clock, "escalate", actor, {"escalated_at": now, "escalated_to": code}, data):
        return False
    for user in with_preferences(recipients):
        notify(
            user,
            kind="docking.escalation",
            title=_("需求响应已超时，请督办：%(title)s") % {"title": demand.title},
            body=_("技术需求“%(title)s”（%(region)s）的响应截止时间 %(deadline)s 已过，仍未推送对接响应。")
            % {"title": demand.title, "region": demand.region, "deadline": _local(clock.deadline)},
            link=reverse("docking:dashboard"),
            data={"demand": demand.pk},
        )
    return True


def clock_respond(*, demand: Demand, actor: User, now: datetime | None = None) -> ResponseClock:
    """Stop the demand's clock at the first pushed response (a no-op once stopped)."""
    now = now or timezone.now()
    clock = ResponseClock.objects.filter(demand=demand).first()
    if clock is None:  # published before the clock existed: count it from publication
        clock = clock_start(demand=demand, actor=actor, now=demand.published_at or now)
    if clock.state == ClockState.RESPONDED:
        return clock
    return CLOCK_WORKFLOW.fire(
        clock,
        "respond",
        actor=actor,
        changes={"responded_at": now, "responded_by": actor},
        data={
            "hours": round((now - clock.started_at).total_seconds() / 3600, 2),
            "overdue": now > clock.deadline,
        },
    )


# --- Pushing a response -------------------------------------------------------------------------


@_in_platform_language
def response_push(
    *, actor: User, demand: Demand, message: str = "", now: datetime | None = None, submission_key: str = ""
) -> Response:
    """Push the confirmed matches: to the enterprise, and to each matched expert, organisation and
    achievement's holder (its organisation's administrators and its filer), who answer in their inbox.

    Stops the clock (the first push counts), moves the demand to 对接中 and lets the people it was pushed
    to see it (also a 受限 one). Each message is written for its reader: a match the reader may not see
    is named only by its kind. ``submission_key`` (the API's Idempotency-Key) is claimed in the
    transaction and recorded on the audit event: a retried push returns the first response.
    """
    now = now or timezone.now()
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE_CHARS:
        raise DomainError(
            "invalid",
            _("推送说明过长。"),
            fields={"message": [_("最多%(count)d个字。") % {"count": MAX_MESSAGE_CHARS}]},
        )
    with transaction.atomic():
        locked = demand_services.demand_lock(demand.pk)
        if not demand_policies.can_respond(principal_of(actor), locked):
            raise NotPermitted(
                _("只有该需求所在地区的审核员、技术经纪人（公开需求）或平台管理员可以推送响应。")
            )
        if submission_key and not core_services.claim_submission(submission_key):
            raise DomainError("duplicate_submission", _("该响应已推送，请勿重复提交。"))
        if not matching_selectors.has_confirmed(locked):
            raise DomainError("nothing_confirmed", _("请先确认至少一条匹配结果，再推送响应。"))
        pushed = matching_services.suggestions_mark_pushed(actor=actor, demand=locked)
        response = Response.objects.create(demand=locked, sent_by=actor, sent_at=now, message=message)
        record_event(
            actor=actor,
            action="docking.response.push",
            target=response,
            to_state="pushed",
            data={
                "demand": locked.pk,
                "suggestions": [suggestion.pk for suggestion in pushed],
                **({"submission_key": submission_key} if submission_key else {}),
            },
        )
        clock_respond(demand=locked, actor=actor, now=now)
        locked = demand_services.demand_start_docking(actor=actor, demand=locked)
        rows = _address(response, pushed)
        _notify_enterprise(locked, response, pushed)
        with_preferences(row.user for row in rows)
        for row in rows:
            _notify_recipient(locked, response, row)
    return response


def _addressees(suggestion: Suggestion) -> list[User]:
    """Who answers for a pushed match: the expert's login, an organisation's administrators, and for an
    achievement its owner organisation's administrators and the person who filed it (while active and
    still with that organisation)."""
    if suggestion.kind == TargetKind.EXPERT and suggestion.expert is not None:
        return recipients_of(suggestion.expert) if suggestion.expert.accepts_push else []
    if suggestion.kind == TargetKind.ORGANISATION:
        return account_selectors.org_admins(suggestion.organisation_id)
    if suggestion.kind == TargetKind.ACHIEVEMENT and suggestion.achievement is not None:
        return selectors.achievement_holders(suggestion.achievement)
    return []


def _address(response: Response, pushed: list[Suggestion]) -> list[PushRecipient]:
    rows = []
    for suggestion in pushed:
        for user in _addressees(suggestion):
            demand_services.recipient_add(demand=response.demand, user=user)
            row, created = PushRecipient.objects.get_or_create(
                suggestion=suggestion, user=user, defaults={"response": response}
            )
            if created:
                rows.append(row)
    return rows


def _match_label(reader: User, suggestion: Suggestion) -> str:
    """How a match is named in ``reader``'s message: 受限 records they may not see are not named."""
    principal = principal_of(reader)
    if suggestion.kind == TargetKind.ACHIEVEMENT and suggestion.achievement is not None:
        if achievement_policies.can_view(principal, suggestion.achievement):
            return _("科技成果：%(name)s") % {"name": suggestion.achievement.name}
        return _("科技成果：一项受限成果（详情请联系对接人员）")
    if suggestion.kind == TargetKind.EXPERT and suggestion.expert is not None:
        if expert_policies.can_view(principal, suggestion.expert):
            return _("专家：%(name)s") % {"name": suggestion.expert.name}
        return _("专家：一位专家（详情请联系对接人员）")
    organisation = suggestion.organisation
    return _("机构：%(name)s") % {"name": organisation.name if organisation else ""}


def _enterprise_readers(demand: Demand) -> list[User]:
    readers = {user.pk: user for user in account_selectors.org_admins(demand.owner_organisation_id)}
    if demand.created_by.is_active:
        readers.setdefault(demand.created_by_id, demand.created_by)
    return list(readers.values())


def _notify_enterprise(demand: Demand, response: Response, pushed: list[Suggestion]) -> None:
    for reader in with_preferences(_enterprise_readers(demand)):
        lines = [f"· {_match_label(reader, suggestion)}" for suggestion in pushed]
        body = _("您的技术需求“%(title)s”已收到对接响应，推荐以下匹配结果：") % {"title": demand.title}
        body += "\n" + "\n".join(lines)
        if response.message:
            body += "\n" + _("对接人员留言：%(message)s") % {"message": response.message}
        notify(
            reader,
            kind="docking.response",
            title=_("需求已收到对接响应：%(title)s") % {"title": demand.title},
            body=body,
            link=selectors.demand_url(demand),
            data={"demand": demand.pk, "response": response.pk},
        )


def _notify_recipient(demand: Demand, response: Response, row: PushRecipient) -> None:
    """Only people the demand is pushed to are told its details (they may now see it, also a 受限 one)."""
    if not demand_policies.can_view(principal_of(row.user), demand):
        return
    suggestion = row.suggestion
    if suggestion.kind == TargetKind.ACHIEVEMENT and suggestion.achievement is not None:
        whom = _("贵单位的科技成果“%(name)s”") % {"name": suggestion.achievement.name}
    else:
        whom = _("贵单位") if suggestion.kind == TargetKind.ORGANISATION else _("您")
    body = _("%(organisation)s 的技术需求“%(title)s”与%(whom)s匹配。需要解决的问题：%(problem)s") % {
        "organisation": demand.owner_organisation.name,
        "title": demand.title,
        "whom": whom,
        "problem": demand.problem[:PROBLEM_EXCERPT_CHARS],
    }
    if response.message:
        body += "\n" + _("对接人员留言：%(message)s") % {"message": response.message}
    body += "\n" + _("请在对接收件箱中答复：有意向、婉拒或留言。")
    notify(
        row.user,
        kind="docking.push",
        title=_("新的需求对接推送：%(title)s") % {"title": demand.title},
        body=body,
        link=reverse("docking:inbox") + f"#push-{row.pk}",
        data={"demand": demand.pk, "push": row.pk},
    )


# --- Answers -----------------------------------------------------------------------------------------


@_in_platform_language
def answer(
    *,
    actor: User,
    recipient_row: PushRecipient,
    kind: str,
    reason: str = "",
    message: str = "",
    now: datetime | None = None,
) -> PushRecipient:
    """The addressed person answers a push: interested, declined (with a reason) or a message.

    An answer that changes nothing is refused, so the enterprise hears about each change once.
    """
    now = now or timezone.now()
    text = (message or "").strip()
    if not policies.can_answer(principal_of(actor), recipient_row):
        raise NotPermitted(_("只有被推送的专家或机构可以答复。"))
    errors: dict[str, list[Any]] = {}
    if kind not in AnswerKind.values:
        errors["kind"] = [_("答复类型无效。")]
    elif kind == AnswerKind.DECLINED and reason not in DeclineReason.values:
        errors["reason"] = [_("请选择婉拒原因。")]
    elif kind == AnswerKind.DECLINED and reason == DeclineReason.OTHER and not text:
        errors["message"] = [_("选择“其他”时请说明原因。")]
    elif kind == AnswerKind.MESSAGE and not text:
        errors["message"] = [_("请填写留言内容。")]
    if len(text) > MAX_MESSAGE_CHARS:
        errors.setdefault("message", []).append(_("最多%(count)d个字。") % {"count": MAX_MESSAGE_CHARS})
    if errors:
        raise DomainError("invalid", _("答复有误，请检查标出的字段。"), fields=errors)
    reason = reason if kind == AnswerKind.DECLINED else ""
    with transaction.atomic():
        row = (
            PushRecipient.objects.select_for_update(of=("self",))
            .select_related(
                "response__demand__created_by",
                "suggestion__expert",
                "suggestion__organisation",
                "suggestion__achievement__owner_organisation",
                "user",
            )
            .get(pk=recipient_row.pk)
        )
        demand = row.response.demand
        if demand.state not in OPEN_STATES:
            raise DomainError("closed", _("该需求已关闭，无法再答复。"))
        unchanged = row.answer == kind and (kind != AnswerKind.MESSAGE or row.text == text)
        if unchanged:
            raise DomainError("unchanged", _("您已作出相同的答复。"))
        answered = ANSWER_WORKFLOW.fire(
            row,
            "answer",
            actor=actor,
            to=kind,
            reason=text,
            changes={"decline_reason": reason, "text": text, "answered_at": now},
            data={"demand": demand.pk, "decline_reason": reason},
        )
        answered.suggestion, answered.user = row.suggestion, row.user
        thread = _open_conversation(actor, demand, answered)
        _notify_answer(demand, answered, thread)
    return answered


def _open_conversation(actor: User, demand: Demand, row: PushRecipient) -> Thread | None:
    """An interested answer or a message opens (or continues) the answerer's thread with the enterprise,
    the message as its first post, so the enterprise can reply; a decline opens nothing."""
    if row.answer not in (AnswerKind.INTERESTED, AnswerKind.MESSAGE):
        return None
    if not demand_policies.can_start_conversation(principal_of(actor), demand):
        return None
    return demand_services.demand_conversation_open(
        actor=actor, demand=demand, body=row.text, notify_others=False
    )


def _notify_answer(demand: Demand, row: PushRecipient, thread: Thread | None = None) -> None:
    creator = demand.created_by
    if not creator.is_active:
        return
    suggestion = row.suggestion
    who = _answerer(creator, suggestion) or str(suggestion.expert or suggestion.organisation or row.user)
    summary = str(AnswerKind(row.answer).label)
    if row.decline_reason:
        summary += _("（%(reason)s）") % {"reason": DeclineReason(row.decline_reason).label}
    body = _("%(who)s 对技术需求“%(title)s”的答复：%(answer)s") % {
        "who": who,
        "title": demand.title,
        "answer": summary,
    }
    if row.text:
        body += "\n" + row.text
    if thread is not None:
        body += "\n" + _("可在对接对话中直接回复。")
    notify(
        creator,
        kind="docking.answer",
        title=_("对接答复：%(who)s %(answer)s") % {"who": who, "answer": summary},
        body=body,
        link=conversation_selectors.thread_url(thread) if thread else selectors.demand_url(demand),
        data={"demand": demand.pk, "push": row.pk, "answer": row.answer},
    )


def _answerer(reader: User, suggestion: Suggestion) -> str:
    """An achievement's holder as the enterprise reads it: a 受限 record they may not see stays unnamed."""
    achievement = suggestion.achievement
    if suggestion.kind != TargetKind.ACHIEVEMENT or achievement is None:
        return ""
    if achievement_policies.can_view(principal_of(reader), achievement):
        return _("%(organisation)s（科技成果：%(name)s）") % {
            "organisation": achievement.owner_organisation.name,
            "name": achievement.name,
        }
    return _("一项受限成果的持有单位")


# --- Region hours ----------------------------------------------------------------------------------


def policy_set(*, actor: User, region: Region, hours: int, remind_before_hours: int) -> ClockPolicy:
    """Set the response hours of a region in the actor's scope (applies to demands published later)."""
    if not policies.can_set_policy(principal_of(actor), region):
        raise NotPermitted(_("只能设置本人审核范围内地区的响应时限。"))
    errors: dict[str, list[Any]] = {}
    if not 1 <= hours <= MAX_RESPONSE_HOURS:
        errors["hours"] = [_("响应时限须在1至%(max)d小时之间。") % {"max": MAX_RESPONSE_HOURS}]
    if not 0 <= remind_before_hours < max(hours, 1):
        errors["remind_before_hours"] = [_("提前提醒的小时数须小于响应时限。")]
    if errors:
        raise DomainError("invalid", _("设置有误，请检查标出的字段。"), fields=errors)
    with transaction.atomic():
        policy = ClockPolicy.objects.select_for_update().filter(region=region).first()
        before = {"hours": policy.hours, "remind_before_hours": policy.remind_before_hours} if policy else {}
        if policy is None:
            policy = ClockPolicy(region=region)
        policy.hours, policy.remind_before_hours, policy.updated_by = hours, remind_before_hours, actor
        policy.save()
        record_event(
            actor=actor,
            action="docking.clockpolicy.set",
            target=policy,
            data={
                "region": region.code,
                "before": before,
                "hours": hours,
                "remind_before_hours": remind_before_hours,
            },
        )
    return policy


def policy_clear(*, actor: User, region: Region) -> None:
    """Remove a region's own hours: its demands take the next policy up the chain again."""
    if not policies.can_set_policy(principal_of(actor), region):
        raise NotPermitted(_("只能设置本人审核范围内地区的响应时限。"))
    with transaction.atomic():
        policy = ClockPolicy.objects.select_for_update().filter(region=region).first()
        if policy is None:
            return
        record_event(
            actor=actor,
            action="docking.clockpolicy.clear",
            target=policy,
            data={
                "region": region.code,
                "hours": policy.hours,
                "remind_before_hours": policy.remind_before_hours,
            },
        )
        policy.delete()
