"""Reading untrusted data files safely: size caps, text checks, strict JSON and YAML.

A problem file may be huge, binary, a device, or built to blow up a parser (YAML alias
bombs, million-digit numbers). Everything here bounds time and memory first and turns
every failure into a one-line :class:`ProblemFileError` naming the file and the place.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from optikit.types import InputError, UsageError
from optikit.validation import MAX_MAGNITUDE as _MAX_MAGNITUDE
from optikit.validation import MIN_MAGNITUDE as _MIN_MAGNITUDE
from optikit.validation import OutOfRange

DEFAULT_MAX_FILE_MB = 512.0
MAX_FILE_MB_CEILING = 1024.0 * 1024.0  # 1 TiB: anything above is a typo


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text):,} chars)"


class ProblemFileError(InputError):
    """A problem (or solution) file that cannot be used, with the file and the field."""

    def __init__(self, source: str, field: str, message: str) -> None:
        # A hostile file can make a field name or a message megabytes long: keep one line.
        super().__init__(source, _clip(field, 200), _clip(message, 600))


def max_file_bytes() -> int:
    """The size cap from ``OPTIKIT_MAX_FILE_MB``; a value that is not a positive number is
    refused (a typo must not silently lift or zero the cap)."""
    raw = os.environ.get("OPTIKIT_MAX_FILE_MB", "")
    if not raw.strip():
        return int(DEFAULT_MAX_FILE_MB * 1024 * 1024)
    try:
        mb = float(raw)
    except ValueError:
        mb = math.nan
    if not (math.isfinite(mb) and 0 < mb <= MAX_FILE_MB_CEILING):
        raise UsageError(
            f"OPTIKIT_MAX_FILE_MB: must be a positive number of megabytes "
            f"(at most {MAX_FILE_MB_CEILING:g}), not {raw!r}"
        )
    return max(1, int(mb * 1024 * 1024))


# -- parsing JSON and YAML strictly -------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid number in a problem file")


#: Number literals longer than this are out of range whatever they say (and Python
#: refuses to convert integers above 4,300 digits).
_MAX_NUMBER_CHARS = 400


class _NumberHooks:
    """``parse_int``/``parse_float`` for :func:`json.loads` that note any number that may
    be out of range (cheap: one comparison per number); only then does validation walk
    the document to name its field.  Unrepresentable numbers become :class:`OutOfRange`.
    """

    def __init__(self) -> None:
        self.suspect = False

    def parse_int(self, text: str) -> int | float:
        if len(text) > 15:
            self.suspect = True
            if len(text) > _MAX_NUMBER_CHARS:
                return OutOfRange(math.inf)
        return int(text)

    def parse_float(self, text: str) -> float:
        if len(text) > _MAX_NUMBER_CHARS:
            self.suspect = True
            return OutOfRange(math.inf)
        value = float(text)
        if not _MIN_MAGNITUDE <= abs(value) <= _MAX_MAGNITUDE and value != 0:
            self.suspect = True
            if not math.isfinite(value):
                return OutOfRange(value)
        return value


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _parse_json(text: str, source: str) -> tuple[Any, bool]:
    """The parsed text, and whether every number in it is known to be in range."""
    hooks = _NumberHooks()
    try:
        data = json.loads(
            text,
            object_pairs_hook=_json_pairs,
            parse_constant=_reject_constant,
            parse_float=hooks.parse_float,
            parse_int=hooks.parse_int,
        )
    except json.JSONDecodeError as exc:
        raise ProblemFileError(
            source, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise ProblemFileError(source, "", "invalid JSON: nested too deeply") from None
    except ValueError as exc:
        raise ProblemFileError(source, "", f"invalid JSON: {exc}") from None
    return data, not hooks.suspect


def parse_json_text(text: str, source: str) -> Any:
    return _parse_json(text, source)[0]


#: A YAML document whose aliases expand it to more than this many nodes, and more than
#: ``_ALIAS_RATIO`` times its own size, is refused: aliases are for sharing a block, not
#: for multiplying a file a billionfold ("billion laughs").
_ALIAS_FLOOR = 100_000
_ALIAS_RATIO = 10


def _node_children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_alias_expansion(root: Any) -> None:
    """Refuse a composed YAML node graph whose aliases expand it out of proportion.

    Linear in the number of distinct nodes (sizes are memoised; no recursion), so the
    check costs nothing like the expansion it prevents.
    """
    import yaml

    total: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        nid = id(node)
        if closing:
            open_nodes.discard(nid)
            size = 1 + sum(total[id(c)] for c in _node_children(node))
            total[nid] = size
            continue
        if nid in total:
            continue
        if nid in open_nodes:
            raise yaml.composer.ComposerError(
                None, None, "an alias refers to its own anchor (recursive data)", node.start_mark
            )
        open_nodes.add(nid)
        stack.append((node, True))
        stack.extend((child, False) for child in _node_children(node))
    expanded = total[id(root)]
    limit = max(_ALIAS_FLOOR, _ALIAS_RATIO * len(total))
    if expanded > limit:
        raise yaml.composer.ComposerError(
            None,
            None,
            f"aliases expand the document to {expanded:.3g} values from {len(total):,} "
            f"written (more than {limit:,}): refused as an alias bomb",
            None,
        )


def _yaml_loader() -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):  # type: ignore[misc, valid-type]
        """Safe loader that refuses duplicate keys (YAML would keep the last silently)
        and alias bombs."""

        check_aliases = True

        def construct_document(self, node: Any) -> Any:
            if self.check_aliases:
                check_alias_expansion(node)
            return super().construct_document(node)

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            out[key] = loader.construct_object(value_node, deep=deep)
        return out

    def construct_int(loader: Any, node: Any) -> Any:
        text = str(node.value).replace("_", "").lstrip("+-")
        if len(text) > _MAX_NUMBER_CHARS:
            return OutOfRange(math.inf)  # refused, with its field, by validation
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    StrictLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
    # Dates stay text (as in JSON); types that take timestamps parse them themselves.
    StrictLoader.add_constructor(
        "tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_scalar
    )
    return StrictLoader


def parse_yaml_text(text: str, source: str) -> Any:
    import yaml

    loader = _yaml_loader()(text)
    loader.check_aliases = "&" in text  # no anchor, no alias: skip the graph walk
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "malformed"
        raise ProblemFileError(source, where, f"invalid YAML: {what}") from None
    except yaml.reader.ReaderError as exc:
        raise ProblemFileError(
            source,
            f"position {exc.position}",
            f"invalid YAML: unacceptable character {exc.character!r} ({exc.reason})",
        ) from None
    except yaml.YAMLError as exc:
        raise ProblemFileError(source, "", f"invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise ProblemFileError(source, "", "invalid YAML: nested too deeply") from None
    except (ValueError, OverflowError, TypeError) as exc:
        raise ProblemFileError(source, "", f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def file_size(path: Path, source: str) -> int:
    """Size of a regular file under the cap; devices, pipes and sockets are refused (they
    could be endless, or block forever)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ProblemFileError(source, "", "file not found") from None
    except OSError as exc:
        raise ProblemFileError(source, "", f"cannot read: {exc.strerror or exc}") from None
    return _check_regular(info, source)


