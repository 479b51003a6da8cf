"""Policy documents edited by platform administrators: validated by the engine with every problem shown,
nothing saved on a problem, an append-only history with diffs; the shipped file is version 0."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.subsidies import engine, services
from techmarket.subsidies.models import PolicyVersion
from techmarket.subsidies.tests.factories import admin_user

pytestmark = pytest.mark.django_db


def shipped_text(**changes):
    document = dict(engine.load_policy("yueyang-2017").document)
    document.update(changes)
    return json.dumps(document, ensure_ascii=False)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_edit_appends_a_version_after_the_shipped_file():
    admin = admin_user()
    version = services.policy_save(
        actor=admin,
        policy_id="yueyang-2017",
        document_text=shipped_text(region="420100", title={"zh": "武汉市试行"}),
        note="改为武汉",
    )
    assert version.number == 1
    assert version.region_code == "420100"
    assert version.title == "武汉市试行"
    shipped = PolicyVersion.objects.get(policy_id="yueyang-2017", number=0)
    assert shipped.created_by is None
    assert shipped.region_code == "430600"
    assert AuditEvent.objects.filter(action="subsidies.policy.save", target_id=str(version.pk)).exists()
    with pytest.raises(DomainError) as unchanged:
        services.policy_save(
            actor=admin, policy_id="yueyang-2017", document_text=json.dumps(version.document)
        )
    assert unchanged.value.code == "unchanged"
    adopted = services.policy_adopt_shipped(actor=admin, policy_id="yueyang-2017")
    assert adopted.number == 2
    assert adopted.region_code == "430600"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "document_required"),
        ("{not json", "bad_json"),
        ("[1, 2]", "not_an_object"),
        ('{"rate": NaN}', "bad_json"),
    ],
)
def test_bad_documents_are_refused_with_a_clear_message_and_nothing_saved(text, code):
    with pytest.raises(DomainError) as refused:
        services.policy_save(actor=admin_user(), policy_id="yueyang-2017", document_text=text)
    assert refused.value.code == code
    assert refused.value.fields["document"]
    assert not PolicyVersion.objects.exists()


def test_every_problem_of_an_invalid_document_is_listed():
    document = json.loads(shipped_text(region="43060", effective_from="2017-13-01"))
    document["rules"][0]["rate"] = "-0.02"
    document["rules"][1]["kind"] = "lottery"
    with pytest.raises(DomainError) as refused:
        services.policy_save(actor=admin_user(), policy_id="yueyang-2017", document_text=json.dumps(document))
    problems = refused.value.fields["document"]
    assert len(problems) >= 4, problems
    assert refused.value.code == "policy_invalid"
    assert not PolicyVersion.objects.exists()


def test_the_id_cannot_change_and_new_policies_need_a_new_id():
    admin = admin_user()
    with pytest.raises(DomainError) as renamed:
        services.policy_save(
            actor=admin, policy_id="yueyang-2017", document_text=shipped_text(id="wuhan-2026")
        )
    assert renamed.value.code == "policy_id_changed"
    with pytest.raises(DomainError) as taken:
        services.policy_create(actor=admin, document_text=shipped_text())
    assert taken.value.code == "policy_exists"
    created = services.policy_create(
        actor=admin, document_text=shipped_text(id="wuhan-2026", region="420100")
    )
    assert created.number == 1
    assert created.policy_id == "wuhan-2026"


@pytest.mark.parametrize("role", ["reviewer", "registrar", "applicant", "anonymous"])
def test_only_platform_administrators_edit_policies(role, regions):
    actor = None if role == "anonymous" else user_with_role(role, region=regions["city"])
    with pytest.raises(NotPermitted):
        services.policy_save(actor=actor, policy_id="yueyang-2017", document_text=shipped_text(version="2"))
    with pytest.raises(NotPermitted):
        services.policy_create(actor=actor, document_text=shipped_text(id="x-1"))
    assert not PolicyVersion.objects.exists()


def test_the_editor_page_shows_every_problem_and_the_history_with_a_diff(regions):
    admin = admin_user()
    client = client_of(admin)
    listing = client.get(reverse("subsidies:policies"))
    assert listing.status_code == 200
    for policy_id in engine.shipped_policy_ids():
        assert policy_id in listing.content.decode()
    url = reverse("subsidies:policy_edit", args=["yueyang-2017"])
    page = client.get(url)
    assert page.status_code == 200
    assert "seller_dev_transfer" in page.content.decode()
    bad = json.loads(shipped_text())
    bad["rules"][0]["threshold"] = "五十万"
    bad["budget"]["share"] = "2"
    answer = client.post(url, {"document": json.dumps(bad, ensure_ascii=False), "note": "x"})
    body = answer.content.decode()
    assert answer.status_code == 200
    assert 'id="policy-problems"' in body
    assert body.count("<li>", body.index('id="policy-problems"')) >= 2
    assert not PolicyVersion.objects.exists()
    good = json.loads(shipped_text())
    good["rules"][0]["cap"] = "150000"
    answer = client.post(url, {"document": json.dumps(good, ensure_ascii=False), "note": "封顶改为15万"})
    assert answer.status_code == 302
    version = PolicyVersion.objects.get(policy_id="yueyang-2017", number=1)
    page = client.get(reverse("subsidies:policy_version", args=["yueyang-2017", version.pk])).content.decode()
    assert "150000" in page
    assert 'id="policy-diff"' in page
    assert "-      &quot;cap&quot;: &quot;200000&quot;" in page
    assert client.get(reverse("subsidies:policy_edit", args=["no-such-policy"])).status_code == 404


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.APPLICANT, Role.REGISTRAR])
def test_the_editor_pages_refuse_everyone_else(role, regions):
    client = client_of(user_with_role(role, region=regions["city"]))
    for url in (reverse("subsidies:policies"), reverse("subsidies:policy_edit", args=["yueyang-2017"])):
        assert client.get(url).status_code == 403
    assert (
        client.post(reverse("subsidies:policy_create"), {"document": shipped_text(id="z-1")}).status_code
        == 403
    )
    assert Client().get(reverse("subsidies:policies")).status_code == 302
    assert not PolicyVersion.objects.exists()
