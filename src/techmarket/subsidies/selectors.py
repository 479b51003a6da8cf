"""Reads of the subsidies app (every read of a run, award, objection or policy goes through the rules of
``policies``: the public list carries public columns only, the trail only for those who may see it)."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal
from techmarket.core.errors import NotFound
from techmarket.core.models import Region
from techmarket.core.todo import TodoItem, TodoRow, count_and_first
from techmarket.subsidies import engine, policies
from techmarket.subsidies.choices import PUBLIC_STATES, ObjectionState, RunState
from techmarket.subsidies.models import Award, Claim, Objection, PolicyVersion, SubsidyRun
from techmarket.subsidies.policy_format import region_prefix

# --- policies ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRow:
    policy_id: str
    title: str
    region_code: str
    latest_number: int | None  # None: the shipped file, not yet used or edited
    shipped: bool
    edited_at: Any = None
    edited_by: Any = None


def policy_rows(principal: Principal) -> list[PolicyRow]:
    """Every policy: shipped files and policies created on the platform, with their latest version."""
    if not policies.can_edit_policies(principal):
        return []
    latest: dict[str, PolicyVersion] = {}
    for stored in PolicyVersion.objects.select_related("created_by").order_by("policy_id", "-number"):
        latest.setdefault(stored.policy_id, stored)
    shipped = set(engine.shipped_policy_ids())
    rows = []
    for policy_id in sorted(shipped | set(latest)):
        version = latest.get(policy_id)
        if version is not None:
            rows.append(
                PolicyRow(
                    policy_id,
                    version.title,
                    version.region_code,
                    version.number,
                    policy_id in shipped,
                    version.created_at,
                    version.created_by,
                )
            )
        else:
            policy = engine.load_policy(policy_id)
            rows.append(PolicyRow(policy_id, policy.title, policy.region, None, True))
    return rows


def policy_document(principal: Principal, policy_id: str) -> tuple[dict[str, Any], PolicyVersion | None]:
    """The policy's current document (latest version, or the shipped file) for the edit form."""
    if not policies.can_edit_policies(principal):
        raise NotFound()
    version = PolicyVersion.objects.filter(policy_id=policy_id).order_by("-number").first()
    if version is not None:
        return dict(version.document), version
    if policy_id in engine.shipped_policy_ids():
        return dict(engine.load_policy(policy_id).document), None
    raise NotFound()


def policy_history(principal: Principal, policy_id: str) -> QuerySet[PolicyVersion]:
    """The policy's versions, newest first (administrators)."""
    if not policies.can_edit_policies(principal):
        return PolicyVersion.objects.none()
    return PolicyVersion.objects.filter(policy_id=policy_id).select_related("created_by").order_by("-number")


def version_get(principal: Principal, policy_id: str, pk: Any) -> PolicyVersion:
    """One version of a policy (administrators; NotFound otherwise)."""
    if not policies.can_edit_policies(principal):
        raise NotFound()
    try:
        return PolicyVersion.objects.select_related("created_by").get(pk=int(str(pk)), policy_id=policy_id)
    except (ValueError, PolicyVersion.DoesNotExist):
        raise NotFound() from None


def pretty(document: Any) -> str:
    """A document as indented JSON, for the editor and the diff."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)


def version_diff(version: PolicyVersion) -> list[str]:
    """The unified diff of a version against the one before it (empty for the first)."""
    previous = (
        PolicyVersion.objects.filter(policy_id=version.policy_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    if previous is None:
        return []
    return list(
        difflib.unified_diff(
            pretty(previous.document).splitlines(),
            pretty(version.document).splitlines(),
            fromfile=f"v{previous.number}",
            tofile=f"v{version.number}",
            lineterm="",
        )
    )


def computable_policies(principal: Principal) -> list[PolicyRow]:
    """Policies the principal may compute (their region is the principal's bureau's)."""
    if not policies.can_list_runs(principal):
        return []
    latest: dict[str, PolicyVersion] = {}
    for stored in PolicyVersion.objects.order_by("policy_id", "-number"):
        latest.setdefault(stored.policy_id, stored)
    rows = []
    for policy_id in sorted(set(engine.shipped_policy_ids()) | set(latest)):
        version = latest.get(policy_id)
        if version is not None:
            row = PolicyRow(policy_id, version.title, version.region_code, version.number, False)
        else:
            policy = engine.load_policy(policy_id)
            row = PolicyRow(policy_id, policy.title, policy.region, None, True)
        if policies.can_compute(principal, row.region_code):
            rows.append(row)
    return rows


# --- runs -------------------------------------------------------------------------------------------


def _bureau_q(principal: Principal) -> Q:
    """Runs of the regions the principal's bureau covers (administrators: every run)."""
    if not principal.is_authenticated:
        return Q(pk__in=[])
    if principal.is_platform_admin:
        return Q()
    q = Q(pk__in=[])
    for code in principal.all_review_codes():
        q |= Q(region_code__startswith=region_prefix(code))
    return q


