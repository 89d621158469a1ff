"""The package layering: data flows one way, and no module imports one above it.

    base helpers -> typography -> project -> schedule -> job protocol -> kinds (LED, cards,
    video, media) -> kinds registry -> build -> network -> rotation -> proof -> preview/serve -> app -> CLI

Imports under ``if TYPE_CHECKING:`` count too: an annotation naming a higher layer is a
dependency all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "signage"

LAYERS: list[set[str]] = [
    {
        "__init__",
        "errors",
        "clock",
        "fingerprint",
        "sizes",
        "colour",
        "locales",
        "labels",
        "yamlio",
        "resources",
        "ffmpeg",
        "scroll",
        "lock",
        "tree",
        "atomic",
        "records",
        "h264",
        "thumbnail",
        "png",
    },
    {"typography"},
    {"project"},
    {"schedule"},
    {"job"},
    {"led", "card", "video", "media"},
    {"kinds"},
    {"build"},
    {"network", "player"},  # the player page is what publishing and export write
    {"rotation"},
    {"proof"},  # proof of play: the players' reports, stored; what serve receives and status/report read
    {"preview", "serve"},
    {"app"},
    {"cli", "__main__"},
]
KINDS = {"led", "card", "video", "media"}


def _layer(top: str) -> int:
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise AssertionError(f"signage/{top} is in no layer: add it to LAYERS in {Path(__file__).name}")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path, runtime_only: bool = False) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, names) of every import of a signage module in one file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names]
    return [(line, target, names) for line, target, names in out if target.split(".")[0] == "signage"]


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_package_imports_one_above_it() -> None:
    modules = _modules()
    upward = []
    for module, path in modules.items():
        here = _top(module)
        for line, target, names in _imports(module, path):
            # `from . import x` / `from .pkg import mod`: the names may be modules themselves
            # `from signage import a, b`: each name may be a module of its own layer
            named = [f"signage.{name}" for name in names if f"signage.{name}" in modules]
            for there in [_top(n) for n in named] if target == "signage" else [_top(target)]:
                if _layer(there) > _layer(here):
                    upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target} (a higher layer)")
                elif there in KINDS and here in KINDS and there != here:
                    upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target} (another kind)")
    assert upward == []


def test_no_private_name_crosses_a_package() -> None:
    modules = _modules()
    crossing = []
    for module, path in modules.items():
        for line, target, names in _imports(module, path):
            if _top(target) != _top(module):
                crossing += [
                    f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}.{name}"
                    for name in names
                    if name.startswith("_") and not name.startswith("__")
                ]
    assert crossing == []


def test_no_module_cycles() -> None:
    """No two modules import each other, however indirectly (function-level imports included;
    ``if TYPE_CHECKING:`` ones, which never run, left out)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        edges = set()
        for _, target, names in _imports(module, path, runtime_only=True):
            for name in names or [""]:
                candidate = f"{target}.{name}"
                edges.add(candidate if candidate in modules else target)
        graph[module] = {e for e in edges if e in modules and e != module}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert cycles == []


def test_build_and_network_reach_kinds_only_through_the_registry() -> None:
    """A new output kind lands in its own package and the registry (signage/kinds.py), nowhere else."""
    modules = _modules()
    direct = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
        for module, path in modules.items()
        if _top(module) in {"build", "network", "rotation"}
        for line, target, _ in _imports(module, path)
        if _top(target) in KINDS
    ]
    assert direct == []


def test_the_command_list_says_what_each_command_says() -> None:
    """`signage --help` lists the lazily loaded commands from their one-line helps kept in
    signage/cli; each must be its command's own first paragraph."""
    import click

    from signage.cli import COMMANDS, main

    groups = [(main, COMMANDS)]
    while groups:
        group, lazy = groups.pop()
        ctx = click.Context(group)
        for name, (_, said) in lazy.items():
            command = group.get_command(ctx, name)
            assert command is not None and command.help is not None
            assert " ".join(command.help.strip().split("\n\n")[0].split()) == said, name
            if isinstance(command, type(main)):
                groups.append((command, command.lazy))
