"""Scan application logs: parse lines, count levels, find the slowest requests."""
