"""Fixtures of the deals tests: the trading world (a published achievement of a university, its seller,
a trading administrator and a buyer), the trading clock, and an open negotiable listing."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.trading.tests.conftest import frozen, world

__all__ = ["Any", "frozen", "pytest", "world"]