def _check_regular(info: os.stat_result, source: str) -> int:
    if stat.S_ISDIR(info.st_mode):
        raise ProblemFileError(source, "", "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ProblemFileError(
            source, "", "is not a regular file (a device, pipe or socket): refused"
        )
    limit = max_file_bytes()
    if info.st_size > limit:
        raise ProblemFileError(
            source,
            "",
            f"file is {info.st_size / 1e6:.0f} MB, over the {limit / 1e6:.0f} MB limit "
            "(raise it with OPTIKIT_MAX_FILE_MB)",
        )
    return info.st_size


def read_bytes(path: Path, source: str) -> bytes:
    """The bytes of a regular file, never more than the size cap."""
    file_size(path, source)
    limit = max_file_bytes()
    try:
        # O_NONBLOCK: should the path have become a FIFO since the stat, open does not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ProblemFileError(source, "", f"cannot read: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "rb") as fh:
            _check_regular(os.fstat(fh.fileno()), source)
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ProblemFileError(source, "", f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ProblemFileError(source, "", f"file grew over the {limit / 1e6:.0f} MB limit")
    return data


_WIDE_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def read_text(path: Path, source: str) -> str:
    data = read_bytes(path, source)
    for bom, encoding in _WIDE_BOMS.items():
        if data.startswith(bom):
            raise ProblemFileError(source, "", f"is {encoding} text: save it as UTF-8")
    nul = data.find(b"\x00")  # memchr: cheap, and spares decoding a sparse file
    if nul >= 0:
        raise ProblemFileError(source, "", f"not a text file (NUL byte at {nul})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemFileError(source, "", f"not UTF-8 text (byte {exc.start})") from None


def read_data(path: Path, source: str) -> tuple[Any, bool]:
    text = read_text(path, source)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_yaml_text(text, source), False
    if suffix == ".json" or text.lstrip().startswith(("{", "[")):
        return _parse_json(text, source)
    return parse_yaml_text(text, source), False


def read_data_file(path: Path, source: str | None = None) -> Any:
    """Parse a JSON or YAML file (chosen by extension; unknown extensions try JSON first)."""
    source = source or str(path)
    return read_data(path, source)[0]


