"""The language-server adapter: LSP requests in, domain calls out, LSP results back.

This package is the only place in fixloop that imports pygls and lsprotocol. Its modules stay
thin: `edits` and `diagnostics` translate domain values (source text, `RunResult`, test reports)
into LSP positions, edits and diagnostics; `documents` keeps per-document state (versions,
running loops, verified fixes); `features` holds the command and request handlers; `server`
wires them onto a pygls `LanguageServer`; `stdio` guards the JSON-RPC stream. Nothing here is
imported by the domain core, and this `__init__` imports nothing so `fixloop serve` stays lean.
"""
