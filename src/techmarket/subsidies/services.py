"""Writes of the subsidies app: the only place its business rules change data."""
