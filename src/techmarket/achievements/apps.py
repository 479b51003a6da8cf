from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AchievementsConfig(AppConfig):
    name = "techmarket.achievements"
    label = "achievements"
    verbose_name = _("科技成果登记")

    def ready(self) -> None:
        from techmarket.achievements import matching, subjects

        matching.register()  # what this app contributes to matching (core.matchsources)
        subjects.register()  # threads about a record (conversations.subjects)