def bureau_runs(principal: Principal) -> QuerySet[SubsidyRun]:
    """奖补测算: the runs the principal's bureau manages, newest year first."""
    if not policies.can_list_runs(principal):
        return SubsidyRun.objects.none()
    return (
        SubsidyRun.objects.filter(_bureau_q(principal))
        .select_related("computed_by", "checked_by", "approved_by", "policy_version")
        .order_by("-year", "policy_id", "-id")
    )


def run_get(principal: Principal, pk: Any) -> SubsidyRun:
    """A run for its bureau page (NotFound for anyone else)."""
    try:
        run = SubsidyRun.objects.select_related(
            "computed_by", "checked_by", "approved_by", "policy_version"
        ).get(pk=int(str(pk)))
    except (ValueError, SubsidyRun.DoesNotExist):
        raise NotFound() from None
    if not policies.can_manage_run(principal, run):
        raise NotFound()
    return run


def public_runs() -> QuerySet[SubsidyRun]:
    """奖补公示: published (and paid) runs, newest first."""
    return SubsidyRun.objects.filter(state__in=PUBLIC_STATES).order_by("-published_at", "-id")


def public_run_get(pk: Any) -> SubsidyRun:
    """A published (or paid) run; NotFound for any other."""
    try:
        return public_runs().get(pk=int(str(pk)))
    except (ValueError, SubsidyRun.DoesNotExist):
        raise NotFound() from None


def awards_of(run: SubsidyRun, round_number: int | None = None) -> QuerySet[Award]:
    """The awards of the run's current round (or of an earlier one), largest first."""
    return Award.objects.filter(run=run, round=round_number or run.round).order_by(
        "-final_award", "org_name", "rule", "id"
    )


PUBLIC_AWARD_FIELDS = ("id", "org_name", "org_region", "rule", "rule_title", "final_award")


def public_award_rows(run: SubsidyRun) -> list[dict[str, Any]]:
    """The public list's rows: organisation, region, rule and final award — never a contract or a sum."""
    if not policies.is_public(run):
        return []
    rows = list(awards_of(run).values(*PUBLIC_AWARD_FIELDS, "organisation_id"))
    names = region_names({row["org_region"] for row in rows})
    for row in rows:
        row["region_name"] = names.get(row["org_region"], row["org_region"])
    return rows


def region_names(codes: set[str]) -> dict[str, str]:
    """Region code → name, for the lists."""
    return dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))


def award_get(principal: Principal, pk: Any) -> Award:
    """An award with its trail: the bureau, or its organisation once published (NotFound otherwise)."""
    try:
        award = Award.objects.select_related("run").get(pk=int(str(pk)))
    except (ValueError, Award.DoesNotExist):
        raise NotFound() from None
    if not policies.can_view_trail(principal, award, award.run):
        raise NotFound()
    return award


def own_awards(principal: Principal) -> QuerySet[Award]:
    """The principal's organisation's awards in published lists (current rounds)."""
    if not principal.is_authenticated or principal.organisation_id is None:
        return Award.objects.none()
    return (
        Award.objects.filter(organisation_id=principal.organisation_id, run__state__in=PUBLIC_STATES)
        .select_related("run")
        .order_by("-run__year", "-final_award")
    )


def trail_summary(award: Award) -> dict[str, Any]:
    """The trail's figures without contract ids (the bureau's export)."""
    trail = award.trail or {}
    scaling = trail.get("scaling") or {}
    return {
        "contracts": trail.get("contracts", ""),
        "threshold": trail.get("threshold", ""),
        "cap": trail.get("cap", ""),
        "cap_applied": trail.get("cap_applied", ""),
        "factor": scaling.get("factor", "1"),
    }


# --- objections -------------------------------------------------------------------------------------


def objections_of(principal: Principal, run: SubsidyRun) -> QuerySet[Objection]:
    """A run's objections: every one for its bureau, one's own for anyone signed in."""
    rows = Objection.objects.filter(run=run).select_related("award", "filed_by", "decided_by")
    if policies.can_manage_run(principal, run):
        return rows
    if not principal.is_authenticated:
        return Objection.objects.none()
    return rows.filter(filed_by_id=principal.user_id)


