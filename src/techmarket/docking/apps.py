from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DockingConfig(AppConfig):
    name = "techmarket.docking"
    label = "docking"
    verbose_name = _("需求对接与响应")
