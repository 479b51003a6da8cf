"""Who hears about each step of an achievement's review, and what they read.

After-commit hooks of ``ACHIEVEMENT_WORKFLOW`` (declared on its transitions): the reviewers of the level
a record now waits at, and the record's filer and their organisation's administrators when it is
returned, approved, published, revoked or withdrawn; at publication also the reviewers who approved it at
the earlier levels. Nobody is told about a record they may not open
(``policies.can_view``), so a 受限 record's name never reaches anyone outside its circle; the person who
acted is not told about their own action. The text is written in the platform language.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.achievements import policies
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.models import Achievement
from techmarket.core.audit import events_for
from techmarket.core.choices import RegionLevel
from techmarket.core.models import Region
from techmarket.core.workflow import Fired
from techmarket.notifications.services import notice_hook, notify_each


def level_name(state: str) -> str:
    """县级/市级/省级 for a review state ("" for other states)."""
    level = policies.LEVEL_OF_STATE.get(state)
    return str(RegionLevel(level).label) if level else ""


def reviewers_waiting(achievement: Achievement, state: str) -> list[User]:
    """The reviewers of the region at the level the record waits at in ``state``."""
    level = policies.LEVEL_OF_STATE.get(state)
    code = Region.record_chain(achievement)[level] if level else ""
    return account_selectors.reviewers_at(code) if code else []


def owners(achievement: Achievement) -> list[User]:
    """The record's filer and the administrators of its organisation."""
    return [achievement.created_by, *account_selectors.org_admins(achievement.owner_organisation_id)]


APPROVALS = tuple(f"achievements.achievement.{level}_approve" for level in RegionLevel.values)


def reviewers_who_approved(achievement: Achievement) -> list[User]:
    """The reviewers who approved the record at some level of its review (from its audit timeline)."""
    events = events_for(achievement).filter(action__in=APPROVALS, actor__isnull=False).order_by("id")
    people: dict[int, User] = {}
    for event in events:
        if event.actor is not None:
            people.setdefault(event.actor.pk, event.actor)
    return list(people.values())


def _tell(users: list[User], fired: Fired[Achievement], kind: str, title: str, body: str) -> None:
    achievement = fired.obj
    notify_each(
        users,
        actor=fired.actor,
        may_see=lambda user: policies.can_view(principal_of(user), achievement),
        kind=kind,
        title=title,
        body=body,
        link=reverse("achievements:detail", args=[achievement.pk]),
        data={"achievement": achievement.pk, "state": str(fired.to_state)},
    )


def _names(achievement: Achievement, **more: Any) -> dict[str, Any]:
    return {"name": achievement.name, "organisation": achievement.owner_organisation.name, **more}


@notice_hook
def submitted(fired: Fired[Achievement]) -> None:
    """Submitted (or resubmitted after a return): the reviewers of the level it now waits at."""
    achievement = fired.obj
    names = _names(achievement, level=level_name(fired.to_state))
    if fired.from_state == AchievementState.RETURNED:
        body = _("%(organisation)s 修改后重新提交了科技成果“%(name)s”，等待您的%(level)s审核。") % names
    else:
        body = _("%(organisation)s 提交了科技成果“%(name)s”，等待您的%(level)s审核。") % names
    _tell(
        reviewers_waiting(achievement, fired.to_state),
        fired,
        "achievement.review",
        _("待审核科技成果：%(name)s") % names,
        body,
    )


@notice_hook
def approved(fired: Fired[Achievement]) -> None:
    """Approved at a level: the filer, and the next level's reviewers; the last approval publishes."""
    achievement = fired.obj
    if fired.to_state == AchievementState.PUBLISHED:
        _published(fired)
        return
    names = _names(achievement, level=level_name(fired.from_state), next=level_name(fired.to_state))
    _tell(
        [achievement.created_by],
        fired,
        "achievement.approved",
        _("科技成果已通过%(level)s审核：%(name)s") % names,
        _("您填报的科技成果“%(name)s”已通过%(level)s审核，现进入%(next)s审核。") % names,
    )
    _tell(
        reviewers_waiting(achievement, fired.to_state),
        fired,
        "achievement.review",
        _("待审核科技成果：%(name)s") % names,
        _("%(organisation)s 的科技成果“%(name)s”已通过%(level)s审核，等待您的%(next)s审核。") % names,
    )


def _published(fired: Fired[Achievement]) -> None:
    achievement = fired.obj
    names = _names(achievement, number=achievement.registration_number or "")
    _tell(
        owners(achievement),
        fired,
        "achievement.published",
        _("科技成果已发布：%(name)s") % names,
        _("贵单位的科技成果“%(name)s”已通过审核并发布，登记号：%(number)s。") % names,
    )
    # The reviewers of the earlier levels approved it and heard nothing since: tell them it is out.
    _tell(
        reviewers_who_approved(achievement),
        fired,
        "achievement.reviewed_published",
        _("您审核过的科技成果已发布：%(name)s") % names,
        _("您审核通过的科技成果“%(name)s”（%(organisation)s）已完成全部审核并发布，登记号：%(number)s。")
        % names,
    )


@notice_hook
def returned(fired: Fired[Achievement]) -> None:
    """Returned with a reason: the filer and their organisation's administrators."""
    achievement = fired.obj
    names = _names(achievement, level=level_name(fired.from_state), reason=fired.reason)
    _tell(
        owners(achievement),
        fired,
        "achievement.returned",
        _("科技成果被退回修改：%(name)s") % names,
        _("贵单位的科技成果“%(name)s”在%(level)s审核中被退回修改。\n退回理由：%(reason)s\n请修改后重新提交。")
        % names,
    )


@notice_hook
def revoked(fired: Fired[Achievement]) -> None:
    """Revoked with a reason: the filer and their organisation's administrators."""
    achievement = fired.obj
    names = _names(achievement, number=achievement.registration_number or "", reason=fired.reason)
    _tell(
        owners(achievement),
        fired,
        "achievement.revoked",
        _("科技成果已撤销发布：%(name)s") % names,
        _(
            "贵单位的科技成果“%(name)s”（登记号：%(number)s）已被撤销发布，不再在成果目录中展示。\n"
            "撤销理由：%(reason)s"
        )
        % names,
    )


@notice_hook
def withdrawn(fired: Fired[Achievement]) -> None:
    """Withdrawn by its organisation: the reviewers it waited for, and the filer and administrators."""
    achievement = fired.obj
    names = _names(achievement, level=level_name(fired.from_state))
    if names["level"]:
        _tell(
            reviewers_waiting(achievement, fired.from_state),
            fired,
            "achievement.withdrawn",
            _("科技成果已撤回：%(name)s") % names,
            _("%(organisation)s 已撤回科技成果“%(name)s”，无需再进行%(level)s审核。") % names,
        )
    _tell(
        owners(achievement),
        fired,
        "achievement.withdrawn",
        _("科技成果已撤回：%(name)s") % names,
        _("贵单位的科技成果“%(name)s”已撤回，不再提交审核。") % names,
    )
