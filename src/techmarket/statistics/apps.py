from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    """Statistics kept up to date as contracts are registered and paid, KPI target sets against actuals,
    the dashboard and the annual report."""

    name = "techmarket.statistics"
    label = "statistics"
    verbose_name = _("统计与监测")
