"""The deals API under /api/v1/: offers, deals and deal notices."""
