"""Pages, exports and the API: the public list shows organisation, rule and final award only; the trail
is the bureau's and the awarded organisation's; nothing answers 500 to bad input."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import UserFactory, user_with_role
from techmarket.subsidies import services
from techmarket.subsidies.choices import RunState
from techmarket.subsidies.models import Award, Claim, Objection, SubsidyRun
from techmarket.subsidies.tests.factories import POLICY_ID, YEAR, paid_contract

pytestmark = pytest.mark.django_db

SECRET_TITLE = "保密的石墨烯合同标题"


def client_of(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def scene(bureau, orgs):
    item = paid_contract(orgs["seller"], orgs["buyer"], "612345.67", title=SECRET_TITLE)
    run = services.run_compute(actor=bureau["computer"], policy_id=POLICY_ID, year=YEAR, budget="10000000")
    return {"item": item, "run": run, **bureau, **orgs}


def publish(scene):
    run = services.run_check(actor=scene["checker"], run=scene["run"])
    run = services.run_approve(actor=scene["approver"], run=run)
    return services.run_publish(actor=scene["approver"], run=run)


def secrets_of(scene):
    """What only the bureau and the parties may read: the contract's title, number and amounts."""
    return [SECRET_TITLE, scene["item"].registration_number, "612345", "612,345"]


def sheet_text(content: bytes) -> str:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return str(workbook.get_sheet_by_index(0).to_python())


def test_the_public_list_shows_name_rule_and_award_only(scene):
    run = publish(scene)
    anonymous = client_of()
    listing = anonymous.get(reverse("subsidies:public_list"))
    assert listing.status_code == 200
    assert run.title in listing.content.decode()
    page = anonymous.get(reverse("subsidies:public_run", args=[run.pk])).content.decode()
    assert "甲大学" in page
    assert "甲企业" in page
    assert "12246.91" in page
    for secret in secrets_of(scene):
        assert secret not in page, secret
    export = anonymous.get(reverse("subsidies:public_export", args=[run.pk]))
    assert export.status_code == 200
    text = sheet_text(export.content)
    assert "甲大学" in text
    assert "12246.91" in text
    assert "技术开发和转让输出方补助" in text
    for secret in secrets_of(scene):
        assert secret not in text, secret
    api = anonymous.get(reverse("api:subsidy-run-awards", args=[run.pk])).json()
    assert {row["org_name"] for row in api} == {"甲大学", "甲企业"}
    assert set(api[0]) == {"id", "org_name", "org_region", "rule", "rule_title", "final_award"}
    detail = anonymous.get(reverse("api:subsidy-run-detail", args=[run.pk])).json()
    assert "details" not in detail
    assert "budget" not in detail


def test_a_run_not_published_is_the_bureaus_only(scene, reviewers):
    run = scene["run"]
    for user in (
        None,
        UserFactory(organisation=scene["seller"]),
        reviewers["other_city"],
        reviewers["county"],
    ):
        client = client_of(user)
        assert client.get(reverse("subsidies:public_run", args=[run.pk])).status_code == 404
        assert client.get(reverse("api:subsidy-run-detail", args=[run.pk])).status_code == 404
        assert client.get(reverse("api:subsidy-run-awards", args=[run.pk])).status_code == 404
        status = client.get(reverse("subsidies:run_detail", args=[run.pk])).status_code
        assert status in (302, 404)
    checker = client_of(scene["checker"])
    page = checker.get(reverse("subsidies:run_detail", args=[run.pk])).content.decode()
    assert "甲大学" in page
    assert "612345.67" in page
    assert f"subsidies/runs/{run.pk}/check/" in page  # the checker's action is offered
    computer_page = (
        client_of(scene["computer"]).get(reverse("subsidies:run_detail", args=[run.pk])).content.decode()
    )
    assert f"subsidies/runs/{run.pk}/check/" not in computer_page


