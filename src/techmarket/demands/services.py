"""Writes for demands: every change in one transaction, with a policy check and an audit event
(transitions through DEMAND_WORKFLOW.fire)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.conversations import services as conversation_services
from techmarket.conversations.types import Thread
from techmarket.core import services as core_services
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.text import split_keywords
from techmarket.demands import policies
from techmarket.demands.choices import Cooperation, DemandConfidentiality, DemandState
from techmarket.demands.models import Demand, DemandRecipient, join_cooperation
from techmarket.demands.workflow import DEMAND_WORKFLOW
from techmarket.search import segment

MAX_KEYWORDS = 5
DUPLICATE_SUBMISSION_MESSAGE = _("该表单已经提交过，需求已保存，未重复创建。请在“我的需求”中查看。")
RECORD_FIELDS = (
    "title",
    "background",
    "problem",
    "targets",
    "keywords",
    "industry",
    "discipline",
    "region",
    "budget_min",
    "budget_max",
    "cooperation",
    "expected_trl",
    "deadline",
    "contact_name",
    "contact_phone",
    "contact_email",
    "confidentiality",
)
_PHONE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def demand_lock(pk: int) -> Demand:
    """The demand row locked for the caller's transaction (with its region and organisation), so that
    another app's write on it (docking's push) cannot race a state change."""
    return (
        Demand.objects.select_for_update(of=("self",))
        .select_related("region", "owner_organisation")
        .get(pk=pk)
    )


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def business_errors(data: dict[str, Any]) -> dict[str, list[Any]]:
    """Rules of the demand form beyond single-field validity; shared by the form and the API."""
    errors: dict[str, list[Any]] = {}

    def add(field: str, message: Any) -> None:
        errors.setdefault(field, []).append(message)

    if len(split_keywords(data.get("keywords") or "")) > MAX_KEYWORDS:
        add("keywords", _("关键词最多%(count)d个。") % {"count": MAX_KEYWORDS})
    codes = data.get("cooperation") or []
    if any(code not in Cooperation.values for code in codes):
        add("cooperation", _("合作方式无效。"))
    low, high = _decimal(data.get("budget_min")), _decimal(data.get("budget_max"))
    if low is not None and high is not None and low > high:
        add("budget_max", _("预算上限不能低于下限。"))
    deadline = data.get("deadline")
    if isinstance(deadline, datetime.date) and deadline < timezone.localdate():
        add("deadline", _("期望解决期限不能早于今天。"))
    phone = (data.get("contact_phone") or "").strip()
    if phone and not _PHONE.match(phone.replace(" ", "")):
        add("contact_phone", _("请填写有效的手机号或固定电话（如 027-87654321）。"))
    if data.get("confidentiality") not in (None, *DemandConfidentiality.values):
        add("confidentiality", _("公开方式无效。"))
    return errors


def _apply(demand: Demand, data: dict[str, Any]) -> None:
    for field in RECORD_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "cooperation":
            value = join_cooperation(list(value or []))
        elif field == "keywords":
            value = "，".join(split_keywords(value or ""))
        elif field in {"budget_min", "budget_max"}:
            value = _decimal(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(demand, field, value)
    for field, code in demand.region.chain_codes().items():
        setattr(demand, field, code)
    demand.search_title, demand.search_body = search_fields(demand)


def search_fields(demand: Demand) -> tuple[str, str]:
    """The segmented title and body the demand hall's full-text index holds (bulk loaders call it too)."""
    title = segment.joined(f"{demand.title} {demand.keywords}")
    body = segment.joined(" ".join([demand.problem, demand.targets, demand.background]))
    return title, body


