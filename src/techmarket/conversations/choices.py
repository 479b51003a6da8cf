from django.db import models
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    """A participant's place in a thread: the side that needs (the enterprise, a buyer), the side that
    offers (an achievement's owner, an expert, an organisation), or the broker who follows the docking."""

    ENTERPRISE = "enterprise", _("需求方")
    PROVIDER = "provider", _("供给方")
    BROKER = "broker", _("对接人员")
