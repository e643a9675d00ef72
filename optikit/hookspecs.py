"""Hook specifications: the plugin author's reference.

A plugin is a module (or object) with functions marked ``@optikit.hookimpl`` whose names
match the specifications below.  Register it through the ``optikit`` entry-point group::

    [project.entry-points.optikit]
    myplugin = "my_package.plugin"

Lifecycle, in order:

1. **Load.**  Each plugin is imported and registered on its own.  A plugin whose import or
   registration raises is rolled back and reported by ``optikit plugins``; nothing it
   registered is kept, and every other plugin keeps working.
2. **Register.**  Right after loading, the core calls the plugin's registration hooks
   (``register_problem_types``, ``register_backends``, ``register_readers``) with a
   ``register`` callback.  Registration is order-independent: plugins never see or depend
   on one another's registrations.  A name registered twice is an error of the second
   plugin.
3. **Commands.**  When the CLI starts, ``register_commands`` may add click commands.
4. **Solve.**  Around every solve the core calls ``before_solve``, then ``on_progress``
   for each incumbent or bound, then ``after_solve``.  An exception in one of these hooks
   is reported as a warning and never stops the solve or the other plugins.
5. **Plant data** (optional).  ``optikit export`` asks ``export_tables`` for tables in
   plant terms; ``optikit import-aas`` asks ``aas_fields`` for extra submodel mappings.
   Both are queries: a plugin answers ``None`` for what it does not know, and a failing
   implementation is reported as a warning and ignored.

Registration hooks must be cheap: import heavy libraries (ortools, matplotlib) inside the
functions that need them, not at module import, so ``optikit --help`` stays fast.

Compatibility policy: hook names and arguments listed here are the stable plugin API of
``optikit.API_VERSION``.  New optional arguments may be added in minor versions (pluggy
passes only the arguments an implementation names); removals and renames happen only in
a major version, after a release in which the old form warns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from optikit.types import Backend, ProblemType, ProgressEvent, Reader

hookspec = pluggy.HookspecMarker("optikit")


@hookspec
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    """Register problem types: call ``register(ProblemType(...))`` once per type.

    The :class:`~optikit.types.ProblemType` carries the JSON Schema of the problem
    document, ``parse`` (semantic validation raising
    :class:`~optikit.types.InvalidProblem` with a field path), the formulations (one per
    backend paradigm at least), the independent ``check`` function, an optional
    ``generate`` for random instances, ``summarize`` for the human summary, ``plots``
    and ``samples``.  The ``check`` function must not call a solver: it recomputes
    feasibility and the objective from the payload alone.
    """


@hookspec
def register_backends(register: Callable[[Backend], None]) -> None:
    """Register solver backends: call ``register(backend)`` once per backend.

    A backend is an instance of a :class:`~optikit.types.Backend` subclass with a unique
    ``name`` (what users pass to ``--solver``), a ``paradigm`` (the kind of model it
    accepts: ``"linear"`` or ``"cp-sat"``, see :mod:`optikit.paradigms`), an
    ``availability()`` probe that never raises and says why a solver cannot run, and
    ``solve(model, ctx, **kwargs)``.  Registration must not import the solver library:
    probe it lazily in ``availability()``.
    """


@hookspec
def register_readers(register: Callable[[Reader], None]) -> None:
    """Register readers of standard instance formats: ``register(Reader(...))``.

    A reader maps a file extension (e.g. ``.fjs``) to a problem type and turns the file
    into an ordinary problem document, which is then validated like any other.
    Raise :class:`~optikit.types.InvalidProblem` with a field such as ``line 3`` when the
    file is malformed.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``optikit`` command line (``@cli.command()``)."""


@hookspec
def before_solve(run: dict[str, Any]) -> None:
    """Called before a solve starts.

    ``run`` holds ``problem_type``, ``name``, ``solver``, ``formulation`` and
    ``options`` (a :class:`~optikit.types.SolveOptions`).  Observers only: the return
    value is ignored.
    """


@hookspec
def on_progress(run: dict[str, Any], event: ProgressEvent) -> None:
    """Called whenever the solve reports a new incumbent and/or bound.

    Runs on the solver's thread: keep it fast and never raise (an exception is caught,
    reported once and the hook implementation is skipped for the rest of the run).
    """


@hookspec
def after_solve(run: dict[str, Any], document: dict[str, Any]) -> None:
    """Called after a solve with the checked solution document (as written to users)."""


@hookspec
def export_tables(
    problem_type: str, problem: Any, document: dict[str, Any]
) -> dict[str, list[dict[str, Any]]] | None:
    """Tables in plant terms for ``optikit export`` (and the Python API), or ``None``.

    ``document`` is a checked solution document (``type``, ``status``, ``objective``,
    ``solution``...); ``problem`` is the parsed problem when the user gave one
    (``--problem FILE``), else ``None``: use it for what the solution does not say (due
    dates, specs, tariffs).  Answer only for your own ``problem_type``.  Return table name
    -> rows (each row a flat mapping of column -> number, text or bool), e.g. a
    ``schedule`` with job, operation, machine, start, end and late-by.  These tables come
    first in the export; the generic tables of the solution payload follow.
    Since API 2.1.
    """


@hookspec
def aas_fields(semantic_id: str, id_short: str, value: Any) -> tuple[str, Any] | None:
    """Map one Asset Administration Shell property the core does not know, or ``None``.

    ``optikit import-aas`` maps the Digital Nameplate, Technical Data and maintenance
    submodels itself (by semanticId); for any other property it asks plugins, passing
    the property's semanticId (empty when it has none), its idShort and its value.
    Return ``(field, value)`` to set ``field`` (a dotted path) on the machine; unmapped
    properties are listed as warnings.  Since API 2.1.
    """
