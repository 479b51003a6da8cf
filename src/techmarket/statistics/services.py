"""Writes of the statistics app: the only place its business rules change data."""
