"""The in-sandbox validation worker: a self-contained program that runs inside every sandbox.

Nothing here imports fixloop or anything outside the standard library (pytest only when tests
need it), and everything runs on Python 3.10+, because the sandbox's interpreter (another
`--python`, the Docker image) does not have fixloop installed. The host does not import these
modules to run them: `fixloop.worker_program` reads their sources as package resources and sends
one bootstrap program (`python -c`) that registers them as the package `_fixloop_worker`, so
modules here import each other relatively. The host does import `protocol`, whose typed messages
both sides share. Modules: `protocol` (messages), `limits` (alarms, memory), `errors` (exception
records), `overlay` (candidate text as an import hook), `coverage`, `script` and `light` and
`pytest_runner` (the script, small and pytest runners), `session` (pytest collected once in the
worker, its items run per child), `calls` and `swap` (what of the target ran while collecting,
and putting a candidate in place of the collected module), `strict` and `strict_eq` (test
modules served from a snapshot with strict `==`/`!=` assertions, and checks that the modules run
are those), `forkserver` (one forked child per request), `main`.
"""
