"""The one Streamlit wart the app works around, pinned: if an upgrade changes it, these fail loudly.

A folder named ``pages/`` beside the entry point makes Streamlit treat the app as an old-style multipage
app until some session calls st.navigation (``PagesManager.uses_pages_directory``), so a deep link first
after a start runs the page as a bare script. ``ui.frame_guard()`` turns that off; and whatever Streamlit
does, a page run on its own must still ask for the password beyond loopback.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from tests.support.lan import served_on_lan

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "pages").glob("*.py"))


@pytest.fixture
def fresh_flag() -> Iterator[None]:
    before = PagesManager.uses_pages_directory
    PagesManager.uses_pages_directory = None
    yield
    PagesManager.uses_pages_directory = before


@pytest.mark.parametrize(("has_pages_folder", "legacy"), [(True, True), (False, False)])
def test_streamlit_still_switches_to_legacy_pages_when_a_pages_folder_exists(
        tmp_path: Path, fresh_flag: None, has_pages_folder: bool, legacy: bool) -> None:
    (tmp_path / "app.py").write_text("", encoding="utf-8")
    if has_pages_folder:
        (tmp_path / "pages").mkdir()
    PagesManager(str(tmp_path / "app.py"))
    assert PagesManager.uses_pages_directory is legacy


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_starts_with_the_guard(page: Path) -> None:
    body = [node for node in ast.parse(page.read_text(encoding="utf-8")).body
            if not isinstance(node, ast.Import | ast.ImportFrom) and not (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    first = ast.unparse(body[0])
    assert first == "ui.frame_guard()", f"{page.name} starts with {first!r}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_page_run_on_its_own_beyond_loopback_asks_for_the_password(
        page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with served_on_lan(monkeypatch):
        at = AppTest.from_file(str(page), default_timeout=60)
        at.query_params["lang"] = "en"
        at.run()
    assert not at.exception
    assert [w.key for w in at.text_input] == ["auth_password"]
    assert not at.title and not at.get("plotly_chart")
