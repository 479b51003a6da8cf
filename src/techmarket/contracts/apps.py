from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    """技术合同认定登记: filing, review by the seller's registry, registration numbers, certificates and
    receipts (实际到账) with the 技术性收入核定."""

    name = "techmarket.contracts"
    label = "contracts"
    verbose_name = _("技术合同登记")
