"""Layered configuration: profile defaults, a JSON file, then APP_* environment variables."""
