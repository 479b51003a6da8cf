from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradingConfig(AppConfig):
    name = "techmarket.trading"
    label = "trading"
    verbose_name = _("网上技术交易")

    def ready(self) -> None:
        from techmarket.achievements import market as achievement_market
        from techmarket.trading.market import MARKET

        achievement_market.register(MARKET)
