"""Helpers for the greenhouse sensor logs."""