def test_the_trail_is_for_the_bureau_and_the_awarded_organisation(scene):
    award = Award.objects.get(run=scene["run"], rule="seller_dev_transfer")
    url = reverse("subsidies:award_detail", args=[award.pk])
    own = UserFactory(organisation=scene["seller"])
    assert client_of(own).get(url).status_code == 404  # not yet published
    bureau_page = client_of(scene["checker"]).get(url).content.decode()
    assert scene["item"].registration_number in bureau_page
    assert "500000" in bureau_page
    publish(scene)
    page = client_of(own).get(url).content.decode()
    assert scene["item"].registration_number in page
    assert "612345.67" in page
    assert SECRET_TITLE not in page  # the trail names contracts by number, never by content
    for outsider in (UserFactory(organisation=scene["outside"]), UserFactory(organisation=scene["buyer"])):
        assert client_of(outsider).get(url).status_code == 404
        assert (
            client_of(outsider).get(reverse("api:subsidy-award-detail", args=[award.pk])).status_code == 404
        )
    assert client_of().get(url).status_code == 302
    api = client_of(own).get(reverse("api:subsidy-award-detail", args=[award.pk])).json()
    assert api["trail"]["contract_ids"] == [scene["item"].registration_number]
    own_list = client_of(own).get(reverse("subsidies:public_list")).content.decode()
    assert 'id="own-awards"' in own_list


def test_the_bureau_export_has_every_figure_and_no_contract_ids(scene):
    response = client_of(scene["checker"]).get(reverse("subsidies:run_export", args=[scene["run"].pk]))
    assert response.status_code == 200
    text = sheet_text(response.content)
    assert "612345.67" in text
    assert "500000" in text
    assert "12246.91" in text
    assert "计入合同数" in text
    assert scene["item"].registration_number not in text
    assert SECRET_TITLE not in text
    assert (
        client_of(UserFactory()).get(reverse("subsidies:run_export", args=[scene["run"].pk])).status_code
        == 404
    )


def test_the_approval_through_the_pages_and_an_objection(scene):
    run = scene["run"]
    action = lambda user, name, **data: client_of(user).post(  # noqa: E731
        reverse("subsidies:run_action", args=[run.pk, name]), data
    )
    assert action(scene["computer"], "check").status_code == 302
    assert SubsidyRun.objects.get(pk=run.pk).state == RunState.COMPUTED  # refused, with a message
    action(scene["checker"], "check")
    action(scene["approver"], "approve")
    action(scene["approver"], "publish", objection_days="3")
    run.refresh_from_db()
    assert run.state == RunState.PUBLISHED
    assert run.objection_days == 3
    url = reverse("subsidies:objection_file", args=[run.pk])
    assert client_of().post(url, {"text": "匿名"}).status_code == 302
    assert not Objection.objects.exists()
    citizen = UserFactory()
    page = client_of(citizen).get(reverse("subsidies:public_run", args=[run.pk])).content.decode()
    assert 'id="objection-form"' in page
    assert client_of(citizen).post(url, {"text": "金额有误", "award": "999999"}).status_code in (200, 302)
    assert not Objection.objects.exists()
    client_of(citizen).post(url, {"text": "金额有误"})
    objection = Objection.objects.get()
    decide = reverse("subsidies:objection_decide", args=[objection.pk, "uphold"])
    assert client_of(citizen).post(decide, {"reply": "x"}).status_code == 404
    client_of(scene["checker"]).post(decide, {"reply": "核实有误，退回重算"})
    run.refresh_from_db()
    assert run.state == RunState.RETURNED
    mine = client_of(citizen).get(reverse("subsidies:public_list"))
    assert mine.status_code == 200


