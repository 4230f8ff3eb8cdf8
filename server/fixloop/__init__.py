"""fixloop: run broken Python code in a sandbox, propose fixes, and keep only the proven ones.

The package is layered (see README "Architecture"): `sandbox` runs code under limits, `oracle`
says what "fixed" means, `repair` engines propose candidates, `loop` validates and ranks them,
`patch` splices and diffs text, and the adapters `cli` and `lsp` translate user requests into
calls on that core. Only `lsp` imports pygls.
"""

__version__ = "0.1.0"
