"""Reads of the statistics app."""
