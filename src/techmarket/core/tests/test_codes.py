import io

import pytest
from django.core.management import CommandError, call_command

from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.codes import HUBEI_REGIONS, import_regions, load_classifications, read_code_table
from techmarket.core.models import AuditEvent, Classification, Region

GOOD_CSV = """code,name,level,parent_code
420000,湖北省,province,
420100,武汉市,city,420000
420102,江岸区,county,420100
429004,仙桃市,city,420000
"""
# Rows 4, 5 and 6 are wrong: a malformed code, an unknown level and a county hung under the province.
BAD_CSV = """code,name,level,parent_code
420000,湖北省,province,
420100,武汉市,city,420000
42010X,坏代码,county,420100
420102,江岸区,town,420100
420103,江汉区,county,420000
420104,硚口区,county,420100
"""


@pytest.mark.django_db
def test_migration_loaded_every_discipline_and_industry_with_parents():
    disciplines = Classification.objects.filter(scheme=ClassificationScheme.DISCIPLINE)
    industries = Classification.objects.filter(scheme=ClassificationScheme.INDUSTRY)
    assert disciplines.filter(parent=None).count() == 62
    assert disciplines.get(code="910").name == "统计学"
    materials = disciplines.get(code="43070")
    assert (materials.name, materials.parent.code) == ("纳米材料", "430")
    assert disciplines.filter(parent__code="520").count() == 7
    assert sorted(industries.filter(parent=None).values_list("code", flat=True)) == list(
        "ABCDEFGHIJKLMNOPQRST"
    )
    divisions = industries.exclude(parent=None)
    assert divisions.count() == 97
    electronics = divisions.get(code="39")
    assert (electronics.name, electronics.parent.code) == ("计算机、通信和其他电子设备制造业", "C")
    assert divisions.get(code="97").parent.name == "国际组织"


@pytest.mark.django_db
def test_loading_classifications_again_changes_nothing_but_repairs_a_renamed_code():
    before = Classification.objects.count()
    assert load_classifications() == 0
    Classification.objects.filter(scheme=ClassificationScheme.INDUSTRY, code="39").update(name="改坏的名称")
    assert load_classifications() == 1
    assert Classification.objects.get(scheme=ClassificationScheme.INDUSTRY, code="39").name.startswith(
        "计算机"
    )
    assert Classification.objects.count() == before


def test_hubei_table_has_the_province_17_city_level_units_and_99_counties():
    rows = read_code_table(HUBEI_REGIONS)
    levels = [row["level"] for row in rows]
    assert (levels.count("province"), levels.count("city"), levels.count("county")) == (1, 17, 99)
    assert len({row["code"] for row in rows}) == len(rows)
    by_code = {row["code"]: row for row in rows}
    assert by_code["429021"] == {
        "code": "429021",
        "name": "神农架林区",
        "level": "city",
        "parent_code": "420000",
    }
    assert by_code["421088"]["name"] == "监利市"
    assert by_code["420111"]["parent_code"] == "420100"


@pytest.mark.django_db
def test_hubei_import_writes_the_tree_once_with_one_audit_event():
    report = import_regions(HUBEI_REGIONS)
    assert report.ok, report.lines()
    assert (report.rows, report.created, report.updated) == (117, 117, 0)
    hongshan = Region.objects.get(code="420111")
    assert [region.code for region in hongshan.chain()] == ["420111", "420100", "420000"]
    assert Region.objects.get(code="429004").parent_id == "420000"
    assert AuditEvent.objects.filter(action="core.regions.import").count() == 1

    again = import_regions(HUBEI_REGIONS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 117)
    assert AuditEvent.objects.filter(action="core.regions.import").count() == 1


@pytest.mark.django_db
def test_a_file_with_three_bad_rows_writes_nothing_and_names_each_row():
    report = import_regions(io.BytesIO(BAD_CSV.encode()))
    assert not report.ok
    assert report.bad_rows() == [4, 5, 6]
    messages = {problem.row: problem.message for problem in report.errors}
    assert "6位数字" in messages[4]
    assert "级别“town”无效" in messages[5]
    assert "上级 420000 是省级区划" in messages[6]
    assert report.lines()[-1] == "共 6 行，3 行有误：未导入任何数据。"
    assert not Region.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_good_file_is_read_in_any_accepted_encoding(encoding):
    report = import_regions(io.BytesIO(GOOD_CSV.encode(encoding)))
    assert report.ok, report.lines()
    assert report.created == 4
    assert Region.objects.get(code="420102").name == "江岸区"
    assert Region.objects.get(code="429004").level == RegionLevel.CITY


@pytest.mark.django_db
def test_parents_may_already_be_in_the_database_and_renames_are_updates():
    import_regions(io.BytesIO(GOOD_CSV.encode()))
    report = import_regions(
        io.StringIO("code,name,level,parent_code\n420100,武汉,city,420000\n420103,江汉区,county,420100\n")
    )
    assert (report.created, report.updated) == (1, 1)
    assert Region.objects.get(code="420100").name == "武汉"


@pytest.mark.django_db
def test_structural_mistakes_are_refused():
    import_regions(io.BytesIO(GOOD_CSV.encode()))
    text = (
        "code,name,level,parent_code\n"
        "420105,汉阳区,county,430100\n"  # parent nowhere
        "420105,汉阳区,county,420100\n"  # duplicate code
        "420102,江岸区,city,420000\n"  # existing county turned into a city
        "430000,湖南省,province,420000\n"  # province with a parent
        "430102,芙蓉区,county,420100\n"  # other province's code under a Hubei city
        ",无代码,county,420100\n"
    )
    report = import_regions(io.StringIO(text))
    assert report.bad_rows() == [2, 3, 4, 5, 6, 7]
    messages = {problem.row: problem.message for problem in report.errors}
    assert "既不在文件中，也不在系统中" in messages[2]
    assert "与第2行重复" in messages[3]
    assert "不能改为市级" in messages[4]
    assert "不应填写上级" in messages[5]
    assert "不在同一省份" in messages[6]
    assert Region.objects.count() == 4


@pytest.mark.django_db
def test_a_file_without_the_required_columns_is_refused():
    report = import_regions(io.StringIO("代码,名称\n420000,湖北省\n"))
    assert report.lines() == [
        "文件：第1行应为表头，缺少列：code, name, level, parent_code。",
        "未导入任何数据。",
    ]


@pytest.mark.django_db
def test_command_prints_each_bad_row_and_fails(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_regions", str(path), stdout=out)
    printed = out.getvalue()
    for row in (4, 5, 6):
        assert f"第{row}行：" in printed
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_command_dry_run_reports_without_writing_then_imports(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes(GOOD_CSV.encode("gb18030"))
    out = io.StringIO()
    call_command("import_regions", str(path), "--dry-run", stdout=out)
    assert out.getvalue().strip() == "共 4 行：新增 4，更新 0，未变 0。（试运行，未写入）"
    assert not Region.objects.exists()
    call_command("import_regions", str(path), stdout=io.StringIO())
    assert Region.objects.count() == 4
