"""Fetch many resources with a small pool of threads, collecting results and errors."""