def _validate(demand: Demand, data: dict[str, Any]) -> None:
    errors = business_errors(data)
    try:
        demand.full_clean(exclude=["owner_organisation", "created_by", "search_title", "search_body"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise DomainError("invalid", _("需求信息有误，请检查标出的字段。"), fields=errors)


def refuse_foreign_region(organisation: Any, region: Any) -> None:
    """An organisation files demands only in its own region and the regions below it."""
    if organisation is None or region is None or region.lies_within(organisation.region_id):
        return
    message = _("只能在本单位所在地区（%(region)s）及其下辖地区发布需求。") % {"region": organisation.region}
    raise DomainError("region_outside_organisation", message, fields={"region": [message]})


def _apply_checked(demand: Demand, data: dict[str, Any]) -> None:
    if data.get("region") is None and not demand.region_id:
        raise DomainError(
            "invalid", _("需求信息有误，请检查标出的字段。"), fields={"region": [_("请选择所在地区。")]}
        )
    region = data.get("region")
    if region is not None and region.pk != demand.region_id:
        refuse_foreign_region(demand.owner_organisation, region)
    _apply(demand, data)
    _validate(demand, data)


@transaction.atomic
def demand_create(*, actor: User, data: dict[str, Any], submission_key: str = "") -> Demand:
    """Save a new demand as a draft of the actor's organisation (a draft may be kept and finished later).

    ``submission_key`` (the web form's one-time key, or the API's Idempotency-Key) makes a second
    submission of the same form fail with a clear message instead of creating a duplicate; the audit event
    records it, so the API can answer a retry with the first result.
    """
    if not policies.can_file(principal_of(actor)):
        raise NotPermitted(_("只有企业用户或单位管理员可以发布技术需求。"))
    if submission_key and not core_services.claim_submission(submission_key):
        raise DomainError("duplicate_submission", DUPLICATE_SUBMISSION_MESSAGE)
    demand = Demand(owner_organisation=actor.organisation, created_by=actor)
    _apply_checked(demand, data)
    demand.save()
    record_event(
        actor=actor,
        action="demands.demand.create",
        target=demand,
        to_state=demand.state,
        data={"submission_key": submission_key} if submission_key else None,
    )
    return demand


@transaction.atomic
def demand_update(*, actor: User, demand: Demand, data: dict[str, Any]) -> Demand:
    """Change a draft or a returned demand; a published one changes only through withdrawal and refiling."""
    if not policies.can_edit(principal_of(actor), demand):
        raise NotPermitted(_("只有本单位的企业用户可以修改草稿或退回的需求。"))
    locked = Demand.objects.select_for_update().get(pk=demand.pk)
    merged: dict[str, Any] = {field: getattr(locked, field) for field in RECORD_FIELDS}
    merged["cooperation"] = locked.cooperation_list
    merged.update(data)
    _apply_checked(locked, merged)
    locked.save()
    record_event(
        actor=actor,
        action="demands.demand.update",
        target=locked,
        data={"fields": sorted(set(data) & set(RECORD_FIELDS))},
    )
    return locked


def demand_submit(*, actor: User, demand: Demand) -> Demand:
    """Put a draft or returned demand before its region chain's reviewers, stamping when it was submitted."""
    return DEMAND_WORKFLOW.fire(demand, "submit", actor=actor, changes={"submitted_at": timezone.now()})


def demand_approve(*, actor: User, demand: Demand, reason: str = "", publish: bool = True) -> Demand:
    """Approve a submitted demand; by default publish it at once (which starts the response clock)."""
    with transaction.atomic():
        approved: Demand = DEMAND_WORKFLOW.fire(demand, "approve", actor=actor, reason=reason)
        return demand_publish(actor=actor, demand=approved) if publish else approved


def demand_publish(*, actor: User, demand: Demand) -> Demand:
    """Publish an approved demand; the workflow starts its response clock and its first matching."""
    return DEMAND_WORKFLOW.fire(demand, "publish", actor=actor, changes={"published_at": timezone.now()})


def demand_return(*, actor: User, demand: Demand, reason: str) -> Demand:
    """Send the submitted demand back to its filer with the reason; they fix and resubmit it."""
    return DEMAND_WORKFLOW.fire(demand, "return", actor=actor, reason=reason)


def demand_withdraw(*, actor: User, demand: Demand, reason: str = "") -> Demand:
    """The owner takes the demand back at any point before it is closed; it counts as closed from now."""
    return DEMAND_WORKFLOW.fire(
        demand, "withdraw", actor=actor, reason=reason, changes={"closed_at": timezone.now()}
    )


def demand_start_docking(*, actor: User, demand: Demand) -> Demand:
    """First response pushed: the demand is now 对接中 (a no-op when it already is)."""
    if demand.state == DemandState.DOCKING:
        return demand
    return DEMAND_WORKFLOW.fire(demand, "start_docking", actor=actor)


def demand_close(*, actor: User, demand: Demand, solved: bool, note: str = "") -> Demand:
    """Close with the outcome; an unsolved close needs its reason."""
    return DEMAND_WORKFLOW.fire(
        demand,
        "close_solved" if solved else "close_unsolved",
        actor=actor,
        reason=note,
        changes={"closed_at": timezone.now(), "close_note": (note or "").strip()},
    )


def demand_transition(*, actor: User, demand: Demand, name: str, reason: str = "") -> Demand:
    """Dispatch a transition by name (pages and API expose them uniformly)."""
    if name == "submit":
        return demand_submit(actor=actor, demand=demand)
    if name == "approve":
        return demand_approve(actor=actor, demand=demand, reason=reason)
    if name == "publish":
        return demand_publish(actor=actor, demand=demand)
    if name == "return":
        return demand_return(actor=actor, demand=demand, reason=reason)
    if name == "withdraw":
        return demand_withdraw(actor=actor, demand=demand, reason=reason)
    if name in {"close_solved", "close_unsolved"}:
        return demand_close(actor=actor, demand=demand, solved=name == "close_solved", note=reason)
    DEMAND_WORKFLOW.get(name)  # unknown names raise InvalidTransition
    raise NotPermitted()


def recipient_add(*, demand: Demand, user: User) -> None:
    """Let a person a response was pushed to see the demand (also a 受限 one); called by docking."""
    DemandRecipient.objects.get_or_create(demand=demand, user=user)


# --- Conversations (我要对接) ----------------------------------------------------------------------

SUBJECT_KIND = "demands.demand"


def provider_side(actor: User) -> tuple[str, list[User]]:
    """The offering party an actor speaks for, and its people: an organisation's filer or administrator
    speaks for the organisation (whose administrators join), an expert for themself."""
    principal = principal_of(actor)
    if actor.organisation_id and (principal.has_role(Role.APPLICANT) or principal.has_role(Role.ORG_ADMIN)):
        admins = account_selectors.org_admins(actor.organisation_id)
        return f"org:{actor.organisation_id}", [actor, *admins]
    return f"user:{actor.pk}", [actor]


def enterprise_side(demand: Demand) -> list[User]:
    """The demand's people in its threads: the filer and the organisation's administrators."""
    return [demand.created_by, *account_selectors.org_admins(demand.owner_organisation_id)]


def demand_conversation_open(
    *, actor: User, demand: Demand, body: str = "", notify_others: bool = True
) -> Thread:
    """我要对接: the thread between the demand's enterprise and the actor's side (opened once per party;
    opening it again returns it, adding the actor if a colleague opened it)."""
    if not policies.can_start_conversation(principal_of(actor), demand):
        raise NotPermitted(_("只有可以查看该需求的专家、成果单位或机构人员可以发起对接。"))
    party_key, provider = provider_side(actor)
    thread, _created = conversation_services.thread_open(
        actor=actor,
        subject_kind=SUBJECT_KIND,
        subject_id=demand.pk,
        title=demand.title,
        party_key=party_key,
        enterprise=enterprise_side(demand),
        provider=provider,
        body=body,
        notify_others=notify_others,
    )
    return thread
