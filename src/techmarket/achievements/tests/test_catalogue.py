import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from techmarket.achievements import catalogue
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.models import Achievement, PublishedCatalogue
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.errors import DomainError
from techmarket.core.models import AuditEvent


def current_quarter() -> catalogue.Quarter:
    today = timezone.localdate()
    return catalogue.Quarter(today.year, (today.month - 1) // 3 + 1)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def records(regions, reviewers, applicant):
    """Two public records of this quarter, and records the catalogue must leave out."""

    def make(state, name, **overrides):
        return achievement_in_state(
            state, applicant=applicant, region=regions["county"], reviewers=reviewers, name=name, **overrides
        )

    public = [
        make(AchievementState.PUBLISHED, "高导热石墨烯复合薄膜的制备技术"),
        make(
            AchievementState.PUBLISHED, "盐碱地水稻高产栽培技术", price_negotiable=True, reference_price=None
        ),
    ]
    make(AchievementState.PUBLISHED, "受限的电池回收工艺", confidentiality="restricted")
    make(AchievementState.DRAFT, "尚未提交的草稿成果")
    make(AchievementState.CITY_REVIEW, "审核中的成果")
    make(AchievementState.REVOKED, "已撤销的成果")
    earlier = make(AchievementState.PUBLISHED, "上一季度发布的成果")
    first_day = current_quarter().first_day
    Achievement.objects.filter(pk=earlier.pk).update(
        published_at=timezone.make_aware(datetime.datetime.combine(first_day, datetime.time()))
        - datetime.timedelta(days=1)
    )
    return public


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_publish_catalogue_writes_excel_and_pdf_of_this_quarters_public_records(var_dir, records, reviewers):
    quarter = current_quarter()
    out = io.StringIO()

    call_command("publish_catalogue", quarter=quarter.label, user="city_reviewer", stdout=out)

    assert "2 项成果" in out.getvalue()
    xlsx = var_dir / "catalogues" / f"{quarter.label}.xlsx"
    pdf = var_dir / "catalogues" / f"{quarter.label}.pdf"
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["登记号", "成果名称"]
    assert sorted(row[1] for row in rows[1:]) == sorted(a.name for a in records)
    assert all(row[0] for row in rows[1:])

    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "科技成果季度目录" in text
    assert "共 2 项公开科技成果" in text
    assert quarter.label in text
    for achievement in records:
        assert achievement.name in text
        assert achievement.registration_number in text
    assert "面议" in text
    for left_out in (
        "受限的电池回收工艺",
        "尚未提交的草稿成果",
        "审核中的成果",
        "已撤销的成果",
        "上一季度发布的成果",
    ):
        assert left_out not in text

    published = PublishedCatalogue.objects.get()
    assert (published.quarter, published.record_count) == (quarter.label, 2)
    assert published.pdf_size == len(data)
    assert published.published_by == reviewers["city"]
    event = AuditEvent.objects.get(action="achievements.catalogue.publish")
    assert event.data == {"quarter": quarter.label, "records": 2}
    assert event.actor == reviewers["city"]


def test_publishing_again_replaces_the_files_and_the_record(var_dir, records):
    quarter = current_quarter().label
    catalogue.publish(quarter=quarter)
    Achievement.objects.filter(pk=records[0].pk).update(state=AchievementState.REVOKED)

    republished = catalogue.publish(quarter=quarter)

    assert PublishedCatalogue.objects.count() == 1
    assert republished.record_count == 1
    assert "共 1 项" in pdf_text((var_dir / "catalogues" / f"{quarter}.pdf").read_bytes())
    assert AuditEvent.objects.filter(action="achievements.catalogue.publish").count() == 2
    assert sorted(path.name for path in (var_dir / "catalogues").iterdir()) == [
        f"{quarter}.pdf",
        f"{quarter}.xlsx",
    ]


def test_an_empty_quarter_still_gets_a_catalogue(var_dir, db):
    published = catalogue.publish(quarter="2024Q1")

    assert published.record_count == 0
    assert "本季度没有新发布的公开科技成果" in pdf_text((var_dir / "catalogues" / "2024Q1.pdf").read_bytes())


@pytest.mark.parametrize("quarter", ["2026Q5", "2026-3", "Q3", "", "1999Q1"])
def test_an_invalid_quarter_is_refused_clearly(var_dir, db, quarter):
    with pytest.raises(CommandError, match="格式应为"):
        call_command("publish_catalogue", quarter=quarter)
    assert not PublishedCatalogue.objects.exists()


def test_a_quarter_that_has_not_begun_is_refused(var_dir, db):
    next_year = timezone.localdate().year + 1
    with pytest.raises(DomainError, match="尚未开始"):
        catalogue.publish(quarter=f"{next_year}Q1")
    assert not (var_dir / "catalogues" / f"{next_year}Q1.pdf").exists()


def test_parse_quarter_accepts_lower_case():
    assert catalogue.parse_quarter("2025q4") == catalogue.Quarter(2025, 4)
    assert catalogue.Quarter(2025, 4).title == "2025年第四季度"


def test_the_public_page_lists_catalogues_and_serves_their_files(client, var_dir, records):
    quarter = current_quarter().label
    catalogue.publish(quarter=quarter)

    page = client.get(reverse("achievements:catalogues"))

    assert page.status_code == 200
    html = page.content.decode()
    assert quarter in html
    assert "共 2 项" in html
    pdf = client.get(reverse("achievements:catalogue_download", args=[quarter, "pdf"]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = client.get(reverse("achievements:catalogue_download", args=[quarter, "xlsx"]))
    assert xlsx.status_code == 200
    assert "attachment" in xlsx["Content-Disposition"]


@pytest.mark.parametrize(
    ("quarter", "file_format"), [("2020Q1", "pdf"), ("CURRENT", "docx"), ("CURRENT", "sqlite3")]
)
def test_only_published_catalogue_files_are_served(client, var_dir, db, quarter, file_format):
    current = current_quarter().label
    catalogue.publish(quarter=current)
    quarter = current if quarter == "CURRENT" else quarter

    response = client.get(reverse("achievements:catalogue_download", args=[quarter, file_format]))

    assert response.status_code == 404


def test_an_empty_catalogue_page(client, db):
    response = client.get(reverse("achievements:catalogues"))
    assert response.status_code == 200
    assert "尚未发布季度目录" in response.content.decode()
