"""Audit: the record of every decision, and where it is kept."""
