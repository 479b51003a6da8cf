from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradingConfig(AppConfig):
    name = "techmarket.trading"
    label = "trading"
    verbose_name = _("网上技术交易")
