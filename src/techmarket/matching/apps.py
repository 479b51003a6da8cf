from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "techmarket.matching"
    label = "matching"
    verbose_name = _("智能匹配")

    def ready(self) -> None:
        from techmarket.demands import pages as demand_pages
        from techmarket.matching import listing_alerts, selectors, signals

        signals.connect()
        listing_alerts.connect()
        demand_pages.add_detail_context(selectors.demand_page_context)
