"""The region-chain rule is written once, on Region: records' denormalised chains, scopes and reviews."""

from __future__ import annotations

from types import SimpleNamespace

from techmarket.core.models import CHAIN_LEVELS, Region


def _record(county: str = "", city: str = "", province: str = "") -> SimpleNamespace:
    return SimpleNamespace(county_code=county, city_code=city, province_code=province)


def test_a_region_denormalises_its_chain(regions):
    assert regions["county"].chain_codes() == {
        "county_code": regions["county"].code,
        "city_code": regions["city"].code,
        "province_code": regions["province"].code,
    }
    assert regions["city"].chain_codes()["county_code"] == ""


def test_a_records_chain_is_nearest_level_first():
    record = _record("420111", "420100", "420000")
    assert list(Region.record_chain(record)) == list(CHAIN_LEVELS)
    assert Region.record_chain_codes(record) == ["420111", "420100", "420000"]
    assert Region.record_chain_codes(_record("", "420100", "420000")) == ["420100", "420000"]


def test_review_scopes_cover_a_record_at_any_level_of_its_chain():
    record = _record("", "420100", "420000")
    assert Region.reviews_record({"city": {"420100"}}, record)
    assert Region.reviews_record({"province": {"420000"}}, record)
    assert not Region.reviews_record({"county": {"420111"}, "city": {"420200"}}, record)
    assert not Region.reviews_record({"county": {""}}, record)  # an absent level is never reviewed


def test_scope_q_selects_records_by_their_chain_and_nothing_without_scopes(regions):
    chain = regions["county"].chain_codes()
    # Regions have no chain fields; check the lookups a scope builds instead.
    assert "city_code__in" in str(Region.scope_q({"city": {chain["city_code"]}}))
    assert Region.objects.filter(Region.scope_q({})).count() == 0
