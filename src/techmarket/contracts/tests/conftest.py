"""Fixtures of the contracts tests: a seller (the conftest's university in the first county) with its
filer, a buyer organisation in the other county, an agency, a registrar of the first city and one of
the other city, and valid form data."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.contracts.tests.helpers import build_people
from techmarket.trading.tests.conftest import frozen, world

__all__ = ["frozen", "world"]


@pytest.fixture
def people(regions: dict[str, Any], organisation: Any, applicant: Any) -> dict[str, Any]:
    return build_people(regions, organisation, applicant)
