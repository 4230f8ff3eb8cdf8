"""Semantic versions: parse, compare, and match against simple ranges."""
