"""Who may see and do what with achievements — the only place this app's role logic lives.

Source of the rules: issue 2 §3 — 受限 records are visible only to the owning organisation, the
reviewers on the record's region chain, and users the owner granted access to; 公开 records are public
once published. Reviewers see a record of their region chain once it has been submitted (a draft
withdrawn before submission stays the organisation's own) and act only at their own level.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.policies import Principal, principal_of
from techmarket.achievements.choices import AchievementState, Confidentiality
from techmarket.achievements.models import AccessGrant, Achievement, ImportJob
from techmarket.core.choices import RegionLevel
from techmarket.core.models import Region
from techmarket.core.policy_registry import policy

STATE_OF_LEVEL: dict[str, str] = {
    RegionLevel.COUNTY: AchievementState.COUNTY_REVIEW,
    RegionLevel.CITY: AchievementState.CITY_REVIEW,
    RegionLevel.PROVINCE: AchievementState.PROVINCE_REVIEW,
}
LEVEL_OF_STATE: dict[str, str] = {state: level for level, state in STATE_OF_LEVEL.items()}
FILER_ROLES = {Role.APPLICANT, Role.ORG_ADMIN}


def public_q() -> Q:
    """Published 公开 records: what anyone, signed in or not, may see."""
    return Q(state=AchievementState.PUBLISHED, confidentiality=Confidentiality.PUBLIC)


def visible_q(principal: Principal) -> Q:
    """The records the principal may see at all (any state)."""
    q = public_q()
    if not principal.is_authenticated:
        return q
    if principal.organisation_id:
        q |= Q(owner_organisation_id=principal.organisation_id)
    if principal.is_reviewer:
        q |= Region.scope_q(principal.review_scopes) & Q(submitted_at__isnull=False)
    granted = AccessGrant.objects.filter(achievement_id=OuterRef("pk"), user_id=principal.user_id or 0)
    q |= Q(Exists(granted), state=AchievementState.PUBLISHED)
    return q


def is_owner(principal: Principal, achievement: Achievement) -> bool:
    """Whether the principal belongs to the organisation that owns the record."""
    return principal.is_authenticated and principal.organisation_id == achievement.owner_organisation_id


def reviews_at(principal: Principal, achievement: Achievement, level: str) -> bool:
    """Whether the principal reviews the region of the record's chain at that level."""
    return principal.reviews(level, Region.record_chain(achievement)[level] or None)


def reviews_any_level(principal: Principal, achievement: Achievement) -> bool:
    """Whether the principal reviews the record's region at any level of its chain (county, city, province)."""
    return any(reviews_at(principal, achievement, level) for level in RegionLevel.values)


def can_view(principal: Principal, achievement: Achievement) -> bool:
    """One record's :func:`visible_q`: 受限 records only to their owner, their chain's reviewers once
    submitted, and users granted access once published."""
    if achievement.is_public:
        return True
    if is_owner(principal, achievement):
        return True
    if achievement.submitted_at is not None and reviews_any_level(principal, achievement):
        return True
    return (
        achievement.state == AchievementState.PUBLISHED
        and principal.user_id is not None
        and achievement.access_grants.filter(user_id=principal.user_id).exists()
    )


def can_see_review_details(principal: Principal, achievement: Achievement) -> bool:
    """Names of filers and reviewers and the reasons they gave stay inside the record's review circle."""
    return is_owner(principal, achievement) or reviews_any_level(principal, achievement)


@policy
def can_file(principal: Principal) -> bool:
    """Create drafts: applicants and organisation administrators of any organisation."""
    return principal.organisation_id is not None and bool(FILER_ROLES & principal.roles)


@policy
def can_edit(principal: Principal, achievement: Achievement) -> bool:
    """Change a draft or returned record: the owning organisation's filers (applicants, organisation admins)."""
    return (
        achievement.is_editable and is_owner(principal, achievement) and bool(FILER_ROLES & principal.roles)
    )


@policy
def can_manage_access(principal: Principal, achievement: Achievement) -> bool:
    """Who may see a 受限 record is decided by the owner's organisation administrators and its creator."""
    return is_owner(principal, achievement) and (
        principal.has_role(Role.ORG_ADMIN) or achievement.created_by_id == principal.user_id
    )


def can_review_current(principal: Principal, achievement: Achievement) -> bool:
    """Reviewers act only at their own level: the record's chain reviewer at the level it waits at."""
    level = LEVEL_OF_STATE.get(achievement.state)
    return level is not None and reviews_at(principal, achievement, level)