def objection_get(principal: Principal, pk: Any) -> Objection:
    """An objection for its filer and its run's bureau (NotFound otherwise)."""
    try:
        objection = Objection.objects.select_related("run", "award").get(pk=int(str(pk)))
    except (ValueError, Objection.DoesNotExist):
        raise NotFound() from None
    if not policies.can_view_objection(principal, objection):
        raise NotFound()
    return objection


def open_objections(principal: Principal) -> QuerySet[Objection]:
    """Objections waiting for an answer on the runs the principal's bureau manages, oldest first."""
    return (
        Objection.objects.filter(state=ObjectionState.OPEN, run__in=bureau_runs(principal).values("pk"))
        .select_related("run")
        .order_by("created_at", "id")
    )


# --- claims -----------------------------------------------------------------------------------------


def claims_of(principal: Principal) -> QuerySet[Claim]:
    """Claims of the policies the principal's bureau covers."""
    if not policies.can_list_runs(principal):
        return Claim.objects.none()
    regions = {row.policy_id: row.region_code for row in computable_policies(principal)}
    return (
        Claim.objects.filter(policy_id__in=list(regions))
        .select_related("entered_by")
        .order_by("policy_id", "-year", "org_name", "id")
    )


def claim_get(principal: Principal, pk: Any) -> Claim:
    """A claim of a policy the principal's bureau covers (NotFound otherwise)."""
    try:
        return claims_of(principal).get(pk=int(str(pk)))
    except (ValueError, Claim.DoesNotExist):
        raise NotFound() from None


# --- to-do ------------------------------------------------------------------------------------------


def _run_row(run: SubsidyRun, note: Any = "") -> TodoRow:
    return TodoRow(
        label=f"{run.title} {run.year}", url=reverse("subsidies:run_detail", args=[run.pk]), note=note
    )


def todo_items(principal: Principal) -> list[TodoItem]:
    """Runs waiting for a check, an approval, publication or payment, and open objections (the bureau)."""
    if not principal.is_authenticated or not policies.can_list_runs(principal):
        return []
    runs = bureau_runs(principal).order_by("updated_at", "pk")
    items: list[TodoItem] = []
    to_check = runs.filter(state=RunState.COMPUTED).exclude(computed_by_id=principal.user_id)
    count, first = count_and_first(to_check)
    items.append(
        TodoItem(
            key="subsidies.check",
            title=_("待复核的奖补测算"),
            count=count,
            url=reverse("subsidies:runs"),
            rows=tuple(_run_row(run) for run in first),
        )
    )
    if principal.is_platform_admin:
        to_approve = runs.filter(state=RunState.CHECKED).exclude(checked_by_id=principal.user_id)
        count, first = count_and_first(to_approve)
        items.append(
            TodoItem(
                key="subsidies.approve",
                title=_("待审定的奖补测算"),
                count=count,
                url=reverse("subsidies:runs"),
                rows=tuple(_run_row(run) for run in first),
            )
        )
        count, first = count_and_first(runs.filter(state=RunState.APPROVED))
        items.append(
            TodoItem(
                key="subsidies.publish",
                title=_("待公示的奖补名单"),
                count=count,
                url=reverse("subsidies:runs"),
                rows=tuple(_run_row(run) for run in first),
            )
        )
        due = runs.filter(state=RunState.PUBLISHED, objection_deadline__lte=timezone.now())
        count, first = count_and_first(due)
        items.append(
            TodoItem(
                key="subsidies.pay",
                title=_("公示期已满待拨付的奖补"),
                count=count,
                url=reverse("subsidies:runs"),
                rows=tuple(_run_row(run) for run in first),
            )
        )
    count, objections = count_and_first(open_objections(principal))
    items.append(
        TodoItem(
            key="subsidies.objections",
            title=_("待处理的奖补异议"),
            count=count,
            url=reverse("subsidies:runs"),
            urgent=count > 0,
            rows=tuple(
                _run_row(
                    o.run,
                    _("%(day)s 提出异议") % {"day": timezone.localtime(o.created_at).strftime("%Y-%m-%d")},
                )
                for o in objections
            ),
        )
    )
    return items


def total_of(rows: list[dict[str, Any]]) -> Decimal:
    """The sum of the public rows' final awards."""
    return sum((row["final_award"] for row in rows), Decimal("0.00"))
