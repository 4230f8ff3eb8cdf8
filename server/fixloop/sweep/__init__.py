"""`fixloop sweep`: fix every failing test of a project, as parallel jobs on this machine or on Ray.

The sweep runs the suite once, groups the failures by the project module they point at, and
runs one repair loop per module as a job (`run`, `grouping`, `suite`). A job receives the
project as a snapshot in bytes and returns its result as data (`snapshot`, `runner`, `model`),
so it runs the same in a local worker process (`local`, `worker`) or a Ray task (`rayexec`).
The fixes are combined and proved by one fresh run of the whole suite (`combine`), and written
as reports and one patch (`outputs`, `sarif`). Ray is imported only by `rayexec`, and only when
`--executor ray` is chosen.
"""
