"""Reads of the subsidies app."""
