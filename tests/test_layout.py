"""The package's rooms: no import cycles, and lower layers never import higher ones.

Layers, lowest first (a module may import its own layer and those below it):
0. the data contract and shared basics: ``model``, ``errors``, ``settings``, ``typology``
1. the coder's core: ``ingest``, ``nlp``, ``geo``, ``extract``, ``resolve``, ``pipeline``, ``output``
2. the corpus: ``corpus`` (store, linking, disputes, exports, corpus ingest)
3. what runs on a corpus: ``batch``, ``training``, ``evaluate``, ``web``
4. the command line: ``cli``

Imports inside functions count too: a late import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import flashpoint

PACKAGE = Path(flashpoint.__file__).parent

LAYERS: dict[str, int] = {
    "__init__": 0, "model": 0, "errors": 0, "settings": 0, "typology": 0, "lang": 0,
    "ingest": 1, "nlp": 1, "geo": 1, "extract": 1, "resolve": 1, "pipeline": 1, "parallel": 1, "output": 1,
    "corpus": 2,
    "batch": 3, "training": 3, "evaluate": 3, "web": 3,
    "cli": 4,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path, known: set[str]) -> set[str]:
    """flashpoint modules ``path`` imports (``from flashpoint.x import y`` counts y when y is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("flashpoint"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("flashpoint"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return {name for name in found if name in known}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, known) - {name} for name, path in modules.items()}


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return LAYERS[top]


def test_every_room_has_a_layer() -> None:
    rooms = {_module_name(p).split(".")[1] for p in PACKAGE.rglob("*.py") if _module_name(p) != "flashpoint"}
    assert rooms <= set(LAYERS), f"give these rooms a layer in LAYERS: {sorted(rooms - set(LAYERS))}"


def test_no_import_from_a_higher_layer() -> None:
    wrong = sorted(f"{a} (layer {_layer(a)}) imports {b} (layer {_layer(b)})"
                   for a, targets in _graph().items() for b in targets
                   if a != "flashpoint" and b != "flashpoint" and _layer(b) > _layer(a))
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph = _graph()
    # The package's own __init__ is imported by every submodule's import; it is not an edge of the design.
    graph = {a: {b for b in bs if b != "flashpoint"} for a, bs in graph.items() if a != "flashpoint"}
    # A package's __init__ and its own submodules are one room: drop parent→child and child→parent edges.
    graph = {a: {b for b in bs if not (b.startswith(a + ".") or a.startswith(b + "."))} for a, bs in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_each_room_says_its_job() -> None:
    silent = [str(p.relative_to(PACKAGE)) for p in PACKAGE.glob("*/__init__.py")
              if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert not silent, f"add a one-line docstring to: {silent}"
