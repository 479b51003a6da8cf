import json
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from django.core.management import CommandError, call_command

from techmarket import cli
from techmarket.achievements.choices import TransferMode
from techmarket.demands.choices import Cooperation
from techmarket.matching import batch, ranking
from techmarket.matching.engine import Lexicon, MatchIndex

ACHIEVEMENTS = [
    {
        "id": "graphene",
        "title": "石墨烯导热膜的制备方法",
        "abstract": "高导热系数的石墨烯导热膜，用于手机散热。",
        "keywords": ["石墨烯", "导热膜"],
        "industry": "C3985",
        "region": "420111",
        "trl": 6,
        "price": 80,
        "modes": ["license", "transfer"],
    },
    {
        "id": "film",
        "title": "导热膜",
        "abstract": "一种导热膜及其在电子器件散热中的应用。",
        "keywords": [],
        "industry": "C2641",
        "trl": 3,
    },
    {"id": "paste", "title": "导热硅脂", "abstract": "用于芯片散热的导热硅脂。", "keywords": ["导热"]},
    {
        "id": "port",
        "title": "水运工程项目管理",
        "abstract": "水运工程项目的质量管理与进度管理。",
        "keywords": [],
    },
]
DEMANDS = [
    {
        "id": "D1",
        "title": "手机散热",
        "content": "寻找高导热膜材料",
        "industry": "C3985",
        "trl": 5,
        "budget_max": 100,
        "cooperation": ["license"],
    },
    {"id": "D2", "title": "", "content": "水运工程进度管理"},
    {"id": "D3", "title": "区块链", "content": ""},
]
COLUMNS = ("id", "title", "abstract", "keywords", "industry", "region", "trl", "price", "modes")
DEMAND_COLUMNS = ("id", "title", "content", "industry", "trl", "budget_max", "cooperation")


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def cell(value):
    return "、".join(value) if isinstance(value, list) else ("" if value is None else value)


def write_csv(path: Path, records, columns, separator="；") -> Path:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for record in records:
            row = [record.get(c) for c in columns]
            writer.writerow(
                [separator.join(v) if isinstance(v, list) else ("" if v is None else v) for v in row]
            )
    return path


def write_xlsx(path: Path, records, columns) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, columns)
    for line, record in enumerate(records, start=1):
        sheet.write_row(line, 0, [cell(record.get(c)) for c in columns])
    workbook.close()
    return path


def expected_run(top=3, weights=ranking.DEFAULT_WEIGHTS):
    """What ranking.rank gives when called directly on the same records."""
    index = MatchIndex.build(ACHIEVEMENTS, Lexicon.grow(ACHIEVEMENTS))
    profiles = {
        r["id"]: ranking.Profile(
            industry=r.get("industry", ""),
            region=r.get("region", ""),
            trl=r.get("trl"),
            price=r.get("price"),
            modes=frozenset(r.get("modes", [])),
        )
        for r in ACHIEVEMENTS
    }
    run = []
    for demand in DEMANDS:
        need = ranking.Need(
            text=f"{demand['title']} {demand['content']}".strip(),
            industry=demand.get("industry", ""),
            trl=demand.get("trl"),
            budget_max=demand.get("budget_max"),
            cooperation=frozenset(demand.get("cooperation", [])),
        )
        ranked = ranking.rank(index, need, k=top, profile_of=profiles.get, weights=weights)
        run.append({"demand_id": demand["id"], "matches": [batch.as_match(r) for r in ranked]})
    return run


def read_run(path: Path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def match_batch(achievements, demands, out, *extra):
    call_command(
        "match_batch",
        "--achievements",
        str(achievements),
        "--demands",
        str(demands),
        "--top",
        "3",
        "--out",
        str(out),
        *extra,
    )


# --------------------------------------------------------------------------- formats


def test_jsonl_in_and_out_gives_what_ranking_gives(tmp_path, capsys):
    a = write_jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS)
    match_batch(a, d, tmp_path / "out.jsonl", "--weights", "default")
    run = read_run(tmp_path / "out.jsonl")
    assert run == expected_run()
    assert run[0]["matches"][0]["id"] == "graphene"
    kinds = {reason["kind"] for reason in run[0]["matches"][0]["reasons"]}
    assert {"term", "industry", "trl", "price", "mode"} <= kinds
    assert run[2] == {"demand_id": "D3", "matches": []}
    err = capsys.readouterr().err
    assert "索引 4 条成果" in err
    assert "匹配 3 条需求" in err


@pytest.mark.parametrize("separator", ["；", ";", "，", "、"])
def test_csv_in_gives_the_same_results(tmp_path, separator):
    a = write_csv(tmp_path / "a.csv", ACHIEVEMENTS, COLUMNS, separator)
    d = write_csv(tmp_path / "d.csv", DEMANDS, DEMAND_COLUMNS, separator)
    match_batch(a, d, tmp_path / "out.jsonl", "--weights", "default")
    assert read_run(tmp_path / "out.jsonl") == expected_run()


