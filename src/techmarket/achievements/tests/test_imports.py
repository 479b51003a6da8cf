import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse
from python_calamine import CalamineWorkbook

from techmarket import cli
from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.imports.columns import COLUMNS
from techmarket.achievements.imports.readers import read_rows
from techmarket.achievements.imports.service import IMPORT_ACTION, run_import
from techmarket.achievements.imports.template import template_csv, template_xlsx
from techmarket.achievements.models import (
    Achievement,
    CompletingOrganisation,
    CompletingPerson,
    ImportJob,
    ImportStatus,
    IntellectualProperty,
)
from techmarket.achievements.tests import spreadsheets
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.search import backends as search

BAD_ROWS = {
    10: ({"TRL": "12"}, ["TRL：应为 1–9 的整数。"]),
    500: ({"学科代码": "999999"}, ["学科代码：代码“999999”不存在。"]),
    997: ({"项目编号": ""}, ["项目编号：财政资金资助的成果须填写项目编号。"]),
}


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def codes(db):
    spreadsheets.classifications()


def thousand_rows_with_three_bad(region) -> list[dict[str, str]]:
    rows = [spreadsheets.valid_row(number, region) for number in range(1000)]
    for index, (overrides, _reasons) in BAD_ROWS.items():
        rows[index].update(overrides)
    return rows


def import_events():
    return AuditEvent.objects.filter(action=IMPORT_ACTION)


def test_a_thousand_rows_with_three_bad_ones_import_nothing_and_name_each_bad_row(regions, applicant, codes):
    rows = read_rows(
        io.BytesIO(spreadsheets.xlsx_bytes(thousand_rows_with_three_bad(regions["county"]))), "成果.xlsx"
    )
    calls = []

    report = run_import(actor=applicant, rows=rows, progress=lambda done, total: calls.append(done))

    assert report.total == 1000
    assert report.imported == 0
    # Spreadsheet numbering: the header is row 1, so list index i is row i + 2.
    assert report.errors == [(index + 2, reasons) for index, (_o, reasons) in BAD_ROWS.items()]
    assert Achievement.objects.count() == 0
    assert import_events().count() == 0
    assert calls[-1] == 1000
    assert len(calls) == 10
    text = report.as_text()
    assert "其中 3 行有误，未导入任何记录" in text
    assert "第12行：TRL：应为 1–9 的整数。" in text
    assert "第502行：学科代码：代码“999999”不存在。" in text
    assert "第999行：项目编号：财政资金资助的成果须填写项目编号。" in text


def test_the_fixed_thousand_rows_all_import_as_drafts_with_one_audit_event_each(regions, applicant, codes):
    table = thousand_rows_with_three_bad(regions["county"])
    assert not run_import(
        actor=applicant, rows=read_rows(io.BytesIO(spreadsheets.xlsx_bytes(table)), "成果.xlsx")
    ).ok
    for index in BAD_ROWS:
        table[index] = spreadsheets.valid_row(index, regions["county"])
    rows = read_rows(io.BytesIO(spreadsheets.xlsx_bytes(table)), "成果.xlsx")

    report = run_import(actor=applicant, rows=rows, source="成果.xlsx")

    assert report.ok
    assert (report.total, report.imported) == (1000, 1000)
    assert "已全部导入" in report.as_text()
    achievements = Achievement.objects.all()
    assert achievements.count() == 1000
    assert set(achievements.values_list("state", flat=True)) == {AchievementState.DRAFT}
    assert set(achievements.values_list("owner_organisation_id", flat=True)) == {applicant.organisation_id}
    assert set(achievements.values_list("created_by_id", flat=True)) == {applicant.pk}
    assert CompletingOrganisation.objects.count() == 2000
    assert CompletingPerson.objects.filter(role="leader").count() == 1000
    assert IntellectualProperty.objects.filter(ip_type="invention", status="granted").count() == 1000
    events = import_events()
    assert events.count() == 1000
    assert set(events.values_list("target_id", flat=True)) == {
        str(pk) for pk in achievements.values_list("pk", flat=True)
    }
    assert events.filter(actor=applicant, to_state="draft", data__row=2, data__file="成果.xlsx").count() == 1

    first = Achievement.objects.get(name="高导热石墨烯复合薄膜制备技术00000")
    assert first.achievement_type == "applied"
    assert first.funding_source == "fiscal"
    assert first.transfer_mode_list == ["transfer", "license"]
    assert first.reference_price == Decimal("120.50")
    assert first.county_code == regions["county"].code
    assert first.city_code == regions["city"].code
    assert first.completion_date == datetime.date(2025, 5, 1)
    assert [p.name for p in first.completing_persons.all()] == ["张三", "李四"]
    # The full-text index follows the bulk insert.
    assert search.rank(Achievement.objects.all(), "石墨烯 导热膜").count() == 1000


