"""The duplicate warning on a record's page links only to records the viewer may open (never a 404)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.models import Achievement
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.testing.views import client_for

pytestmark = pytest.mark.django_db


def test_every_duplicate_link_opens_and_the_others_are_named_only(regions, reviewers, applicant):
    elsewhere = user_with_role(
        Role.APPLICANT, organisation=OrganisationFactory(region=regions["other_county"])
    )
    near = achievement_in_state(
        S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    far = achievement_in_state(
        S.COUNTY_REVIEW,
        applicant=elsewhere,
        region=regions["other_county"],
        reviewers=reviewers,
        name="乙地草稿",
    )
    neighbour = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(region=regions["county"]))
    hidden = achievement_in_state(  # another organisation's draft: only that organisation sees it
        S.DRAFT, applicant=neighbour, region=regions["county"], reviewers=reviewers, name="邻居的草稿"
    )
    record = achievement_in_state(
        S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    Achievement.objects.filter(pk=record.pk).update(
        duplicate_candidates=[
            {"id": item.pk, "name": item.name, "score": 0.9} for item in (near, far, hidden)
        ]
    )
    client = client_for(reviewers["county"])
    page = client.get(reverse("achievements:detail", args=[record.pk])).content.decode()
    assert far.name in page
    assert hidden.name in page
    section = page[page.index(far.name) - 2000 : page.index(hidden.name) + 200]
    links = set(re.findall(r'href="(/achievements/\d+/)"', section))
    assert links == {reverse("achievements:detail", args=[near.pk])}
    for link in links:
        assert client.get(link).status_code == 200
    for item in (far, hidden):
        assert client.get(reverse("achievements:detail", args=[item.pk])).status_code == 404
