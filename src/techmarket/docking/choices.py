from django.db import models
from django.utils.translation import gettext_lazy as _


class AnswerKind(models.TextChoices):
    INTERESTED = "interested", _("有意向")
    DECLINED = "declined", _("婉拒")
    MESSAGE = "message", _("留言")


class DeclineReason(models.TextChoices):
    NOT_MY_FIELD = "not_my_field", _("不在研究领域内")
    NO_CAPACITY = "no_capacity", _("暂无精力承接")
    TERMS = "terms", _("合作条件不合适")
    REGION = "region", _("地域不合适")
    OTHER = "other", _("其他")


class ClockState(models.TextChoices):
    """Where a response clock stands; "overdue" is not a state but running past the deadline."""

    RUNNING = "running", _("计时中")
    REMINDED = "reminded", _("已提醒")
    ESCALATED = "escalated", _("已督办")
    RESPONDED = "responded", _("已响应")


OPEN_CLOCK_STATES = (ClockState.RUNNING, ClockState.REMINDED, ClockState.ESCALATED)
