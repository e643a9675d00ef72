"""optikit as a service: ``optikit serve`` (FastAPI on uvicorn, the ``serve`` extra).

Modules, one job each: :mod:`~optikit.service.store` (jobs, keys, events in SQLite or
PostgreSQL), :mod:`~optikit.service.keys`, :mod:`~optikit.service.worker` (the solving
process), :mod:`~optikit.service.executors` (supervisors, local worker processes),
:mod:`~optikit.service.dask_executor`, :mod:`~optikit.service.jobs` (requests to jobs),
:mod:`~optikit.service.routes` (the /v1 API), :mod:`~optikit.service.page` (the web
page), :mod:`~optikit.service.app` (the factory) and :mod:`~optikit.service.cli`.
The service knows no problem type by name: it goes through :mod:`optikit.api`.
"""
