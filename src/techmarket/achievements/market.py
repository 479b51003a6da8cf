"""The seam through which the trading floor shows itself in the catalogue (ADR 0011).

achievements sits below trading in the layering, so it cannot ask trading which records are listed. An
app that offers achievements for trade registers one :class:`Market` here from its ``AppConfig.ready``
(trading does); the catalogue's 可交易 / mode / price filters and the cards' badges call it, and without
one nothing is tradable (the filters then match no record and no card has a badge).

The market answers for a viewer: it alone knows which listing fields (mode, price) that viewer may read,
so a filter can never reveal a price or a mode the viewer would not see on the listing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import QuerySet

from techmarket.accounts.policies import ANONYMOUS, Principal

if TYPE_CHECKING:
    from techmarket.achievements.models import Achievement


@dataclass(frozen=True)
class TradeFilter:
    """The catalogue's trading filters: only records with a listing open for trading, of a mode, in a
    price range (万元)."""

    tradable: bool = False
    mode: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None

    @property
    def active(self) -> bool:
        return self.tradable or bool(self.mode) or self.price_min is not None or self.price_max is not None


@dataclass(frozen=True)
class TradeBadge:
    """What a card or a suggestion shows of a record's listing, already cut to what the viewer may read:
    ``mode_label`` and ``price`` are empty when the viewer may not see them."""

    listing_id: int
    state: str
    tradable: bool
    status_label: str
    mode_label: str = ""
    price: Decimal | None = None
    price_label: str = ""
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "listing": self.listing_id,
            "state": self.state,
            "tradable": self.tradable,
            "status": self.status_label,
            "mode": self.mode_label,
            "price": None if self.price is None else str(self.price),
            "price_label": self.price_label,
            "url": self.url,
        }


class Market(Protocol):
    def mode_choices(self) -> list[tuple[str, Any]]: ...

    def filter(
        self, queryset: QuerySet[Achievement], trade: TradeFilter, principal: Principal
    ) -> QuerySet[Achievement]: ...

    def badges(self, principal: Principal, achievement_ids: list[int]) -> dict[int, TradeBadge]: ...


_MARKETS: list[Market] = []


def register(market: Market) -> None:
    """Register the market (once; an app's ``AppConfig.ready``)."""
    if market not in _MARKETS:
        _MARKETS.append(market)


def mode_choices() -> list[tuple[str, Any]]:
    """The transaction modes a listing may have (for the filter's choices)."""
    return [choice for market in _MARKETS for choice in market.mode_choices()]


def apply(
    queryset: QuerySet[Achievement], trade: TradeFilter, principal: Principal | None = None
) -> QuerySet[Achievement]:
    """Narrow the records to those the trade filter matches for this viewer (none without a market)."""
    if not trade.active:
        return queryset
    if not _MARKETS:
        return queryset.none()
    for market in _MARKETS:
        queryset = market.filter(queryset, trade, principal or ANONYMOUS)
    return queryset


def badges(principal: Principal, achievement_ids: list[int]) -> dict[int, TradeBadge]:
    """``{achievement id: badge}`` for the records that have a listing the viewer may see."""
    found: dict[int, TradeBadge] = {}
    for market in _MARKETS:
        for pk, badge in market.badges(principal, achievement_ids).items():
            found.setdefault(pk, badge)
    return found


def with_badges(principal: Principal, achievements: list[Any]) -> list[Any]:
    """Give each record (a page of the catalogue) ``trade``: its badge or None, in one query."""
    found = badges(principal, [a.pk for a in achievements]) if achievements else {}
    for achievement in achievements:
        achievement.trade = found.get(achievement.pk)
    return achievements
