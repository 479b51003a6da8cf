"""KPI target sets: the shipped files, refusal of bad files, progress and forecast, manual actuals."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import ANONYMOUS
from techmarket.accounts.tests.factories import PASSWORD, user_with_role
from techmarket.contracts import signals
from techmarket.contracts.models import TechContract
from techmarket.contracts.tests import factories
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.statistics import kpi, selectors, services, targets
from techmarket.statistics.models import ManualActual, Target, TargetSet

D = Decimal


def test_linear_forecast_by_hand():
    # y = 10 + 5 (x − 2020): at 2025 → 35.
    assert kpi.linear_forecast([(2020, D(10)), (2021, D(15)), (2022, D(20))], 2025) == D("35.00")
    # Least squares through (1, 1), (2, 3), (3, 2): slope 0.5, mean 2 at x 2 → at 5: 3.5.
    assert kpi.linear_forecast([(1, D(1)), (2, D(3)), (3, D(2))], 5) == D("3.50")
    assert kpi.linear_forecast([(2024, D(7))], 2030) == D(7)
    assert kpi.linear_forecast([], 2030) is None
    assert kpi.linear_forecast([(2020, D(10)), (2021, D(2))], 2030) == D(0)  # never below zero


def test_progress_annual_cumulative_and_ceiling():
    annual = kpi.progress([(2018, D(10)), (2019, D(20))], target=D(40), deadline_year=2020, basis="annual")
    assert (annual.actual, annual.share, annual.forecast, annual.on_track) == (
        D(20),
        D("0.5"),
        D("30.00"),
        False,
    )
    cumulative = kpi.progress(
        [(2018, D(10)), (2019, D(20))], target=D(40), deadline_year=2020, basis="cumulative"
    )
    # Running totals 10, 30 → line 10 + 20 (x − 2018) → 50 at 2020.
    assert (cumulative.actual, cumulative.forecast, cumulative.on_track) == (D(30), D("50.00"), True)
    ceiling = kpi.progress(
        [(2022, D(30)), (2023, D(20))], target=D(24), deadline_year=2025, basis="annual", at_most=True
    )
    assert ceiling.share == D(1)
    late = kpi.progress([(2021, D(48))], target=D(24), deadline_year=2025, basis="annual", at_most=True)
    assert late.share == D("0.5")
    outside = kpi.progress([(2030, D(99))], target=D(1), deadline_year=2020, basis="annual")
    assert outside.actual is None


@pytest.mark.django_db
def test_shipped_sets_load_with_the_plans_numbers():
    loaded = targets.load_shipped()
    assert {item.key for item in loaded} == {
        "yueyang-2017",
        "hebi-2018",
        "luoyang-2017",
        "jilin-2016",
        "hubei-2020",
    }
    jilin = TargetSet.objects.get(key="jilin-2016")
    assert jilin.targets.get(key="demonstration_agencies").value_min == 50
    assert jilin.targets.get(key="trained_professionals").value_min == 500
    assert jilin.targets.get(key="contract_amount").value_min == D("5000000000")
    luoyang = TargetSet.objects.get(key="luoyang-2017")
    assert luoyang.targets.get(key="carriers").value_min == 100
    assert luoyang.targets.get(key="contract_amount").value_min == D("3000000000")
    hebi = TargetSet.objects.get(key="hebi-2018")
    agencies = hebi.targets.get(key="demonstration_agencies")
    assert (agencies.value_min, agencies.value_max, agencies.value_display) == (2, 3, "2–3")
    assert hebi.targets.get(key="trained_professionals").approximate
    assert hebi.targets.get(key="contract_amount").value_min == D("30000000")
    assert hebi.targets.get(key="bases").value_min == 2
    yueyang = TargetSet.objects.get(key="yueyang-2017")
    values = {target.key: target.value_min for target in yueyang.targets.all()}
    assert values["city_demonstration_agencies"] == 20
    assert values["provincial_demonstration_agencies"] == 2
    assert values["demonstration_projects"] == 20
    assert (values["provincial_maker_spaces"], values["city_maker_spaces"]) == (20, 30)
    assert values["alliances"] == 10
    assert values["trained_professionals"] == 50
    assert TargetSet.objects.get(key="hubei-2020").targets.get(key="demand_response_hours").at_most
    # Loading again replaces, never duplicates.
    targets.load_shipped()
    assert TargetSet.objects.count() == 5


def write(tmp_path: Path, data: object, name: str = "bad.json") -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8"
    )
    return path


def good() -> dict:
    return json.loads((targets.TARGETS_DIR / "hebi-2018.json").read_text(encoding="utf-8"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["targets"][0].update(metric="happiness"), "未知的度量“happiness”"),
        (lambda d: d["targets"][0].update(value=-3), "目标值应为非负数"),
        (lambda d: d["targets"][1].update(value={"min": 3, "max": 2}), "第 2 项指标"),
        (lambda d: d["targets"][0].update(deadline="2020-13-01"), "不是 YYYY-MM-DD"),
        (lambda d: d["targets"][0].update(region="41060"), "不是六位行政区划代码"),
        (lambda d: d["targets"].append(dict(d["targets"][0])), "重复"),
        (lambda d: d.pop("targets"), "非空列表"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_changes(tmp_path, change, message):
    before = TargetSet.objects.count(), Target.objects.count()
    data = good()
    data["id"] = "bad-set"
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(DomainError) as caught:
        targets.load_paths([targets.TARGETS_DIR / "jilin-2016.json", path])
    assert message in caught.value.message
    assert "bad.json" in caught.value.message
    assert (TargetSet.objects.count(), Target.objects.count()) == before
    with pytest.raises(CommandError, match=r"bad\.json"):
        call_command("load_targets", str(path))


@pytest.mark.django_db
def test_malformed_json_names_the_line(tmp_path):
    path = write(tmp_path, '{"id": "x",\n "targets": [}', "broken.json")
    with pytest.raises(DomainError, match=r"broken\.json：JSON 格式错误，第 2 行"):
        targets.read_file(path)


@pytest.mark.django_db
def test_computed_contract_amount_progress(regions, tmp_path):
    TargetSet.objects.all().delete()
    data = good()
    data["targets"] = [
        dict(data["targets"][3], region=regions["city"].code, start_year=2025, deadline="2027-12-31")
    ]
    data["region"]["code"] = regions["city"].code
    targets.load_paths([write(tmp_path, data, "city.json")])
    seller_region = regions["county"]
    from techmarket.accounts.tests.factories import OrganisationFactory

    seller = OrganisationFactory(region=seller_region)
    for year, count in ((2025, 3), (2026, 4)):
        for _ in range(count):
            item = factories.registered_contract(seller=seller, total="1000000.00")
            item.registered_at = datetime.datetime(year, 6, 1, tzinfo=datetime.UTC)
            item.save(update_fields=["registered_at"])
            signals.contract_registered.send(sender=TechContract, contract=item)
    target = Target.objects.get()
    result = selectors.target_progress(ANONYMOUS, target, datetime.date(2026, 12, 1))
    assert result.yearly == [(2025, D(3000000)), (2026, D(4000000))]
    assert result.progress.actual == D(4000000)
    assert result.progress.share == D("0.1333")  # of 30 million
    assert result.progress.forecast == D("5000000.00")
    assert result.progress.on_track is False


def test_computed_median_response_hours_against_a_ceiling(regions, reviewers, tmp_path):
    from techmarket.docking.tests.factories import ResponseClockFactory, published_demand

    TargetSet.objects.all().delete()
    data = json.loads((targets.TARGETS_DIR / "hubei-2020.json").read_text(encoding="utf-8"))
    data["region"]["code"] = regions["city"].code
    data["targets"] = [
        dict(target, region=regions["city"].code, start_year=2025, deadline="2026-12-31")
        for target in data["targets"]
        if target["id"] == "demand_response_hours"
    ]
    targets.load_paths([write(tmp_path, data, "hubei-city.json")])
    start = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
    for hours in (10, 20, 40):  # median 20 hours: under the 24-hour ceiling
        demand = published_demand(regions["county"], reviewers["county"])
        ResponseClockFactory(
            demand=demand,
            started_at=start,
            responded_at=start + datetime.timedelta(hours=hours),
            state="responded",
        )
    target = Target.objects.get()
    result = selectors.target_progress(ANONYMOUS, target, datetime.date(2026, 12, 1))
    assert result.yearly == [(2026, D("20"))]
    assert result.progress.actual == D("20")
    assert result.progress.share == 1  # a kept ceiling


@pytest.mark.django_db
def test_manual_actuals_by_administrators_with_history():
    targets.load_shipped()
    target = Target.objects.get(target_set__key="jilin-2016", key="demonstration_agencies")
    admin = user_with_role(Role.PLATFORM_ADMIN, username="kpi_admin")
    services.enter_actual(admin, target, year=2018, value="20")
    services.enter_actual(admin, target, year=2019, value="30", note="省科技厅通报")
    services.enter_actual(admin, target, year=2019, value="32", note="更正")
    result = selectors.target_progress(ANONYMOUS, target, datetime.date(2020, 6, 1))
    assert result.yearly == [(2018, D(20)), (2019, D(32))]
    assert result.progress.actual == D(32)
    assert result.progress.forecast == D("44.00")
    assert len(result.history) == 3
    assert AuditEvent.objects.filter(action="statistics.actual_entered").count() == 3
    with pytest.raises(DomainError) as caught:
        services.enter_actual(admin, target, year=2019, value="-1")
    assert "value" in caught.value.fields
    with pytest.raises(DomainError):
        services.enter_actual(admin, target, year="abc", value="1")
    with pytest.raises(DomainError):
        services.enter_actual(
            admin,
            Target.objects.get(target_set__key="jilin-2016", key="contract_amount"),
            year=2019,
            value="1",
        )
    with pytest.raises(NotPermitted):
        services.enter_actual(user_with_role(Role.APPLICANT, username="nobody"), target, year=2019, value="1")
    assert ManualActual.objects.count() == 3


@pytest.mark.django_db
def test_kpi_page_and_api(regions):
    targets.load_shipped()
    admin = user_with_role(Role.PLATFORM_ADMIN, username="kpi_admin")
    public = Client().get("/statistics/kpi/")
    assert public.status_code == 200
    html = public.content.decode()
    assert "吉林省促进科技成果转移转化实施方案" in html
    assert 'name="value"' not in html
    client = Client()
    assert client.login(username=admin.username, password=PASSWORD)
    assert 'name="value"' in client.get("/statistics/kpi/").content.decode()
    target = Target.objects.get(target_set__key="yueyang-2017", key="alliances")
    response = client.post(f"/statistics/kpi/targets/{target.pk}/actuals/", {"year": "2019", "value": "4"})
    assert response.status_code == 302
    assert ManualActual.objects.get().value == 4
    client.post(f"/statistics/kpi/targets/{target.pk}/actuals/", {"year": "2019", "value": "abc"})
    assert ManualActual.objects.count() == 1
    outsider = Client()
    assert outsider.post(
        f"/statistics/kpi/targets/{target.pk}/actuals/", {"year": "2019", "value": "5"}
    ).status_code in (302, 403)
    assert ManualActual.objects.count() == 1
    api = Client().get("/api/v1/statistics/targets/").json()
    yueyang = next(item for item in api if item["id"] == "yueyang-2017")
    alliances = next(item for item in yueyang["targets"] if item["id"] == "alliances")
    assert alliances["actual"] == "4.00"
    assert alliances["progress"] == "0.4000"