def test_xlsx_in_and_out(tmp_path):
    a = write_xlsx(tmp_path / "a.xlsx", ACHIEVEMENTS, COLUMNS)
    d = write_xlsx(tmp_path / "d.xlsx", DEMANDS, DEMAND_COLUMNS)
    match_batch(a, d, tmp_path / "out.xlsx", "--weights", "default")
    rows = (
        python_calamine.CalamineWorkbook.from_path(str(tmp_path / "out.xlsx"))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert tuple(rows[0]) == batch.OUTPUT_COLUMNS
    expected = [
        (run["demand_id"], position, match["id"], match["score"])
        for run in expected_run()
        for position, match in enumerate(run["matches"], start=1)
    ]
    assert [(r[0], int(r[1]), r[2], r[3]) for r in rows[1:]] == expected
    assert rows[1][4].startswith("term ")
    assert "industry C3985 +" in rows[1][4]


def test_chinese_labels_are_read_as_their_codes(tmp_path):
    records = [{**ACHIEVEMENTS[0], "modes": ["许可", "转让"]}, *ACHIEVEMENTS[1:]]
    demands = [{**DEMANDS[0], "cooperation": ["许可"]}, *DEMANDS[1:]]
    a = write_csv(tmp_path / "a.csv", records, COLUMNS)
    d = write_csv(tmp_path / "d.csv", demands, DEMAND_COLUMNS)
    match_batch(a, d, tmp_path / "out.jsonl", "--weights", "default")
    assert read_run(tmp_path / "out.jsonl") == expected_run()


def test_the_label_tables_follow_the_platforms_choices():
    assert {str(label): value for value, label in TransferMode.choices} == batch.MODE_LABELS
    assert {str(label): value for value, label in Cooperation.choices} == batch.COOPERATION_LABELS


def test_an_unpriced_record_has_no_price_fit(tmp_path):
    records = [{**ACHIEVEMENTS[0], "price": "面议"}, *ACHIEVEMENTS[1:]]
    a = write_jsonl(tmp_path / "a.jsonl", records)
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS[:1])
    match_batch(a, d, tmp_path / "out.jsonl", "--weights", "default")
    kinds = {reason["kind"] for reason in read_run(tmp_path / "out.jsonl")[0]["matches"][0]["reasons"]}
    assert "price" not in kinds
    assert "trl" in kinds


# --------------------------------------------------------------------------- weights


@pytest.mark.django_db
def test_by_default_the_platforms_current_weights_are_used(tmp_path, monkeypatch):
    a = write_jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS)
    match_batch(a, d, tmp_path / "default.jsonl")
    assert read_run(tmp_path / "default.jsonl") == expected_run()  # no decision learned yet

    region_first = ranking.Weights({"bigram": 0.25, "word": 0.25}, {"trl": -1.0})
    monkeypatch.setattr("techmarket.matching.selectors.current_weights", lambda: region_first)
    match_batch(a, d, tmp_path / "learned.jsonl")
    assert read_run(tmp_path / "learned.jsonl") == expected_run(weights=region_first)
    assert read_run(tmp_path / "learned.jsonl") != read_run(tmp_path / "default.jsonl")


def test_a_weights_file_overrides(tmp_path):
    weights = ranking.Weights({"bigram": 2.0, "word": 0.5}, {"trl": -1.0, "industry": -1.0})
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(weights.to_dict()), encoding="utf-8")
    a = write_jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS)
    match_batch(a, d, tmp_path / "out.jsonl", "--weights", str(path))
    assert read_run(tmp_path / "out.jsonl") == expected_run(weights=weights)
    assert read_run(tmp_path / "out.jsonl") != expected_run()


# --------------------------------------------------------------------------- errors


def fails(tmp_path, achievements, demands, *fragments, extra=()):
    out = tmp_path / "out.jsonl"
    with pytest.raises(CommandError) as error:
        match_batch(achievements, demands, out, "--weights", "default", *extra)
    assert error.value.returncode == 2
    for fragment in fragments:
        assert fragment in str(error.value)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no partial file left
    return str(error.value)


def test_a_missing_id_column_names_the_file(tmp_path):
    a = write_csv(tmp_path / "a.csv", ACHIEVEMENTS, ("title", "abstract"))
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS)
    fails(tmp_path, a, d, "a.csv 第 1 行", "缺少 id 列")
    x = write_xlsx(tmp_path / "d.xlsx", DEMANDS, ("title", "content"))
    fails(tmp_path, write_jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS), x, "d.xlsx 第 1 行", "缺少 id 列")


def test_duplicate_ids_name_the_file_and_row(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [*ACHIEVEMENTS, ACHIEVEMENTS[1]])
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS)
    fails(tmp_path, a, d, "a.jsonl 第 5 行", "film", "重复")
    good = write_jsonl(tmp_path / "good.jsonl", ACHIEVEMENTS)
    dupes = write_csv(tmp_path / "d.csv", [*DEMANDS, DEMANDS[0]], DEMAND_COLUMNS)
    fails(tmp_path, good, dupes, "d.csv 第 5 行", "D1", "第 2 行")


