"""A 受限 achievement is never suggested outside its audience; a 受限 demand never reverse-matched to outsiders."""

from __future__ import annotations

import pytest
from django.urls import reverse

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements import services as achievements
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user
from techmarket.matching import indexes, selectors, services
from techmarket.matching.choices import Corpus, TargetKind
from techmarket.matching.engine import Lexicon
from techmarket.matching.models import Suggestion

pytestmark = pytest.mark.django_db
SECRET_NAME = "受限的石墨烯导热膜工艺"


@pytest.fixture
def restricted(regions, reviewers):
    applicant = applicant_of(region=regions["county"])
    return achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name=SECRET_NAME,
        confidentiality="restricted",
    )


@pytest.fixture
def public(regions, reviewers):
    applicant = applicant_of(region=regions["county"])
    return achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )


def published_demand(regions, reviewers, enterprise=None, **overrides):
    enterprise = enterprise or enterprise_user(regions["county"])
    return demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise,
        region=regions["county"],
        reviewer=reviewers["county"],
        **overrides,
    )


def test_restricted_achievement_is_not_suggested_to_an_outside_enterprise(
    regions, reviewers, restricted, public
):
    demand = published_demand(regions, reviewers)
    services.suggestions_refresh(demand=demand)
    suggested = set(
        Suggestion.objects.filter(demand=demand, kind=TargetKind.ACHIEVEMENT).values_list(
            "achievement_id", flat=True
        )
    )
    assert public.pk in suggested
    assert restricted.pk not in suggested


def test_restricted_achievement_is_suggested_to_a_granted_enterprise(regions, reviewers, restricted, public):
    enterprise = enterprise_user(regions["county"])
    owner_admin = user_with_role(Role.ORG_ADMIN, organisation=restricted.owner_organisation)
    achievements.access_grant(actor=owner_admin, achievement=restricted, user=enterprise)
    demand = published_demand(regions, reviewers, enterprise=enterprise)
    services.suggestions_refresh(demand=demand)
    suggested = set(Suggestion.objects.filter(demand=demand).values_list("achievement_id", flat=True))
    assert restricted.pk in suggested
    # A responder from outside the record's circle does not see that suggestion in the list.
    broker = user_with_role(Role.BROKER)
    visible = {s.achievement_id for s in selectors.suggestions_for(demand, principal_of(broker))}
    assert restricted.pk not in visible


def test_restricted_words_do_not_leak_through_organisation_documents(regions, reviewers, restricted):
    demand = published_demand(regions, reviewers)
    services.suggestions_refresh(demand=demand)
    organisations = Suggestion.objects.filter(demand=demand, kind=TargetKind.ORGANISATION)
    assert restricted.owner_organisation_id not in set(
        organisations.values_list("organisation_id", flat=True)
    )


def test_manual_search_never_offers_a_hidden_record(client, regions, reviewers, restricted, public):
    demand = published_demand(regions, reviewers)
    client.force_login(reviewers["county"])  # the reviewer may see the record, the enterprise may not
    page = client.get(
        reverse("matching:search", args=[demand.pk]), {"kind": "achievement", "q": "石墨烯导热膜"}
    )
    assert SECRET_NAME not in page.content.decode()
    response = client.post(
        reverse("matching:add", args=[demand.pk]), {"kind": "achievement", "target_id": restricted.pk}
    )
    assert response.status_code == 302
    assert not Suggestion.objects.filter(demand=demand, achievement=restricted).exists()


def test_reverse_matching_hides_restricted_demands(client, regions, reviewers, public):
    published_demand(regions, reviewers, title="受限的散热需求", confidentiality="restricted")
    visible = published_demand(regions, reviewers, title="公开的散热需求")
    client.force_login(user_with_role(Role.BROKER))
    page = client.get(reverse("matching:reverse", args=[public.pk])).content.decode()
    assert visible.title in page
    assert "受限的散热需求" not in page
    client.force_login(reviewers["county"])
    assert "受限的散热需求" in client.get(reverse("matching:reverse", args=[public.pk])).content.decode()