def test_a_secret_row_is_refused_naming_the_offline_channel_and_nothing_is_written(regions, applicant, codes):
    rows = [
        spreadsheets.valid_row(1, regions["county"]),
        spreadsheets.valid_row(2, regions["county"], 密级="涉密"),
    ]

    report = run_import(actor=applicant, rows=read_rows(io.BytesIO(spreadsheets.xlsx_bytes(rows)), "a.xlsx"))

    assert [row for row, _reasons in report.errors] == [3]
    assert "离线渠道" in report.errors[0][1][0]
    assert report.errors[0][1][0].startswith("密级：")
    assert Achievement.objects.count() == 0


def test_dry_run_checks_every_row_and_writes_nothing(regions, applicant, codes):
    rows = [spreadsheets.valid_row(number, regions["county"]) for number in range(5)]

    report = run_import(
        actor=applicant,
        rows=read_rows(io.BytesIO(spreadsheets.csv_bytes(rows)), "a.csv"),
        dry_run=True,
    )

    assert report.ok
    assert report.dry_run
    assert (report.total, report.imported) == (5, 0)
    assert "试运行" in report.as_text()
    assert Achievement.objects.count() == 0
    assert import_events().count() == 0


@pytest.mark.parametrize(
    ("filename", "encode"),
    [
        ("成果.xlsx", spreadsheets.xlsx_bytes),
        ("成果.csv", lambda rows: spreadsheets.csv_bytes(rows, "utf-8-sig")),
        ("成果.csv", lambda rows: spreadsheets.csv_bytes(rows, "utf-8")),
        ("成果.CSV", lambda rows: spreadsheets.csv_bytes(rows, "gb18030")),
    ],
    ids=["xlsx", "csv-utf8-bom", "csv-utf8", "csv-gb18030"],
)
def test_xlsx_and_csv_in_each_encoding_read_the_same_rows(regions, filename, encode):
    rows = [spreadsheets.valid_row(1, regions["county"]), spreadsheets.valid_row(2, regions["city"])]

    read = read_rows(io.BytesIO(encode(rows)), filename)

    assert len(read) == 2
    assert read[0]["name"] == "高导热石墨烯复合薄膜制备技术00001"
    assert read[0]["persons"] == "张三，测试大学，教授，项目负责人；李四"
    assert read[1]["region"] == regions["city"].code
    assert read[1]["reference_price"] == "120.5"


def test_reading_from_a_path_and_excel_typed_cells(tmp_path, regions, applicant, codes):
    """Numbers and dates typed into Excel arrive as numbers and dates; they read as the text a person meant."""
    path = tmp_path / "typed.xlsx"
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    row = spreadsheets.valid_row(1, regions["county"])
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(spreadsheets.TITLES):
        sheet.write_string(0, col, title)
        value = row[title]
        if title in {"TRL", "地区代码", "参考价格（万元）", "学科代码"}:
            sheet.write_number(1, col, float(value))
        elif title in {"评价日期", "完成日期"}:
            sheet.write_datetime(1, col, datetime.datetime.fromisoformat(value), date_format)
        else:
            sheet.write_string(1, col, value)
    workbook.close()

    read = read_rows(path, path.name)

    assert read[0]["trl"] == "6"
    assert read[0]["region"] == regions["county"].code
    assert read[0]["completion_date"] == "2025-05-01"
    assert run_import(actor=applicant, rows=read).imported == 1


