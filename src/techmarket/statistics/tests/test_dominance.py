"""The dominance rule: a sum of which one contract makes up most is hidden (the count stays), receipts
paid on fewer than three contracts are hidden, the complement among siblings follows, and the cells'
largest-contract figures stay exact through registrations, receipts and amendments."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import ANONYMOUS, principal_of
from techmarket.accounts.tests.factories import PASSWORD, OrganisationFactory, user_with_role
from techmarket.contracts import signals
from techmarket.contracts.models import Amendment, Receipt, TechContract
from techmarket.contracts.tests import factories
from techmarket.statistics import selectors
from techmarket.statistics.models import StatCell
from techmarket.statistics.selectors import Figures, suppress

pytestmark = pytest.mark.django_db

YEAR = selectors.Period("Y", 2026)


def test_one_contract_over_the_share_hides_the_sum_but_not_the_count():
    item = Figures(
        contracts=4,
        amount=Decimal("1000"),
        certified=Decimal("1000"),
        largest={"amount": Decimal("701"), "certified": Decimal("700")},
    )
    suppress([item])
    assert not item.suppressed
    assert item.hidden == {"amount"}  # 70.1 % hides; exactly 70 % does not
    shown = item.public()
    assert shown["contracts"] == 4
    assert shown["amount"] is None
    assert shown["certified"] == Decimal("1000")


def test_receipts_of_fewer_than_three_paid_contracts_are_hidden():
    two = Figures(
        contracts=5, receipts=Decimal("900"), paid_contracts=2, largest={"receipts": Decimal("450")}
    )
    three = Figures(
        contracts=5, receipts=Decimal("900"), paid_contracts=3, largest={"receipts": Decimal("300")}
    )
    suppress([two])
    suppress([three])
    assert two.hidden == {"receipts"}
    assert three.hidden == set()


def test_a_hidden_figure_takes_the_smallest_sibling_figure_with_it_or_the_parents():
    big = Figures(contracts=4, amount=Decimal("100"), largest={"amount": Decimal("90")})
    small = Figures(contracts=4, amount=Decimal("40"), largest={"amount": Decimal("10")})
    large = Figures(contracts=4, amount=Decimal("80"), largest={"amount": Decimal("20")})
    assert suppress([big, small, large]) == set()
    assert [item.shows("amount") for item in (big, small, large)] == [False, False, True]
    alone = Figures(contracts=4, amount=Decimal("100"), largest={"amount": Decimal("90")})
    mine = Figures(contracts=4, amount=Decimal("50"), largest={"amount": Decimal("10")}, known=True)
    assert suppress([alone, mine]) == {"amount"}  # only a known sibling: the parent's amount must go


def _register(seller: Any, buyer: Any, total: str) -> TechContract:
    item = factories.registered_contract(seller=seller, buyer=buyer, total=total)
    item.registered_at = datetime.datetime(2026, 4, 1, 2, 0, tzinfo=datetime.UTC)
    item.save(update_fields=["registered_at"])
    signals.contract_registered.send(sender=TechContract, contract=item)
    return item


def _pay(item: TechContract, amount: str) -> None:
    receipt = factories.receipt(item, amount, received_on=datetime.date(2026, 5, 1))
    signals.receipt_confirmed.send(sender=Receipt, receipt=receipt)


@pytest.fixture
def county(regions):
    """Three sellers in a county: one dominated by a single large contract (4 contracts, 2,030,000 yuan,
    one paid), one even (4 × 100,000, three paid 5,000 each), one larger and even (4 × 200,000)."""
    buyer = OrganisationFactory(region=regions["other_county"], name="买方")
    dominant = OrganisationFactory(region=regions["county"], name="一家独大公司")
    even = OrganisationFactory(region=regions["county"], name="均衡研究所")
    third = OrganisationFactory(region=regions["county"], name="第三大学")
    big = _register(dominant, buyer, "2000000.00")
    for _ in range(3):
        _register(dominant, buyer, "10000.00")
    _pay(big, "500.00")
    for index in range(4):
        item = _register(even, buyer, "100000.00")
        if index < 3:
            _pay(item, "5000.00")
    for _ in range(4):
        _register(third, buyer, "200000.00")
    return {"dominant": dominant, "even": even, "third": third, "buyer": buyer, "big": big}


def _children(principal: Any, regions: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    drill = selectors.drilldown(principal, selectors.node_for(regions["county"].code), YEAR)
    return drill, {child.name: child.output for child in drill.children}


def test_public_drilldown_hides_the_dominated_organisation_and_its_complement(regions, county):
    drill, children = _children(ANONYMOUS, regions)
    dominant, even, third = children["一家独大公司"], children["均衡研究所"], children["第三大学"]
    assert dominant.public()["contracts"] == 4
    assert dominant.public()["amount"] is None
    assert dominant.public()["receipts"] is None
    assert even.public()["amount"] is None  # complementary: the smallest other amount
    assert even.public()["receipts"] is None  # complementary: the only other receipts
    assert third.public()["amount"] == Decimal("800000")
    assert drill.output.public()["amount"] == Decimal("3230000")  # 2,000,000 is 62 % of it
    assert drill.output.public()["receipts"] == Decimal("15500")  # four contracts paid


def test_the_organisation_and_the_registry_see_their_figures_exactly(regions, county):
    own = user_with_role(Role.APPLICANT, organisation=county["dominant"], username="dominant_user")
    registrar = user_with_role(Role.REGISTRAR, region=regions["city"], username="county_registrar")
    _drill, children = _children(principal_of(own), regions)
    assert children["一家独大公司"].public()["amount"] == Decimal("2030000")
    # Nothing of its own to protect from itself: the others' undominated sums are shown to it.
    assert children["均衡研究所"].public()["amount"] == Decimal("400000")
    _drill, children = _children(principal_of(registrar), regions)
    assert children["均衡研究所"].public()["amount"] == Decimal("400000")


def test_every_channel_hides_the_dominated_sum(regions, county):
    client = Client()
    params = {"region": regions["county"].code, "year": 2026}
    page = client.get("/statistics/", params).content.decode()
    assert "2,030,000" not in page
    assert "400,000" not in page
    api = client.get("/api/v1/statistics/drilldown/", params).json()
    row = next(child for child in api["children"] if child["name"] == "一家独大公司")
    assert row["output"]["amount"] is None
    assert "amount" in row["output"]["hidden"]
    assert row["output"]["contracts"] == 4
    org = {"region": regions["county"].code, "org": county["dominant"].pk, "year": 2026}
    breakdown = client.get("/api/v1/statistics/breakdown/", {**org, "dimension": "contract_type"}).json()
    assert all(item["figures"]["amount"] is None for item in breakdown["rows"])
    response = client.get("/statistics/export.xlsx", params)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [value for row in book.worksheets[0].iter_rows(values_only=True) for value in row]
    assert 2030000 not in values
    assert 400000 not in values
    own = user_with_role(Role.APPLICANT, organisation=county["dominant"], username="dominant_page")
    mine = Client()
    assert mine.login(username=own.username, password=PASSWORD)
    assert "2,030,000" in mine.get("/statistics/", params).content.decode()


def test_lowering_the_largest_contract_retakes_the_cells_largest(regions, county):
    big = county["big"]
    previous_total, previous_certified = big.total_amount, big.certified_amount
    amendment = Amendment.objects.create(
        contract=big,
        state="registered",
        new_total_amount=Decimal("5000.00"),
        new_certified_amount=Decimal("5000.00"),
        reason="补充协议减少金额",
        filed_by=big.filed_by,
    )
    big.total_amount = big.certified_amount = Decimal("5000.00")
    big.save(update_fields=["total_amount", "certified_amount"])
    signals.amendment_registered.send(
        sender=Amendment,
        amendment=amendment,
        previous_total=previous_total,
        previous_certified=previous_certified,
    )
    county_cell = StatCell.objects.get(
        period_kind="Y",
        period=2026,
        side="out",
        dimension="total",
        level="county",
        code=regions["county"].code,
    )
    assert county_cell.largest_amount_fen == 20000000  # 200,000 yuan: the third seller's contracts
    org_cell = StatCell.objects.get(
        period_kind="Y",
        period=2026,
        side="out",
        dimension="total",
        level="org",
        code=str(county["dominant"].pk),
    )
    assert org_cell.largest_amount_fen == 1000000
    assert org_cell.amount_fen == 3500000
    _drill, children = _children(ANONYMOUS, regions)
    assert children["一家独大公司"].public()["amount"] == Decimal("35000")


def test_receipts_on_older_contracts_show_with_a_zero_count_when_enough_contracts_paid():
    three = Figures(
        contracts=0, receipts=Decimal("900"), paid_contracts=3, largest={"receipts": Decimal("300")}
    )
    one = Figures(
        contracts=0, receipts=Decimal("900"), paid_contracts=1, largest={"receipts": Decimal("900")}
    )
    suppress([three])
    suppress([one])
    assert not three.suppressed
    assert three.public()["contracts"] == 0
    assert three.public()["receipts"] == Decimal("900")
    assert not one.suppressed
    assert one.public()["receipts"] is None  # paid on one contract
    assert one.public()["amount"] == 0
