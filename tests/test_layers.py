"""The import rules of the architecture guide (ARCHITECTURE.md §1), checked on the source:

- an app imports only apps below it (a higher app reacts to a lower one through the signals of its
  `events.py`, never by being imported from below);
- no import cycle inside an app, not even one hidden behind an import inside a function;
- imports sit at the top of a module; one inside a function carries a comment saying why (on its line or
  the line above), e.g. Django's `AppConfig.ready()` connecting receivers.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

# Lowest first; apps on one level must not import each other.
LAYERS: dict[str, int] = {
    "core": 0,
    "accounts": 1,
    "notifications": 2,
    "regulations": 2,
    "signing": 2,  # PDF signatures and the register of issued documents: forms of every app above use it
    "workcalendar": 3,
    "eforms": 3,  # declaration forms as data (JSON Schema + layout), administrative units; procedures holds them
    "procedures": 4,
    "dossiers": 5,
    "payments": 6,
    "docstore": 6,
    "nationalportal": 6,
    "queueing": 6,  # tickets link to the dossiers they became; satisfaction links answers to tickets
    "feedback": 7,
    "satisfaction": 8,  # its monthly 766 inputs count citizen feedback (feedback.stats)
    "parindex": 9,
    "portal": 10,
}


def _apps_present() -> list[str]:
    return [app for app in LAYERS if (ROOT / app).is_dir()]


def _modules() -> dict[str, Path]:
    """{'dossiers.services': path} for every non-test, non-migration module of the apps."""
    out = {}
    for app in _apps_present():
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "tests" in rel.parts or "migrations" in rel.parts:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


class _Import:
    __slots__ = ("commented", "in_function", "line", "targets")

    def __init__(self, targets, line, in_function, commented):
        self.targets, self.line, self.in_function, self.commented = targets, line, in_function, commented


def _is_package(module: str) -> bool:
    return (ROOT / module.replace(".", "/") / "__init__.py").exists()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if _is_package(module) else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: Path) -> list[_Import]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    out: list[_Import] = []

    def commented(lineno: int) -> bool:
        line = lines[lineno - 1]
        above = lines[lineno - 2].strip() if lineno >= 2 else ""
        return "#" in line or above.startswith("#")

    def visit(node, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue  # annotations only: never executed
            if isinstance(child, ast.Import | ast.ImportFrom):
                if isinstance(child, ast.Import):
                    targets = [alias.name for alias in child.names]
                else:
                    base = _resolve(module, child)
                    # `from pkg import sub` names a submodule when pkg/sub.py (or a package) exists
                    targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                               for alias in child.names]
                out.append(_Import(targets, child.lineno, in_function, commented(child.lineno)))
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef), type_checking)

    visit(tree, False, False)
    return out


IMPORTS = {module: _imports(module, path) for module, path in MODULES.items()}


def _app(module: str) -> str:
    return module.split(".")[0]


def test_an_app_imports_only_apps_below_it():
    wrong = []
    for module, imports in IMPORTS.items():
        app = _app(module)
        for imp in imports:
            for target in imp.targets:
                other = _app(target)
                if other in LAYERS and other != app and LAYERS[other] >= LAYERS[app]:
                    wrong.append(f"{module}:{imp.line} imports {target}")
    assert not wrong, "an app imports one on its own level or above (announce an event instead):\n" + "\n".join(wrong)


def test_no_import_cycle_inside_an_app():
    graph: dict[str, set[str]] = {}
    for module, imports in IMPORTS.items():
        graph[module] = set()
        for imp in imports:
            for target in imp.targets:
                while target and target not in MODULES:
                    target = target.rpartition(".")[0]
                if target and target != module and _app(target) == _app(module):
                    graph[module].add(target)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_imports_inside_functions_say_why():
    bare = [f"{MODULES[module].relative_to(ROOT)}:{imp.line}"
            for module, imports in IMPORTS.items() for imp in imports if imp.in_function and not imp.commented]
    assert not bare, ("an import inside a function without a comment saying why (move it to the top of the "
                      "module, or say why it cannot be there):\n" + "\n".join(sorted(bare)))


def test_every_app_of_the_project_has_a_layer():
    """A new app missing from LAYERS would be checked by none of the rules above."""
    local = {name.split(".")[0] for name in settings.INSTALLED_APPS if (ROOT / name.split(".")[0]).is_dir()}
    assert local - set(LAYERS) == set(), "add the new app to LAYERS (and to ARCHITECTURE's layer list in README)"


def test_the_checker_sees_what_it_checks():
    """The rules above would pass on nothing: make sure they read the real modules."""
    assert "dossiers.services" in MODULES and "accounts.access" in MODULES
    services = {t for imp in IMPORTS["dossiers.services"] for t in imp.targets}
    assert any(t.startswith("accounts") for t in services)
    assert "dossiers.models" in {t for imp in IMPORTS["dossiers.services"] for t in imp.targets} | {
        t.rpartition(".")[0] for imp in IMPORTS["dossiers.services"] for t in imp.targets}
