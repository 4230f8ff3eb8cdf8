"""The language-server adapter: LSP requests in, domain calls out, LSP results back.

This package is the only place in fixloop that imports pygls and lsprotocol. Its modules stay
thin: `edits` and `diagnostics` translate domain values (source text, `RunResult`, test
failures) into LSP positions, edits and diagnostics, and `testplaces` traces a failing test into
the module it exercises; `documents` keeps per-document state (versions, running loops, verified
fixes); `runs`, `fixing`, `models`, `transcripts` and `sandboxinfo` hold the command handlers,
typed against the `context.ServerContext` protocol and listed in `features`; `actions` answers
code actions; `errors` gives every failure a code; `server` wires it all onto a pygls
`LanguageServer` (imports point from `server` down, never back); `stdio` guards the JSON-RPC
stream. Nothing here is imported by the domain core, and this `__init__` imports nothing so
`fixloop serve` stays lean.
"""
