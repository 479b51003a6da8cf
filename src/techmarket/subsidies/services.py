"""Writes of the subsidies app: the only place its business rules change data.

Policy documents are validated by the engine (:func:`engine.load_policy`) before anything is saved; a
document with problems is refused with every problem listed and nothing is written. A policy's history
starts with its shipped file, stored as version 0 the first time the policy is computed or edited (so
every run names the exact document it used, even when a later release ships a changed file).

Runs are computed from registered contracts' confirmed receipts (``contracts.subsidy_facts``) and the
claims entered for the policy and year, by the engine; every award is stored with its trail. State
changes go through :data:`workflow.RUN_WORKFLOW` and :data:`workflow.OBJECTION_WORKFLOW`, which write the
audit events; policy edits and claims are audited here.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import selectors as accounts_selectors
from techmarket.accounts.policies import principal_of
from techmarket.contracts import subsidy_facts
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotFound, NotPermitted
from techmarket.subsidies import engine, policies
from techmarket.subsidies import messages as engine_messages
from techmarket.subsidies.choices import LIVE_STATES, RunState
from techmarket.subsidies.models import Award, Claim, Objection, PolicyVersion, SubsidyRun
from techmarket.subsidies.workflow import OBJECTION_WORKFLOW, RUN_WORKFLOW

POLICY_MAX_CHARS = 200_000
NOTE_MAX_CHARS = 500
TEXT_MAX_CHARS = 2000
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_OBJECTION_DAYS = 60
DEFAULT_OBJECTION_DAYS = 7
MAX_BUDGET = Decimal("99999999999999.99")
FACTOR_PLACES = Decimal("0.000000000001")
SHIPPED_NOTE = "随产品发布的政策文件"


# --- problems and values ----------------------------------------------------------------------------


def problem_texts(error: engine.PolicyError) -> list[str]:
    """The engine's problems in the user's language (``subsidies.messages`` when present)."""
    return [str(engine_messages.render_problem(problem)) for problem in error.details]


def _policy_refused(error: engine.PolicyError, field: str = "document") -> DomainError:
    texts = problem_texts(error)
    return DomainError(
        "policy_invalid",
        _("政策文档有 %(count)d 处问题，未保存：%(problems)s")
        % {"count": len(texts), "problems": "；".join(texts)},
        fields={field: texts},
    )


def json_safe(value: Any) -> Any:
    """The engine's trail and account as JSON (Decimals and dates as text)."""
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def parse_year(value: Any) -> int:
    """A year between MIN_YEAR and MAX_YEAR, or a DomainError on the ``year`` field."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(
            "bad_year",
            _("年度须为 %(low)d—%(high)d 之间的整数。") % {"low": MIN_YEAR, "high": MAX_YEAR},
            fields={"year": [_("请填写有效的年度。")]},
        )
    return year


def parse_budget(value: Any) -> Decimal | None:
    """A budget in yuan with at most two decimals, or None when left blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = _("年度科技经费预算须为不小于 0、最多两位小数的金额（元）。")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError("bad_budget", message, fields={"budget": [message]}) from None
    if (
        not amount.is_finite()
        or amount < 0
        or amount > MAX_BUDGET
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise DomainError("bad_budget", message, fields={"budget": [message]})
    return amount.quantize(Decimal("0.01"))


def parse_days(value: Any) -> int:
    """An objection period of 1 to MAX_OBJECTION_DAYS days."""
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_OBJECTION_DAYS:
        message = _("公示期须为 1—%(max)d 天。") % {"max": MAX_OBJECTION_DAYS}
        raise DomainError("bad_days", message, fields={"objection_days": [message]})
    return days


def _text(value: Any, field: str, *, required: bool = True, limit: int = TEXT_MAX_CHARS) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError("text_required", _("请填写内容。"), fields={field: [_("此项必填。")]})
    if len(text) > limit:
        message = _("内容不能超过 %(limit)d 个字。") % {"limit": limit}
        raise DomainError("text_too_long", message, fields={field: [message]})
    return text


# --- policy documents -------------------------------------------------------------------------------


def parse_document(text: Any) -> dict[str, Any]:
    """The JSON text of a policy document → a mapping (clear messages for bad JSON)."""
    text = str(text or "")
    if not text.strip():
        raise DomainError("document_required", _("请填写政策文档。"), fields={"document": [_("此项必填。")]})
    if len(text) > POLICY_MAX_CHARS:
        message = _("政策文档不能超过 %(limit)d 个字符。") % {"limit": POLICY_MAX_CHARS}
        raise DomainError("document_too_long", message, fields={"document": [message]})
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
        message = _("政策文档不是有效的 JSON：%(error)s") % {"error": str(error)}
        raise DomainError("bad_json", message, fields={"document": [message]}) from None
    if not isinstance(document, dict):
        not_object = _("政策文档须是一个 JSON 对象（以 { 开头）。")
        raise DomainError("not_an_object", not_object, fields={"document": [not_object]})
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def validate_document(document: Mapping[str, Any]) -> engine.Policy:
    """The engine's validation of a document; every problem becomes part of one DomainError."""
    try:
        return engine.load_policy(document)
    except engine.PolicyError as error:
        raise _policy_refused(error) from None
    except (TypeError, ValueError, KeyError, ArithmeticError) as error:  # pragma: no cover - engine bug guard
        message = _("政策文档无法读取：%(error)s") % {"error": str(error)}
        raise DomainError("policy_invalid", message, fields={"document": [message]}) from None


def latest_version(policy_id: str) -> PolicyVersion | None:
    """The policy's newest stored version (None before its first use or edit)."""
    return PolicyVersion.objects.filter(policy_id=policy_id).order_by("-number").first()


def _shipped(policy_id: str) -> engine.Policy | None:
    if policy_id not in engine.shipped_policy_ids():
        return None
    return engine.load_policy(policy_id)


def policy_region(policy_id: str) -> str | None:
    """The region of the policy's latest version (or its shipped file), None for an unknown policy."""
    latest = latest_version(policy_id)
    if latest is not None:
        return latest.region_code
    shipped = _shipped(policy_id)
    return shipped.region if shipped is not None else None


def ensure_history(policy_id: str) -> PolicyVersion | None:
    """The policy's latest version; a shipped policy without history gets its file stored as version 0."""
    latest = latest_version(policy_id)
    if latest is not None:
        return latest
    shipped = _shipped(policy_id)
    if shipped is None:
        return None
    try:
        with transaction.atomic():
            return PolicyVersion.objects.create(
                policy_id=policy_id,
                number=0,
                document=json_safe(shipped.document),
                title=shipped.title[:200],
                region_code=shipped.region,
                document_version=str(shipped.version)[:32],
                note=SHIPPED_NOTE,
            )
    except IntegrityError:  # stored meanwhile by another request
        return PolicyVersion.objects.get(policy_id=policy_id, number=0)


def _append_version(
    actor: Any, policy: engine.Policy, document: Mapping[str, Any], number: int, note: str
) -> PolicyVersion:
    try:
        with transaction.atomic():
            version = PolicyVersion.objects.create(
                policy_id=policy.id,
                number=number,
                document=json_safe(document),
                title=policy.title[:200],
                region_code=policy.region,
                document_version=str(policy.version)[:32],
                note=note,
                created_by=actor,
            )
    except IntegrityError:
        raise DomainError("concurrent_edit", _("该政策刚被他人修改，请刷新后在最新版本上修改。")) from None
    record_event(
        actor=actor,
        action="subsidies.policy.save",
        target=version,
        data={"policy_id": policy.id, "number": number, "note": note},
    )
    return version


def policy_save(*, actor: Any, policy_id: str, document_text: Any, note: Any = "") -> PolicyVersion:
    """A new version of an existing (or shipped) policy: validated by the engine, appended to the history."""
    if not policies.can_edit_policies(principal_of(actor)):
        raise NotPermitted()
    note = _text(note, "note", required=False, limit=NOTE_MAX_CHARS)
    document = parse_document(document_text)
    policy = validate_document(document)
    if policy.id != policy_id:
        message = _(
            "文档中的政策编号“%(found)s”与所编辑的政策“%(expected)s”不一致；新政策请用“新建政策”。"
        ) % {
            "found": policy.id,
            "expected": policy_id,
        }
        raise DomainError("policy_id_changed", message, fields={"document": [message]})
    with transaction.atomic():
        latest = ensure_history(policy_id)
        if latest is None:
            raise NotFound()
        if latest.document == json_safe(document):
            same = _("文档与当前版本相同，没有保存新版本。")
            raise DomainError("unchanged", same, fields={"document": [same]})
        return _append_version(actor, policy, document, latest.number + 1, note)


def policy_create(*, actor: Any, document_text: Any, note: Any = "") -> PolicyVersion:
    """A new policy (its id from the document, not used before): version 1 of its history."""
    if not policies.can_edit_policies(principal_of(actor)):
        raise NotPermitted()
    note = _text(note, "note", required=False, limit=NOTE_MAX_CHARS)
    document = parse_document(document_text)
    policy = validate_document(document)
    if latest_version(policy.id) is not None or policy.id in engine.shipped_policy_ids():
        message = _("政策编号“%(id)s”已存在，请修改该政策或换一个编号。") % {"id": policy.id}
        raise DomainError("policy_exists", message, fields={"document": [message]})
    with transaction.atomic():
        return _append_version(actor, policy, document, 1, note)


def policy_adopt_shipped(*, actor: Any, policy_id: str) -> PolicyVersion:
    """Make the file shipped with this release the policy's newest version (after an upgrade)."""
    if not policies.can_edit_policies(principal_of(actor)):
        raise NotPermitted()
    shipped = _shipped(policy_id)
    if shipped is None:
        raise NotFound()
    with transaction.atomic():
        latest = ensure_history(policy_id)
        if latest is None:  # pragma: no cover - a shipped policy always gets its version 0
            raise NotFound()
        if latest.document == json_safe(shipped.document):
            raise DomainError("unchanged", _("当前版本已与随产品发布的文件相同。"))
        return _append_version(actor, shipped, shipped.document, latest.number + 1, SHIPPED_NOTE)


# --- runs -------------------------------------------------------------------------------------------


def _claims_for(policy_id: str, year: int) -> list[engine.Claim]:
    rows = Claim.objects.filter(policy_id=policy_id, year=year, withdrawn=False).order_by("pk")
    return [
        engine.Claim(
            claim_id=str(row.pk),
            org_id=row.org_id,
            org_name=row.org_name,
            org_region=row.org_region,
            rule=row.rule,
            facts=dict(row.facts),
        )
        for row in rows
    ]


def _compute(version: PolicyVersion, year: int, budget: Decimal | None) -> engine.Result:
    try:
        policy = engine.load_policy(version.document)
    except engine.PolicyError as error:  # a stored version is valid; a newer engine may disagree
        raise _policy_refused(error) from None
    try:
        return engine.compute(
            policy,
            year=year,
            budget=budget,
            contracts=subsidy_facts.contract_facts(year, policy.region, make=engine.ContractFact),
            claims=_claims_for(version.policy_id, year),
        )
    except engine.PolicyError as error:
        texts = problem_texts(error)
        raise DomainError(
            "compute_refused",
            _("无法测算：%(problems)s") % {"problems": "；".join(texts)},
            fields={"year": texts},
        ) from None


def rule_titles(document: Mapping[str, Any]) -> dict[str, str]:
    """Rule id → its Chinese title, from a policy document."""
    titles: dict[str, str] = {}
    for rule in document.get("rules", []) if isinstance(document, Mapping) else []:
        if isinstance(rule, Mapping) and isinstance(rule.get("id"), str):
            title = rule.get("title")
            if isinstance(title, Mapping):
                title = title.get("zh") or title.get("en")
            titles[rule["id"]] = str(title or rule["id"])[:200]
    return titles


def _result_fields(result: engine.Result) -> dict[str, Any]:
    return {
        "pool": result.pool,
        "total_before_scaling": result.total_before_scaling,
        "scaling_factor": Decimal(result.scaling_factor).quantize(FACTOR_PLACES, rounding=ROUND_DOWN),
        "total": result.total,
        "award_count": len(result.awards),
        "contract_count": int(result.stats.get("contracts_read", 0)),
        "details": json_safe(
            {
                "stats": result.stats,
                "scaling": result.scaling,
                "refusals": [
                    {
                        "claim_id": r.claim_id,
                        "org_name": r.org_name,
                        "rule": r.rule,
                        "code": r.code,
                        "params": r.params,
                        "text": r.text,
                    }
                    for r in result.refusals
                ],
                "checks": [
                    {
                        "claim_id": c.claim_id,
                        "org_name": c.org_name,
                        "rule": c.rule,
                        "passed": c.passed,
                        "trail": c.trail,
                    }
                    for c in result.checks
                ],
            }
        ),
    }


def _money(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _store_awards(run: SubsidyRun, result: engine.Result, document: Mapping[str, Any]) -> None:
    titles = rule_titles(document)
    organisations = subsidy_facts.organisation_ids(award.org_id for award in result.awards)
    claim_orgs = dict(
        Claim.objects.filter(policy_id=run.policy_id, year=run.year, organisation__isnull=False).values_list(
            "org_id", "organisation_id"
        )
    )
    regions = {claim.org_id: claim.org_region for claim in _claims_for(run.policy_id, run.year)}
    ids = set(organisations.values()) | set(claim_orgs.values())
    org_regions = dict(accounts_selectors.organisations_by_id(ids).values_list("pk", "region_id"))
    Award.objects.bulk_create(
        [
            Award(
                run=run,
                round=run.round,
                org_id=award.org_id[:64],
                org_name=award.org_name[:200],
                org_region=str(
                    regions.get(award.org_id)
                    or org_regions.get(organisations.get(award.org_id) or claim_orgs.get(award.org_id) or 0)
                    or ""
                )[:6],
                organisation_id=organisations.get(award.org_id) or claim_orgs.get(award.org_id),
                rule=award.rule[:64],
                rule_title=titles.get(award.rule, award.rule),
                base=_money(award.base),
                rate=award.rate,
                raw_award=_money(award.raw_award),
                capped_award=_money(award.capped_award),
                final_award=_money(award.final_award),
                trail=json_safe(award.trail),
            )
            for award in result.awards
        ],
        batch_size=500,
    )


def run_compute(
    *, actor: Any, policy_id: str, year: Any, budget: Any, objection_days: Any = DEFAULT_OBJECTION_DAYS
) -> SubsidyRun:
    """Compute the policy's latest version for the year: a new run in ``computed`` with its awards."""
    principal = principal_of(actor)
    region = policy_region(str(policy_id))
    if region is None:
        raise NotFound(_("没有这项奖补政策。"))
    if not policies.can_compute(principal, region):
        raise NotPermitted()
    year = parse_year(year)
    amount = parse_budget(budget)
    days = parse_days(objection_days)
    with transaction.atomic():
        version = ensure_history(str(policy_id))
        if version is None:  # pragma: no cover - policy_region found it above
            raise NotFound(_("没有这项奖补政策。"))
        _refuse_second_run(version.policy_id, year)
        result = _compute(version, year, amount)
        run = SubsidyRun(
            policy_version=version,
            policy_id=version.policy_id,
            region_code=version.region_code,
            title=version.title,
            year=year,
            budget=amount,
            objection_days=days,
            computed_by=actor,
            computed_at=timezone.now(),
            **_result_fields(result),
        )
        try:
            RUN_WORKFLOW.start(run, "compute", actor=actor, data={"policy_version": version.number})
        except IntegrityError:
            _refuse_second_run(version.policy_id, year, raced=True)
        _store_awards(run, result, version.document)
    return run


def _refuse_second_run(policy_id: str, year: int, raced: bool = False) -> None:
    if raced or SubsidyRun.objects.filter(policy_id=policy_id, year=year, state__in=LIVE_STATES).exists():
        message = _("该政策 %(year)d 年度已有测算；请在原测算上退回重算，或先作废原测算。") % {"year": year}
        raise DomainError("run_exists", message, fields={"year": [message]})


def run_recompute(*, actor: Any, run: SubsidyRun, budget: Any = None) -> SubsidyRun:
    """A returned run computed again (a new round) with the policy's latest version and today's receipts;
    the earlier round's awards are kept. ``budget`` blank keeps the run's budget."""
    amount = (
        run.budget
        if budget is None or (isinstance(budget, str) and not budget.strip())
        else parse_budget(budget)
    )
    with transaction.atomic():
        version = latest_version(run.policy_id) or run.policy_version
        result = (
            _compute(version, run.year, amount) if RUN_WORKFLOW.is_allowed(run, "recompute", actor) else None
        )
        fired = RUN_WORKFLOW.fire(
            run,
            "recompute",
            actor=actor,
            changes={
                "round": run.round + 1,
                "policy_version": version,
                "title": version.title,
                "budget": amount,
                "computed_by": actor,
                "computed_at": timezone.now(),
                "checked_by": None,
                "checked_at": None,
                "approved_by": None,
                "approved_at": None,
                "published_at": None,
                "objection_deadline": None,
                **(_result_fields(result) if result is not None else {}),
            },
            data={"policy_version": version.number, "round": run.round + 1},
        )
        if result is not None:  # always, once ``fire`` let the recompute through
            _store_awards(fired, result, version.document)
    return fired


def run_check(*, actor: Any, run: SubsidyRun) -> SubsidyRun:
    """复核通过: by the bureau, not by the person who computed the round."""
    return RUN_WORKFLOW.fire(
        run, "check", actor=actor, changes={"checked_by": actor, "checked_at": timezone.now()}
    )


def run_approve(*, actor: Any, run: SubsidyRun) -> SubsidyRun:
    """审定: a platform administrator other than the checker."""
    return RUN_WORKFLOW.fire(
        run, "approve", actor=actor, changes={"approved_by": actor, "approved_at": timezone.now()}
    )


def run_publish(*, actor: Any, run: SubsidyRun, objection_days: Any = None) -> SubsidyRun:
    """公示: the public list opens to objections for ``objection_days`` (default: the run's)."""
    days = run.objection_days if objection_days in (None, "") else parse_days(objection_days)
    now = timezone.now()
    return RUN_WORKFLOW.fire(
        run,
        "publish",
        actor=actor,
        changes={
            "published_at": now,
            "objection_days": days,
            "objection_deadline": now + datetime.timedelta(days=days),
        },
        data={"objection_days": days},
    )


def run_pay(*, actor: Any, run: SubsidyRun) -> SubsidyRun:
    """确认拨付: after the objection period, every objection answered; each award is paid its final amount."""
    principal = principal_of(actor)
    if not principal.is_platform_admin:
        raise NotPermitted()
    if run.state == RunState.PUBLISHED and not policies.payable(run):
        if run.objection_deadline is not None and timezone.now() < run.objection_deadline:
            raise DomainError(
                "objection_period",
                _("公示期至 %(deadline)s 结束，结束后方可确认拨付。")
                % {"deadline": timezone.localtime(run.objection_deadline).strftime("%Y-%m-%d %H:%M")},
            )
        raise DomainError("objections_open", _("尚有未处理的异议，处理完毕后方可确认拨付。"))
    now = timezone.now()
    with transaction.atomic():
        paid = RUN_WORKFLOW.fire(run, "pay", actor=actor, changes={"paid_at": now})
        Award.objects.filter(run=paid, round=paid.round).update(paid_amount=F("final_award"), paid_at=now)
    return paid


def run_return(*, actor: Any, run: SubsidyRun, reason: Any) -> SubsidyRun:
    """退回重算 (from computed or checked), with the reason."""
    return RUN_WORKFLOW.fire(run, "return", actor=actor, reason=str(reason or "")[:TEXT_MAX_CHARS])


def run_reopen(*, actor: Any, run: SubsidyRun, reason: Any) -> SubsidyRun:
    """撤回公示并重算: the bureau found an error in a published list."""
    return RUN_WORKFLOW.fire(run, "reopen", actor=actor, reason=str(reason or "")[:TEXT_MAX_CHARS])


def run_cancel(*, actor: Any, run: SubsidyRun, reason: Any) -> SubsidyRun:
    """作废 a run not yet approved: its policy and year are free for a new run."""
    return RUN_WORKFLOW.fire(run, "cancel", actor=actor, reason=str(reason or "")[:TEXT_MAX_CHARS])


# --- objections -------------------------------------------------------------------------------------


def objection_file(*, actor: Any, run: SubsidyRun, text: Any, award_id: Any = None) -> Objection:
    """异议 to a published run (or one of its awards), during the objection period, by anyone signed in."""
    principal = principal_of(actor)
    if not principal.is_authenticated:
        raise NotPermitted(_("请先登录再提出异议。"))
    if not policies.can_object(principal, run):
        raise DomainError("objection_closed", _("该奖补名单不在公示期内，不能提出异议。"))
    text = _text(text, "text")
    award = None
    if award_id not in (None, ""):
        try:
            award = Award.objects.get(pk=int(str(award_id)), run=run, round=run.round)
        except (ValueError, Award.DoesNotExist):
            message = _("所选奖补结果不属于该名单。")
            raise DomainError("bad_award", message, fields={"award": [message]}) from None
    objection = Objection(run=run, award=award, round=run.round, filed_by=actor, text=text)
    return OBJECTION_WORKFLOW.start(
        objection, "file", actor=actor, data={"award": award.pk if award else None}
    )


def objection_uphold(*, actor: Any, objection: Objection, reply: Any) -> Objection:
    """异议成立: the reply is required; a run still in 公示 goes back to recompute."""
    reply = str(reply or "").strip()[:TEXT_MAX_CHARS]
    return OBJECTION_WORKFLOW.fire(
        objection,
        "uphold",
        actor=actor,
        reason=reply,
        changes={"reply": reply, "decided_by": actor, "decided_at": timezone.now()},
    )


def objection_dismiss(*, actor: Any, objection: Objection, reply: Any) -> Objection:
    """异议不成立, with the reply."""
    reply = str(reply or "").strip()[:TEXT_MAX_CHARS]
    return OBJECTION_WORKFLOW.fire(
        objection,
        "dismiss",
        actor=actor,
        reason=reply,
        changes={"reply": reply, "decided_by": actor, "decided_at": timezone.now()},
    )


# --- claims -----------------------------------------------------------------------------------------


def _parse_facts(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    text = str(value or "").strip() or "{}"
    if len(text) > TEXT_MAX_CHARS * 5:
        raise DomainError("facts_too_long", _("申报事实过长。"), fields={"facts": [_("申报事实过长。")]})
    try:
        facts = json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
        message = _("申报事实不是有效的 JSON：%(error)s") % {"error": str(error)}
        raise DomainError("bad_json", message, fields={"facts": [message]}) from None
    if not isinstance(facts, dict):
        not_object = _("申报事实须是一个 JSON 对象（以 { 开头）。")
        raise DomainError("not_an_object", not_object, fields={"facts": [not_object]})
    return facts


def claim_add(
    *,
    actor: Any,
    policy_id: str,
    year: Any,
    org_name: Any,
    org_id: Any,
    org_region: Any,
    rule: Any,
    facts: Any,
    note: Any = "",
) -> Claim:
    """A claim under a rule not paid on contracts; the engine computes it alone first and a claim it would
    refuse (unknown rule, outside the region, a missing or bad fact) is refused with the engine's reason."""
    principal = principal_of(actor)
    region = policy_region(str(policy_id))
    if region is None:
        raise NotFound(_("没有这项奖补政策。"))
    if not policies.can_manage_claims(principal, region):
        raise NotPermitted()
    year = parse_year(year)
    name = _text(org_name, "org_name", limit=200)
    org_region = str(org_region or "").strip()
    if len(org_region) != 6 or not org_region.isdigit():
        message = _("请填写 6 位行政区划代码。")
        raise DomainError("bad_region", message, fields={"org_region": [message]})
    party = _text(org_id, "org_id", required=False, limit=64) or f"claim:{name}"[:64]
    rule_id = _text(rule, "rule", limit=64)
    fact_values = _parse_facts(facts)
    note = _text(note, "note", required=False, limit=NOTE_MAX_CHARS)
    with transaction.atomic():
        version = ensure_history(str(policy_id))
        if version is None:  # pragma: no cover - policy_region found it above
            raise NotFound(_("没有这项奖补政策。"))
        policy = validate_document(version.document)
        budget = Decimal(0) if policy.spec.get("budget", {}).get("method") == "pool" else None
        candidate = engine.Claim("new", party, name, org_region, rule_id, fact_values)
        try:
            result = engine.compute(policy, year=year, budget=budget, claims=[candidate])
        except engine.PolicyError as error:
            texts = problem_texts(error)
            raise DomainError("claim_refused", "；".join(texts), fields={"year": texts}) from None
        if result.refusals:
            refusal = result.refusals[0]
            text = engine_messages.render(refusal.code, refusal.params)
            raise DomainError(
                "claim_refused", _("申报不符合政策：%(reason)s") % {"reason": text}, fields={"facts": [text]}
            )
        claim = Claim.objects.create(
            policy_id=version.policy_id,
            year=year,
            org_id=party,
            org_name=name,
            org_region=org_region,
            organisation_id=subsidy_facts.organisation_ids([party]).get(party),
            rule=rule_id,
            facts=json_safe(fact_values),
            note=note,
            entered_by=actor,
        )
        record_event(
            actor=actor, action="subsidies.claim.add", target=claim, data={"rule": rule_id, "year": year}
        )
    return claim


def claim_withdraw(*, actor: Any, claim: Claim) -> Claim:
    """Withdraw a claim (kept, no longer computed)."""
    region = policy_region(claim.policy_id) or ""
    if not policies.can_manage_claims(principal_of(actor), region):
        raise NotPermitted()
    if claim.withdrawn:
        return claim
    with transaction.atomic():
        claim.withdrawn = True
        claim.save(update_fields=["withdrawn", "updated_at"])
        record_event(actor=actor, action="subsidies.claim.withdraw", target=claim)
    return claim
