"""The navbar: a role's work pages sit under one 工作台 menu, so that the bar stays one or two lines."""

from __future__ import annotations

import pytest
from django.test import Client

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def navbar(client: Client) -> str:
    html = client.get("/").content.decode()
    return html[html.index("<nav") : html.index("</nav>")]


def test_the_public_has_no_workspace_menu():
    nav = navbar(Client())
    assert 'id="nav-work"' not in nav
    assert "/achievements/catalogues/" in nav or "季度目录" in nav


@pytest.mark.parametrize(
    ("role", "inside", "absent"),
    [
        (Role.APPLICANT, ["本单位成果"], ["审核工作台", "角色管理"]),
        (Role.REVIEWER, ["审核工作台", "需求审核", "响应看板"], ["角色管理"]),
        (Role.PLATFORM_ADMIN, ["单位认证", "角色管理"], []),
    ],
)
def test_a_roles_work_pages_are_in_the_workspace_menu(role, inside, absent, regions, organisation):
    kwargs = {"region": regions["county"]} if role == Role.REVIEWER else {}
    if role == Role.APPLICANT:
        kwargs["organisation"] = organisation
    user = user_with_role(role, username=f"nav_{role}", **kwargs)
    client = Client()
    client.force_login(user)
    nav = navbar(client)
    menu = nav[nav.index('id="nav-work"') :]
    menu = menu[: menu.index("</ul>")]
    for label in inside:
        assert label in menu, label
    for label in absent:
        assert label not in nav, label
    assert "&#128276;" not in nav
