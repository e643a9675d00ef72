"""Turn a suite into concrete runs, using what the installed plugins offer.

Instances are read (files) or generated (``ProblemType.generate``) here, in the
coordinator, so every run carries its instance's checksum and the coordinator can
re-check each answer against its own parsed copy.  Runs whose problem type, reader,
solver or formulation is not available are kept as *skipped* runs with the reason, so a
missing plugin shows up in the report instead of crashing the suite.
"""

from __future__ import annotations

import glob
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optikit.bench.suite import InstanceSet, SolverEntry, Suite, SuiteError, default_label
from optikit.types import OptikitError


@dataclass
class Instance:
    """One problem of a set, loaded (or with the reason it could not be)."""

    set_name: str
    name: str
    source: str
    checksum: str
    problem_type: str | None = None
    sense: str | None = None
    loaded: Any = None
    known_lb: float | None = None
    known_ub: float | None = None
    skip_reason: str | None = None

    @property
    def document(self) -> dict[str, Any] | None:
        return None if self.loaded is None else dict(self.loaded.document)


@dataclass
class RunSpec:
    """One run: an instance, a solver entry, a seed and a repeat, with its stable key."""

    suite: str
    instance: Instance
    label: str
    backend: str | None
    formulation: str | None
    requested_formulation: str | None
    seed: int
    repeat: int
    time_limit: float
    threads: int
    gap: float
    grace: float
    options: Mapping[str, Any] = field(default_factory=dict)
    skip_reason: str | None = None
    key: str = ""

    @property
    def kill_after(self) -> float:
        """Wall-clock seconds after which the child is killed, whatever it is doing."""
        return self.time_limit + self.grace

    def identity(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "set": self.instance.set_name,
            "instance": self.instance.name,
            "checksum": self.instance.checksum,
            "label": self.label,
            "backend": self.backend,
            "formulation": self.formulation,
            "time_limit": self.time_limit,
            "threads": self.threads,
            "gap": self.gap,
            "seed": self.seed,
            "repeat": self.repeat,
            "options": dict(self.options),
        }

    def payload(self) -> dict[str, Any]:
        """What the child process reads on stdin (see :mod:`optikit.bench.worker`)."""
        return {
            "protocol": 1,
            "run_key": self.key,
            "source": f"{self.instance.set_name}/{self.instance.name}",
            "document": self.instance.document,
            "solver": self.backend,
            "formulation": self.requested_formulation,
            "time_limit": self.time_limit,
            "threads": self.threads,
            "seed": self.seed,
            "gap": self.gap,
            "options": dict(self.options),
        }


def run_key(identity: Mapping[str, Any]) -> str:
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def document_checksum(doc: Mapping[str, Any]) -> str:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Plan:
    runs: list[RunSpec]
    notes: list[str]


def plan_suite(suite: Suite, registry: Any) -> Plan:
    """Every run of the suite, in suite order (sets, instances, solvers, seeds, repeats)."""
    runs: list[RunSpec] = []
    notes: list[str] = []
    for iset in suite.sets:
        instances = _instances(suite, iset, registry, notes)
        bounds = _bounds(suite, iset)
        for inst in instances:
            known = bounds.get(inst.name)
            if known is not None:
                inst.known_lb, inst.known_ub = known
            for entry in iset.solvers:
                runs.extend(_runs_for(suite, inst, entry, registry))
    return Plan(runs, notes)


def _runs_for(suite: Suite, inst: Instance, entry: SolverEntry, registry: Any) -> list[RunSpec]:
    backend, formulation, reason = _resolve(inst, entry, registry)
    s = entry.settings
    label = entry.label or default_label(entry)
    out = []
    for seed in s.seeds:
        for repeat in range(s.repeats):
            spec = RunSpec(
                suite=suite.name,
                instance=inst,
                label=label,
                backend=backend,
                formulation=formulation,
                requested_formulation=entry.formulation,
                seed=seed,
                repeat=repeat,
                time_limit=s.time_limit,
                threads=s.threads,
                gap=s.gap,
                grace=s.grace,
                options=dict(s.options),
                skip_reason=inst.skip_reason or reason,
            )
            spec.key = run_key(spec.identity())
            out.append(spec)
    return out


