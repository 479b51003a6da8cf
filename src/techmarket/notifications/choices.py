from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")


class NoticeGroup(models.TextChoices):
    """The groups of notice kinds a person chooses channels for (通知设置)."""

    ACHIEVEMENT = "achievement", _("科技成果审核")
    DEMAND = "demand", _("技术需求审核")
    DOCKING = "docking", _("对接推送与答复")
    CLOCK = "clock", _("响应时限提醒与督办")
    CONVERSATION = "conversation", _("对接对话消息")
    LISTING = "listing", _("新挂牌匹配提醒")
    OTHER = "other", _("其他通知")


# Kinds are dotted ("achievement.returned"); the longest matching prefix names the group.
GROUP_OF_PREFIX: dict[str, str] = {
    "achievement.": NoticeGroup.ACHIEVEMENT,
    "demand.": NoticeGroup.DEMAND,
    "docking.": NoticeGroup.DOCKING,
    "docking.reminder": NoticeGroup.CLOCK,
    "docking.escalation": NoticeGroup.CLOCK,
    "conversation.": NoticeGroup.CONVERSATION,
    "matching.listing": NoticeGroup.LISTING,
}


def group_of(kind: str) -> str:
    """The preference group a notice kind belongs to (``other`` for kinds no group claims)."""
    matches = [prefix for prefix in GROUP_OF_PREFIX if kind.startswith(prefix)]
    return GROUP_OF_PREFIX[max(matches, key=len)] if matches else NoticeGroup.OTHER
