"""Issue 2's "Done means": a 受限 published record is never visible outside its audience.

The audience is the owning organisation's members, the reviewers on the record's region chain and
users granted access. For every role, every channel is checked — selectors, the API (list, search,
detail, suggest), the Excel export, the catalogue page and its htmx partial, the detail page and the
home page — and the audience is shown to see the record through the same channels.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements import selectors, services
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.tests.cast import AUDIENCE, OUTSIDERS, ROLES, build_cast
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.errors import NotFound

pytestmark = pytest.mark.django_db

SECRET_TITLE = "低温等离子体灭菌装置"
PUBLIC_TITLE = "等离子体灭菌柜"
WORD = "灭菌"  # in both titles, so a search that hides the restricted record still finds the public one


@pytest.fixture
def scene(regions, reviewers, organisation, applicant):
    cast = build_cast(regions, reviewers, organisation, applicant)
    cast["grantee"] = user_with_role(Role.ENTERPRISE, username="grantee")
    restricted = achievement_in_state(
        S.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name=SECRET_TITLE,
        keywords="灭菌，等离子体",
        confidentiality="restricted",
    )
    public = achievement_in_state(
        S.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name=PUBLIC_TITLE,
        keywords="灭菌，医疗器械",
    )
    services.access_grant(actor=applicant, achievement=restricted, user=cast["grantee"])
    return cast, restricted, public


def client_for(actor) -> Client:
    client = Client()
    if getattr(actor, "is_authenticated", False):
        client.force_login(actor)
    return client


def xlsx_names(content: bytes) -> list[str]:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    header, *data = rows
    column = header.index("成果名称")
    return [row[column] for row in data]


def channels(actor, restricted, public) -> dict[str, bool]:
    """Whether the restricted record shows through each channel; also checks the public one always does."""
    principal = principal_of(actor)
    client = client_for(actor)
    seen: dict[str, bool] = {}

    seen["selector visible"] = selectors.achievement_visible(principal).filter(pk=restricted.pk).exists()
    catalogue = selectors.achievement_catalogue(principal)
    seen["selector catalogue"] = catalogue.filter(pk=restricted.pk).exists()
    assert catalogue.filter(pk=public.pk).exists()
    try:
        seen["selector get"] = selectors.achievement_get(principal, restricted.pk) == restricted
    except NotFound:
        seen["selector get"] = False
    suggestions = selectors.achievement_suggest(principal, "低温") + selectors.achievement_suggest(
        principal, WORD
    )
    seen["selector suggest"] = SECRET_TITLE in suggestions
    assert PUBLIC_TITLE in selectors.achievement_suggest(principal, WORD)

    listing = client.get("/api/v1/achievements/")
    assert listing.status_code == 200
    ids = [item["id"] for item in listing.json()["results"]]
    assert public.pk in ids
    seen["api list"] = restricted.pk in ids or SECRET_TITLE in listing.content.decode()
    search = client.get("/api/v1/achievements/", {"search": WORD})
    assert search.status_code == 200
    assert public.pk in [item["id"] for item in search.json()["results"]]
    seen["api search"] = SECRET_TITLE in search.content.decode()
    detail = client.get(f"/api/v1/achievements/{restricted.pk}/")
    assert detail.status_code in (200, 404)
    seen["api detail"] = detail.status_code == 200 and detail.json()["name"] == SECRET_TITLE
    timeline = client.get(f"/api/v1/achievements/{restricted.pk}/timeline/")
    seen["api timeline"] = timeline.status_code == 200
    suggest = client.get("/api/v1/achievements/suggest/", {"q": WORD})
    assert PUBLIC_TITLE in suggest.json()["suggestions"]
    seen["api suggest"] = SECRET_TITLE in suggest.json()["suggestions"]

    export = client.get("/achievements/export.xlsx", {"q": WORD})
    assert export.status_code == 200
    exported = xlsx_names(export.content)
    assert PUBLIC_TITLE in exported
    seen["excel export"] = SECRET_TITLE in exported
    seen["excel export (all)"] = SECRET_TITLE in xlsx_names(client.get("/achievements/export.xlsx").content)

    page = client.get("/achievements/", {"q": WORD})
    assert page.status_code == 200
    assert PUBLIC_TITLE in page.content.decode()
    seen["catalogue page"] = SECRET_TITLE in page.content.decode()
    partial = client.get("/achievements/", {"q": WORD}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert PUBLIC_TITLE in partial.content.decode()
    seen["catalogue partial"] = SECRET_TITLE in partial.content.decode()
    seen["page suggest"] = SECRET_TITLE in client.get("/achievements/suggest", {"q": WORD}).content.decode()
    detail_page = client.get(f"/achievements/{restricted.pk}/")
    seen["detail page"] = detail_page.status_code == 200 and SECRET_TITLE in detail_page.content.decode()
    seen["home page"] = SECRET_TITLE in client.get("/").content.decode()
    return seen


@pytest.mark.parametrize("role", sorted(OUTSIDERS))
def test_outsiders_never_see_a_restricted_record(role, scene):
    cast, restricted, public = scene
    seen = channels(cast[role], restricted, public)
    assert {channel for channel, shown in seen.items() if shown} == set()


@pytest.mark.parametrize("role", [*sorted(AUDIENCE), "grantee"])
def test_the_audience_sees_it(role, scene):
    cast, restricted, public = scene
    seen = channels(cast[role], restricted, public)
    # The home page lists the newest records whichever they are; every other channel must show it.
    assert {channel for channel, shown in seen.items() if not shown} <= {"home page"}


def test_cast_is_split_into_audience_and_outsiders():
    assert set(ROLES) == AUDIENCE | OUTSIDERS
    assert not AUDIENCE & OUTSIDERS
    assert {"platform_admin", "anonymous", "other_city_reviewer", "other_applicant"} <= OUTSIDERS


def test_restricted_records_are_never_counted_publicly(scene):
    counts = selectors.public_counts()
    assert counts["achievements"] == 1
    assert counts["with_ip"] == 1
    assert counts["this_year"] == 1


def test_revoking_access_hides_it_again(scene, applicant):
    cast, restricted, public = scene
    services.access_revoke(actor=applicant, achievement=restricted, user=cast["grantee"])
    grantee = type(cast["grantee"]).objects.get(pk=cast["grantee"].pk)
    seen = channels(grantee, restricted, public)
    assert {channel for channel, shown in seen.items() if shown} == set()
