import io

import pytest
from django.core.management import call_command

from techmarket.accounts.choices import OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.models import Organisation, RoleAssignment, User
from techmarket.accounts.policies import principal_of
from techmarket.achievements import selectors
from techmarket.achievements.choices import AchievementState, Confidentiality
from techmarket.achievements.models import AccessGrant, Achievement
from techmarket.core.audit import events_for
from techmarket.core.models import AuditEvent, Region
from techmarket.core.validators import validate_uscc
from techmarket.portal import demo

EXPECTED_ROLES = {
    "demo-admin": (Role.PLATFORM_ADMIN, None),
    "demo-province": (Role.REVIEWER, "420000"),
    "demo-city": (Role.REVIEWER, "420100"),
    "demo-county": (Role.REVIEWER, "420111"),
    "demo-orgadmin": (Role.ORG_ADMIN, None),
    "demo-applicant": (Role.APPLICANT, None),
    "demo-enterprise": (Role.ENTERPRISE, None),
    "demo-broker": (Role.BROKER, None),
    "demo-expert": (Role.EXPERT, None),
}


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--achievements", "40", "--organisations", "12", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "achievements": Achievement.objects.count(),
        "events": AuditEvent.objects.count(),
        "regions": Region.objects.count(),
    }


@pytest.fixture
def demo_output(db, settings, tmp_path) -> str:
    settings.VAR_DIR = tmp_path  # the demo publishes a quarterly catalogue there
    return run_demo()


def test_every_role_has_its_account_and_the_table_shows_it(demo_output):
    for username, (role, region) in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert RoleAssignment.objects.filter(user=user, role=role, region_id=region).exists(), username
        assert username in demo_output
    assert User.objects.get(username="demo-admin").is_superuser
    assert demo.DEMO_PASSWORD in demo_output
    assert [row[0] for row in demo.account_rows()] == list(EXPECTED_ROLES)


def test_organisations_of_every_kind_with_valid_credit_codes(demo_output):
    organisations = Organisation.objects.all()
    assert organisations.count() == 12
    assert {org.kind for org in organisations} == set(OrganisationKind.values)
    for organisation in organisations:
        validate_uscc(organisation.credit_code)
        assert organisation.credit_code[2:8] == organisation.region_id
    assert organisations.filter(status=OrganisationStatus.VERIFIED).count() == 12


def test_records_in_every_state_some_restricted_and_queues_waiting(demo_output):
    achievements = Achievement.objects.all()
    assert achievements.count() == 40
    assert {record.state for record in achievements} == set(AchievementState.values)
    restricted = achievements.filter(confidentiality=Confidentiality.RESTRICTED)
    assert restricted.exists()
    assert AccessGrant.objects.filter(user__username="demo-enterprise").exists()
    for username in ("demo-county", "demo-city", "demo-province"):
        assert selectors.review_queue(principal_of(User.objects.get(username=username))).exists(), username
    assert selectors.overdue_fiscal(principal_of(User.objects.get(username="demo-county"))).exists()
    assert not Region.objects.get(code="420000").requires_province_review
    published = achievements.filter(state=AchievementState.PUBLISHED)
    assert all(record.registration_number for record in published)


def test_records_got_there_through_the_services(demo_output):
    for record in Achievement.objects.all():
        actions = [event.action for event in events_for(record)]
        assert actions[0] == "achievements.achievement.create"
        if record.state == AchievementState.PUBLISHED:
            assert "achievements.achievement.submit" in actions
            assert actions[-1] in {
                "achievements.achievement.city_approve",
                "achievements.achievement.province_approve",
                "achievements.access.grant",
            }


def test_a_second_run_adds_nothing(demo_output):
    before = counts()
    assert "已存在" in run_demo()
    assert counts() == before


def test_demands_in_every_state_with_suggestions_for_the_published(demo_output):
    from techmarket.demands.choices import DemandState
    from techmarket.demands.models import Demand
    from techmarket.matching.models import Suggestion

    states = set(Demand.objects.values_list("state", flat=True))
    assert states >= {DemandState.PUBLISHED, DemandState.SUBMITTED, DemandState.RETURNED, DemandState.SOLVED}
    published = Demand.objects.filter(state=DemandState.PUBLISHED)
    assert published.exists()
    assert Suggestion.objects.filter(demand__in=published).exists()
    assert Demand.objects.filter(created_by__username="demo-enterprise").exists()


def test_docking_clocks_in_every_state_pushes_answers_history_catalogue_and_notifications(demo_output):
    from django.utils import timezone

    from techmarket.achievements.models import PublishedCatalogue
    from techmarket.docking.choices import ClockState
    from techmarket.docking.models import PushRecipient, ResponseClock
    from techmarket.notifications.models import Notification

    now = timezone.now()
    clocks = ResponseClock.objects.all()
    assert set(clocks.values_list("state", flat=True)) == set(ClockState.values)
    running = clocks.filter(state__in=[ClockState.RUNNING, ClockState.REMINDED], responded_at__isnull=True)
    assert running.filter(deadline__lt=now).exists()  # overdue, not escalated yet (the worker's next tick)
    responded = clocks.filter(state=ClockState.RESPONDED)
    assert responded.count() >= 10
    assert responded.filter(responded_at__gt=models_f("deadline")).exists()  # some late
    started = sorted(responded.values_list("started_at", flat=True))
    assert (started[-1] - started[0]).days > 60  # months of history for the dashboard's medians
    assert PushRecipient.objects.exclude(answer="").exists()
    assert PushRecipient.objects.filter(answer="").exists()
    assert PushRecipient.objects.filter(user__username="demo-expert").exists()
    catalogue = PublishedCatalogue.objects.get()
    assert catalogue.published_by.username == "demo-admin"
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()


def models_f(name: str):
    from django.db.models import F

    return F(name)


def test_reviewers_and_the_administrator_sign_in_with_the_printed_secret(demo_output, settings, client):
    from techmarket.accounts import totp
    from techmarket.accounts.models import TwoFactorDevice

    for username in (
        "demo-admin",
        "demo-province",
        "demo-city",
        "demo-county",
        "demo-registrar",
        "reg-420000",
    ):
        device = TwoFactorDevice.objects.get(user__username=username)
        assert device.is_confirmed
        assert device.secret == demo.DEMO_TOTP_SECRET
    assert not TwoFactorDevice.objects.filter(user__username="demo-applicant").exists()
    settings.TECHMARKET = {**settings.TECHMARKET, "TWO_FACTOR_ROLES": ("reviewer", "platform_admin")}
    assert demo.DEMO_TOTP_SECRET in run_demo()  # printed with the accounts (here: the second run's)
    client.post("/accounts/login/", {"username": "demo-county", "password": demo.DEMO_PASSWORD})
    response = client.post("/accounts/login/code/", {"code": totp.code_at(demo.DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/achievements/review/").status_code == 200


def test_the_kpi_page_has_target_sets_and_entered_actuals(demo_output, client):
    from techmarket.statistics.models import ManualActual, TargetSet

    assert TargetSet.objects.count() == 5
    assert ManualActual.objects.filter(note="演示数据").count() >= 10
    page = client.get("/statistics/kpi/").content.decode()
    assert "吉林省科技大市场分市场" in page
    assert "演示数据" in page  # the entries' history shows with the target
    assert "平台管理员" not in page  # who entered it (the demo administrator): administrators only
