from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    """Negotiation on a listing, offers and counter-offers, deals, their draft contracts and 成交公告."""

    name = "techmarket.deals"
    label = "deals"
    verbose_name = _("洽谈与成交")
