"""Subsidy policies, runs and awards."""
