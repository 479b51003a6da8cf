"""Statistics cells and KPI target sets."""
