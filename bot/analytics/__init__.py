"""Marketer analytics: the touchpoint log API and exports, the journey report."""
