"""Cells kept incrementally from the contract signals, and the rebuild giving the same cells."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

from techmarket.accounts.tests.factories import OrganisationFactory
from techmarket.contracts import signals
from techmarket.contracts.choices import ContractState
from techmarket.contracts.models import Amendment, TechContract
from techmarket.contracts.tests import factories
from techmarket.statistics import cells, selectors, services
from techmarket.statistics.models import StatCell

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def register(item: TechContract, when: datetime.datetime) -> TechContract:
    item.registered_at = when
    item.save(update_fields=["registered_at"])
    signals.contract_registered.send(sender=TechContract, contract=item)
    return item


def confirm(item: TechContract, amount: str, day: datetime.date) -> None:
    receipt = factories.receipt(item, amount, received_on=day)
    signals.receipt_confirmed.send(sender=type(receipt), receipt=receipt)


def amend(item: TechContract, total: str, certified: str) -> None:
    previous_total, previous_certified = item.total_amount, item.certified_amount
    amendment = Amendment.objects.create(
        contract=item,
        state="registered",
        new_total_amount=Decimal(total),
        new_certified_amount=Decimal(certified),
        reason="补充协议",
        filed_by=item.filed_by,
    )
    item.total_amount, item.certified_amount = Decimal(total), Decimal(certified)
    item.save(update_fields=["total_amount", "certified_amount"])
    signals.amendment_registered.send(
        sender=Amendment,
        amendment=amendment,
        previous_total=previous_total,
        previous_certified=previous_certified,
    )


def cell(
    kind: str, period: int, side: str, level: str, code: str, dimension: str = "total", value: str = ""
) -> StatCell:
    return StatCell.objects.get(
        period_kind=kind, period=period, side=side, level=level, code=code, dimension=dimension, value=value
    )


def snapshot() -> dict[tuple, tuple]:
    """Every non-empty cell's measures (counts, sums and the largest contract's) by key."""
    return {
        (c.period_kind, c.period, c.side, c.dimension, c.parent, c.level, c.code, c.value): tuple(
            getattr(c, name) for name in cells.MEASURES
        )
        for c in StatCell.objects.all()
        if c.contracts or c.amount_fen or c.certified_fen or c.receipts_fen
    }


@pytest.fixture
def parties(regions):
    seller = OrganisationFactory(region=regions["county"], name="卖方大学")
    buyer = OrganisationFactory(region=regions["other_county"], name="买方企业")
    return seller, buyer


def test_registration_counts_in_its_year_and_quarter_on_both_sides(regions, parties):
    seller, buyer = parties
    item = factories.contract(
        seller=seller,
        buyer=buyer,
        state=ContractState.REGISTERED,
        total="120000.50",
        certified_amount=Decimal("100000.25"),
    )
    # 2026-06-30 17:00 UTC is 07-01 01:00 in Beijing: the third quarter.
    register(item, datetime.datetime(2026, 6, 30, 17, 0, tzinfo=UTC))
    out_year = cell("Y", 2026, "out", "county", regions["county"].code)
    assert (out_year.contracts, out_year.amount_fen, out_year.certified_fen) == (1, 12000050, 10000025)
    assert cell("Q", 20263, "out", "province", regions["province"].code).contracts == 1
    assert not StatCell.objects.filter(period_kind="Q", period=20262).exists()
    assert cell("Y", 2026, "out", "org", str(seller.pk)).parent == regions["county"].code
    assert cell("Y", 2026, "in", "city", regions["other_city"].code).contracts == 1
    assert cell("Y", 2026, "in", "org", str(buyer.pk)).contracts == 1
    assert not StatCell.objects.filter(side="out", code=regions["other_city"].code).exists()
    assert cell("Y", 2026, "out", "city", regions["city"].code, "contract_type", "transfer").contracts == 1
    assert cell("Y", 2026, "out", "city", regions["city"].code, "ip_type", "02").contracts == 1
    assert (
        cell("Y", 2026, "in", "county", regions["other_county"].code, "buyer_entity_type", "41").contracts
        == 1
    )


def test_receipt_counts_in_the_receipts_period_and_amendment_adds_the_change(regions, parties):
    seller, buyer = parties
    item = factories.contract(seller=seller, buyer=buyer, state=ContractState.REGISTERED, total="500000.00")
    register(item, datetime.datetime(2025, 11, 2, 2, 0, tzinfo=UTC))
    confirm(item, "100000.00", datetime.date(2026, 2, 3))
    assert cell("Y", 2026, "out", "province", regions["province"].code).receipts_fen == 10000000
    assert cell("Y", 2026, "out", "province", regions["province"].code).contracts == 0
    assert cell("Q", 20261, "in", "org", str(buyer.pk)).receipts_fen == 10000000
    assert cell("Y", 2025, "out", "province", regions["province"].code).receipts_fen == 0
    amend(item, "600000.00", "550000.00")
    year = cell("Y", 2025, "out", "county", regions["county"].code)
    assert (year.contracts, year.amount_fen, year.certified_fen) == (1, 60000000, 55000000)


def test_unregistered_contract_and_foreign_buyer(regions, parties):
    seller, _buyer = parties
    draft = factories.contract(seller=seller)
    signals.contract_registered.send(sender=TechContract, contract=draft)
    assert not StatCell.objects.exists()
    abroad = factories.registered_contract(
        seller=seller,
        buyer_organisation=None,
        buyer_country_code="840",
        buyer_region_code="",
        buyer_province_code="",
        buyer_city_code="",
        buyer_county_code="",
    )
    signals.contract_registered.send(sender=TechContract, contract=abroad)
    assert StatCell.objects.filter(side="out").exists()
    assert not StatCell.objects.filter(side="in").exists()


def test_rollback_leaves_no_cells(regions, parties):
    from django.db import transaction

    seller, buyer = parties
    item = factories.registered_contract(seller=seller, buyer=buyer)

    def register_then_fail() -> None:
        with transaction.atomic():
            signals.contract_registered.send(sender=TechContract, contract=item)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        register_then_fail()
    assert not StatCell.objects.exists()


def random_events(regions, rng: random.Random) -> list[OrganisationFactory]:
    """60 random registrations, receipts and amendments through the signals; returns the organisations."""
    counties = [regions["county"], regions["other_county"], regions["city"], regions["province"]]
    organisations = [OrganisationFactory(region=rng.choice(counties)) for _ in range(6)]
    contracts: list[TechContract] = []
    for step in range(60):
        action = rng.random()
        if action < 0.45 or not contracts:
            seller, buyer = rng.sample(organisations, 2)
            item = factories.contract(
                seller=seller,
                buyer=buyer,
                state=ContractState.REGISTERED,
                contract_type=rng.choice(["development", "transfer", "license", "consulting", "service"]),
                total=f"{rng.randint(1, 10**7)}.{rng.randint(0, 99):02d}",
                technology_field=rng.choice(["01", "02", "03"]),
                ip_type=rng.choice(["01", "02", "09"]),
            )
            item.certified_amount = (item.total_amount * Decimal("0.9")).quantize(Decimal("0.01"))
            item.save(update_fields=["certified_amount"])
            moment = datetime.datetime(
                rng.choice([2024, 2025, 2026]),
                rng.randint(1, 12),
                rng.randint(1, 28),
                rng.randint(0, 23),
                tzinfo=UTC,
            )
            contracts.append(register(item, moment))
        elif action < 0.85:
            item = rng.choice(contracts)
            confirm(
                item,
                f"{rng.randint(1, 10**5)}.{rng.randint(0, 99):02d}",
                datetime.date(2026, rng.randint(1, 12), 5),
            )
        else:
            item = rng.choice(contracts)
            item.refresh_from_db()
            total = item.total_amount + rng.randint(-1000, 100000)
            amend(item, str(max(total, Decimal(0))), str(max(total - 1000, Decimal(0))))
        assert step >= 0
    return organisations


def test_incremental_equals_rebuild_after_random_events(regions):
    random_events(regions, random.Random(20261203))
    incremental = snapshot()
    assert incremental
    services.rebuild()
    assert snapshot() == incremental


def test_organisations_keep_total_cells_only(regions, parties):
    seller, buyer = parties
    register(
        factories.contract(seller=seller, buyer=buyer, state=ContractState.REGISTERED),
        datetime.datetime(2026, 3, 2, tzinfo=UTC),
    )
    assert StatCell.objects.filter(level="org").exists()
    assert not StatCell.objects.filter(level="org").exclude(dimension="total").exists()
    assert StatCell.objects.filter(level="county", dimension="ip_type").exists()


def test_organisation_breakdowns_read_on_demand_add_up_to_its_cells(regions):
    """Every organisation's breakdown (read from its contracts) sums to its total cell, per side, period
    and dimension, after random registrations, receipts and amendments."""
    organisations = random_events(regions, random.Random(20261204))
    periods = [selectors.Period("Y", year) for year in (2024, 2025, 2026)] + [
        selectors.Period("Q", year, quarter) for year in (2024, 2025, 2026) for quarter in (1, 2, 3, 4)
    ]
    checked = 0
    for organisation in organisations:
        node = selectors.node_for(organisation.region_id, organisation.pk)
        for period in periods:
            for side in ("out", "in"):
                total = StatCell.objects.filter(
                    period_kind=period.kind,
                    period=period.key,
                    side=side,
                    level="org",
                    code=str(organisation.pk),
                ).first()
                expected = tuple(getattr(total, name) if total else 0 for name in cells.MEASURES)
                for dimension in (
                    "contract_type",
                    "technology_field",
                    "ip_type",
                    "seller_entity_type",
                    "buyer_entity_type",
                ):
                    rows = selectors.organisation_breakdown_rows(node, period, side, dimension)
                    combined = tuple(
                        sum(row[name] for row in rows)
                        if name in cells.SUMMED_MEASURES
                        else max((row[name] for row in rows), default=0)
                        for name in cells.MEASURES
                    )
                    assert combined == expected, (organisation.pk, period, side, dimension)
                    checked += bool(total)
    assert checked > 100
