"""States of subsidy runs and objections."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    COMPUTED = "computed", _("已测算")
    CHECKED = "checked", _("已复核")
    APPROVED = "approved", _("已审定")
    PUBLISHED = "published", _("公示中")
    PAID = "paid", _("已拨付")
    RETURNED = "returned", _("退回重算")
    CANCELLED = "cancelled", _("已作废")


# A run in one of these states is the policy's year's run: at most one per policy and year.
LIVE_STATES = (
    RunState.COMPUTED,
    RunState.CHECKED,
    RunState.APPROVED,
    RunState.PUBLISHED,
    RunState.PAID,
    RunState.RETURNED,
)
# The public list (公示) shows runs once published, and keeps showing them once paid.
PUBLIC_STATES = (RunState.PUBLISHED, RunState.PAID)


class ObjectionState(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")
