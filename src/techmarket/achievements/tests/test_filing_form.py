"""Issue 9 §2: the filing form's pickers and row formsets, the stage derived from the TRL, and the
bounds of the reference price — the same refusal through the form, the API and the import."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.achievements import services
from techmarket.achievements.choices import AchievementStage, AchievementState, stage_for_trl
from techmarket.achievements.imports.readers import read_rows
from techmarket.achievements.imports.service import run_import
from techmarket.achievements.models import Achievement
from techmarket.achievements.tests import spreadsheets
from techmarket.achievements.tests.factories import achievement_data, achievement_in_state, draft, filing_post
from techmarket.core.errors import DomainError

pytestmark = pytest.mark.django_db

NEGATIVE = "参考价格不能为负数。"
TOO_HIGH = "参考价格不能超过1亿万元（即1万亿元），请以万元为单位填写。"
BAD_PRICES = [("-0.01", NEGATIVE), ("-5", NEGATIVE), ("100000000.01", TOO_HIGH), ("1000000000000", TOO_HIGH)]


# --- TRL → stage --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trl", "stage"),
    [(1, "initial"), (3, "initial"), (4, "middle"), (6, "middle"), (7, "mature"), (9, "mature")],
)
def test_the_stage_follows_from_the_trl(trl, stage):
    assert stage_for_trl(trl) == stage


@pytest.mark.parametrize("trl", [None, 0, 10])
def test_no_stage_for_a_missing_or_impossible_trl(trl):
    assert stage_for_trl(trl) == ""


def test_every_stage_is_reached():
    assert {stage_for_trl(trl) for trl in range(1, 10)} == set(AchievementStage.values)


def test_the_service_derives_the_stage_and_ignores_one_given(regions, applicant):
    record = draft(applicant=applicant, region=regions["county"], trl=2, stage="mature")
    assert record.stage == "initial"
    record = services.achievement_update(actor=applicant, achievement=record, data={"trl": 8})
    record.refresh_from_db()
    assert record.stage == "mature"
    record = services.achievement_update(actor=applicant, achievement=record, data={"stage": "initial"})
    record.refresh_from_db()
    assert record.stage == "mature"


def test_a_save_keeps_the_stage_in_line_with_the_trl(regions, applicant):
    record = draft(applicant=applicant, region=regions["county"], trl=5)
    record.trl = 9
    record.save(update_fields=["trl"])
    assert Achievement.objects.get(pk=record.pk).stage == "mature"


def test_the_form_asks_for_the_trl_only(client: Client, applicant, regions):
    client.force_login(applicant)
    page = client.get(reverse("achievements:create")).content.decode()
    assert 'name="trl"' in page
    assert 'name="stage"' not in page
    assert "4–6级为中期阶段" in page


def test_the_api_derives_the_stage_and_ignores_one_sent(client: Client, applicant, regions):
    client.force_login(applicant)
    data = api_payload(regions, stage="initial", trl=7)
    response = client.post("/api/v1/achievements/", data, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["stage"] == "mature"


def test_the_import_derives_the_stage(regions, applicant):
    spreadsheets.classifications()
    row = {**spreadsheets.valid_row(1, regions["county"]), "TRL": "3"}
    rows = read_rows(io.BytesIO(spreadsheets.xlsx_bytes([row])), "成果.xlsx")
    report = run_import(actor=applicant, rows=rows)
    assert report.imported == 1
    assert Achievement.objects.get().stage == "initial"


def test_the_migration_brings_stored_stages_in_line(regions, applicant):
    from importlib import import_module

    from django.apps import apps

    record = draft(applicant=applicant, region=regions["county"], trl=8)
    Achievement.objects.filter(pk=record.pk).update(stage="initial")  # as a record filed before
    migration = import_module("techmarket.achievements.migrations.0004_stage_from_trl_and_price_bounds")
    migration.derive_stages(apps, None)
    assert Achievement.objects.get(pk=record.pk).stage == "mature"


# --- Amount bounds ------------------------------------------------------------------------------------


def api_payload(regions, **overrides: Any) -> dict[str, Any]:
    data = achievement_data(regions["county"])
    body = {key: value for key, value in data.items() if value is not None}
    body.update(
        discipline=data["discipline"].code,
        industry=data["industry"].code,
        region=regions["county"].code,
        evaluation_date="2025-06-01",
        completion_date="2025-05-01",
    )
    body.update(overrides)
    return body


@pytest.mark.parametrize(("price", "message"), BAD_PRICES)
def test_the_service_refuses_a_bad_price(regions, applicant, price, message):
    with pytest.raises(DomainError) as error:
        draft(applicant=applicant, region=regions["county"], reference_price=price)
    assert message in [str(m) for m in error.value.fields["reference_price"]]
    assert not Achievement.objects.exists()


@pytest.mark.parametrize(("price", "message"), BAD_PRICES)
def test_the_form_refuses_a_bad_price(client: Client, applicant, regions, price, message):
    client.force_login(applicant)
    body = filing_post(achievement_data(regions["county"], reference_price=price))
    response = client.post(reverse("achievements:create"), body)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Achievement.objects.exists()


@pytest.mark.parametrize(("price", "message"), BAD_PRICES)
def test_the_api_refuses_a_bad_price(client: Client, applicant, regions, price, message):
    client.force_login(applicant)
    response = client.post(
        "/api/v1/achievements/", api_payload(regions, reference_price=price), content_type="application/json"
    )
    assert response.status_code == 400
    assert message in response.json()["fields"]["reference_price"]
    assert not Achievement.objects.exists()


@pytest.mark.parametrize(("price", "message"), BAD_PRICES)
def test_the_import_refuses_a_bad_price(regions, applicant, price, message):
    spreadsheets.classifications()
    row = {**spreadsheets.valid_row(1, regions["county"]), "价格面议": "否", "参考价格（万元）": price}
    rows = read_rows(io.BytesIO(spreadsheets.xlsx_bytes([row])), "成果.xlsx")
    report = run_import(actor=applicant, rows=rows)
    assert report.imported == 0
    assert any(message in reason for _row, reasons in report.errors for reason in reasons)
    assert not Achievement.objects.exists()


@pytest.mark.parametrize("price", ["0", "0.00", "100000000", "100000000.00", "123.45"])
def test_prices_within_the_bounds_are_kept(regions, applicant, price):
    record = draft(applicant=applicant, region=regions["county"], reference_price=price)
    assert record.reference_price == Decimal(price)


# --- Pickers ------------------------------------------------------------------------------------------


def test_the_form_offers_cascading_pickers_not_flat_lists(client: Client, applicant, regions):
    client.force_login(applicant)
    page = client.get(reverse("achievements:create")).content.decode()
    for name in ("discipline", "industry", "region"):
        assert f'name="{name}"' in page
        assert f'id="id_{name}"' in page
    assert page.count("code-picker-level") >= 3
    assert "请选择" in page
    assert reverse("core:region_children") in page
    assert f'<option value="{regions["province"].code}">测试省</option>' in page
    assert regions["county"].code not in page  # one level at a time


def test_the_region_picker_takes_every_level_and_must_reach_a_city(client: Client, applicant, regions):
    client.force_login(applicant)
    data = achievement_data(regions["county"])
    body = filing_post(data)
    body["region"] = [regions["province"].code]
    response = client.post(reverse("achievements:create"), body)
    assert response.status_code == 200
    assert "请继续选择到市或县（区）一级。" in response.content.decode()
    body["region"] = [regions["province"].code, regions["city"].code, regions["county"].code]
    assert client.post(reverse("achievements:create"), body).status_code == 302
    assert Achievement.objects.get().region == regions["county"]


def test_a_stale_county_of_another_city_falls_back_to_the_chosen_city(client: Client, regions, reviewers):
    from techmarket.achievements.tests.factories import applicant_of

    filer = applicant_of(region=regions["city"])
    client.force_login(filer)
    body = filing_post(achievement_data(regions["city"]))
    body["region"] = [regions["province"].code, regions["city"].code, regions["other_county"].code]
    assert client.post(reverse("achievements:create"), body).status_code == 302
    assert Achievement.objects.get().region == regions["city"]


def test_an_unknown_code_is_refused_on_the_field(client: Client, applicant, regions):
    client.force_login(applicant)
    body = filing_post(achievement_data(regions["county"]))
    body["discipline"] = "999"
    response = client.post(reverse("achievements:create"), body)
    assert response.status_code == 200
    assert "没有代码为“999”的学科分类（GB/T 13745）" in response.content.decode()


# --- Row formsets -------------------------------------------------------------------------------------

PERSONS = [
    {"name": "张三", "organisation_name": "测试大学", "title": "教授", "role": "leader"},
    {"name": "李四", "organisation_name": "测试大学", "title": "副教授", "role": "main"},
    {"name": "王五", "organisation_name": "", "title": "", "role": "participant"},
]


def test_the_form_files_rows_of_every_formset(client: Client, applicant, regions):
    client.force_login(applicant)
    data = achievement_data(
        regions["county"],
        organisations=["测试大学", "合作研究院"],
        persons=PERSONS,
        ip_rights=[
            {"number": "ZL1", "ip_type": "invention", "status": "granted", "title": "一种薄膜"},
            {"number": "2024SR1", "ip_type": "software", "status": "filed", "title": ""},
        ],
    )
    assert client.post(reverse("achievements:create"), filing_post(data)).status_code == 302
    record = Achievement.objects.get()
    assert [o.name for o in record.completing_organisations.all()] == ["测试大学", "合作研究院"]
    assert [(p.name, p.role) for p in record.completing_persons.all()] == [
        ("张三", "leader"),
        ("李四", "main"),
        ("王五", "participant"),
    ]
    assert [(ip.number, ip.title) for ip in record.ip_rights.all()] == [("ZL1", "一种薄膜"), ("2024SR1", "")]


def test_blank_extra_rows_are_skipped(client: Client, applicant, regions):
    client.force_login(applicant)
    body = filing_post(
        achievement_data(regions["county"], persons=[*PERSONS[:1], {"name": "", "role": "main"}])
    )
    assert client.post(reverse("achievements:create"), body).status_code == 302
    assert [p.name for p in Achievement.objects.get().completing_persons.all()] == ["张三"]


def test_edit_removes_and_adds_rows(client: Client, applicant, regions, reviewers):
    record = achievement_in_state(
        AchievementState.RETURNED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        persons=PERSONS,
    )
    client.force_login(applicant)
    page = client.get(reverse("achievements:edit", args=[record.pk])).content.decode()
    assert 'name="persons-TOTAL_FORMS" value="4"' in page  # three stored rows and a blank one
    assert 'value="李四"' in page
    persons = [
        PERSONS[0],
        {**PERSONS[1], "DELETE": True},
        {**PERSONS[2], "title": "工程师"},
        {"name": "赵六", "organisation_name": "合作研究院", "title": "", "role": "main"},
    ]
    data = achievement_data(regions["county"], persons=persons)
    body = filing_post(data, stored={"organisations": 2, "persons": 3, "ip_rights": 1})
    response = client.post(reverse("achievements:edit", args=[record.pk]), body)
    assert response.status_code == 302
    assert [(p.name, p.title, p.position) for p in record.completing_persons.all()] == [
        ("张三", "教授", 1),
        ("王五", "工程师", 2),
        ("赵六", "", 3),
    ]


def test_a_deleted_row_is_not_validated(client: Client, applicant, regions):
    client.force_login(applicant)
    rights = [
        {"number": "ZL1", "ip_type": "invention", "status": "granted"},
        {"number": "半填的", "ip_type": "", "status": "", "DELETE": True},
    ]
    body = filing_post(achievement_data(regions["county"], ip_rights=rights))
    assert client.post(reverse("achievements:create"), body).status_code == 302
    assert [ip.number for ip in Achievement.objects.get().ip_rights.all()] == ["ZL1"]


def test_a_bad_row_is_shown_on_its_field_and_nothing_is_saved(client: Client, applicant, regions):
    client.force_login(applicant)
    rights = [{"number": "ZL1", "ip_type": "", "status": "granted"}]
    body = filing_post(achievement_data(regions["county"], ip_rights=rights))
    response = client.post(reverse("achievements:create"), body)
    assert response.status_code == 200
    assert 'id="id_ip_rights-0-ip_type"' in response.content.decode()
    assert "该字段是必填项" in response.content.decode()
    assert not Achievement.objects.exists()


def test_rules_across_rows_come_from_the_service_and_save_nothing(client: Client, applicant, regions):
    client.force_login(applicant)
    rights = [
        {"number": "ZL1", "ip_type": "invention", "status": "granted"},
        {"number": "zl1", "ip_type": "utility", "status": "filed"},
    ]
    body = filing_post(achievement_data(regions["county"], ip_rights=rights))
    response = client.post(reverse("achievements:create"), body)
    assert response.status_code == 200
    assert "知识产权“ZL1”重复填写。" in response.content.decode()
    assert not Achievement.objects.exists()
    with pytest.raises(DomainError):
        draft(applicant=applicant, region=regions["county"], organisations=["甲", "甲"])


def test_more_rows_than_allowed_are_refused(client: Client, applicant, regions):
    client.force_login(applicant)
    body = filing_post(achievement_data(regions["county"], organisations=[f"单位{n}" for n in range(21)]))
    response = client.post(reverse("achievements:create"), body)
    assert response.status_code == 200
    assert not Achievement.objects.exists()


def test_the_page_loads_its_formset_script_and_has_no_inline_code(client: Client, applicant, regions):
    client.force_login(applicant)
    page = client.get(reverse("achievements:create")).content.decode()
    assert "achievements/formsets.js" in page
    assert "<template" in page
    assert "__prefix__" in page
    assert "onclick" not in page
    assert 'style="' not in page
