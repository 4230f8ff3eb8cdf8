"""Tests of `fixloop sweep`."""
