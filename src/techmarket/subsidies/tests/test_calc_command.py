"""``techmarket subsidy-calc``: CSV and .xlsx round trips, bad rows, claims, and no database needed."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from django.core.management import CommandError, call_command

from techmarket.subsidies.calc import COLUMNS

ROOT = Path(__file__).resolve().parents[4]

ROWS = [
    # seller s1 (Yueyang) reaches 500,000 on development + licence; buyer b1 reaches 250,000
    ["c1", "s1", "岳阳甲大学", "430602", "b1", "岳阳乙公司", "430621", "development", "400000", "2018"],
    ["c2", "s1", "岳阳甲大学", "430602", "b2", "北京丙公司", "110105", "license", "100000.00", "2018"],
    # a Changsha consultant: outside the region
    ["c3", "s2", "长沙丁咨询", "430102", "b1", "岳阳乙公司", "430621", "consulting", "900000", "2018"],
    # another year: ignored
    ["c4", "s1", "岳阳甲大学", "430602", "b1", "岳阳乙公司", "430621", "development", "5", "2017"],
]


def write_csv(path: Path, rows, header=COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, COLUMNS)
    for number, row in enumerate(rows, start=1):
        # regions, amounts and years as numbers, as a spreadsheet user would type them
        values = [*row[:3], int(row[3]), *row[4:6], int(row[6]), row[7], float(row[8]), int(row[9])]
        sheet.write_row(number, 0, values)
    workbook.close()
    return path


def calc(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("subsidy_calc", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


EXPECTED = [
    # buyer b1: 400,000 × 4 % = 16,000; seller s1: 500,000 × 2 % = 10,000; pool 10 % of 100,000 = 10,000
    # scaled by 10,000 / 26,000: 6,153.846… → 6,153.84 and 3,846.153… → 3,846.15 (sum 9,999.99)
    {
        "org_id": "b1",
        "org_name": "岳阳乙公司",
        "rule": "buyer_dev_transfer",
        "base": "400000.00",
        "rate": "0.04",
        "raw_award": "16000.00",
        "capped_award": "16000.00",
        "final_award": "6153.84",
    },
    {
        "org_id": "s1",
        "org_name": "岳阳甲大学",
        "rule": "seller_dev_transfer",
        "base": "500000.00",
        "rate": "0.02",
        "raw_award": "10000.00",
        "capped_award": "10000.00",
        "final_award": "3846.15",
    },
]


def test_csv_round_trip(tmp_path):
    contracts = write_csv(tmp_path / "contracts.csv", ROWS)
    out = tmp_path / "awards.csv"
    stdout, _ = calc(
        "--policy", "yueyang-2017", "--year", "2018", "--budget", "100000",
        "--contracts", str(contracts), "--out", str(out), "--trail", str(tmp_path / "trail.json"),
    )  # fmt: skip
    assert read_csv(out) == EXPECTED
    assert "合计 9999.99 元" in stdout
    assert "缩放系数：0.3846153846" in stdout
    assert "其他年份 1 份已忽略" in stdout
    assert "seller_consult_service：1 份合同的受补助方不在策略地区内" in stdout
    trail = json.loads((tmp_path / "trail.json").read_text(encoding="utf-8"))
    assert trail["total"] == "9999.99"
    assert trail["awards"][1]["trail"]["contract_ids"] == ["c1", "c2"]
    assert trail["scaling"]["unallocated"] == "0.01"


def test_xlsx_in_and_out(tmp_path):
    contracts = write_xlsx(tmp_path / "contracts.xlsx", ROWS)
    out = tmp_path / "awards.xlsx"
    calc(
        "--policy", "yueyang-2017", "--year", "2018", "--budget", "100000",
        "--contracts", str(contracts), "--out", str(out),
    )  # fmt: skip
    rows = python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0] == list(EXPECTED[0])
    header = rows[0]
    got = []
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        for key in ("base", "raw_award", "capped_award", "final_award"):
            record[key] = f"{D(str(record[key])):.2f}"  # numbers in the workbook, exact to the fen
        record["rate"] = str(D(str(record["rate"])))
        got.append(record)
    assert got == EXPECTED


def test_bad_rows_reported_by_row_and_nothing_written(tmp_path):
    rows = [
        ROWS[0],
        ["c5", "s1", "甲", "430602", "b1", "乙", "430621", "sale", "100", "2018"],
        ["c6", "s1", "甲", "430602", "b1", "乙", "430621", "development", "-5", "2018"],
        ["c7", "s1", "甲", "43060", "b1", "乙", "430621", "development", "100", "2018"],
        ["c8", "s1", "甲", "430602", "b1", "乙", "430621", "development", "十万", "2018"],
        ["c9", "s1", "甲", "430602", "b1", "乙", "430621", "development", "100", "去年"],
        ["c10", "s1", "甲", "430602", "b1", "乙", "430621", "service", "100.001", "2018"],
        ["c11", "s1"],
    ]
    contracts = write_csv(tmp_path / "contracts.csv", rows)
    out = tmp_path / "awards.csv"
    with pytest.raises(CommandError) as error:
        calc(
            "--policy", "yueyang-2017", "--year", "2018", "--budget", "100000",
            "--contracts", str(contracts), "--out", str(out), "--trail", str(tmp_path / "trail.json"),
        )  # fmt: skip
    assert error.value.returncode == 1
    assert not out.exists()
    assert not (tmp_path / "trail.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contracts.csv"]


def test_bad_rows_message(tmp_path, capsys):
    rows = [
        ["c5", "s1", "甲", "430602", "b1", "乙", "430621", "sale", "100", "2018"],
        ["c6", "s1", "甲", "430602", "b1", "乙", "430621", "development", "-5", "2018"],
        ["c7", "s1", "甲", "43060", "b1", "乙", "430621", "development", "abc", "2018"],
        ["c9", "s1", "甲", "430602", "b1", "乙", "430621", "development", "100", "去年"],
    ]
    contracts = write_csv(tmp_path / "contracts.csv", rows)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "subsidy_calc", "--policy", "yueyang-2017", "--year", "2018", "--budget", "1",
            "--contracts", str(contracts), "--out", str(tmp_path / "o.csv"), stderr=err, stdout=StringIO(),
        )  # fmt: skip
    text = err.getvalue()
    assert "4 行有错误，未写出任何文件" in text
    assert "第 2 行：合同类型未知：sale" in text
    assert "第 3 行：到账额不能为负数：-5" in text
    assert "第 4 行：卖方地区代码无效：43060；到账额不是数字：abc" in text
    assert "第 5 行：年份无效：去年" in text


def test_missing_columns_and_bad_policy(tmp_path):
    contracts = write_csv(tmp_path / "c.csv", [], header=COLUMNS[:-1])
    with pytest.raises(CommandError, match="缺少列：year"):
        calc("--policy", "yueyang-2017", "--year", "2018", "--budget", "1",
             "--contracts", str(contracts), "--out", str(tmp_path / "o.csv"))  # fmt: skip
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"id": "x", "rules": [{"id": "r", "kind": "lottery"}]}), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        calc("--policy", str(policy), "--year", "2018", "--budget", "1",
             "--contracts", str(write_csv(tmp_path / "ok.csv", ROWS)), "--out", str(tmp_path / "o.csv"))  # fmt: skip
    assert "策略无法使用" in str(error.value)
    assert "规则 r 的类型 lottery 未知" in str(error.value)
    assert "缺少字段 region" in str(error.value)
    assert not (tmp_path / "o.csv").exists()
    with pytest.raises(CommandError, match="预算"):
        calc("--policy", "yueyang-2017", "--year", "2018", "--budget", "-1",
             "--contracts", str(contracts), "--out", str(tmp_path / "o.csv"))  # fmt: skip


def test_claims_file(tmp_path):
    claims = tmp_path / "claims.json"
    claims.write_text(
        json.dumps(
            [
                {"claim_id": "k1", "org_id": "o1", "org_name": "甲", "org_region": "220102",
                 "rule": "patent_foreign_invention", "facts": {"count": 2}},
                {"claim_id": "k2", "org_id": "o2", "org_name": "乙", "org_region": "220102",
                 "rule": "little_giant_product", "facts": {"amount": "400000"}},
                {"claim_id": "k3", "org_id": "o3", "org_name": "丙", "org_region": "220102",
                 "rule": "inventor_reward_share", "facts": {"net_income": "100", "inventors_reward": "69"}},
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "o.csv"
    stdout, _ = calc("--policy", "jilin-2016", "--year", "2017", "--claims", str(claims), "--out", str(out))
    assert [(r["org_id"], r["rule"], r["final_award"], r["rate"]) for r in read_csv(out)] == [
        ("o1", "patent_foreign_invention", "100000.00", "")
    ]
    assert (
        "申请 k2（little_giant_product）未获支持：申请金额 400000.00 不在 150000.00 至 300000.00 元之间。"
        in stdout
    )
    assert "核查 k3（inventor_reward_share）：未通过" in stdout
    assert "缩放系数：1" in stdout


def test_runs_without_a_database(tmp_path):
    """The what-if calculator runs where no database server exists."""
    contracts = write_csv(tmp_path / "contracts.csv", ROWS)
    out = tmp_path / "awards.csv"
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody:secret@127.0.0.1:9/no_such_db",
        "DJANGO_SETTINGS_MODULE": "techmarket.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "techmarket", "subsidy-calc", "--policy", "yueyang-2017", "--year", "2018",
         "--budget", "100000", "--contracts", str(contracts), "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert read_csv(out) == EXPECTED
    assert "9999.99" in completed.stdout


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234", D("1234")),
        ("1234.5", D("1234.5")),
        ("1234.56", D("1234.56")),
        ("1,234.56", D("1234.56")),
        ("1e3", D("1000")),
        ("0", D("0")),
        ("1234.567", None),
        ("-1", None),
        ("abc", None),
        ("NaN", None),
        ("Infinity", None),
        ("", None),
        ("1.5e-3", None),
    ],
)
def test_amount_text(text, value):
    from techmarket.subsidies.calc import _amount

    assert _amount(text) == value