def test_api_per_role(scene, regions):
    run = scene["run"]
    anonymous = client_of()
    assert anonymous.get(reverse("api:subsidy-run-list")).json()["results"] == []
    bureau_list = client_of(scene["checker"]).get(reverse("api:subsidy-run-list")).json()["results"]
    assert [row["id"] for row in bureau_list] == [run.pk]
    assert "details" in bureau_list[0]
    transition = reverse("api:subsidy-run-transition", args=[run.pk])
    refused = client_of(scene["computer"]).post(
        transition, {"transition": "check"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    ok = client_of(scene["checker"]).post(
        transition, {"transition": "check"}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["state"] == RunState.CHECKED
    bad = client_of(scene["checker"]).post(
        transition, {"transition": "launch"}, content_type="application/json"
    )
    assert bad.status_code == 400
    policies_url = reverse("api:subsidy-policy-list")
    assert client_of(scene["checker"]).get(policies_url).status_code == 403
    assert anonymous.get(policies_url).status_code in (401, 403)
    rows = client_of(scene["approver"]).get(policies_url).json()
    assert POLICY_ID in {row["policy_id"] for row in rows}
    versions = reverse("api:subsidy-policy-versions", args=[POLICY_ID])
    answer = client_of(scene["approver"]).post(
        versions, {"document": {"id": POLICY_ID, "rules": "none"}}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "policy_invalid"
    assert answer.json()["fields"]
    history = client_of(scene["approver"]).get(reverse("api:subsidy-policy-detail", args=[POLICY_ID])).json()
    assert [row["number"] for row in history] == [1]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"policy": POLICY_ID, "year": "x", "budget": "1"},
        {"policy": POLICY_ID, "year": YEAR, "budget": "一百万"},
        {"policy": POLICY_ID, "year": YEAR, "budget": "-5"},
        {"policy": POLICY_ID, "year": YEAR, "budget": "1e400"},
        {"policy": "no-such-policy", "year": YEAR, "budget": "1"},
        {"policy": "../../etc/passwd", "year": YEAR, "budget": "1"},
        {"policy": POLICY_ID, "year": 99999999999, "budget": "1"},
        {"policy": POLICY_ID, "year": YEAR, "budget": "1", "objection_days": -1},
    ],
)
def test_no_500_on_bad_input(bureau, payload):
    api = client_of(bureau["computer"]).post(
        reverse("api:subsidy-run-list"), payload, content_type="application/json"
    )
    assert api.status_code in (400, 404)
    assert set(api.json()) == {"code", "message", "fields"}
    page = client_of(bureau["computer"]).post(reverse("subsidies:run_compute"), payload)
    assert page.status_code == 200
    assert not SubsidyRun.objects.exists()


def test_pages_answer_every_role_without_error(scene, regions):
    run = publish(scene)
    users = [None, UserFactory(), user_with_role(Role.REVIEWER, region=regions["city"]), scene["approver"]]
    for user in users:
        client = client_of(user)
        for name, args in (
            ("subsidies:public_list", []),
            ("subsidies:public_run", [run.pk]),
            ("subsidies:runs", []),
            ("subsidies:claims", []),
            ("subsidies:run_detail", [run.pk]),
            ("subsidies:policies", []),
            ("subsidies:policy_create", []),
        ):
            assert client.get(reverse(name, args=args)).status_code in (200, 302, 403, 404), (user, name)
    assert client_of().get(reverse("subsidies:public_run", args=[999999])).status_code == 404
    assert (
        client_of(scene["approver"])
        .post(reverse("subsidies:run_action", args=[run.pk, "explode"]))
        .status_code
        == 404
    )


def test_the_claims_page_checks_every_claim_and_refuses_outsiders(bureau, regions):
    url = reverse("subsidies:claims")
    assert client_of().get(url).status_code == 302
    assert client_of(UserFactory()).get(url).status_code == 403
    assert client_of(UserFactory()).post(url, {"policy": POLICY_ID}).status_code == 403
    checker = client_of(bureau["checker"])
    assert checker.get(url).status_code == 200
    data = {
        "policy": POLICY_ID,
        "year": str(YEAR),
        "org_name": "甲基地",
        "org_region": "990102",
        "rule": "seller_dev_transfer",
        "facts": "{}",
    }
    answer = checker.post(url, data)
    assert answer.status_code == 200
    assert "alert-danger" in answer.content.decode()
    for bad in ({"facts": "[1"}, {"org_region": "99"}, {"year": "x"}, {"policy": "nope"}):
        assert checker.post(url, {**data, **bad}).status_code == 200
    assert not Claim.objects.exists()


def test_the_run_history_names_steps_and_states_in_words(scene):
    run = publish(scene)
    page = client_of(scene["checker"]).get(reverse("subsidies:run_detail", args=[run.pk])).content.decode()
    history = page[page.index('id="run-history"') :]
    assert "测算 → 已测算" in history
    assert "复核通过 已测算 → 已复核" in history
    assert "审定 已复核 → 已审定" in history
    assert "公示 已审定 → 公示中" in history
    assert "subsidies.run." not in history
    assert "→ published" not in history
