"""Writes of the contracts app: the only place its business rules change data."""
