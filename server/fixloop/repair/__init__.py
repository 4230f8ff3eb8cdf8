"""Repair engines: generators of candidate replacements for a target line range.

Engines only propose. The loop (`fixloop.loop`) applies guards, runs each candidate in the
sandbox and decides what is verified. See `engine.py` for the contract every engine follows.
"""
