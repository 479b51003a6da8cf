"""The trading floor's API, one module per area: listings, auctions, staged disclosure."""
