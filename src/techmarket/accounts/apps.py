from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "techmarket.accounts"
    label = "accounts"
    verbose_name = _("账户与单位")

    def ready(self) -> None:
        # Core's mechanisms (template policy tags, core services) learn who the caller is from here.
        from techmarket.accounts.policies import principal_of
        from techmarket.core.principals import set_principal_resolver

        set_principal_resolver(principal_of)
