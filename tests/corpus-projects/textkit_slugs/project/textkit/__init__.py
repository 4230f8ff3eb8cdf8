"""Text helpers for the blog engine: URL slugs and unique slugs."""
