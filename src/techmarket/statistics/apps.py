from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    """Statistics kept up to date as contracts are registered and paid, KPI target sets against actuals,
    the dashboard and the annual report."""

    name = "techmarket.statistics"
    label = "statistics"
    verbose_name = _("统计与监测")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from techmarket.contracts import signals

        signals.contract_registered.connect(_on_registered, dispatch_uid="statistics.registered")
        signals.receipt_confirmed.connect(_on_receipt, dispatch_uid="statistics.receipt")
        signals.amendment_registered.connect(_on_amendment, dispatch_uid="statistics.amendment")
        post_migrate.connect(_load_targets_after_migrate, sender=self, dispatch_uid="statistics.targets")


def _on_registered(sender: Any, contract: Any, **kwargs: Any) -> None:
    from techmarket.statistics import services

    services.record_registration(contract)


def _on_receipt(sender: Any, receipt: Any, **kwargs: Any) -> None:
    from techmarket.statistics import services

    services.record_receipt(receipt)


def _on_amendment(
    sender: Any, amendment: Any, previous_total: Any, previous_certified: Any, **kwargs: Any
) -> None:
    from techmarket.statistics import services

    services.record_amendment(amendment, previous_total, previous_certified)


def _load_targets_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """The shipped target sets are (re)loaded after each migrate, as the demo and a fresh install expect."""
    from django.db import connections

    from techmarket.statistics import targets
    from techmarket.statistics.models import Target, TargetSet

    tables = set(connections[using].introspection.table_names())
    if {TargetSet._meta.db_table, Target._meta.db_table} <= tables:
        targets.load_shipped(using=using)
