from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "techmarket.demands"
    label = "demands"
    verbose_name = _("技术需求")

    def ready(self) -> None:
        from techmarket.demands import matching, subjects

        matching.register()  # what this app contributes to matching (core.matchsources)
        subjects.register()  # threads about a demand (conversations.subjects)
