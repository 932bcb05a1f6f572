"""Representations: one renderer per format (the formats themselves: publisher.formats)."""
