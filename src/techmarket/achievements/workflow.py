"""The achievements app's workflows: each whole graph in one table.

Achievement registration: draft → (county review →) city review → (province review, where the province
asks for it) → published; any review may return the record with a reason, after which it is
resubmitted; the owner may withdraw it before publication; a city or province reviewer may revoke a
published record with a reason.

Each step tells the people it concerns after it commits (``achievements.notices``): the reviewers of the
level a record now waits at, and its filer and organisation administrators.

Import jobs: an upload is checked in the background (checked, rejected or failed); the uploader confirms
a checked file, which the background imports (imported, or rejected/failed when the rows no longer pass).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.achievements import policies
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.models import Achievement, ImportJob
from techmarket.achievements.models import ImportStatus as J
from techmarket.core.workflow import INITIAL, Transition, Workflow

NOTICES = "techmarket.achievements.notices."


def after_submit(achievement: Achievement) -> str:
    """Records filed at a county start with the county; those filed directly at a city skip it."""
    return S.COUNTY_REVIEW if achievement.county_code else S.CITY_REVIEW


def after_city(achievement: Achievement) -> str:
    province = achievement.region.ancestor_at("province")
    return S.PROVINCE_REVIEW if province is not None and province.requires_province_review else S.PUBLISHED


ACHIEVEMENT_WORKFLOW: Workflow[Achievement] = Workflow(
    model=Achievement,
    event_prefix="achievements.achievement",
    state_field="state",
    permission=policies.can_transition,
    transitions=[
        Transition(
            "submit",
            frozenset({S.DRAFT, S.RETURNED}),
            after_submit,
            _("提交审核"),
            after_commit=(NOTICES + "submitted",),
        ),
        Transition(
            "county_approve",
            frozenset({S.COUNTY_REVIEW}),
            S.CITY_REVIEW,
            _("县级审核通过"),
            after_commit=(NOTICES + "approved",),
        ),
        Transition(
            "city_approve",
            frozenset({S.CITY_REVIEW}),
            after_city,
            _("市级审核通过"),
            after_commit=(NOTICES + "approved",),
        ),
        Transition(
            "province_approve",
            frozenset({S.PROVINCE_REVIEW}),
            S.PUBLISHED,
            _("省级审核通过"),
            after_commit=(NOTICES + "approved",),
        ),
        Transition(
            "return",
            frozenset({S.COUNTY_REVIEW, S.CITY_REVIEW, S.PROVINCE_REVIEW}),
            S.RETURNED,
            _("退回修改"),
            requires_reason=True,
            after_commit=(NOTICES + "returned",),
        ),
        Transition(
            "withdraw",
            frozenset({S.DRAFT, S.RETURNED, S.COUNTY_REVIEW, S.CITY_REVIEW, S.PROVINCE_REVIEW}),
            S.WITHDRAWN,
            _("撤回"),
            after_commit=(NOTICES + "withdrawn",),
        ),
        Transition(
            "revoke",
            frozenset({S.PUBLISHED}),
            S.REVOKED,
            _("撤销发布"),
            requires_reason=True,
            after_commit=(NOTICES + "revoked",),
        ),
    ],
)


IMPORT_JOB_WORKFLOW: Workflow[ImportJob] = Workflow(
    model=ImportJob,
    event_prefix="achievements.importjob",
    state_field="status",
    permission=policies.can_transition_import_job,
    description=(
        "`upload` and `start_import` are fired by the uploader; the other transitions by the background "
        "worker with `actor=None` (the system), which is the only actor allowed to fire them."
    ),
    transitions=[
        Transition("upload", frozenset({INITIAL}), J.CHECKING, _("上传并校验")),
        Transition("pass_check", frozenset({J.CHECKING}), J.CHECKED, _("校验通过，待确认")),
        Transition("reject", frozenset({J.CHECKING, J.IMPORTING}), J.REJECTED, _("未通过校验")),
        Transition("fail", frozenset({J.CHECKING, J.IMPORTING}), J.FAILED, _("处理失败")),
        Transition("start_import", frozenset({J.CHECKED}), J.IMPORTING, _("确认导入")),
        Transition("finish_import", frozenset({J.IMPORTING}), J.IMPORTED, _("已导入")),
    ],
)