def test_unreadable_files_are_reported(tmp_path):
    good = write_jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    broken = tmp_path / "d.jsonl"
    broken.write_text('{"id": "D1", "content": "x"}\n{"id": \n', encoding="utf-8")
    fails(tmp_path, good, broken, "d.jsonl 第 2 行", "JSON")
    fails(tmp_path, good, tmp_path / "missing.jsonl", "missing.jsonl", "无法读取")
    garbage = tmp_path / "d.xlsx"
    garbage.write_bytes(b"not a workbook")
    fails(tmp_path, good, garbage, "d.xlsx", ".xlsx")
    latin = tmp_path / "d.csv"
    latin.write_bytes("id,content\nD1,\xe9\n".encode("latin-1"))
    fails(tmp_path, good, latin, "d.csv", "UTF-8")
    fails(tmp_path, good, tmp_path / "d.txt", "d.txt", "不支持")


def test_bad_values_name_the_row_and_column(tmp_path):
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS)
    for change, fragments in (
        ({"trl": 12}, ("trl", "1 到 9")),
        ({"price": "很贵"}, ("price", "很贵")),
        ({"modes": ["赠送"]}, ("modes", "赠送")),
        ({"id": ""}, ("id 为空",)),
    ):
        a = write_jsonl(tmp_path / "a.jsonl", [ACHIEVEMENTS[0], {**ACHIEVEMENTS[1], **change}])
        fails(tmp_path, a, d, "a.jsonl 第 2 行", *fragments)
    a = write_jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    budget = write_jsonl(tmp_path / "d.jsonl", [{**DEMANDS[0], "budget_min": 200}])
    fails(tmp_path, a, budget, "d.jsonl 第 1 行", "budget_min")


def test_a_bad_weights_file_or_top_is_refused(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS)
    weights = tmp_path / "w.json"
    weights.write_text('{"views": {"semantic": 1}}', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with pytest.raises(CommandError) as error:
        match_batch(a, d, out, "--weights", str(weights))
    assert error.value.returncode == 2
    assert "w.json" in str(error.value)
    with pytest.raises(CommandError) as error:
        call_command(
            "match_batch", "--achievements", str(a), "--demands", str(d), "--top", "0", "--out", str(out)
        )
    assert error.value.returncode == 2
    assert not out.exists()


def test_an_existing_output_survives_a_failed_run(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    a = write_jsonl(tmp_path / "a.jsonl", [*ACHIEVEMENTS, ACHIEVEMENTS[0]])
    with pytest.raises(CommandError):
        match_batch(a, write_jsonl(tmp_path / "d.jsonl", DEMANDS), out, "--weights", "default")
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_the_console_command_exits_with_2_and_says_why(tmp_path, capsys):
    a = write_csv(tmp_path / "a.csv", ACHIEVEMENTS, ("title",))
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS)
    args = [
        "techmarket",
        "match-batch",
        "--achievements",
        str(a),
        "--demands",
        str(d),
        "--out",
        str(tmp_path / "o.jsonl"),
    ]
    with pytest.raises(SystemExit) as exit_:
        cli.main([*args, "--weights", "default"])
    assert exit_.value.code == 2
    assert "a.csv 第 1 行" in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()


def test_the_spreadsheet_names_reasons_in_words(tmp_path):
    """The 理由 column: names instead of codes (the codes stay in the reasons column), no filler."""
    a = write_xlsx(tmp_path / "a.xlsx", ACHIEVEMENTS, COLUMNS)
    d = write_xlsx(tmp_path / "d.xlsx", DEMANDS, DEMAND_COLUMNS)
    match_batch(a, d, tmp_path / "out.xlsx", "--weights", "default")
    rows = (
        python_calamine.CalamineWorkbook.from_path(str(tmp_path / "out.xlsx"))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][5] == "理由"
    words = rows[1][5]
    assert "行业：计算机、通信和其他电子设备制造业 ✓" in words  # C3985 named by its division
    assert "合作方式：许可 ✓" in words
    assert "C3985" not in words
    assert "license" not in words


def test_reason_words_name_every_fit_kind():
    assert batch.reason_words({"kind": "region", "value": "420111", "weight": 0.1}) == "地域：洪山区 ✓"
    assert batch.reason_words({"kind": "trl", "value": "4/6", "weight": -0.2}) == "成熟度：4级（期望6级） ✗"
    assert batch.reason_words({"kind": "price", "value": "80/50-100", "weight": 0.1}) == (
        "价格：参考价80万元，预算50–100万元 ✓"
    )
    assert batch.reason_words({"kind": "mode", "value": "co_develop+equity", "weight": -0.5}) == (
        "合作方式：合作开发、作价投资 ✗"
    )
    assert batch.reason_words({"kind": "term", "value": "石墨烯", "weight": 1.0}) == "石墨烯"
    assert batch.code_name("region", "999999") == "999999"