def _resolve(
    inst: Instance, entry: SolverEntry, registry: Any
) -> tuple[str | None, str | None, str | None]:
    """(backend, formulation, skip reason) for one solver entry on one instance."""
    if inst.skip_reason is not None or inst.loaded is None:
        return entry.solver, entry.formulation, inst.skip_reason or "instance not loaded"
    ptype = inst.loaded.ptype
    backends = registry.backends
    name = entry.solver
    if name is None:
        for candidate in ptype.default_solvers:
            b = backends.get(candidate)
            if b is not None and registry.availability(b).available:
                name = candidate
                break
        if name is None:
            return None, entry.formulation, f"no default solver of {ptype.name} is available"
    backend = backends.get(name)
    if backend is None:
        return name, entry.formulation, f"solver {name!r} is not installed (no plugin registers it)"
    status = registry.availability(backend)
    if not status.available:
        return name, entry.formulation, f"solver {name!r} is not available: {status.reason}"
    formulations = list(ptype.formulations)
    if entry.formulation is not None:
        chosen = next((f for f in formulations if f.name == entry.formulation), None)
        if chosen is None:
            return name, entry.formulation, (
                f"{ptype.name} has no formulation {entry.formulation!r}"
            )
        if not backend.implements(chosen.paradigm):
            return name, entry.formulation, (
                f"formulation {chosen.name!r} is {chosen.paradigm}, solver {name!r} is "
                f"{', '.join(sorted(backend.paradigms))}"
            )
        if not _integer_ok(chosen, backend, inst.loaded.problem):
            return name, chosen.name, (
                f"solver {name!r} is continuous only; {chosen.name!r} needs integer variables"
            )
        return name, chosen.name, None
    same = [f for f in formulations if backend.implements(f.paradigm)]
    if not same:
        return name, None, f"{ptype.name} has no {backend.paradigm} formulation for {name!r}"
    chosen = next((f for f in same if _integer_ok(f, backend, inst.loaded.problem)), None)
    if chosen is None:
        return name, same[0].name, (
            f"solver {name!r} is continuous only and this instance needs integer variables"
        )
    return name, chosen.name, None


def _integer_ok(formulation: Any, backend: Any, problem: Any) -> bool:
    if getattr(backend, "supports_integer", True):
        return True
    try:
        return not formulation.needs_integer(problem)
    except Exception:  # a broken predicate: let the run itself report the problem
        return True


def _instances(suite: Suite, iset: InstanceSet, registry: Any, notes: list[str]) -> list[Instance]:
    if iset.generate is not None:
        return _generated(suite, iset, registry, notes)
    return _files(suite, iset, registry, notes)


def _files(suite: Suite, iset: InstanceSet, registry: Any, notes: list[str]) -> list[Instance]:
    from optikit.problem_io import load_problem

    paths: list[Path] = []
    seen: set[Path] = set()
    for k, pattern in enumerate(iset.files):
        base = Path(pattern) if Path(pattern).is_absolute() else suite.directory / pattern
        matches = sorted(Path(p) for p in glob.glob(str(base), recursive=True))
        matches = [p for p in matches if p.is_file()]
        if not matches:
            if iset.optional:
                notes.append(
                    f"{suite.name}: optional set {iset.name!r} skipped: "
                    f"{pattern!r} matches no file"
                )
                continue
            raise SuiteError(str(suite.path), f"{iset.field}.files[{k}]",
                             f"{pattern!r} matches no file (relative to {suite.directory})")
        for p in matches:
            if p.resolve() not in seen:
                seen.add(p.resolve())
                paths.append(p)
    instances: list[Instance] = []
    names: set[str] = set()
    for path in paths:
        name = path.stem
        if name in names:
            raise SuiteError(str(suite.path), f"{iset.field}.files",
                             f"two files are named {name!r}; put them in separate sets")
        names.add(name)
        checksum = hashlib.sha256(path.read_bytes()).hexdigest()
        inst = Instance(iset.name, name, str(path), checksum)
        suffix = path.suffix.lower()
        if suffix not in (".json", ".yaml", ".yml") and registry.reader_for(path) is None:
            inst.skip_reason = f"a reader for {suffix or 'extension-less'} files is not installed"
            instances.append(inst)
            continue
        try:
            loaded = load_problem(path, registry)
        except OptikitError as exc:
            inst.skip_reason = f"cannot load: {exc}"
            notes.append(f"{suite.name}: {inst.skip_reason}")
        except Exception as exc:  # a reader plugin that crashes
            inst.skip_reason = f"cannot load {path}: {type(exc).__name__}: {exc}"
            notes.append(f"{suite.name}: {inst.skip_reason}")
        else:
            _attach(inst, loaded)
        instances.append(inst)
    return instances