def test_codes_and_alternative_spellings_are_accepted(regions, applicant, codes):
    row = spreadsheets.valid_row(
        1,
        regions["county"],
        成果类型="soft",
        经费来源="non_fiscal",
        计划名称="",
        项目编号="",
        评价方式="未评价",
        评价日期="",
        完成日期="2025年5月1日",
        转化方式="transfer,技术服务",
        价格面议="是",
        **{"参考价格（万元）": ""},
        密级="受限",
        完成人="王五",
        专利号="",
    )

    report = run_import(actor=applicant, rows=read_rows(io.BytesIO(spreadsheets.csv_bytes([row])), "a.csv"))

    assert report.imported == 1
    achievement = Achievement.objects.get()
    assert achievement.achievement_type == "soft"
    assert achievement.evaluation_form == "none"
    assert achievement.confidentiality == "restricted"
    assert achievement.price_negotiable
    assert achievement.reference_price is None
    assert achievement.transfer_mode_list == ["transfer", "service"]
    assert achievement.completion_date == datetime.date(2025, 5, 1)
    assert list(achievement.completing_persons.values_list("name", "role")) == [("王五", "leader")]
    assert not achievement.ip_rights.exists()


def test_every_reason_of_a_bad_row_is_listed_in_column_order(regions, applicant, codes):
    row = spreadsheets.valid_row(
        1,
        regions["county"],
        成果类型="发明",
        行业代码="Z99",
        完成日期="2025-13-01",
        转化方式="出售",
        专利号="ZL1，专利",
    )

    report = run_import(actor=applicant, rows=read_rows(io.BytesIO(spreadsheets.csv_bytes([row])), "a.csv"))

    ((row_number, reasons),) = report.errors
    assert row_number == 2
    assert [reason.split("：")[0] for reason in reasons] == [
        "成果类型",
        "行业代码",
        "完成日期",
        "转化方式",
        "专利号",
    ]
    assert "可填：应用技术、基础理论、软科学" in reasons[0]


def test_blank_rows_are_skipped_but_keep_the_numbering(regions, applicant, codes):
    rows = [
        spreadsheets.valid_row(1, regions["county"]),
        {},
        spreadsheets.valid_row(3, regions["county"], TRL="0"),
    ]

    report = run_import(actor=applicant, rows=read_rows(io.BytesIO(spreadsheets.xlsx_bytes(rows)), "a.xlsx"))

    assert report.total == 2
    assert [row for row, _reasons in report.errors] == [4]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"name\n", "a.txt", "只支持 .xlsx 或 .csv 文件"),
        (b"not a workbook", "a.xlsx", "无法读取该 Excel 文件"),
        ("名称,成果类型\n".encode(), "a.csv", "缺少必填列：学科代码、行业代码"),
        ("名称,颜色\n".encode(), "a.csv", "无法识别的列：颜色"),
        (b"", "a.csv", "第1行应为模板的列名"),
    ],
)
def test_unreadable_files_are_refused_with_a_chinese_message(content, filename, message):
    with pytest.raises(DomainError) as raised:
        read_rows(io.BytesIO(content), filename)
    assert message in str(raised.value)


def test_a_file_without_data_rows_is_refused(applicant):
    with pytest.raises(DomainError, match="没有数据行"):
        run_import(actor=applicant, rows=read_rows(io.BytesIO(template_csv()), "t.csv"))


def test_only_filers_may_import(regions, reviewers, codes):
    with pytest.raises(NotPermitted):
        run_import(actor=reviewers["city"], rows=[spreadsheets.valid_row(1, regions["county"])])


def test_the_template_has_a_column_per_field_and_a_sheet_explaining_them(regions, applicant, codes):
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(template_xlsx()))

    assert workbook.sheet_names == ["成果登记", "填写说明"]
    header = workbook.get_sheet_by_index(0).to_python()[0]
    assert header == spreadsheets.TITLES
    assert {
        "名称",
        "成果类型",
        "学科代码",
        "TRL",
        "转化方式",
        "价格面议",
        "密级",
        "完成单位",
        "完成人",
        "专利号",
    } <= set(header)
    guide = workbook.get_sheet_by_index(1).to_python()
    explained = {line[0]: line for line in guide[1 : len(COLUMNS) + 1]}
    assert set(explained) == set(header)
    assert "应用技术、基础理论、软科学" in explained["成果类型"][3]
    assert "涉密" not in explained["密级"][3]
    assert any("离线渠道" in line[0] for line in guide)

    # The CSV template round-trips: its header plus a filled row imports.
    filled = (
        template_csv()
        + spreadsheets.csv_bytes([spreadsheets.valid_row(1, regions["county"])]).split(b"\r\n", 1)[1]
    )
    assert run_import(actor=applicant, rows=read_rows(io.BytesIO(filled), "t.csv")).imported == 1


