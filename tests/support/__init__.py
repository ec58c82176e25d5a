"""Helpers shared by unit, page and browser tests (never imported from a conftest)."""