def test_reverse_matching_of_a_restricted_achievement_is_not_for_outsiders(
    client, regions, reviewers, restricted
):
    client.force_login(user_with_role(Role.BROKER))
    assert client.get(reverse("matching:reverse", args=[restricted.pk])).status_code == 404
    client.force_login(enterprise_user(regions["county"]))
    assert client.get(reverse("matching:reverse", args=[restricted.pk])).status_code == 404


def test_a_restricted_records_abbreviations_never_become_aliases(regions, reviewers):
    """Aliases are shown in reasons to everyone, so only public records may teach the lexicon."""
    applicant = applicant_of(region=regions["county"])
    secret = "采用QDFP(量子点荧光探针)检测重金属离子"
    assert "qdfp" in Lexicon.grow([{"title": "", "abstract": secret}]).aliases  # were it public
    for confidentiality in ("restricted", "public"):
        achievement_in_state(
            AchievementState.PUBLISHED,
            applicant=applicant,
            region=regions["county"],
            reviewers=reviewers,
            name=f"重金属快速检测（{confidentiality}）",
            abstract=secret if confidentiality == "restricted" else "利用荧光探针检测水中重金属。",
            confidentiality=confidentiality,
        )
    loaded = indexes.get(Corpus.ACHIEVEMENTS)
    assert "qdfp" not in loaded.index._lexicon.aliases
    assert "ai" in loaded.index._lexicon.aliases  # the curated synonyms are there


@pytest.mark.parametrize("action", ["confirm", "reject", "reconsider"])
def test_no_channel_decides_a_suggestion_of_a_record_outside_the_responders_audience(
    client, regions, reviewers, restricted, action
):
    """Issue 9: the web form decided what the API refused. Both go through one policy now."""
    from techmarket.core.errors import NotPermitted
    from techmarket.matching import policies
    from techmarket.matching.choices import SuggestionState

    enterprise = enterprise_user(regions["county"])
    owner_admin = user_with_role(Role.ORG_ADMIN, organisation=restricted.owner_organisation)
    achievements.access_grant(actor=owner_admin, achievement=restricted, user=enterprise)
    demand = published_demand(regions, reviewers, enterprise=enterprise)
    state = SuggestionState.PROPOSED if action != "reconsider" else SuggestionState.REJECTED
    suggestion = Suggestion.objects.create(
        demand=demand, kind=TargetKind.ACHIEVEMENT, achievement=restricted, state=state
    )
    broker = user_with_role(Role.BROKER)
    assert policies.can_work(principal_of(broker), demand)
    assert not policies.can_decide(principal_of(broker), suggestion)
    client.force_login(broker)
    data = {"reject_reason": "not_relevant", "note": "x"}
    web = client.post(reverse("matching:decide", args=[suggestion.pk, action]), data)
    htmx = client.post(reverse("matching:decide", args=[suggestion.pk, action]), data, HTTP_HX_REQUEST="true")
    api = client.post(f"/api/v1/suggestions/{suggestion.pk}/{action}/", data, content_type="application/json")
    assert (web.status_code, htmx.status_code, api.status_code) == (404, 404, 404)
    assert SECRET_NAME not in web.content.decode() + api.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.state == state
    assert suggestion.decided_by is None
    with pytest.raises(NotPermitted):
        getattr(services, f"suggestion_{action}")(
            actor=broker, suggestion=suggestion, **({"reason": "not_relevant"} if action == "reject" else {})
        )
    # The record's own reviewer, a responder inside its audience, decides it through the same form.
    client.force_login(reviewers["county"])
    assert client.post(reverse("matching:decide", args=[suggestion.pk, action]), data).status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.state != state


def test_a_broker_cannot_add_by_hand_a_record_outside_their_audience(client, regions, reviewers, restricted):
    enterprise = enterprise_user(regions["county"])
    owner_admin = user_with_role(Role.ORG_ADMIN, organisation=restricted.owner_organisation)
    achievements.access_grant(actor=owner_admin, achievement=restricted, user=enterprise)
    demand = published_demand(regions, reviewers, enterprise=enterprise)
    client.force_login(user_with_role(Role.BROKER))
    client.post(
        reverse("matching:add", args=[demand.pk]), {"kind": "achievement", "target_id": restricted.pk}
    )
    assert not Suggestion.objects.filter(demand=demand, achievement=restricted).exists()
