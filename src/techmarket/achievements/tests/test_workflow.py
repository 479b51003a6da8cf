"""The registration workflow: every transition × every state × every role, and the paths through it.

The expectations below are written from the rules (issue 2 §2–3), not read back from the policy code;
the matrix is generated from ACHIEVEMENT_WORKFLOW, so a transition added to the workflow without an
expectation here fails the suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from techmarket.accounts.choices import OrganisationStatus
from techmarket.accounts.models import User
from techmarket.accounts.policies import principal_of
from techmarket.achievements import selectors, services
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.models import Achievement, RegistrationSerial
from techmarket.achievements.tests.cast import ROLES, build_cast
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of, draft
from techmarket.achievements.workflow import ACHIEVEMENT_WORKFLOW
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted
from techmarket.core.models import AuditEvent

pytestmark = pytest.mark.django_db

OWNER_FILERS = frozenset({"applicant", "org_admin"})
REVIEWER_OF_STATE = {
    S.COUNTY_REVIEW: "county_reviewer",
    S.CITY_REVIEW: "city_reviewer",
    S.PROVINCE_REVIEW: "province_reviewer",
}


@dataclass(frozen=True)
class Expectation:
    sources: frozenset[str]
    actors: Callable[[str], frozenset[str]]
    # Where the transition leads for a record filed in a county of a province without province review
    # (or, from province review, of a province that asks for it).
    target: str


EXPECTED: dict[str, Expectation] = {
    "submit": Expectation(frozenset({S.DRAFT, S.RETURNED}), lambda state: OWNER_FILERS, S.COUNTY_REVIEW),
    "county_approve": Expectation(
        frozenset({S.COUNTY_REVIEW}), lambda state: frozenset({"county_reviewer"}), S.CITY_REVIEW
    ),
    "city_approve": Expectation(
        frozenset({S.CITY_REVIEW}), lambda state: frozenset({"city_reviewer"}), S.PUBLISHED
    ),
    "province_approve": Expectation(
        frozenset({S.PROVINCE_REVIEW}), lambda state: frozenset({"province_reviewer"}), S.PUBLISHED
    ),
    "return": Expectation(
        frozenset({S.COUNTY_REVIEW, S.CITY_REVIEW, S.PROVINCE_REVIEW}),
        lambda state: frozenset({REVIEWER_OF_STATE[state]}),
        S.RETURNED,
    ),
    "withdraw": Expectation(
        frozenset({S.DRAFT, S.RETURNED, S.COUNTY_REVIEW, S.CITY_REVIEW, S.PROVINCE_REVIEW}),
        lambda state: OWNER_FILERS,
        S.WITHDRAWN,
    ),
    "revoke": Expectation(
        frozenset({S.PUBLISHED}), lambda state: frozenset({"city_reviewer", "province_reviewer"}), S.REVOKED
    ),
}
REASON = "材料不全，请补充"


def snapshot(pk: int) -> tuple[Any, ...]:
    """Everything a transition could touch: the row, the audit log and the registration serials."""
    return (
        Achievement.objects.values().get(pk=pk),
        AuditEvent.objects.count(),
        sorted(RegistrationSerial.objects.values_list("prefix", "last")),
    )


def attempt(actor: Any, pk: int, name: str, reason: str = REASON) -> tuple[str, AuditEvent | None]:
    """Fire through the service and report the outcome. An allowed transition runs in a savepoint that
    is rolled back; a refused one runs without a savepoint of ours, so a write the service made before
    refusing stays visible to the snapshot the caller compares afterwards."""
    if not ACHIEVEMENT_WORKFLOW.is_allowed(Achievement.objects.get(pk=pk), name, actor):
        try:
            services.achievement_transition(
                actor=actor, achievement=Achievement.objects.get(pk=pk), name=name, reason=reason
            )
        except DomainError as error:
            return error.code, None
        raise AssertionError(f"{name} was refused by the policy but the service did not raise")
    with transaction.atomic():
        latest_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        moved = services.achievement_transition(
            actor=actor, achievement=Achievement.objects.get(pk=pk), name=name, reason=reason
        )
        events = list(AuditEvent.objects.filter(id__gt=latest_id))
        assert len(events) == 1, events
        transaction.set_rollback(True)
    return f"→{moved.state}", events[0]


def test_matrix_covers_exactly_the_declared_transitions():
    assert set(EXPECTED) == set(ACHIEVEMENT_WORKFLOW.names())
    for transition in ACHIEVEMENT_WORKFLOW.transitions:
        assert transition.sources == EXPECTED[transition.name].sources, transition.name


@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("name", ACHIEVEMENT_WORKFLOW.names())
def test_transition_matrix(name, state, regions, reviewers, organisation, applicant):
    expectation = EXPECTED[name]
    regions["province"].requires_province_review = state == S.PROVINCE_REVIEW
    regions["province"].save()
    cast = build_cast(regions, reviewers, organisation, applicant)
    record = achievement_in_state(state, applicant=applicant, region=regions["county"], reviewers=reviewers)
    allowed = expectation.actors(state) if state in expectation.sources else frozenset()

    expected_outcomes: dict[str, str] = {}
    outcomes: dict[str, str] = {}
    for role in ROLES:
        actor = cast[role]
        if role in allowed:
            expected_outcomes[role] = f"→{expectation.target}"
        elif state in expectation.sources:
            expected_outcomes[role] = "permission_denied"
        else:
            expected_outcomes[role] = "invalid_transition"
        fresh = Achievement.objects.get(pk=record.pk)
        assert ACHIEVEMENT_WORKFLOW.is_allowed(fresh, name, actor) is (role in allowed), role
        before = snapshot(record.pk)
        outcomes[role], event = attempt(actor, record.pk, name)
        assert snapshot(record.pk) == before, f"{role}: {name} from {state} left a change behind"
        if event is not None:
            assert event.actor_id == actor.pk
            assert event.action == f"achievements.achievement.{name}"
            assert (event.from_state, event.to_state) == (state, expectation.target)
            if ACHIEVEMENT_WORKFLOW.get(name).requires_reason:
                assert event.reason == REASON
    assert outcomes == expected_outcomes


def test_county_city_published_path(regions, reviewers, applicant):
    record = draft(applicant=applicant, region=regions["county"])
    record = services.achievement_submit(actor=applicant, achievement=record)
    assert record.state == S.COUNTY_REVIEW
    assert record.submitted_at is not None
    record = services.achievement_approve(actor=reviewers["county"], achievement=record)
    assert record.state == S.CITY_REVIEW
    assert record.registration_number is None
    record = services.achievement_approve(actor=reviewers["city"], achievement=record)
    assert record.state == S.PUBLISHED
    assert record.published_at is not None
    assert record.registration_number
    assert selectors.achievement_catalogue(principal_of(None)).filter(pk=record.pk).exists()


def test_province_step_when_the_province_asks_for_it(regions, reviewers, applicant):
    regions["province"].requires_province_review = True
    regions["province"].save()
    record = achievement_in_state(
        S.CITY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    record = services.achievement_approve(actor=reviewers["city"], achievement=record)
    assert record.state == S.PROVINCE_REVIEW
    assert record.registration_number is None
    assert record.published_at is None
    # The city reviewer cannot also take the province step.
    with pytest.raises(NotPermitted):
        services.achievement_approve(actor=reviewers["city"], achievement=record)
    record = services.achievement_approve(actor=reviewers["province"], achievement=record)
    assert record.state == S.PUBLISHED
    assert record.registration_number
    assert record.published_at is not None


def test_record_filed_at_a_city_skips_county_review(regions, reviewers, applicant):
    record = draft(applicant=applicant, region=regions["city"])
    assert record.county_code == ""
    record = services.achievement_submit(actor=applicant, achievement=record)
    assert record.state == S.CITY_REVIEW
    with pytest.raises(DomainError):
        services.achievement_transition(actor=reviewers["county"], achievement=record, name="county_approve")
    record = services.achievement_approve(actor=reviewers["city"], achievement=record)
    assert record.state == S.PUBLISHED


def test_named_approval_must_match_the_current_level(regions, reviewers, applicant):
    """Asking for a county approval of a record in city review is refused, not treated as city approval."""
    record = achievement_in_state(
        S.CITY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    before = snapshot(record.pk)
    with pytest.raises(InvalidTransition):
        services.achievement_transition(actor=reviewers["city"], achievement=record, name="county_approve")
    assert snapshot(record.pk) == before


def test_resubmission_after_return(regions, reviewers, applicant):
    record = achievement_in_state(
        S.CITY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    record = services.achievement_return(actor=reviewers["city"], achievement=record, reason="  补充指标  ")
    assert record.state == S.RETURNED
    record = services.achievement_update(
        actor=applicant, achievement=record, data={"technical_indicators": "导热系数≥1600W/mK"}
    )
    record = services.achievement_submit(actor=applicant, achievement=record)
    assert record.state == S.COUNTY_REVIEW
    returned = AuditEvent.objects.get(action="achievements.achievement.return", target_id=str(record.pk))
    assert returned.reason == "补充指标"
    submits = AuditEvent.objects.filter(action="achievements.achievement.submit", target_id=str(record.pk))
    assert [event.from_state for event in submits] == [S.DRAFT, S.RETURNED]


@pytest.mark.parametrize(
    ("state", "name", "reviewer"),
    [
        (S.COUNTY_REVIEW, "return", "county"),
        (S.CITY_REVIEW, "return", "city"),
        (S.PUBLISHED, "revoke", "city"),
        (S.PUBLISHED, "revoke", "province"),
    ],
)
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_return_and_revoke_require_a_reason(state, name, reviewer, reason, regions, reviewers, applicant):
    record = achievement_in_state(state, applicant=applicant, region=regions["county"], reviewers=reviewers)
    before = snapshot(record.pk)
    with pytest.raises(DomainError) as caught:
        services.achievement_transition(
            actor=reviewers[reviewer], achievement=record, name=name, reason=reason
        )
    assert caught.value.code == "reason_required"
    assert "reason" in caught.value.fields
    assert snapshot(record.pk) == before


@pytest.mark.parametrize("state", [S.DRAFT, S.RETURNED, S.COUNTY_REVIEW, S.CITY_REVIEW])
def test_withdraw_by_the_owner(state, regions, reviewers, applicant):
    record = achievement_in_state(state, applicant=applicant, region=regions["county"], reviewers=reviewers)
    record = services.achievement_withdraw(actor=applicant, achievement=record)
    assert record.state == S.WITHDRAWN
    assert not record.is_editable
    with pytest.raises(InvalidTransition):
        services.achievement_submit(actor=applicant, achievement=record)


def test_revoke_takes_the_record_out_of_the_catalogue(regions, reviewers, applicant):
    record = achievement_in_state(
        S.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    number = record.registration_number
    record = services.achievement_revoke(actor=reviewers["province"], achievement=record, reason="权属争议")
    assert record.state == S.REVOKED
    assert record.registration_number == number
    assert not selectors.achievement_catalogue(principal_of(None)).filter(pk=record.pk).exists()
    event = selectors.timeline(record).last()
    assert (event.action, event.reason, event.actor) == (
        "achievements.achievement.revoke",
        "权属争议",
        reviewers["province"],
    )


@pytest.mark.parametrize("status", [OrganisationStatus.PENDING, OrganisationStatus.REJECTED])
def test_unverified_organisation_cannot_submit(status, regions, reviewers, organisation, applicant):
    record = draft(applicant=applicant, region=regions["county"])
    organisation.status = status
    organisation.save()
    applicant = User.objects.get(pk=applicant.pk)  # a new request sees the organisation's new status
    before = snapshot(record.pk)
    with pytest.raises(NotPermitted):
        services.achievement_submit(actor=applicant, achievement=record)
    assert snapshot(record.pk) == before
    assert not ACHIEVEMENT_WORKFLOW.is_allowed(record, "submit", applicant)


def _publish(regions, reviewers, applicant, **overrides):
    return achievement_in_state(
        S.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers, **overrides
    )


def test_registration_number_format(regions, reviewers, applicant):
    """City code + year + type flag + 4-digit serial, e.g. 990100 2026 A 0001."""
    year = timezone.localdate().year
    applied = _publish(regions, reviewers, applicant, name="一种新型锂电池隔膜")
    basic = _publish(regions, reviewers, applicant, name="稀土发光机理研究", achievement_type="basic")
    soft = _publish(regions, reviewers, applicant, name="县域科技政策评估", achievement_type="soft")
    assert applied.registration_number == f"990100{year}A0001"
    assert basic.registration_number == f"990100{year}B0002"
    assert soft.registration_number == f"990100{year}C0003"
    for number in (applied.registration_number, basic.registration_number, soft.registration_number):
        assert re.fullmatch(r"\d{6}\d{4}[ABC]\d{4}", number)


def test_registration_number_uses_the_city_of_the_record(regions, reviewers):
    other_applicant = applicant_of(region=regions["other_county"])
    other_reviewers = {**reviewers, "city": reviewers["other_city"]}
    record = achievement_in_state(
        S.CITY_REVIEW, applicant=other_applicant, region=regions["other_city"], reviewers=other_reviewers
    )
    record = services.achievement_approve(actor=reviewers["other_city"], achievement=record)
    assert record.registration_number == f"990200{timezone.localdate().year}A0001"


def test_registration_numbers_are_unique_and_never_reused(regions, reviewers, applicant):
    first = _publish(regions, reviewers, applicant, name="一种秸秆还田机械")
    services.achievement_revoke(actor=reviewers["city"], achievement=first, reason="重复登记")
    second = _publish(regions, reviewers, applicant, name="盐碱地改良微生物菌剂")
    assert second.registration_number != first.registration_number
    assert second.registration_number.endswith("0002")
    numbers = list(
        Achievement.objects.exclude(registration_number=None).values_list("registration_number", flat=True)
    )
    assert len(numbers) == len(set(numbers)) == 2


def test_audit_timeline_records_actor_states_and_reason(regions, reviewers, applicant):
    record = draft(applicant=applicant, region=regions["county"])
    record = services.achievement_submit(actor=applicant, achievement=record)
    record = services.achievement_return(actor=reviewers["county"], achievement=record, reason="缺少验收报告")
    record = services.achievement_submit(actor=applicant, achievement=record)
    record = services.achievement_approve(actor=reviewers["county"], achievement=record)
    record = services.achievement_approve(actor=reviewers["city"], achievement=record)
    rows = [
        (event.action.rsplit(".", 1)[1], event.actor.username, event.from_state, event.to_state, event.reason)
        for event in selectors.timeline(record)
    ]
    assert rows == [
        ("create", "applicant", "", S.DRAFT, ""),
        ("submit", "applicant", S.DRAFT, S.COUNTY_REVIEW, ""),
        ("return", "county_reviewer", S.COUNTY_REVIEW, S.RETURNED, "缺少验收报告"),
        ("submit", "applicant", S.RETURNED, S.COUNTY_REVIEW, ""),
        ("county_approve", "county_reviewer", S.COUNTY_REVIEW, S.CITY_REVIEW, ""),
        ("city_approve", "city_reviewer", S.CITY_REVIEW, S.PUBLISHED, ""),
    ]
    published = selectors.timeline(record).last()
    assert published.data == {"registration_number": record.registration_number}


def test_unknown_transition_is_refused(regions, reviewers, applicant):
    record = draft(applicant=applicant, region=regions["county"])
    before = snapshot(record.pk)
    with pytest.raises(InvalidTransition):
        services.achievement_transition(actor=applicant, achievement=record, name="publish")
    assert snapshot(record.pk) == before


def test_stale_object_cannot_fire_twice(regions, reviewers, applicant):
    """The engine re-reads the row: approving twice from the same stale object fails the second time."""
    record = achievement_in_state(
        S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    services.achievement_approve(actor=reviewers["county"], achievement=record)
    with pytest.raises(InvalidTransition):
        services.achievement_transition(actor=reviewers["county"], achievement=record, name="county_approve")
    assert Achievement.objects.get(pk=record.pk).state == S.CITY_REVIEW
