import io

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state


@pytest.fixture
def records(regions, reviewers, applicant):
    def make(state, name, region="county", **overrides):
        return achievement_in_state(
            state, applicant=applicant, region=regions[region], reviewers=reviewers, name=name, **overrides
        )

    return {
        "public": make(AchievementState.PUBLISHED, "高导热石墨烯复合薄膜的制备技术"),
        "city_level": make(AchievementState.PUBLISHED, "盐碱地水稻高产栽培技术", region="city"),
        "restricted": make(AchievementState.PUBLISHED, "受限的电池回收工艺", confidentiality="restricted"),
        "draft": make(AchievementState.DRAFT, "尚未提交的草稿成果"),
    }


def exported(path) -> list[str]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0][1] == "成果名称"
    return sorted(row[1] for row in rows[1:])


def test_anonymous_export_holds_only_public_records(tmp_path, records):
    out = io.StringIO()
    path = tmp_path / "成果.xlsx"

    call_command("export_achievements", "achievements", str(path), stdout=out)

    assert exported(path) == sorted([records["public"].name, records["city_level"].name])
    assert "已导出 2 条成果" in out.getvalue()


def test_a_user_exports_what_they_may_see(tmp_path, records):
    path = tmp_path / "mine.xlsx"

    call_command("export_achievements", "achievements", str(path), user="applicant", stdout=io.StringIO())

    assert exported(path) == sorted(record.name for record in records.values())


def test_filters_narrow_the_export(tmp_path, regions, records):
    path = tmp_path / "filtered.xlsx"

    call_command(
        "export_achievements",
        "achievements",
        str(path),
        region=regions["county"].code,
        stdout=io.StringIO(),
    )
    assert exported(path) == [records["public"].name]

    call_command("export_achievements", "achievements", str(path), q="水稻", stdout=io.StringIO())
    assert exported(path) == [records["city_level"].name]

    call_command(
        "export_achievements",
        "achievements",
        str(path),
        user="applicant",
        state="draft",
        stdout=io.StringIO(),
    )
    assert exported(path) == [records["draft"].name]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"trl_min": "12"}, "--trl-min"),
        ({"region": "abc"}, "--region"),
        ({"user": "nobody"}, "不存在"),
    ],
)
def test_bad_options_are_refused(tmp_path, db, options, message):
    path = tmp_path / "out.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("export_achievements", "achievements", str(path), **options)
    assert not path.exists()


def test_the_output_must_be_an_xlsx_file(tmp_path, db):
    with pytest.raises(CommandError, match=r"\.xlsx"):
        call_command("export_achievements", "achievements", str(tmp_path / "out.csv"))
