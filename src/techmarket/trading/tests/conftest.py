"""Fixtures of the trading tests: a published achievement of a university in the first county, its
seller, a trading administrator and a buyer, and a clock the tests move."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core import clock
from techmarket.trading.tests.factories import admin_user, buyer_user, published_achievement


@pytest.fixture
def world(regions: dict[str, Any], reviewers: dict[str, Any]) -> dict[str, Any]:
    university = OrganisationFactory(
        region=regions["county"], name="某大学", kind=OrganisationKind.UNIVERSITY
    )
    seller = user_with_role(Role.APPLICANT, organisation=university)
    achievement = published_achievement(applicant=seller, region=regions["county"], reviewers=reviewers)
    return {
        "regions": regions,
        "university": university,
        "seller": seller,
        "achievement": achievement,
        "admin": admin_user(),
        "buyer": buyer_user(regions["other_county"]),
    }


class Clock:
    """The server's clock, moved by the test (``core.clock.now`` is patched to read it)."""

    def __init__(self, start: datetime.datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime.datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime.datetime:
        self.moment += datetime.timedelta(**delta)
        return self.moment

    def set(self, moment: datetime.datetime) -> None:
        self.moment = moment


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Clock]:
    def start(moment: datetime.datetime) -> Clock:
        fake = Clock(moment)
        monkeypatch.setattr(clock, "now", fake)
        return fake

    return start
