"""Dependency closure and install order for an internal package index."""
