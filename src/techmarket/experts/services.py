"""Writes for the expert pool. Every change is checked against experts.policies and audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal, principal_of
from techmarket.accounts.types import User
from techmarket.achievements import selectors as achievement_selectors
from techmarket.achievements.choices import AchievementState
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotFound, NotPermitted
from techmarket.core.text import split_keywords
from techmarket.experts import policies
from techmarket.experts.models import ExpertProfile
from techmarket.experts.workflow import ACTIVATION_WORKFLOW

MAX_KEYWORDS = 10
PROFILE_FIELDS = frozenset(
    {
        "user",
        "name",
        "organisation",
        "organisation_name",
        "title",
        "region",
        "discipline",
        "industry",
        "research_fields",
        "research_keywords",
        "bio",
        "is_commissioner",
        "phone",
        "email",
        "accepts_push",
    }
)
RELATION_FIELDS = frozenset({"user", "organisation", "region", "discipline", "industry"})


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"not profile fields: {', '.join(sorted(unknown))}")


def _check_protected(
    principal: Principal, actor: User, expert: ExpertProfile, fields: dict[str, Any]
) -> None:
    """Designation, login links and organisation moves are limited (see policies)."""
    designates = "is_commissioner" in fields and bool(fields["is_commissioner"]) != expert.is_commissioner
    if designates and not policies.can_designate(principal):
        raise NotPermitted(_("只有平台管理员可以认定科技特派员。"))
    if "user" in fields:
        user = fields["user"]
        changes = (user.pk if user else None) != expert.user_id
        becomes_own = expert.pk is None and user is not None and user.pk == actor.pk
        if changes and not becomes_own and not policies.can_designate(principal):
            raise NotPermitted(_("只有平台管理员可以为专家关联登录账号。"))
    if "organisation" in fields:
        organisation = fields["organisation"]
        organisation_id = organisation.pk if organisation else None
        if organisation_id != expert.organisation_id and not policies.can_assign_organisation(
            principal, organisation_id
        ):
            raise NotPermitted(_("只能将专家归入本单位。"))


def _validate(expert: ExpertProfile) -> None:
    errors: dict[str, list[Any]] = {}
    try:
        expert.full_clean()
    except ValidationError as error:
        errors = {name: list(messages) for name, messages in error.message_dict.items()}
    if len(split_keywords(expert.research_keywords)) > MAX_KEYWORDS:
        errors.setdefault("research_keywords", []).append(
            _("研究方向关键词最多%(count)d个。") % {"count": MAX_KEYWORDS}
        )
    if errors:
        raise DomainError("invalid_expert", _("请检查专家信息的填写内容。"), fields=errors)


def _apply(expert: ExpertProfile, fields: dict[str, Any]) -> list[str]:
    """Set the fields and return the names of those whose value changed."""
    changed = []
    for name, value in fields.items():
        if name in RELATION_FIELDS:
            current, new = getattr(expert, f"{name}_id"), (value.pk if value is not None else None)
        else:
            current, new = getattr(expert, name), value
        if current != new:
            changed.append(name)
        setattr(expert, name, value)
    return sorted(changed)


@transaction.atomic
def expert_create(actor: User, **fields: Any) -> ExpertProfile:
    """Platform admins create any profile, org admins their colleagues', an expert-role user their own."""
    _check_fields(fields)
    principal = principal_of(actor)
    user = fields.get("user")
    own = user is not None and user.pk == actor.pk
    if not (policies.can_create(principal) or (own and policies.can_create_own(principal))):
        raise NotPermitted(_("您不能创建专家档案。"))
    if not principal.is_platform_admin and "organisation" not in fields:
        fields["organisation"] = actor.organisation
    expert = ExpertProfile()
    _check_protected(principal, actor, expert, fields)
    _apply(expert, fields)
    if own and ExpertProfile.objects.filter(user_id=actor.pk).exists():
        raise DomainError("profile_exists", _("您已有专家档案。"))
    _validate(expert)
    expert.save()
    record_event(
        actor=actor,
        action="experts.expertprofile.create",
        target=expert,
        to_state="active",
        data={"fields": sorted(fields)},
    )
    return expert


@transaction.atomic
def expert_update(actor: User, expert: ExpertProfile, **fields: Any) -> ExpertProfile:
    """Change a profile's fields; designation, login links and organisation moves are limited further
    (see policies), and nothing is recorded when nothing changed."""
    _check_fields(fields)
    principal = principal_of(actor)
    expert = ExpertProfile.objects.select_for_update().get(pk=expert.pk)
    if not policies.can_edit(principal, expert):
        raise NotPermitted(_("您不能修改该专家档案。"))
    _check_protected(principal, actor, expert, fields)
    changed = _apply(expert, fields)
    if not changed:
        return expert
    _validate(expert)
    expert.save()
    record_event(actor=actor, action="experts.expertprofile.update", target=expert, data={"fields": changed})
    return expert


def expert_set_active(actor: User, expert: ExpertProfile, active: bool, reason: str = "") -> ExpertProfile:
    """Take a profile out of the pool (or back in); platform administrators only; a no-op when it is."""
    if not policies.can_set_active(principal_of(actor)):
        raise NotPermitted(_("只有平台管理员可以停用或启用专家。"))
    if ExpertProfile.objects.filter(pk=expert.pk, is_active=active).exists():
        return ExpertProfile.objects.get(pk=expert.pk)
    return ACTIVATION_WORKFLOW.fire(
        expert, "activate" if active else "deactivate", actor=actor, reason=reason
    )


@transaction.atomic
def expert_link_achievements(
    actor: User, expert: ExpertProfile, achievement_ids: Iterable[Any]
) -> ExpertProfile:
    """Make the expert's links, among the achievements the actor can see, exactly ``achievement_ids``.

    Only published achievements the actor may see can be linked; links the actor cannot see (another
    organisation's 受限 records) are neither revealed nor touched.
    """
    principal = principal_of(actor)
    if not policies.can_edit(principal, expert):
        raise NotPermitted(_("您不能修改该专家档案。"))
    try:
        wanted = {int(pk) for pk in achievement_ids}
    except (TypeError, ValueError):
        raise NotFound(_("部分成果不存在或您无权查看。")) from None
    visible = achievement_selectors.achievement_visible(principal)
    found = set(visible.filter(pk__in=wanted, state=AchievementState.PUBLISHED).values_list("pk", flat=True))
    if found != wanted:
        raise NotFound(_("部分成果不存在或您无权查看。"))
    current = set(visible.filter(experts=expert).values_list("pk", flat=True))
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if not added and not removed:
        return expert
    expert.achievements.add(*added)
    expert.achievements.remove(*removed)
    record_event(
        actor=actor,
        action="experts.expertprofile.link_achievements",
        target=expert,
        data={"added": added, "removed": removed},
    )
    return expert