# ----------------------------------------------------------------------------------------- the page


def upload(client, rows, name="成果.xlsx"):
    data = spreadsheets.xlsx_bytes(rows) if name.endswith(".xlsx") else spreadsheets.csv_bytes(rows)
    return client.post(reverse("achievements:import"), {"file": SimpleUploadedFile(name, data)})


def test_page_flow_upload_report_confirm_done(client, var_dir, regions, applicant, codes):
    client.force_login(applicant)
    page = client.get(reverse("achievements:import"))
    assert page.status_code == 200
    assert reverse("achievements:import_template", args=["xlsx"]) in page.content.decode()
    template = client.get(reverse("achievements:import_template", args=["xlsx"]))
    assert template.status_code == 200
    assert template.content[:2] == b"PK"

    response = upload(client, [spreadsheets.valid_row(n, regions["county"]) for n in range(3)])

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("achievements:import_job", args=[job.pk])
    assert job.status == ImportStatus.CHECKED
    assert (job.total, job.done) == (3, 3)
    assert (var_dir / "imports" / job.stored_name).is_file()
    assert Achievement.objects.count() == 0
    report_page = client.get(response["Location"]).content.decode()
    assert "全部通过校验" in report_page
    assert reverse("achievements:import_confirm", args=[job.pk]) in report_page
    assert "every 1s" not in report_page

    confirmed = client.post(reverse("achievements:import_confirm", args=[job.pk]))

    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTED
    assert job.report["imported"] == 3
    assert job.stored_name == ""
    assert not any((var_dir / "imports").iterdir())
    assert Achievement.objects.filter(owner_organisation=applicant.organisation).count() == 3
    assert import_events().count() == 3
    done_panel = client.get(reverse("achievements:import_progress", args=[job.pk])).content.decode()
    assert "已导入" in done_panel
    assert "hx-get" not in done_panel
    # Confirming twice imports nothing more.
    client.post(reverse("achievements:import_confirm", args=[job.pk]))
    assert Achievement.objects.count() == 3


def test_page_shows_each_bad_row_and_keeps_no_file(client, var_dir, regions, applicant, codes):
    client.force_login(applicant)
    rows = [spreadsheets.valid_row(n, regions["county"]) for n in range(4)]
    rows[1]["密级"] = "涉密"
    rows[3]["TRL"] = "十"

    response = upload(client, rows, name="成果.csv")

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED
    assert job.stored_name == ""
    assert not any((var_dir / "imports").iterdir())
    page = client.get(response["Location"]).content.decode()
    assert "第3行" in page
    assert "离线渠道" in page
    assert "第5行" in page
    assert "应为 1–9 的整数" in page
    assert reverse("achievements:import_confirm", args=[job.pk]) not in page
    assert client.post(reverse("achievements:import_confirm", args=[job.pk])).status_code == 302
    assert Achievement.objects.count() == 0


