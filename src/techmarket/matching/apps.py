from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "techmarket.matching"
    label = "matching"
    verbose_name = _("智能匹配")

    def ready(self) -> None:
        from techmarket.matching import signals

        signals.connect()
