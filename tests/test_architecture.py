"""The layering rules: core/ never imports streamlit; pages never reach the hardware or Ollama directly."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "core").rglob("*.py") if "streamlit" in imported_modules(p)]
    assert offenders == []


def test_pages_do_not_call_hardware_or_ollama_directly() -> None:
    banned = {"pynvml", "ollama", "psutil", "httpx", "sqlite3"}
    offenders = {
        str(p.relative_to(ROOT)): sorted(imported_modules(p) & banned) for p in (ROOT / "pages").glob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_pages_folder_holds_only_page_scripts() -> None:
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for path in (ROOT / "pages").glob("*.py"):
        assert f'"{path.name}"' in app, f"{path.name} is in pages/ but not routed in app.py"


def _first_party_imports(path: Path) -> set[str]:
    """Modules of this project that ``path`` imports, as dotted names (lazy imports inside functions too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in ("core", "ui"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] in ("core", "ui"))
    return found


def _module_graph() -> dict[str, set[str]]:
    files = [*(ROOT / "core").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
    names = {}
    for path in files:
        parts = path.relative_to(ROOT).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return {name: {m for m in _first_party_imports(path) if m in names and m != name} for name, path in names.items()}


def test_the_import_graph_has_no_cycle() -> None:
    graph = _module_graph()
    # A package's __init__ may re-export its own modules; that edge is not a dependency between modules.
    edges = {name: {m for m in deps if not m.startswith(name + ".")} for name, deps in graph.items()}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " → ".join(path[path.index(node):] + [node]))
        if node in done:
            return
        for dep in sorted(edges[node]):
            visit(dep, path + [node])
        done.add(node)

    for name in sorted(edges):
        visit(name, [])


def test_imports_run_downward() -> None:
    graph = _module_graph()
    upward = {name: sorted(d for d in deps if d.startswith("ui")) for name, deps in graph.items() if name.startswith("core")}
    assert {k: v for k, v in upward.items() if v} == {}, "core must not import ui"
    into_cli = {name: sorted(d for d in deps if d.startswith("core.cli"))
                for name, deps in graph.items()
                if name.startswith("core") and not name.startswith(("core.cli", "core.__main__"))}
    assert {k: v for k, v in into_cli.items() if v} == {}, "the domain must not import the CLI"
    for page in (ROOT / "pages").glob("*.py"):
        assert "core.cli" not in {m.split(".")[0] + "." + m.split(".")[1] for m in _first_party_imports(page) if "." in m}


def test_files_stay_small() -> None:
    too_long = {str(p.relative_to(ROOT)): n for p in [*ROOT.glob("*.py"), *(ROOT / "pages").glob("*.py"),
                                                      *(ROOT / "core").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300
                and p.parent.name != "strings"}  # the string tables are data
    assert too_long == {}
