"""Issue 9: a byte-order mark, zero-width or control characters in a query are not a 500 (SQLite FTS),
and they do not change what is found: web suggest, API suggest, the catalogue and its API."""

from __future__ import annotations

import pytest

from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state

pytestmark = pytest.mark.django_db

NAME = "石墨烯导热膜规模化制备"
QUERIES = [
    "%EF%BB%BF%E7%9F%B3%E5%A2%A8%E7%83%AF",  # BOM + 石墨烯
    "%E2%80%8B%E7%9F%B3%E5%A2%A8%E7%83%AF%E2%80%8D",  # zero-width space / joiner around 石墨烯
    "%E7%9F%B3%E5%A2%A8%E7%83%AF%00",  # 石墨烯 + NUL
    "%EF%BB%BF",  # nothing but a BOM
    "%ED%A0%80%E7%9F%B3",  # an invalid UTF-8 sequence (an encoded surrogate)
    "%22%E7%9F%B3%E5%A2%A8%22%20OR%20*",  # FTS syntax characters
]


@pytest.fixture
def record(regions, reviewers, applicant):
    return achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name=NAME,
    )


@pytest.mark.parametrize("query", QUERIES)
def test_no_query_text_is_a_500(client, record, query):
    for url in (
        "/achievements/suggest?q=",
        "/api/v1/achievements/suggest/?q=",
        "/achievements/?q=",
        "/api/v1/achievements/?q=",
        "/demands/?q=",
        "/api/v1/demands/?q=",
    ):
        response = client.get(url + query)
        assert response.status_code in {200, 400}, url  # NUL: the API's filters refuse it clearly
        if response.status_code == 400:
            assert set(response.json()) == {"code", "message", "fields"}


def test_a_byte_order_mark_does_not_change_what_is_suggested(client, record):
    bom = "%EF%BB%BF%E7%9F%B3%E5%A2%A8%E7%83%AF"
    assert NAME in client.get("/achievements/suggest?q=" + bom).content.decode()
    assert client.get("/api/v1/achievements/suggest/?q=" + bom).json() == {"suggestions": [NAME]}
    assert NAME in client.get("/achievements/?q=" + bom).content.decode()