def _generated(
    suite: Suite, iset: InstanceSet, registry: Any, notes: list[str]
) -> list[Instance]:
    from optikit.problem_io import load_document

    gen = iset.generate
    assert gen is not None
    instances: list[Instance] = []
    ptype = registry.problem_types.get(gen.type)
    for size in gen.sizes:
        for seed in gen.seeds:
            name = f"{gen.type}-{size}-{seed}"
            source = f"generate:{gen.type}:{size}:{seed}"
            if ptype is None:
                reason = f"problem type {gen.type!r} is not installed (no plugin registers it)"
                instances.append(
                    Instance(iset.name, name, source, "", gen.type, skip_reason=reason)
                )
                continue
            if ptype.generate is None:
                raise SuiteError(str(suite.path), f"{iset.field}.generate.type",
                                 f"{gen.type} has no instance generator")
            try:
                doc = dict(ptype.generate(seed, size))
            except (ValueError, KeyError, OptikitError) as exc:
                raise SuiteError(str(suite.path), f"{iset.field}.generate",
                                 f"{gen.type} cannot generate size {size!r}: {exc}") from None
            except Exception as exc:  # a broken plugin: keep the suite going without it
                reason = f"the {gen.type} generator failed: {type(exc).__name__}: {exc}"
                notes.append(f"{suite.name}: {iset.name}/{name}: {reason}")
                instances.append(
                    Instance(iset.name, name, source, "", gen.type, skip_reason=reason)
                )
                continue
            doc.setdefault("type", gen.type)
            doc["name"] = name
            inst = Instance(iset.name, name, source, document_checksum(doc), gen.type)
            try:
                loaded = load_document(doc, registry, source=f"{iset.name}/{name}")
            except OptikitError as exc:
                # A generator that emits an invalid document is a plugin bug; report it
                # as the reason rather than stop the whole suite.
                inst.skip_reason = f"generated document is invalid: {exc}"
            else:
                _attach(inst, loaded)
            instances.append(inst)
    return instances


def _attach(inst: Instance, loaded: Any) -> None:
    inst.loaded = loaded
    inst.problem_type = loaded.ptype.name
    inst.sense = getattr(loaded.ptype, "sense", "min")


def _bounds(suite: Suite, iset: InstanceSet) -> dict[str, tuple[float | None, float | None]]:
    """instance name -> (lb, ub) from the set's inline bounds or bounds file."""
    spec = iset.bounds
    if spec is None:
        return {}
    where = f"{iset.field}.bounds"
    file = str(suite.path)
    if spec.inline is not None:
        table: Mapping[str, Any] = spec.inline
    else:
        assert spec.file is not None
        try:
            data = json.loads(spec.file.read_text())
        except FileNotFoundError:
            if iset.optional:
                return {}
            raise SuiteError(file, f"{where}.file", f"{spec.file} does not exist") from None
        except (OSError, ValueError) as exc:
            raise SuiteError(file, f"{where}.file", f"cannot read {spec.file}: {exc}") from None
        found = _bounds_table(data, spec.set)
        if found is None:
            if iset.optional:
                return {}
            what = f"no set {spec.set!r}" if spec.set else "no `instances` mapping"
            raise SuiteError(file, f"{where}.set" if spec.set else f"{where}.file",
                             f"{spec.file} has {what}")
        table = found
    out: dict[str, tuple[float | None, float | None]] = {}
    for name, value in table.items():
        parsed = _bound_pair(value)
        if parsed is None:
            raise SuiteError(file, f"{where}.{name}",
                             "expected a number or a mapping with lb / ub / optimum")
        out[str(name)] = parsed
    return out


def _bounds_table(data: Any, set_name: str | None) -> Mapping[str, Any] | None:
    """The instance -> bounds mapping of one set inside a bounds file.

    Accepts a one-set file ``{"set": name, "instances": {instance: ...}}`` and
    multi-set files ``{set: {instance: ...}}`` or ``{set: {"instances": {...}}}``,
    optionally under a top-level ``sets`` key (then ``set`` must be given).
    """
    if not isinstance(data, Mapping):
        return None
    if isinstance(data.get("instances"), Mapping):
        if set_name is None or data.get("set") in (None, set_name):
            return data["instances"]
        return None
    if "sets" in data and isinstance(data["sets"], Mapping):
        data = data["sets"]
    table = data.get(set_name) if set_name is not None else None
    if isinstance(table, Mapping) and isinstance(table.get("instances"), Mapping):
        table = table["instances"]
    return table if isinstance(table, Mapping) else None


def _bound_pair(value: Any) -> tuple[float | None, float | None] | None:
    def num(v: Any) -> float | None:
        if v is None or isinstance(v, bool):
            return None
        return float(v) if isinstance(v, int | float) else None

    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), float(value)
    if isinstance(value, Mapping):
        opt = num(value.get("optimum"))
        lb = num(value.get("lb", value.get("lower")))
        ub = num(value.get("ub", value.get("upper", value.get("best", value.get("bks")))))
        if opt is not None:
            lb = opt if lb is None else lb
            ub = opt if ub is None else ub
        if lb is None and ub is None:
            return None
        return lb, ub
    return None