def test_page_refuses_other_file_types_without_storing_them(client, var_dir, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("achievements:import"), {"file": SimpleUploadedFile("成果.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 200
    assert "只支持 .xlsx 或 .csv 文件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_running_job_polls_every_second(client, var_dir, applicant):
    job = ImportJob.objects.create(user=applicant, original_name="a.xlsx", total=200, done=50)
    client.force_login(applicant)

    panel = client.get(reverse("achievements:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")

    html = panel.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert reverse("achievements:import_progress", args=[job.pk]) in html
    assert "tm-pct-25" in html  # the bar's width, as a class (no inline styles under the CSP)


def test_jobs_are_private_to_their_uploader(client, var_dir, applicant, regions):
    job = ImportJob.objects.create(user=applicant, original_name="a.xlsx")
    other = user_with_role(Role.APPLICANT, organisation=applicant.organisation)
    client.force_login(other)
    assert client.get(reverse("achievements:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("achievements:import_progress", args=[job.pk])).status_code == 404
    assert client.post(reverse("achievements:import_confirm", args=[job.pk])).status_code == 404


def test_only_filers_reach_the_import_page(client, reviewers):
    assert client.get(reverse("achievements:import")).status_code == 302
    client.force_login(reviewers["city"])
    response = client.get(reverse("achievements:import"))
    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("achievements:import"))


# ------------------------------------------------------------------------------------------- the CLI


def test_cli_import_reports_progress_and_imports(tmp_path, regions, applicant, codes):
    path = tmp_path / "成果.xlsx"
    path.write_bytes(
        spreadsheets.xlsx_bytes([spreadsheets.valid_row(n, regions["county"]) for n in range(150)])
    )
    out, err = io.StringIO(), io.StringIO()

    call_command("import_achievements", "achievements", str(path), user="applicant", stdout=out, stderr=err)

    assert "已全部导入" in out.getvalue()
    assert err.getvalue() == f"\r[{'#' * 20}{'-' * 10}] 100/150\r[{'#' * 30}] 150/150\n"
    assert Achievement.objects.count() == 150


def test_cli_dry_run_and_rejection(tmp_path, regions, applicant, codes):
    path = tmp_path / "成果.csv"
    rows = [spreadsheets.valid_row(n, regions["county"]) for n in range(3)]
    path.write_bytes(spreadsheets.csv_bytes(rows))
    out = io.StringIO()
    call_command("import_achievements", "achievements", str(path), user="applicant", dry_run=True, stdout=out)
    assert "试运行" in out.getvalue()

    rows[2]["地区代码"] = "000000"
    path.write_bytes(spreadsheets.csv_bytes(rows))
    out = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何记录"):
        call_command("import_achievements", "achievements", str(path), user="applicant", stdout=out)
    assert "第4行：地区代码：行政区划代码“000000”不存在。" in out.getvalue()
    assert Achievement.objects.count() == 0


def test_cli_alias_and_exit_status(tmp_path, regions, applicant, codes, monkeypatch):
    # Django closes every connection after a command run from argv; the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    path = tmp_path / "成果.csv"
    path.write_bytes(spreadsheets.csv_bytes([spreadsheets.valid_row(1, regions["county"], TRL="")]))
    with pytest.raises(SystemExit) as exited:
        cli.main(["techmarket", "import", "achievements", str(path), "--user", "applicant"])
    assert exited.value.code == 1
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_achievements", "achievements", str(path), user="nobody")
    assert Achievement.objects.count() == 0


def test_repeated_rows_of_one_file_are_reported_row_by_row_and_nothing_is_imported(regions, applicant, codes):
    county = regions["county"]
    rows = [spreadsheets.valid_row(number, county) for number in range(5)]
    # Row 5 repeats row 2 (full-width letters and spaces do not make it another title); row 6 repeats row 3.
    rows.append(spreadsheets.valid_row(0, county, 名称=" 高导热石墨烯复合薄膜制备技术００ ０００ "))
    rows.append(spreadsheets.valid_row(1, county))
    # Same title, another completion date: another achievement.
    rows.append(spreadsheets.valid_row(2, county, 完成日期="2021-01-01"))
    report = run_import(actor=applicant, rows=read_rows(io.BytesIO(spreadsheets.csv_bytes(rows)), "a.csv"))
    assert [row for row, _messages in report.errors] == [7, 8]
    assert report.errors[0][1] == ["名称：与第2行重复（成果名称和完成日期相同），同一文件中请只保留一行。"]
    assert "与第3行重复" in report.errors[1][1][0]
    assert Achievement.objects.count() == 0
    assert "其中 2 行有误，未导入任何记录" in report.as_text()


def test_a_row_repeating_a_record_of_the_organisation_is_flagged(regions, applicant, codes):
    county = regions["county"]
    first = [spreadsheets.valid_row(number, county) for number in range(3)]
    assert run_import(actor=applicant, rows=read_rows(io.BytesIO(spreadsheets.csv_bytes(first)), "a.csv")).ok
    again = [spreadsheets.valid_row(number, county) for number in range(2, 5)]
    report = run_import(
        actor=applicant, rows=read_rows(io.BytesIO(spreadsheets.csv_bytes(again)), "b.csv"), dry_run=True
    )
    assert [row for row, _messages in report.errors] == [2]
    assert "本单位已登记过同名、同完成日期的成果" in report.errors[0][1][0]
    assert "高导热石墨烯复合薄膜制备技术00002" in report.errors[0][1][0]
    # Another organisation may register the same title: the check is per organisation.
    other = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(region=county))
    assert run_import(actor=other, rows=read_rows(io.BytesIO(spreadsheets.csv_bytes(again)), "b.csv")).ok
    assert Achievement.objects.count() == 6
