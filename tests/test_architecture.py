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
