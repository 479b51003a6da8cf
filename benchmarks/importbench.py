"""Spreadsheet import throughput: 5,000 valid rows from the corpus, read from .xlsx and written.

The rows are corpus records the bulk database does not hold (the ones after it), filled in like a
filer would fill the template: Chinese code-list labels, GB/T codes, dates, transfer modes, persons and
patents. Each step is timed through the import module's public functions, as the upload job runs them.
"""

from __future__ import annotations

import datetime
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bulkdata import SEED, corpus_records

ROWS = 5_000


def filled_rows(record_count: int) -> list[dict[str, str]]:
    """Template rows ({field: cell text}) for ROWS corpus records after the first ``record_count``."""
    from django.utils import translation

    from techmarket.achievements.choices import (
        AchievementAttribute,
        AchievementStage,
        AchievementType,
        EvaluationForm,
        TransferMode,
    )
    from techmarket.achievements.services import MAX_KEYWORDS
    from techmarket.core.choices import ClassificationScheme, RegionLevel
    from techmarket.core.models import Classification, Region
    from techmarket.core.text import split_keywords

    rng = random.Random(SEED + 2)  # noqa: S311 (seeded: reproducible data, not a secret)
    records = corpus_records(record_count + ROWS)[record_count:]
    disciplines = list(
        Classification.objects.filter(scheme=ClassificationScheme.DISCIPLINE, parent__isnull=False)
        .order_by("code")
        .values_list("code", flat=True)
    )
    industries = list(
        Classification.objects.filter(scheme=ClassificationScheme.INDUSTRY, parent__isnull=False)
        .order_by("code")
        .values_list("code", flat=True)
    )
    counties = list(
        Region.objects.filter(level=RegionLevel.COUNTY).order_by("code").values_list("code", flat=True)
    )
    rows = []
    with translation.override("zh-hans"):
        labels = {
            choices: [str(label) for _value, label in choices.choices]
            for choices in (AchievementType, AchievementAttribute, AchievementStage, TransferMode)
        }
        evaluation_labels = [str(label) for value, label in EvaluationForm.choices]
        not_evaluated = str(EvaluationForm.NONE.label)
        for index, record in enumerate(records):
            fiscal = rng.random() < 0.4
            evaluation = rng.choice(evaluation_labels)
            completion = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randrange(6 * 365))
            negotiable = rng.random() < 0.2
            keywords = split_keywords("，".join(record.keywords))[:MAX_KEYWORDS] or [
                record.discipline or "技术"
            ]
            rows.append(
                {
                    "name": record.title,
                    "achievement_type": rng.choice(labels[AchievementType]),
                    "discipline": rng.choice(disciplines),
                    "industry": rng.choice(industries),
                    "keywords": "，".join(keywords),
                    "abstract": record.abstract,
                    "technical_indicators": "",
                    "innovation_points": "",
                    "application_prospects": "",
                    "funding_source": "财政资金" if fiscal else "非财政资金",
                    "programme_name": "国家社会科学基金" if fiscal else "",
                    "project_number": f"IMPORT{index:06d}" if fiscal else "",
                    "evaluation_form": evaluation,
                    "evaluation_date": "" if evaluation == not_evaluated else completion.isoformat(),
                    "completion_date": completion.isoformat(),
                    "attribute": rng.choice(labels[AchievementAttribute]),
                    "trl": str(rng.randint(1, 9)),
                    "transfer_modes": "、".join(rng.sample(labels[TransferMode], rng.randint(1, 3))),
                    "price_negotiable": "是" if negotiable else "否",
                    "reference_price": "" if negotiable else str(rng.randrange(5, 5000)),
                    "region": rng.choice(counties),
                    "confidentiality": "受限" if rng.random() < 0.05 else "公开",
                    "organisations": record.owner or "基准测试大学",
                    "persons": f"张{index % 100}，{record.owner or '基准测试大学'}，教授，项目负责人；李{index % 37}",
                    "ip_rights": f"ZL2023{index:07d}.X，发明专利，已授权" if record.kind == "patent" else "",
                }
            )
    return rows


def write_xlsx(rows: list[dict[str, str]], path: Path) -> None:
    """A workbook with the template's column titles, one row per record (what a filer uploads)."""
    import xlsxwriter

    from techmarket.achievements.imports.columns import COLUMNS

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("成果登记")
    sheet.write_row(0, 0, [column.title for column in COLUMNS])
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, [row[column.field] for column in COLUMNS])
    workbook.close()


def check(condition: bool, problem: str) -> None:
    if not condition:
        raise SystemExit(f"import benchmark: {problem}")


def run(record_count: int) -> dict[str, Any]:
    """Time reading the .xlsx, checking every row (dry run), and the real import (check + write)."""
    from techmarket.accounts.models import User
    from techmarket.achievements.imports import readers, service
    from techmarket.achievements.models import Achievement
    from techmarket.search import backends as search

    actor = User.objects.select_related("organisation").get(username="bench_filer0")
    rows = filled_rows(record_count)
    before = Achievement.objects.count()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "achievements.xlsx"
        write_xlsx(rows, path)
        size = path.stat().st_size
        started = time.perf_counter()
        read = readers.read_rows(path, path.name)
        read_seconds = time.perf_counter() - started
    check(len(read) == ROWS, f"read {len(read)} rows of {ROWS}")
    started = time.perf_counter()
    checked = service.run_import(actor=actor, rows=read, dry_run=True)
    check_seconds = time.perf_counter() - started
    check(checked.ok, checked.as_text()[:2000])
    started = time.perf_counter()
    report = service.run_import(actor=actor, rows=read, source=path.name)
    import_seconds = time.perf_counter() - started
    check(report.ok and report.imported == ROWS, report.as_text()[:2000])
    check(Achievement.objects.count() == before + ROWS, "the import did not add every row")
    check(
        search.rank(Achievement.objects.all(), rows[-1]["name"]).exists(), "imported rows are not searchable"
    )

    def rate(seconds: float) -> int:
        return round(ROWS / seconds)

    return {
        "rows": ROWS,
        "xlsx_bytes": size,
        "read_seconds": round(read_seconds, 2),
        "read_per_second": rate(read_seconds),
        "check_seconds": round(check_seconds, 2),
        "check_per_second": rate(check_seconds),
        "import_seconds": round(import_seconds, 2),
        "import_per_second": rate(import_seconds),
        # The import checks every row again before writing; the write step is what it adds.
        "write_per_second": rate(max(import_seconds - check_seconds, 1e-6)),
        "end_to_end_per_second": rate(read_seconds + import_seconds),
        "existing_records": before,
    }
