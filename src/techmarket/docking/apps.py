from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DockingConfig(AppConfig):
    name = "techmarket.docking"
    label = "docking"
    verbose_name = _("需求对接与响应")

    def ready(self) -> None:
        from techmarket.demands.signals import demand_published
        from techmarket.docking import services

        demand_published.connect(services.on_demand_published, dispatch_uid="docking.clock_start")
