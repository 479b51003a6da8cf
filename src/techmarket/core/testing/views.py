"""Per-layer test mixins for list and detail endpoints, pages and API alike (in the manner of NetBox's
view and API test cases): subclass, name the URLs and the roles, provide a ``world`` fixture, and the
checks every list/detail pair owes come for free.

    class TestCatalogue(ListDetailTests):
        list_url = "achievements:catalogue"
        detail_url = "achievements:detail"
        audience = ("owner", "county_reviewer")          # see ``world["target"]`` in the list and detail
        outsiders = ("anonymous", "other_applicant")      # get a 404 for it and never see it listed

        @pytest.fixture
        def world(self, regions, ...):  # {"users": role → user or None, "target": obj, "add_rows": f(n)}
            ...

Set ``api = True`` for a REST endpoint (JSON ``results``/``count``/``next``, ``?page_size=``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class ListDetailTests:
    """Checks owed by a list endpoint and its detail endpoint."""

    list_url: ClassVar[str]
    detail_url: ClassVar[str | None] = None  # None: a list without a detail endpoint
    link_url: ClassVar[str | None] = None  # what a page links each row to (default: ``detail_url``)
    api: ClassVar[bool] = False
    login_required: ClassVar[bool] = False
    audience: ClassVar[tuple[str, ...]] = ()
    outsiders: ClassVar[tuple[str, ...]] = ()
    # Roles allowed to open the list at all (default: every user of the world).
    list_roles: ClassVar[tuple[str, ...] | None] = None
    page_size: ClassVar[int] = 20

    def _list_ids(self, response: Any, target: Any) -> bool:
        if self.api:
            return target.pk in [row["id"] for row in response.json()["results"]]
        link = self.link_url or self.detail_url
        assert link is not None, "a page list needs detail_url or link_url"
        return reverse(link, args=[target.pk]) in response.content.decode()

    def _get(self, world: dict[str, Any], role: str, url: str) -> Any:
        return client_for(world["users"][role]).get(url)

    def test_list_opens_for_every_role(self, world: dict[str, Any]) -> None:
        roles = self.list_roles if self.list_roles is not None else tuple(world["users"])
        for role in roles:
            if self.login_required and world["users"][role] is None:
                response = self._get(world, role, reverse(self.list_url))
                expected = {401, 403} if self.api else {302}
                assert response.status_code in expected, f"{self.list_url} anonymous: {response.status_code}"
                continue
            response = self._get(world, role, reverse(self.list_url))
            assert response.status_code == 200, f"{self.list_url} as {role}: {response.status_code}"

    def test_audience_sees_the_object_listed_and_in_detail(self, world: dict[str, Any]) -> None:
        target = world["target"]
        for role in self.audience:
            listed = self._get(world, role, reverse(self.list_url))
            assert self._list_ids(listed, target), f"{role} does not see it in {self.list_url}"
            if self.detail_url is None:
                continue
            detail = self._get(world, role, reverse(self.detail_url, args=[target.pk]))
            assert detail.status_code == 200, f"{self.detail_url} as {role}: {detail.status_code}"

    def test_outsiders_get_404_and_never_see_it_listed(self, world: dict[str, Any]) -> None:
        target = world["target"]
        for role in self.outsiders:
            if self.detail_url is not None:
                detail = self._get(world, role, reverse(self.detail_url, args=[target.pk]))
                assert detail.status_code == 404, f"{self.detail_url} as {role}: {detail.status_code}"
            listed = self._get(world, role, reverse(self.list_url))
            if listed.status_code == 200:
                assert not self._list_ids(listed, target), f"{role} sees it in {self.list_url}"

    def test_unknown_detail_is_404(self, world: dict[str, Any]) -> None:
        if self.detail_url is None:
            return
        role = self.audience[0] if self.audience else next(iter(world["users"]))
        response = self._get(world, role, reverse(self.detail_url, args=[2_000_000_000]))
        assert response.status_code == 404

    def test_pagination(self, world: dict[str, Any]) -> None:
        world["add_rows"](2)
        role = self.audience[0] if self.audience else next(iter(world["users"]))
        url = reverse(self.list_url)
        if self.api:
            body = self._get(world, role, f"{url}?page_size=1").json()
            assert len(body["results"]) == 1
            assert body["count"] >= 2
            assert body["next"]
            assert self._get(world, role, f"{url}?page=999").status_code == 404
        else:
            response = self._get(world, role, url)
            assert response.context["page"].paginator.per_page == self.page_size
            for page in ("2", "999", "x", "-1"):
                assert self._get(world, role, f"{url}?page={page}").status_code == 200
