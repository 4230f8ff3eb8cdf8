"""URL routing for a tiny WSGI app: patterns with typed parameters, dispatch to handlers."""
