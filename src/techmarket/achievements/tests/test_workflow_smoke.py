import pytest

from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state


@pytest.mark.django_db
@pytest.mark.parametrize("state", AchievementState.values)
def test_every_state_is_reachable_through_services(state, regions, reviewers, applicant):
    regions["province"].requires_province_review = True
    regions["province"].save()
    achievement = achievement_in_state(
        state, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    assert achievement.state == state
