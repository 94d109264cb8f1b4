"""The layers hold: each package imports only the ones below it, the ledger has no import
circles, only the service and storage touch a backend, and the bus knows every command."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("events", "commands", "projections", "ledger")
ALLOWED = {
    "events": {"events"},
    "commands": {"events", "commands"},
    "projections": {"events", "commands", "projections"},
    "ledger": {"events", "commands", "projections", "ledger"},
}
"""What each layer may import of ours (README "Layers", docs/ARCHITECTURE.md)."""


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def imports(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Every module of ours this file imports, at any depth of the file (function-level
    imports included); with `runtime_only`, leaving out `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped.update(id(n) for n in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    known = modules()
    return {name for name in found if name in known}


@pytest.mark.parametrize("name", sorted(modules()))
def test_each_layer_imports_only_the_layers_below_it(name: str) -> None:
    layer = name.split(".")[0]
    wrong = {m for m in imports(modules()[name]) if m.split(".")[0] not in ALLOWED[layer]}
    assert not wrong, f"{name} ({layer}) imports {sorted(wrong)}"


LEDGER_LAYERS = ("base", "store", "audit", "core", "queries", "present", "app", "interfaces")
"""Inside `ledger`, lowest first: each subpackage imports only itself and those before it
(docs/ARCHITECTURE.md, "Inside ledger"). `base` is the few modules every layer uses
(errors, settings, validation). On top sit the public entry points whose paths are part of
the contract: the package itself (`from ledger import Ledger`), `python -m ledger` and the
source documents' drop-in facades (`ledger.compat`)."""
BASE = {"ledger.errors", "ledger.settings", "ledger.validation"}
ENTRY = {"ledger", "ledger.__main__", "ledger.compat"}


def ledger_layer(name: str) -> int:
    if name in BASE:
        return 0
    if name in ENTRY:
        return len(LEDGER_LAYERS)
    return LEDGER_LAYERS.index(name.split(".")[1])


@pytest.mark.parametrize("name", sorted(n for n in modules() if n.startswith("ledger")))
def test_inside_the_ledger_each_layer_imports_only_the_layers_below_it(name: str) -> None:
    """Imports that run count (a function-level one too); type-only ones do not, since a
    layer may name the type of what a higher one hands it."""
    mine = ledger_layer(name)
    above = {
        m
        for m in imports(modules()[name], runtime_only=True)
        if m.startswith("ledger") and ledger_layer(m) > mine
    }
    assert not above, f"{name} ({LEDGER_LAYERS[min(mine, 6)]}) imports {sorted(above)} above it"


def test_every_module_of_the_ledger_sits_in_a_layer() -> None:
    """No flat bag again: a new module goes into the layer it belongs to."""
    flat = {
        n for n in modules()
        if n.count(".") == 1 and n.startswith("ledger.")
        and n not in BASE | ENTRY and n.split(".")[1] not in LEDGER_LAYERS
    }  # fmt: skip
    assert not flat, sorted(flat)


def test_storage_does_not_depend_on_the_read_models() -> None:
    """The backends and the log know nothing of projections (row versions, as-of SQL and the
    search index do: they are storage for projection tables)."""
    for name, path in modules().items():
        if name in ("ledger.store", "ledger.store.base", "ledger.store.sqlite",
                    "ledger.store.postgres", "ledger.store.eventlog"):  # fmt: skip
            assert not {m for m in imports(path) if m.startswith("projections")}, name


def test_the_ledger_has_no_import_circles() -> None:
    """Function-level imports count: they are how a circle hides (TYPE_CHECKING ones don't
    run, so they cannot form one)."""
    graph = {name: imports(path, runtime_only=True) for name, path in modules().items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt == node or nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                if not all(part in cycle[0] or cycle[0] in part for part in cycle):
                    raise AssertionError(f"import circle: {' -> '.join(cycle)}")
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_only_the_service_and_storage_touch_a_backend() -> None:
    # the service is its write side, its read side and its checks on itself
    service = {"ledger.core.service", "ledger.core.reading", "ledger.core.checks"}
    owners = service | {"ledger.store", "ledger.store.base"}
    for name, path in modules().items():
        if name in owners or name.startswith("ledger.store."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        touches = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and node.attr == "backend"
            and ast.unparse(node.value) != "self"
        ]
        assert not touches, f"{name} reaches into a backend at lines {touches}"


NAMEDTUPLE = {"_replace", "_asdict", "_make"}
"""namedtuple's documented methods carry an underscore only to keep clear of field names."""


def test_no_module_calls_a_private_method_of_another_object() -> None:
    """`x._thing()` only on self or cls: reaching into another object's internals is how two
    modules end up sharing a rule without saying so."""
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            attr, owner = node.func.attr, ast.unparse(node.func.value)
            if attr.startswith("_") and not attr.startswith("__") and attr not in NAMEDTUPLE:
                assert owner in ("self", "cls", "super()"), f"{name}:{node.lineno}: {owner}.{attr}"


def test_the_bus_has_a_handler_for_every_command() -> None:
    import importlib

    from commands.base import Command
    from ledger.core.bus import TABLES

    for command_module, table_module in TABLES.items():
        module = importlib.import_module(command_module)
        table = importlib.import_module(table_module).HANDLERS
        concrete = [
            c
            for c in vars(module).values()
            if isinstance(c, type)
            and issubclass(c, Command)
            and c.__module__ == command_module
            and "produces" in vars(c)
        ]
        assert concrete, command_module
        assert all(c in table for c in concrete), command_module


def test_every_command_enters_through_the_bus() -> None:
    """The defect: `update-confidence` called its handler directly, skipping the bus (and
    with it the idempotency check every other command gets). Only the bus's own wiring may
    import a handler table; everyone else dispatches."""
    tables = {"ledger.core.pattern_handlers", "ledger.core.decision_handlers"}
    wiring = {"ledger.core.bus", *tables}
    for name, path in modules().items():
        if name in wiring:
            continue
        reached = {m for m in imports(path) if m in tables or m.rsplit(".", 1)[0] in tables}
        assert not reached, f"{name} calls handlers directly: {sorted(reached)}"


PRIVATE = ("__pydantic_validator__", "__pydantic_serializer__", "json.encoder.", "typer._click")
"""Library internals the code once leaned on; public APIs do the same work."""


def test_no_library_internals() -> None:
    """Only the guarded pydantic plugin-loader stand-in (ledger/interfaces/cli/startup.py) may
    touch a
    library's internals."""
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        used = [p for p in PRIVATE if p in text]
        assert not used, f"{name} uses {used}"


MAX_LINES = 300
"""A module longer than this holds more than one thing (issue 24): split it by meaning. The
demo's sample data lives in a data file, not in code."""


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_of_the_packages_is_over_300_lines(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lines; split it by what its parts hold"
