from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "techmarket.core"
    label = "core"
    verbose_name = _("平台内核")

    def ready(self) -> None:
        from techmarket.core import checks  # noqa: F401 (registers the deployment checks)
