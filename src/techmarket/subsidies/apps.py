from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    """Subsidy policies (后补助) as versioned data, computed per year from registered receipts, approved,
    published for objections (公示) and paid."""

    name = "techmarket.subsidies"
    label = "subsidies"
    verbose_name = _("政策奖补")
