"""Demand ↔ achievement matching. ``engine`` is the Django-free core: index, ranking and reasons."""
