from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "techmarket.experts"
    label = "experts"
    verbose_name = _("专家库")

    def ready(self) -> None:
        from techmarket.experts import matching

        matching.register()  # what this app contributes to matching (core.matchsources)
