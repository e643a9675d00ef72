"""Benchmark suites: ``optikit bench`` runs them into a SQLite ledger, ``optikit report``
summarises the ledger.

Modules, one job each: :mod:`~optikit.bench.suite` (suite files),
:mod:`~optikit.bench.plan` (suite -> runs), :mod:`~optikit.bench.worker` (the child
process of one run), :mod:`~optikit.bench.executors` (local pool, Dask),
:mod:`~optikit.bench.verdict` (re-check and classify a run),
:mod:`~optikit.bench.ledger` (SQLite), :mod:`~optikit.bench.coordinator` (the loop),
:mod:`~optikit.bench.progress`, :mod:`~optikit.bench.analysis`,
:mod:`~optikit.bench.plots`, :mod:`~optikit.bench.report` and
:mod:`~optikit.bench.cli`.
"""
