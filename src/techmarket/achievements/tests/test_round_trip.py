"""Issue 9 §2: an .xlsx exported from the catalogue can be imported back, as it is."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter

from techmarket.achievements import exports
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.imports.readers import read_rows
from techmarket.achievements.imports.service import run_import
from techmarket.achievements.models import Achievement
from techmarket.achievements.services import RECORD_FIELDS
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.core.errors import DomainError
from techmarket.core.tests.factories import cover_region

pytestmark = pytest.mark.django_db


def snapshot(achievement: Achievement) -> dict[str, Any]:
    """What a record says, apart from who owns it and where it is in its life."""
    fields = {name: getattr(achievement, name) for name in RECORD_FIELDS}
    fields["stage"] = achievement.stage
    fields["organisations"] = [o.name for o in achievement.completing_organisations.all()]
    fields["persons"] = [
        (p.name, p.organisation_name, p.title, p.role) for p in achievement.completing_persons.all()
    ]
    fields["ip_rights"] = [(ip.number, ip.ip_type, ip.status) for ip in achievement.ip_rights.all()]
    return fields


@pytest.fixture
def originals(regions, reviewers, applicant) -> list[Achievement]:
    def make(name: str, region: str = "county", **overrides: Any) -> Achievement:
        return achievement_in_state(
            AchievementState.PUBLISHED,
            applicant=applicant,
            region=regions[region],
            reviewers=reviewers,
            name=name,
            **overrides,
        )

    return [
        make("高导热石墨烯复合薄膜的制备技术"),
        make(
            "盐碱地水稻高产栽培技术",
            region="city",
            trl=8,
            price_negotiable=True,
            reference_price=None,
            funding_source="fiscal",
            programme_name="省重点研发计划",
            project_number="2023BAA001",
            evaluation_form="none",
            evaluation_date=None,
            transfer_modes=["co_develop", "service", "license"],
            organisations=["测试农科院"],
            persons=[
                {"name": "王五", "organisation_name": "测试农科院", "title": "研究员", "role": "leader"},
                {"name": "赵六", "organisation_name": "", "title": "", "role": "participant"},
            ],
            ip_rights=[],
        ),
        make(
            "受限的电池回收工艺",
            confidentiality="restricted",
            trl=2,
            reference_price="9999.99",
            keywords="电池，回收",
            technical_indicators="",
            ip_rights=[
                {"number": "ZL202310000001.X", "ip_type": "invention", "status": "granted"},
                {"number": "2024SR000123", "ip_type": "software", "status": "filed"},
            ],
        ),
    ]


def exported_file(records: list[Achievement]) -> bytes:
    buffer = io.BytesIO()
    queryset = Achievement.objects.filter(pk__in=[r.pk for r in records]).order_by("pk")
    exports.write_xlsx(queryset, buffer)
    return buffer.getvalue()


@pytest.fixture
def importer(regions):
    """An applicant of another organisation, allowed to file in the originals' regions."""
    user = applicant_of(region=regions["province"])
    cover_region(user.organisation, regions["county"])
    return user


def test_exported_records_import_back_equal(regions, importer, originals):
    before = {a.pk for a in Achievement.objects.all()}
    rows = read_rows(io.BytesIO(exported_file(originals)), "目录.xlsx")

    report = run_import(actor=importer, rows=rows)

    assert report.errors == []
    assert report.imported == len(originals)
    created = list(Achievement.objects.exclude(pk__in=before).order_by("pk"))
    assert [snapshot(a) for a in created] == [snapshot(a) for a in originals]
    for copy in created:
        assert copy.owner_organisation == importer.organisation
        assert copy.state == AchievementState.DRAFT
        assert copy.registration_number is None  # the export's 登记号 stays with the original
    assert created[1].price_negotiable
    assert created[1].reference_price is None
    assert created[2].reference_price == Decimal("9999.99")
    assert created[2].stage == "initial"


def test_the_owner_importing_its_own_export_is_told_each_row_is_already_registered(applicant, originals):
    before = Achievement.objects.count()
    rows = read_rows(io.BytesIO(exported_file(originals)), "目录.xlsx")

    report = run_import(actor=applicant, rows=rows)

    assert [row for row, _messages in report.errors] == [2, 3, 4]
    assert all("请勿重复导入" in " ".join(messages) for _row, messages in report.errors)
    assert Achievement.objects.count() == before


def test_the_export_writes_every_column_the_import_needs(originals):
    rows = read_rows(io.BytesIO(exported_file(originals[:1])), "目录.xlsx")
    assert rows[0]["discipline"] == "430"  # 学科代码 wins over 学科分类 ("430 材料科学")
    assert rows[0]["region"] == originals[0].region.code  # 地区代码 wins over 所属地区 (a name)
    assert "stage" not in rows[0]


def workbook(header: list[str], row: list[Any]) -> io.BytesIO:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    sheet.write_row(1, 0, row)
    book.close()
    buffer.seek(0)
    return buffer


def test_a_column_neither_the_export_nor_the_template_writes_is_reported(originals):
    rows = read_rows(io.BytesIO(exported_file(originals[:1])), "目录.xlsx")
    assert rows
    header = [title for title, _getter in exports.columns()] + ["联系人电话", "状态"]
    with pytest.raises(DomainError) as error:
        read_rows(workbook(header, ["x"] * len(header)), "目录.xlsx")
    assert "联系人电话" in str(error.value.message)
    assert "状态" not in str(error.value.message)  # written by exports of records, ignored


def test_an_old_export_names_the_classification_by_code_and_name(importer, originals):
    """Before the code columns, the export wrote 学科分类/行业分类 as "code name": still read."""
    content = exported_file(originals[:1])
    rows = read_rows(io.BytesIO(content), "目录.xlsx")
    row = {**rows[0], "discipline": "430 材料科学", "industry": "C39 计算机、通信和其他电子设备制造业"}
    report = run_import(actor=importer, rows=[row], dry_run=True)
    assert report.errors == []


def test_the_stage_follows_the_trl_of_the_imported_row_not_the_exported_stage(importer, originals):
    rows = read_rows(io.BytesIO(exported_file(originals[:1])), "目录.xlsx")
    rows[0]["trl"] = "9"
    run_import(actor=importer, rows=rows)
    copy = Achievement.objects.order_by("-pk").first()
    assert copy is not None
    assert copy.trl == 9
    assert copy.stage == "mature"
    assert copy.completion_date == datetime.date(2025, 5, 1)


def test_the_export_costs_the_same_queries_for_one_record_or_many(client, regions, reviewers, applicant):
    """Every column, the completing rows included, comes from a few queries per batch, not per record."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    def queries_of_export() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("achievements:export"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    def make(name: str) -> None:
        achievement_in_state(
            AchievementState.PUBLISHED,
            applicant=applicant,
            region=regions["county"],
            reviewers=reviewers,
            name=name,
        )

    make("高导热石墨烯复合薄膜的制备技术")
    one = queries_of_export()
    for name in ("盐碱地水稻高产栽培技术", "钠离子电池正极材料", "柔性钙钛矿太阳能电池"):
        make(name)
    assert queries_of_export() == one
