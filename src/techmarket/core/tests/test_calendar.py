"""The working-day calendar: Monday–Friday, the State Council's 2026 holidays and 调休 days, region
overrides, and the audited administrator edits."""

from __future__ import annotations

import datetime

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core import calendar, services
from techmarket.core.choices import CalendarDayKind
from techmarket.core.errors import NotPermitted
from techmarket.core.models import AuditEvent, CalendarDay

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_2026_notice_is_shipped() -> None:
    national = CalendarDay.objects.filter(region=None, date__year=2026)
    holidays = national.filter(kind=CalendarDayKind.HOLIDAY)
    workdays = national.filter(kind=CalendarDayKind.WORKDAY)
    assert holidays.count() == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert sorted(workdays.values_list("date", flat=True)) == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]


def test_the_2027_statutory_holidays_are_shipped() -> None:
    """Next year's statutory days are data; its 调休 notice is entered when the State Council publishes it."""
    national = CalendarDay.objects.filter(region=None, date__year=2027, kind=CalendarDayKind.HOLIDAY)
    assert national.count() == 1 + 4 + 1 + 2 + 1 + 1 + 3
    assert not calendar.is_working_day(D(2027, 2, 8))  # 正月初三, a Monday
    assert not calendar.is_working_day(D(2027, 9, 15))  # 中秋节, a Wednesday
    assert calendar.is_working_day(D(2027, 9, 16))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 1), False),  # 元旦, a Thursday
        (D(2026, 1, 4), True),  # a Sunday worked (调休)
        (D(2026, 2, 16), False),  # 春节
        (D(2026, 2, 14), True),  # a Saturday worked
        (D(2026, 3, 7), False),  # an ordinary Saturday
        (D(2026, 3, 9), True),  # an ordinary Monday
        (D(2026, 10, 7), False),  # 国庆节, a Wednesday
        (D(2026, 10, 8), True),  # the Thursday after it
        (D(2026, 10, 10), True),  # Saturday worked after 国庆
    ],
)
def test_is_working_day(day: datetime.date, working: bool) -> None:
    assert calendar.is_working_day(day) is working


def test_add_working_days_skips_holidays_and_counts_make_up_days() -> None:
    # Friday 2026-09-18 + 5 working days: Sun 20 (调休), Mon 21 … Thu 24; Fri 25 is 中秋.
    assert calendar.add_working_days(D(2026, 9, 18), 5) == D(2026, 9, 24)
    # Across 国庆 (1–7 Oct off): Tue 29 Sep + 3 → Wed 30 Sep, Thu 8 Oct, Fri 9 Oct.
    assert calendar.add_working_days(D(2026, 9, 29), 3) == D(2026, 10, 9)
    assert calendar.add_working_days(D(2026, 3, 9), 0) == D(2026, 3, 9)
    # An ordinary week: Monday + 5 → next Monday.
    assert calendar.add_working_days(D(2026, 3, 9), 5) == D(2026, 3, 16)
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2026, 3, 9), -1)


def test_a_region_overrides_the_national_calendar(regions) -> None:
    admin = user_with_role(Role.PLATFORM_ADMIN)
    services.calendar_day_set(
        actor=admin,
        date=D(2026, 3, 10),
        kind=CalendarDayKind.HOLIDAY,
        name="地方节日",
        region=regions["province"],
    )
    assert calendar.is_working_day(D(2026, 3, 10))
    assert not calendar.is_working_day(D(2026, 3, 10), regions["county"])  # below the province
    services.calendar_day_set(
        actor=admin, date=D(2026, 3, 10), kind=CalendarDayKind.WORKDAY, region=regions["county"]
    )
    assert calendar.is_working_day(D(2026, 3, 10), regions["county"])  # the nearest wins
    assert not calendar.is_working_day(D(2026, 3, 10), regions["city"])
    assert calendar.working_days(D(2026, 3, 9), D(2026, 3, 13), regions["city"]) == [
        D(2026, 3, 9),
        D(2026, 3, 11),
        D(2026, 3, 12),
        D(2026, 3, 13),
    ]


def test_edits_are_for_platform_administrators_and_audited(regions) -> None:
    admin = user_with_role(Role.PLATFORM_ADMIN)
    with pytest.raises(NotPermitted):
        services.calendar_day_set(
            actor=user_with_role(Role.REVIEWER, region=regions["city"]),
            date=D(2027, 1, 1),
            kind=CalendarDayKind.HOLIDAY,
        )
    day = services.calendar_day_set(
        actor=admin, date=D(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦"
    )
    assert not calendar.is_working_day(D(2027, 1, 1))
    services.calendar_day_set(actor=admin, date=D(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    assert AuditEvent.objects.filter(action="core.calendarday.set").count() == 1  # unchanged: not recorded
    services.calendar_day_clear(actor=admin, day=day, reason="录入有误")
    assert calendar.is_working_day(D(2027, 1, 1))
    assert AuditEvent.objects.filter(action="core.calendarday.clear", reason="录入有误").count() == 1


def test_the_admin_adds_and_removes_days_through_the_service() -> None:
    from django.test import Client
    from django.urls import reverse

    from techmarket.accounts.tests.factories import PASSWORD

    root = user_with_role(Role.PLATFORM_ADMIN, is_staff=True, is_superuser=True, username="calendar_root")
    client = Client()
    client.login(username=root.username, password=PASSWORD)
    response = client.post(
        reverse("admin:core_calendarday_add"),
        {"date": "2028-01-01", "kind": "holiday", "name": "元旦", "note": "2028年通知"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    day = CalendarDay.objects.get(date=D(2028, 1, 1), region=None)
    assert day.updated_by == root
    assert AuditEvent.objects.filter(action="core.calendarday.set", actor=root).count() == 1
    response = client.post(reverse("admin:core_calendarday_delete", args=[day.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert AuditEvent.objects.filter(action="core.calendarday.clear", actor=root).count() == 1
