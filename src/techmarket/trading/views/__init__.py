"""The trading floor's pages, one module per area: listings, auctions, staged disclosure."""
