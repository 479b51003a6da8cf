from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    """Negotiation on a listing, offers and counter-offers, deals, their draft contracts and 成交公告."""

    name = "techmarket.deals"
    label = "deals"
    verbose_name = _("洽谈与成交")

    def ready(self) -> None:
        from techmarket.deals import services, subjects
        from techmarket.trading import signals

        subjects.register()  # negotiation threads on a listing (conversations.subjects)
        signals.auction_sold.connect(services.on_auction_sold, dispatch_uid="deals.auction_sold")
