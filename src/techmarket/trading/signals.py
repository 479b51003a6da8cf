"""What the trading floor tells the apps above it, without importing them (the deals app turns a sold
auction into a deal; matching tells enterprises whose demands match a newly opened listing).

- ``auction_sold`` (sender ``Auction``; ``auction``, ``actor``): sent inside the close's transaction, so a
  receiver's failure rolls the close back and a deal can never be missing for a sold auction.
- ``listing_opened`` (sender ``Listing``; ``listing``): sent after the commit that opened the listing
  (its notice period ended); receivers must be safe to lose (notifications).
"""

from __future__ import annotations

from django.dispatch import Signal

from techmarket.core.workflow import Fired
from techmarket.trading.models import Listing

auction_sold = Signal()
listing_opened = Signal()


def send_listing_opened(fired: Fired[Listing]) -> None:
    """After-commit hook of the listing's ``open`` transition."""
    listing_opened.send(sender=Listing, listing=fired.obj)
