"""Suppression and who sees which node exactly, on the page, the API, the export and the report."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from techmarket.accounts.policies import ANONYMOUS, principal_of
from techmarket.accounts.tests.factories import PASSWORD, UserFactory
from techmarket.achievements.tests.cast import ROLES, build_cast
from techmarket.statistics import selectors
from techmarket.statistics.selectors import Figures, suppress
from techmarket.statistics.tests import scene as scene_module

pytestmark = pytest.mark.django_db

ALL = (*ROLES, "registrar", "other_registrar", "superuser")
# Who knows the small organisation's figures: its own users and the registry of its region.
KNOWS_SMALL = {"applicant", "org_admin", "registrar"}


@pytest.fixture
def scene(regions, organisation):
    return scene_module.build(regions, organisation)


@pytest.fixture
def cast(regions, reviewers, organisation, applicant, scene) -> dict[str, Any]:
    people = build_cast(regions, reviewers, organisation, applicant)
    people["registrar"] = scene.registrar
    people["other_registrar"] = scene.other_registrar
    people["superuser"] = UserFactory(is_superuser=True, is_staff=True, organisation=None, username="root")
    return people


def client_for(user: Any) -> Client:
    client = Client()
    if getattr(user, "is_authenticated", False):
        assert client.login(username=user.username, password=PASSWORD)
    return client


def test_suppress_primary_and_complementary():
    cells = [Figures(contracts=2), Figures(contracts=10), Figures(contracts=5)]
    assert suppress(cells) == set()
    assert [cell.suppressed for cell in cells] == [True, False, True]
    two = [Figures(contracts=1), Figures(contracts=2), Figures(contracts=7)]
    suppress(two)
    assert [cell.suppressed for cell in two] == [True, True, False]
    known = [Figures(contracts=2), Figures(contracts=9, known=True)]
    assert "contracts" in suppress(known)  # only a known sibling: the parent's total must go
    assert [cell.suppressed for cell in known] == [True, False]
    mine = [Figures(contracts=2, known=True), Figures(contracts=4)]
    assert suppress(mine) == set()
    assert not any(cell.suppressed for cell in mine)


def test_public_drilldown_suppresses_the_small_organisation_and_its_complement(regions, scene):
    node = selectors.node_for(regions["county"].code)
    drill = selectors.drilldown(ANONYMOUS, node, selectors.Period("Y", 2026))
    by_code = {child.code: child for child in drill.children}
    assert by_code[str(scene.small.pk)].output.suppressed
    assert by_code[str(scene.medium.pk)].output.suppressed  # complementary
    assert not by_code[str(scene.large.pk)].output.suppressed
    assert drill.output.contracts == 17
    assert not drill.output.suppressed
    assert by_code[str(scene.small.pk)].output.public()["amount"] is None


@pytest.mark.parametrize("role", ALL)
def test_each_role_sees_what_it_may(role, regions, cast, scene):
    principal = principal_of(cast[role])
    node = selectors.node_for(regions["county"].code)
    drill = selectors.drilldown(principal, node, selectors.Period("Y", 2026))
    small = next(child for child in drill.children if child.code == str(scene.small.pk))
    assert small.output.suppressed == (role not in KNOWS_SMALL), role
    client = client_for(cast[role])
    page = client.get("/statistics/", {"region": regions["county"].code, "year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    assert scene_module.TITLE not in html
    for item in scene.contracts:
        assert item.registration_number not in html
    api = client.get("/api/v1/statistics/drilldown/", {"region": regions["county"].code, "year": 2026})
    assert api.status_code == 200
    row = next(child for child in api.json()["children"] if child["code"] == str(scene.small.pk))
    assert row["output"]["suppressed"] == (role not in KNOWS_SMALL)
    assert (row["output"]["contracts"] is None) == (role not in KNOWS_SMALL)


def test_the_small_organisation_page_for_outsiders_and_its_own_users(regions, cast, scene):
    params = {"region": regions["county"].code, "org": scene.small.pk, "year": 2026}
    public = client_for(cast["anonymous"]).get(
        "/api/v1/statistics/breakdown/", {**params, "dimension": "contract_type"}
    )
    assert public.status_code == 200
    assert all(row["figures"]["suppressed"] for row in public.json()["rows"])
    own = client_for(cast["applicant"]).get(
        "/api/v1/statistics/breakdown/", {**params, "dimension": "contract_type"}
    )
    assert {row["figures"]["contracts"] for row in own.json()["rows"]} == {1}
    page = client_for(cast["other_applicant"]).get("/statistics/", params)
    assert page.status_code == 200
    assert "201,000.00" not in page.content.decode()


def test_export_shows_what_the_page_shows(regions, cast, scene):
    response = client_for(cast["anonymous"]).get(
        "/statistics/export.xlsx", {"region": regions["county"].code, "year": 2026}
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    by_name = {row[2]: row for row in rows if row and len(row) > 3}
    assert by_name[scene.small.name][3] == "<3"
    assert by_name[scene.small.name][4] in (None, "")
    assert by_name[scene.large.name][3] == 10
    text = " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert scene_module.TITLE not in text
    assert all(item.registration_number not in text for item in scene.contracts)
    registrar = client_for(cast["registrar"]).get(
        "/statistics/export.xlsx", {"region": regions["county"].code, "year": 2026}
    )
    rows = list(
        openpyxl.load_workbook(io.BytesIO(registrar.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert {row[2]: row for row in rows if row and len(row) > 3}[scene.small.name][3] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "1800"},
        {"quarter": "9"},
        {"side": "sideways"},
        {"region": "xyz"},
        {"region": "123456"},
        {"org": "1"},
        {"region": "990102", "org": "not-a-number"},
        {"region": "990102", "org": "999999"},
        {"dimension": "colour"},
    ],
)
def test_bad_parameters_are_refused_not_crashed(params, regions):
    client = Client()
    for url in (
        "/statistics/",
        "/statistics/export.xlsx",
        "/api/v1/statistics/drilldown/",
        "/api/v1/statistics/breakdown/",
        "/api/v1/statistics/series/",
    ):
        status = client.get(url, params).status_code
        assert status in (200, 400, 404), (url, params, status)
    assert client.get("/api/v1/statistics/breakdown/", {"dimension": "colour"}).status_code == 400
