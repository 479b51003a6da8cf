"""Negotiation and deals: offers on a listing, the deals they make and their 成交公告."""
