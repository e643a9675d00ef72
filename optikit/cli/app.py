"""Shared CLI plumbing: the application object, error handling and output helpers."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from optikit.exitcodes import ExitCode
from optikit.registry import Registry
from optikit.types import OptikitError, one_line


class App:
    """Per-invocation state: plugin directories and the lazily loaded registry."""

    def __init__(self) -> None:
        self.plugins_dirs: tuple[str, ...] = ()
        self._registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            from optikit.plugins import get_registry

            # Broken plugins are not announced on every command (that would break the
            # one-line error promise); `optikit plugins` lists them, and "unknown type" or
            # "unknown solver" messages name them.
            self._registry = get_registry(tuple(Path(d) for d in self.plugins_dirs))
        return self._registry


pass_app = click.make_pass_decorator(App, ensure=True)


def debug_enabled() -> bool:
    return os.environ.get("OPTIKIT_DEBUG", "") not in ("", "0")


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def fail(message: str, code: int = ExitCode.USAGE) -> None:
    """Print a one-line error on stderr and exit with ``code``."""
    click.echo(f"error: {one_line(message)}", err=True)
    raise SystemExit(int(code))


class OptikitGroup(click.Group):
    """A click group that turns optikit errors into one-line messages and exit codes."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        extra.setdefault("obj", App())
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            _usage_error(exc)

    # -- commands contributed by plugins (register_commands), loaded only when needed ------
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and self._add_plugin_commands(ctx):
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands(ctx)
        return super().list_commands(ctx)

    def _add_plugin_commands(self, ctx: click.Context) -> bool:
        """Let plugins add commands once; True when that may have added any."""
        if getattr(self, "_plugin_commands_added", False):
            return False
        self._plugin_commands_added = True
        app = ctx.find_object(App) or App()
        dirs = ctx.params.get("plugins_dirs") or app.plugins_dirs
        app.plugins_dirs = tuple(dirs)
        try:
            registry = app.registry
        except OptikitError:
            return False
        registry.notify("register_commands", cli=self)
        return True

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OptikitError as exc:
            fail(str(exc), ExitCode.USAGE)
        except click.UsageError as exc:
            _usage_error(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise SystemExit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            # The reader went away (`optikit plugins | head`): not an error of ours.
            _silence_stdout()
            raise SystemExit(int(ExitCode.OK)) from None
        except Exception as exc:
            if debug_enabled():
                traceback.print_exc()
            fail(
                f"internal error: {type(exc).__name__}: {exc} "
                "(set OPTIKIT_DEBUG=1 for the traceback)",
                ExitCode.INTERNAL,
            )


def _usage_error(exc: click.UsageError) -> NoReturn:
    """Click's usage errors (missing argument, unknown command or option, a value not among
    the choices) as the contract's one-line error, exit 2, instead of three lines."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        raise exc  # `optikit` or `optikit keys` alone: the help text is the answer
    path = exc.ctx.command_path if exc.ctx is not None else "optikit"
    click.echo(f"error: {one_line(exc.format_message()).rstrip('.')} (see '{path} --help')",
               err=True)
    raise SystemExit(int(ExitCode.USAGE))


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def emit_json(data: Any) -> None:
    """Write strict JSON to stdout, and nothing else there."""
    sys.stdout.write(dumps(data))
    sys.stdout.flush()


def dumps(data: Any) -> str:
    """Strict JSON text (never NaN or Infinity), as every document optikit writes."""
    from optikit.jsonio import document_json

    return document_json(data)


def parse_key_values(pairs: Sequence[str], option: str) -> dict[str, str]:
    """``key=value`` pairs, values as text: each option's declaration converts its own
    (so ``NaN`` or ``1e999`` is refused by the option that expects a number)."""
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint=option)
        key, raw = pair.split("=", 1)
        out[key.strip()] = raw
    return out
