"""Shell completion of type, solver and formulation names (click's completion protocol).

Enable it once per shell (docs/plant-data.md): ``eval "$(_OPTIKIT_COMPLETE=bash_source
optikit)"`` (``zsh_source``, ``fish_source`` likewise).  The names come from the
installed plugins, so a vendor's types and solvers complete too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click
from click.shell_completion import CompletionItem


def _registry() -> Any:
    from optikit.plugins import get_registry

    return get_registry()


def _items(names: Iterable[str], incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(n) for n in sorted(set(names)) if n.startswith(incomplete)]


def complete_types(ctx: click.Context, param: click.Parameter, incomplete: str
                   ) -> list[CompletionItem]:
    return _items(_registry().problem_types, incomplete)


def complete_solvers(ctx: click.Context, param: click.Parameter, incomplete: str
                     ) -> list[CompletionItem]:
    return _items(_registry().backends, incomplete)


def complete_formulations(ctx: click.Context, param: click.Parameter, incomplete: str
                          ) -> list[CompletionItem]:
    types = _registry().problem_types
    wanted = ctx.params.get("type_name")
    chosen = [types[wanted]] if wanted in types else list(types.values())
    return _items((f.name for t in chosen for f in t.formulations), incomplete)
