"""The policy registry and the template tags that bring policies to pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core import policy_registry

SRC = Path(__file__).resolve().parents[2]
CAN_TAG = re.compile(r"""{%\s*can\s+["']([\w.]+)["']""")


def render(source: str, user: object = None) -> str:
    context = {}
    if user is not None:
        request = RequestFactory().get("/")
        request.user = user
        context["request"] = request
    return Template("{% load policy %}" + source).render(Context(context)).strip()


def test_every_policy_a_template_asks_is_registered():
    used = {
        name
        for path in SRC.rglob("templates/**/*.html")
        for name in CAN_TAG.findall(path.read_text(encoding="utf-8"))
    }
    assert used, "no template uses {% can %}: the scan is broken"
    assert used <= set(policy_registry.names())


def test_names_are_app_and_function():
    assert "achievements.can_edit" in policy_registry.names()
    assert "core.can_set_province_review" in policy_registry.names()
    # Helpers that are not rules stay unreachable from templates.
    assert "achievements.visible_q" not in policy_registry.names()


def test_only_functions_of_a_policies_module_register():
    def can_anything(principal: object) -> bool:
        return True

    with pytest.raises(ValueError, match=r"policies\.py"):
        policy_registry.policy(can_anything)


def test_unknown_names_fail_loudly():
    with pytest.raises(KeyError, match="unknown policy"):
        policy_registry.get("achievements.can_fly")


@pytest.mark.django_db
def test_can_uses_the_request_users_principal(regions):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    reviewer = user_with_role(Role.REVIEWER, region=regions["county"])
    source = '{% can "accounts.can_manage_roles" as may %}{{ may }}'
    assert render(source, admin) == "True"
    assert render(source, reviewer) == "False"
    assert render(source) == "False"  # no request (e-mails): the anonymous visitor


@pytest.mark.django_db
def test_can_passes_further_arguments(organisation):
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    source = '{% can "accounts.can_manage_members" org as may %}{{ may }}'
    assert (
        Template("{% load policy %}" + source).render(
            Context({"org": organisation.pk, "request": _request(org_admin)})
        )
        == "True"
    )
    assert (
        Template("{% load policy %}" + source).render(
            Context({"org": organisation.pk + 1, "request": _request(org_admin)})
        )
        == "False"
    )


def _request(user: object) -> object:
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.django_db
def test_transition_tags_follow_the_workflow_permission(regions, applicant):
    from techmarket.achievements.tests.factories import draft

    record = draft(applicant=applicant, region=regions["county"])
    stranger = user_with_role(Role.APPLICANT)
    source = (
        "{% transitions record as available %}{% for t in available %}{{ t.name }} {% endfor %}|"
        '{% can_fire record "submit" as may_submit %}{{ may_submit }}'
    )
    assert (
        Template("{% load policy %}" + source).render(
            Context({"record": record, "request": _request(applicant)})
        )
        == "submit withdraw |True"
    )
    assert (
        Template("{% load policy %}" + source).render(
            Context({"record": record, "request": _request(stranger)})
        )
        == "|False"
    )
