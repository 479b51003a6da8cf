"""Writes for the achievements registry. Every change goes through here, inside one transaction,
with a policy check and an audit event (transitions through ACHIEVEMENT_WORKFLOW.fire)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.achievements import policies
from techmarket.achievements.choices import (
    TYPE_FLAGS,
    AchievementState,
    Confidentiality,
    EvaluationForm,
    FundingSource,
    TransferMode,
    stage_for_trl,
)
from techmarket.achievements.errors import SECRET_REFUSED_MESSAGE
from techmarket.achievements.models import (
    AccessGrant,
    Achievement,
    Attachment,
    CompletingOrganisation,
    CompletingPerson,
    IntellectualProperty,
    RegistrationSerial,
    join_transfer_modes,
)
from techmarket.achievements.workflow import ACHIEVEMENT_WORKFLOW
from techmarket.conversations import services as conversation_services
from techmarket.conversations.types import Thread
from techmarket.core import services as core_services
from techmarket.core.audit import record_event
from techmarket.core.choices import RegionLevel
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted
from techmarket.core.text import split_keywords
from techmarket.core.validators import pdf_problem
from techmarket.search import backends as search
from techmarket.search import segment

MAX_KEYWORDS = 5
# The rows a record may have (the API and the page's formsets say the same).
MAX_CHILD_ROWS = {"organisations": 20, "persons": 50, "ip_rights": 50}
DUPLICATE_SUBMISSION_MESSAGE = _("该表单已经提交过，成果已保存，未重复创建。请在“我的成果”中查看。")
RECORD_FIELDS = (
    "name",
    "achievement_type",
    "discipline",
    "industry",
    "keywords",
    "abstract",
    "technical_indicators",
    "innovation_points",
    "application_prospects",
    "funding_source",
    "programme_name",
    "project_number",
    "evaluation_form",
    "evaluation_date",
    "completion_date",
    "attribute",
    "trl",
    "transfer_modes",
    "price_negotiable",
    "reference_price",
    "region",
    "confidentiality",
)


def refuse_secret(confidentiality: str) -> None:
    """涉密 results must never be registered online: refuse before anything is stored."""
    if confidentiality == Confidentiality.SECRET:
        raise DomainError(
            "secret_not_allowed", SECRET_REFUSED_MESSAGE, fields={"confidentiality": [SECRET_REFUSED_MESSAGE]}
        )


def business_errors(data: dict[str, Any]) -> dict[str, list[Any]]:
    """Rules of the registration form beyond single-field validity; shared by forms, API and imports."""
    errors: dict[str, list[Any]] = {}

    def add(field: str, message: Any) -> None:
        errors.setdefault(field, []).append(message)

    if data.get("funding_source") == FundingSource.FISCAL:
        if not (data.get("programme_name") or "").strip():
            add("programme_name", _("财政资金资助的成果须填写计划名称。"))
        if not (data.get("project_number") or "").strip():
            add("project_number", _("财政资金资助的成果须填写项目编号。"))
    evaluation_form = data.get("evaluation_form")
    if evaluation_form and evaluation_form != EvaluationForm.NONE and not data.get("evaluation_date"):
        add("evaluation_date", _("请填写评价（验收、鉴定）日期。"))
    keywords = split_keywords(data.get("keywords") or "")
    if not keywords:
        add("keywords", _("请至少填写一个关键词。"))
    elif len(keywords) > MAX_KEYWORDS:
        add("keywords", _("关键词最多%(count)d个。") % {"count": MAX_KEYWORDS})
    modes = data.get("transfer_modes") or []
    if not modes:
        add("transfer_modes", _("请至少选择一种意向转化方式。"))
    elif any(mode not in TransferMode.values for mode in modes):
        add("transfer_modes", _("转化方式无效。"))
    if not data.get("price_negotiable") and data.get("reference_price") in (None, ""):
        add("reference_price", _("请填写参考价格，或选择“面议”。"))
    region = data.get("region")
    if region is not None and region.level not in (RegionLevel.COUNTY, RegionLevel.CITY):
        add("region", _("所属地区应为县（区）或市。"))
    completion = data.get("completion_date")
    if isinstance(completion, datetime.date) and completion > timezone.localdate():
        add("completion_date", _("完成日期不能晚于今天。"))
    for field, message in _child_errors(data):
        add(field, message)
    return errors


def _child_errors(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Rules across the rows of completing organisations, persons and IP rights."""
    found: list[tuple[str, Any]] = []
    for field, limit in MAX_CHILD_ROWS.items():
        if len(data.get(field) or []) > limit:
            found.append((field, _("最多填写%(count)d行。") % {"count": limit}))
    names = [name.strip() for name in data.get("organisations") or [] if name.strip()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        found.append(("organisations", _("完成单位“%(name)s”重复填写。") % {"name": repeated[0]}))
    numbers = [str(right.get("number", "")).strip().upper() for right in data.get("ip_rights") or [] if right]
    repeated = sorted({number for number in numbers if number and numbers.count(number) > 1})
    if repeated:
        found.append(("ip_rights", _("知识产权“%(number)s”重复填写。") % {"number": repeated[0]}))
    return found


def _apply(achievement: Achievement, data: dict[str, Any]) -> None:
    for field in RECORD_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "transfer_modes":
            value = join_transfer_modes(list(value))
        elif field == "keywords":
            value = "，".join(split_keywords(value))
        elif field == "reference_price" and value not in (None, ""):
            try:
                value = Decimal(str(value))
            except InvalidOperation:
                value = None
        elif field == "reference_price":
            value = None
        setattr(achievement, field, value)
    if achievement.price_negotiable:
        achievement.reference_price = None
    achievement.stage = stage_for_trl(achievement.trl) or achievement.stage
    for field, code in achievement.region.chain_codes().items():
        setattr(achievement, field, code)
    achievement.search_title, achievement.search_body = search_fields(achievement)


def search_fields(achievement: Achievement) -> tuple[str, str]:
    """The segmented title and body the full-text index holds; bulk loaders call it too."""
    title = segment.joined(f"{achievement.name} {achievement.keywords}")
    body = segment.joined(
        " ".join(
            [
                achievement.abstract,
                achievement.technical_indicators,
                achievement.innovation_points,
                achievement.application_prospects,
            ]
        )
    )
    return title, body


def _validate(achievement: Achievement, data: dict[str, Any], *, prechecked: bool = False) -> None:
    refuse_secret(data.get("confidentiality", achievement.confidentiality))
    errors = business_errors(data)
    exclude = ["owner_organisation", "created_by", "search_title", "search_body", "stage"]
    if prechecked:
        exclude += [name for name in ("discipline", "industry", "region") if data.get(name) is not None]
    try:
        achievement.full_clean(exclude=exclude, validate_constraints=not prechecked)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise DomainError("invalid", _("成果信息有误，请检查标出的字段。"), fields=errors)


def _replace_children(achievement: Achievement, data: dict[str, Any]) -> None:
    if "organisations" in data:
        achievement.completing_organisations.all().delete()
        CompletingOrganisation.objects.bulk_create(
            CompletingOrganisation(achievement=achievement, position=i, name=name.strip())
            for i, name in enumerate(data["organisations"], start=1)
            if name.strip()
        )
    if "persons" in data:
        achievement.completing_persons.all().delete()
        CompletingPerson.objects.bulk_create(
            CompletingPerson(achievement=achievement, position=i, **person)
            for i, person in enumerate(data["persons"], start=1)
            if person.get("name", "").strip()
        )
    if "ip_rights" in data:
        achievement.ip_rights.all().delete()
        IntellectualProperty.objects.bulk_create(
            IntellectualProperty(achievement=achievement, **right)
            for right in data["ip_rights"]
            if right.get("number", "").strip()
        )


def build(*, actor: User, data: dict[str, Any], prechecked: bool = False) -> Achievement:
    """A validated, unsaved draft (used by create and by the all-or-nothing import).

    ``prechecked`` (the bulk import, which loads discipline, industry and region by code itself) skips
    full_clean's per-record queries: those references' existence checks and the two check constraints,
    already enforced by the TRL validators and refuse_secret. It keeps imports above 500 records/s.
    """
    principal = principal_of(actor)
    refuse_secret(data.get("confidentiality", ""))
    if not policies.can_file(principal):
        raise NotPermitted(_("只有成果填报人或单位管理员可以登记成果。"))
    achievement = Achievement(owner_organisation=actor.organisation, created_by=actor)
    _apply_checked(achievement, data, prechecked=prechecked)
    return achievement


def refuse_foreign_region(organisation: Any, region: Any) -> None:
    """An organisation files records only in its own region and the regions below it."""
    if organisation is None or region is None or region.lies_within(organisation.region_id):
        return
    message = _("只能在本单位所在地区（%(region)s）及其下辖地区登记成果。") % {"region": organisation.region}
    raise DomainError("region_outside_organisation", message, fields={"region": [message]})


def _apply_checked(achievement: Achievement, data: dict[str, Any], *, prechecked: bool = False) -> None:
    refuse_secret(data.get("confidentiality", achievement.confidentiality))
    if data.get("region") is None and not achievement.region_id:
        raise DomainError(
            "invalid", _("成果信息有误，请检查标出的字段。"), fields={"region": [_("请选择所属地区。")]}
        )
    region = data.get("region")
    if region is not None and region.pk != achievement.region_id:
        refuse_foreign_region(achievement.owner_organisation, region)
    _apply(achievement, data)
    _validate(achievement, data, prechecked=prechecked)


@transaction.atomic
def achievement_create(*, actor: User, data: dict[str, Any], submission_key: str = "") -> Achievement:
    """Register a new achievement as a draft of the actor's organisation.

    ``submission_key`` (the web form's one-time key, or the API's Idempotency-Key) makes a second
    submission of the same form fail with a clear message instead of creating a duplicate; the audit event
    records it, so the API can answer a retry with the first result.
    """
    if submission_key and not core_services.claim_submission(submission_key):
        raise DomainError("duplicate_submission", DUPLICATE_SUBMISSION_MESSAGE)
    achievement = build(actor=actor, data=data)
    achievement.save()
    _replace_children(achievement, data)
    record_event(
        actor=actor,
        action="achievements.achievement.create",
        target=achievement,
        to_state=achievement.state,
        data={"submission_key": submission_key} if submission_key else None,
    )
    return achievement


@transaction.atomic
def achievement_update(*, actor: User, achievement: Achievement, data: dict[str, Any]) -> Achievement:
    """Change a draft or returned record; published records change only through a new review."""
    if not policies.can_edit(principal_of(actor), achievement):
        raise NotPermitted(_("只有本单位的填报人可以修改草稿或退回的成果。"))
    locked = Achievement.objects.select_for_update().get(pk=achievement.pk)
    merged = {field: getattr(locked, field) for field in RECORD_FIELDS}
    merged["transfer_modes"] = locked.transfer_mode_list
    merged.update(data)
    _apply_checked(locked, merged)
    locked.save()
    _replace_children(locked, data)
    record_event(
        actor=actor,
        action="achievements.achievement.update",
        target=locked,
        data={"fields": sorted(set(data) & set(RECORD_FIELDS))},
    )
    return locked


def find_duplicates(achievement: Achievement, *, limit: int = 5) -> list[dict[str, Any]]:
    """Existing records whose titles are near-identical (character-bigram Jaccard ≥ threshold)."""
    threshold = settings.TECHMARKET["DUPLICATE_THRESHOLD"]
    candidates = search.rank(
        Achievement.objects.exclude(pk=achievement.pk).exclude(
            state__in=[AchievementState.DRAFT, AchievementState.WITHDRAWN]
        ),
        achievement.name,
        any_word=True,
    ).order_by("-search_rank")[:20]
    found: list[dict[str, Any]] = []
    for other in candidates.only("id", "name", "registration_number"):
        score = segment.similarity(achievement.name, other.name)
        if score >= threshold:
            found.append(
                {
                    "id": other.pk,
                    "name": other.name,
                    "registration_number": other.registration_number,
                    "score": round(score, 3),
                }
            )
    found.sort(key=lambda item: float(item["score"]), reverse=True)
    return found[:limit]


def achievement_submit(*, actor: User, achievement: Achievement) -> Achievement:
    """Put a draft (or a returned record, after changes) before the first reviewer on its region chain."""
    with transaction.atomic():
        duplicates = find_duplicates(achievement)
        return ACHIEVEMENT_WORKFLOW.fire(
            achievement,
            "submit",
            actor=actor,
            changes={"submitted_at": timezone.now(), "duplicate_candidates": duplicates},
            data={"duplicates": [item["id"] for item in duplicates]},
        )


def _next_registration_number(achievement: Achievement) -> str:
    """Region code + year + type flag + 4-digit serial, e.g. 420100 2026 A 0001; serials never reused."""
    year = timezone.localdate().year
    region_code = achievement.city_code or achievement.region_id
    prefix = f"{region_code}{year}"
    serial, _created = RegistrationSerial.objects.select_for_update().get_or_create(prefix=prefix)
    serial.last += 1
    serial.save(update_fields=["last"])
    return f"{prefix}{TYPE_FLAGS[achievement.achievement_type]}{serial.last:04d}"


APPROVAL_OF_STATE: dict[str, str] = {
    AchievementState.COUNTY_REVIEW: "county_approve",
    AchievementState.CITY_REVIEW: "city_approve",
    AchievementState.PROVINCE_REVIEW: "province_approve",
}


def achievement_approve(
    *, actor: User, achievement: Achievement, reason: str = "", transition: str | None = None
) -> Achievement:
    """Approve at the record's current level; the last approval publishes and assigns the registration
    number. A named ``transition`` must be the approval of the current level (no approving a city
    review by asking for a county approval)."""
    transition = transition or APPROVAL_OF_STATE.get(achievement.state)
    if transition is None:
        raise InvalidTransition(_("该成果当前不在审核中。"))
    with transaction.atomic():
        changes: dict[str, Any] = {}
        if ACHIEVEMENT_WORKFLOW.get(transition).target_for(
            achievement
        ) == AchievementState.PUBLISHED and ACHIEVEMENT_WORKFLOW.is_allowed(achievement, transition, actor):
            changes = {
                "registration_number": achievement.registration_number
                or _next_registration_number(achievement),
                "published_at": timezone.now(),
            }
        return ACHIEVEMENT_WORKFLOW.fire(
            achievement,
            transition,
            actor=actor,
            reason=reason,
            changes=changes,
            data={"registration_number": changes.get("registration_number")} if changes else None,
        )


def achievement_return(*, actor: User, achievement: Achievement, reason: str) -> Achievement:
    """Send the record back to its filer with the reason; they fix and resubmit it."""
    return ACHIEVEMENT_WORKFLOW.fire(achievement, "return", actor=actor, reason=reason)


def achievement_withdraw(*, actor: User, achievement: Achievement, reason: str = "") -> Achievement:
    """The owner takes the record back before publication (from drafting or any review level)."""
    return ACHIEVEMENT_WORKFLOW.fire(achievement, "withdraw", actor=actor, reason=reason)


def achievement_revoke(*, actor: User, achievement: Achievement, reason: str) -> Achievement:
    """Take a published record out of the catalogue; its registration number stays taken."""
    return ACHIEVEMENT_WORKFLOW.fire(achievement, "revoke", actor=actor, reason=reason)


def achievement_transition(
    *, actor: User, achievement: Achievement, name: str, reason: str = ""
) -> Achievement:
    """Dispatch a transition by name (views and API expose them uniformly)."""
    if name == "approve":
        return achievement_approve(actor=actor, achievement=achievement, reason=reason)
    if name in APPROVAL_OF_STATE.values():
        return achievement_approve(actor=actor, achievement=achievement, reason=reason, transition=name)
    if name == "submit":
        return achievement_submit(actor=actor, achievement=achievement)
    handlers = {"return": achievement_return, "withdraw": achievement_withdraw, "revoke": achievement_revoke}
    if name not in handlers:
        ACHIEVEMENT_WORKFLOW.get(name)
    return handlers[name](actor=actor, achievement=achievement, reason=reason)


@transaction.atomic
def attachment_add(*, actor: User, achievement: Achievement, upload: UploadedFile) -> Attachment:
    """Attach a PDF: the whole content must parse as a PDF anyone can open, within the size limit."""
    if not policies.can_edit(principal_of(actor), achievement):
        raise NotPermitted()
    limit = settings.TECHMARKET["MAX_ATTACHMENT_BYTES"]
    if upload.size is None or upload.size > limit:
        raise DomainError(
            "attachment_too_large",
            _("附件不能超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)},
            fields={"file": [_("文件过大。")]},
        )
    problem = "not_pdf" if not (upload.name or "").lower().endswith(".pdf") else pdf_problem(upload)
    if problem == "damaged":
        raise DomainError(
            "attachment_damaged",
            _("附件不是完整的 PDF 文件（文件可能已损坏或未上传完整），请重新导出后再上传。"),
            fields={"file": [_("PDF 文件已损坏或不完整。")]},
        )
    if problem == "encrypted":
        raise DomainError(
            "attachment_encrypted",
            _("附件 PDF 设置了打开密码，审核人员无法查看：请去除密码后再上传。"),
            fields={"file": [_("PDF 文件已加密。")]},
        )
    if problem is not None:
        raise DomainError(
            "attachment_not_pdf", _("附件必须是 PDF 文件。"), fields={"file": [_("仅支持 PDF。")]}
        )
    name = (upload.name or "attachment.pdf").replace("/", "_")[-150:]
    attachment = Attachment(achievement=achievement, original_name=name, size=upload.size, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record_event(actor=actor, action="achievements.attachment.add", target=achievement, data={"name": name})
    return attachment


@transaction.atomic
def access_grant(*, actor: User, achievement: Achievement, user: User) -> AccessGrant:
    """The owner lets a named user see a 受限 record."""
    if not policies.can_manage_access(principal_of(actor), achievement):
        raise NotPermitted()
    grant, _created = AccessGrant.objects.get_or_create(
        achievement=achievement, user=user, defaults={"granted_by": actor}
    )
    record_event(actor=actor, action="achievements.access.grant", target=achievement, data={"user": user.pk})
    return grant


@transaction.atomic
def access_revoke(*, actor: User, achievement: Achievement, user: User) -> None:
    """The owner takes back a named user's access to a 受限 record."""
    if not policies.can_manage_access(principal_of(actor), achievement):
        raise NotPermitted()
    AccessGrant.objects.filter(achievement=achievement, user=user).delete()
    record_event(actor=actor, action="achievements.access.revoke", target=achievement, data={"user": user.pk})


# --- Conversations (我要对接) ----------------------------------------------------------------------

SUBJECT_KIND = "achievements.achievement"


def holders(achievement: Achievement) -> list[User]:
    """Who speaks for a record: its organisation's administrators and the person who filed it (while
    active and still with that organisation)."""
    people = {user.pk: user for user in account_selectors.org_admins(achievement.owner_organisation_id)}
    filer = achievement.created_by
    if filer.is_active and filer.organisation_id == achievement.owner_organisation_id:
        people.setdefault(filer.pk, filer)
    return list(people.values())


def achievement_conversation_open(*, actor: User, achievement: Achievement, body: str = "") -> Thread:
    """我要对接: the thread between the actor's enterprise and the record's holders (one per enterprise;
    opening it again returns it). The enterprise's administrators join when they may see the record."""
    if not policies.can_start_conversation(principal_of(actor), achievement):
        raise NotPermitted(_("只有可以查看该成果的企业用户可以发起对接。"))
    colleagues = [
        user
        for user in account_selectors.org_admins(actor.organisation_id)
        if policies.can_view(principal_of(user), achievement)
    ]
    party_key = f"org:{actor.organisation_id}" if actor.organisation_id else f"user:{actor.pk}"
    thread, _created = conversation_services.thread_open(
        actor=actor,
        subject_kind=SUBJECT_KIND,
        subject_id=achievement.pk,
        title=achievement.name,
        party_key=party_key,
        enterprise=[actor, *colleagues],
        provider=holders(achievement),
        body=body,
    )
    return thread
