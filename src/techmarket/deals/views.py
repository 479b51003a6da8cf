"""The pages of negotiation and deals."""
