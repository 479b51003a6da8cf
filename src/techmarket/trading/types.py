"""The types of the trading app other apps may name (annotations, ``isinstance``).

Other apps import these from here, never from :mod:`.models`; they read rows through
:mod:`.selectors` and write through :mod:`.services`.
"""

from techmarket.trading.models import Auction, BidderRegistration, Listing, Objection

__all__ = ["Auction", "BidderRegistration", "Listing", "Objection"]
