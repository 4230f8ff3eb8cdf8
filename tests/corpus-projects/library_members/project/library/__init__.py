"""Members and loans of a neighbourhood library, saved as JSON."""