def can_transition(actor: Any, name: str, achievement: Achievement) -> bool:
    """The permission check the workflow engine calls for every transition."""
    principal = actor if isinstance(actor, Principal) else principal_of(actor)
    if name == "submit":
        # Only verified organisations may put records before reviewers (issue 2 §2).
        return can_edit(principal, achievement) and principal.organisation_verified
    if name == "withdraw":
        return is_owner(principal, achievement) and bool(FILER_ROLES & principal.roles)
    if name == "county_approve":
        return reviews_at(principal, achievement, RegionLevel.COUNTY)
    if name == "city_approve":
        return reviews_at(principal, achievement, RegionLevel.CITY)
    if name == "province_approve":
        return reviews_at(principal, achievement, RegionLevel.PROVINCE)
    if name == "return":
        return can_review_current(principal, achievement)
    if name == "revoke":
        return reviews_at(principal, achievement, RegionLevel.CITY) or reviews_at(
            principal, achievement, RegionLevel.PROVINCE
        )
    return False


def can_see_overdue_list(principal: Principal) -> bool:
    """The overdue fiscal-registration list belongs to the review desk, so it has the same audience."""
    return can_see_review_queue(principal)


@policy
def can_see_review_queue(principal: Principal) -> bool:
    """The review desk (审核工作台): anyone reviewing at some level of some region."""
    return principal.is_reviewer


# Import jobs (``workflow.IMPORT_JOB_WORKFLOW``). The uploader opens a job and confirms its import; every
# other move is the background worker reporting what it found, fired with ``actor=None`` (the system).
# No person may fire the worker's transitions, and the worker may not fire the uploader's.
IMPORT_JOB_UPLOADER_TRANSITIONS = frozenset({"upload", "start_import"})
IMPORT_JOB_SYSTEM_TRANSITIONS = frozenset({"pass_check", "reject", "fail", "finish_import"})


def is_uploader(actor: Any, job: ImportJob) -> bool:
    """Whether the actor (a user or a Principal) is the person who uploaded the import job."""
    user_id = actor.user_id if isinstance(actor, Principal) else getattr(actor, "pk", None)
    return user_id is not None and user_id == job.user_id


def can_transition_import_job(actor: Any, name: str, job: ImportJob) -> bool:
    """The permission check the workflow engine calls for every import-job transition.

    ``actor=None`` is the system (the worker checking or importing the file) and may fire only the
    worker's transitions; a person may fire only the uploader's, and only on their own job.
    """
    if name in IMPORT_JOB_SYSTEM_TRANSITIONS:
        return actor is None
    if name in IMPORT_JOB_UPLOADER_TRANSITIONS:
        return actor is not None and is_uploader(actor, job)
    return False


@policy
def can_list_own(principal: Principal) -> bool:
    """本单位成果 is offered to everyone signed in but enterprise users, who file demands, not records.

    An enterprise's organisation administrator keeps it. The page itself lists only the caller's own
    organisation's records, so it is safe for anyone signed in.
    """
    return principal.is_authenticated and (
        not principal.has_role(Role.ENTERPRISE) or principal.has_role(Role.ORG_ADMIN)
    )


@policy
def can_see_duplicates(principal: Principal, achievement: Achievement) -> bool:
    """The suspected duplicates found at submission are a hint for the record's reviewers only."""
    return reviews_any_level(principal, achievement)


@policy
def can_start_conversation(principal: Principal, achievement: Achievement) -> bool:
    """我要对接 on an achievement: an enterprise user (or an enterprise's organisation administrator) from
    outside its organisation, on a published record they may see (a 受限 one only with access)."""
    enterprise = principal.has_role(Role.ENTERPRISE) or (
        principal.has_role(Role.ORG_ADMIN) and principal.organisation_kind == OrganisationKind.ENTERPRISE
    )
    return (
        enterprise
        and principal.is_authenticated
        and achievement.state == AchievementState.PUBLISHED
        and not is_owner(principal, achievement)
        and can_view(principal, achievement)
    )


@policy
def can_publish_catalogue(principal: Principal) -> bool:
    """季度成果目录 are generated and published from the web by the platform administrators and the
    province's reviewers (省级科技管理部门); anyone may download a published one."""
    return principal.is_platform_admin or bool(principal.review_scopes.get(RegionLevel.PROVINCE))
