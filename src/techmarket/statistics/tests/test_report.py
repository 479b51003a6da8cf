"""The annual report PDF and the commands."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from techmarket.statistics import report, targets
from techmarket.statistics.tests import scene as scene_module

pytestmark = pytest.mark.django_db


def test_annual_report_is_a_pdf_with_chinese_text_and_no_contract_detail(regions, organisation, tmp_path):
    scene = scene_module.build(regions, organisation)
    targets.load_shipped()
    out = tmp_path / "report.pdf"
    call_command("annual_report", region=regions["city"].code, year=2026, out=str(out), stdout=io.StringIO())
    content = out.read_bytes()
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "技术合同" in text
    assert "甲市东县" in text
    assert scene_module.TITLE not in text
    assert all(item.registration_number not in text for item in scene.contracts)
    # The public view: the small organisation never appears by name in a regional report.
    assert scene.small.name not in text


def test_report_context_suppresses_like_the_public_page(regions, organisation):
    scene_module.build(regions, organisation)
    context = report.context(regions["county"].code, 2026)
    assert context["board"].drill.output.contracts == 17
    assert "<svg" in context["charts"]["yearly"]


def test_annual_report_refuses_an_unknown_region(tmp_path):
    with pytest.raises(CommandError, match="没有这个地区"):
        call_command("annual_report", region="000001", year=2026, out=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError):
        call_command("annual_report", region="990000", year=1900, out=str(tmp_path / "x.pdf"))


def test_rebuild_command(regions, organisation):
    scene_module.build(regions, organisation)
    output = io.StringIO()
    call_command("statistics_rebuild", stdout=output)
    assert "cells rebuilt" in output.getvalue()


def test_demo_load_gives_the_five_target_sets_and_the_cells(regions, organisation):
    from techmarket.statistics import demo
    from techmarket.statistics.models import StatCell, TargetSet

    scene_module.build(regions, organisation)
    before = StatCell.objects.count()
    output = io.StringIO()
    demo.load(stdout=output)
    assert TargetSet.objects.count() == 5
    assert StatCell.objects.count() == before
    assert "5 target sets" in output.getvalue()
