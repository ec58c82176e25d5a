"""The GPU monitor as people see it in Chromium: the demo replay moving, and the page on a machine without a GPU."""

from __future__ import annotations

import re

import pytest

from core.monitor.nvml import NvmlSource
from tests.browser.helpers import screenshot

pytestmark = pytest.mark.browser

CHART = "[data-testid='stPlotlyChart']"
# Counted, not waited on for visibility: Streamlit mounts a new plot each time a figure changes.
DRAWN = f"(n) => document.querySelectorAll(\"{CHART} .main-svg\").length >= n"
X_RANGE = ("() => { const plot = document.querySelector(\"" + CHART + " .js-plotly-plot\");"
           " return plot && plot._fullLayout ? JSON.stringify(plot._fullLayout.xaxis.range) : null; }")
MOVED = "(before) => { const now = (" + X_RANGE + ")(); return now !== null && now !== before; }"


def test_the_demo_replay_draws_its_charts_and_they_move(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 3400})  # the whole page in one screenshot
    page.goto(f"{app_url}/monitor?demo=1&lang=en")
    page.wait_for_function(DRAWN, arg=2, timeout=60_000)  # the open tab's utilization and memory histories
    assert page.locator("[data-testid='stException']").count() == 0
    assert "SYNTHETIC" in page.locator("[data-testid='stAlert']").first.inner_text()
    # The chart is captured by its place on the page, whichever mount of it is there.
    box = page.locator(CHART).first.bounding_box()
    page.wait_for_function(MOVED, arg=None, timeout=10_000)  # drawn, with a range to compare
    before, image_before = page.evaluate(X_RANGE), page.screenshot(clip=box)
    screenshot(page, "gpu_monitor_demo_1")
    # The live panel redraws every second: wait for the time axis to move on, however long that takes here.
    page.wait_for_function(MOVED, arg=before, timeout=30_000)
    page.wait_for_function(DRAWN, arg=2, timeout=10_000)
    after, image_after = page.evaluate(X_RANGE), page.screenshot(clip=box)
    screenshot(page, "gpu_monitor_demo_2")
    assert after != before and image_after != image_before
    assert page.locator("[data-testid='stException']").count() == 0
    # Another tab draws its own charts (the host's), in place of the first tab's.
    page.get_by_role("tab", name="Host CPU & memory").click()
    page.wait_for_function("() => [...document.querySelectorAll(\".gtitle\")].some(t => t.textContent.includes(\"CPU\"))",
                           timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.parametrize(("lang", "title", "toggle"), [("en", "No NVIDIA driver found", "Replay the demo trace"),
                                                       ("ko", "NVIDIA 드라이버가 없습니다", "데모 기록 재생")])
def test_without_a_gpu_the_page_explains_and_offers_the_demo(app_url: str, page, lang: str, title: str,  # type: ignore[no-untyped-def]
                                                             toggle: str) -> None:
    if NvmlSource().open().ok:
        pytest.skip("this machine has a working NVIDIA driver")
    page.set_viewport_size({"width": 1440, "height": 1800})
    page.goto(f"{app_url}/monitor?lang={lang}")
    page.get_by_text(title, exact=True).wait_for(timeout=60_000)
    page.get_by_text(toggle, exact=True).wait_for(timeout=10_000)
    page.wait_for_function(DRAWN, arg=2, timeout=30_000)  # the host's CPU and RAM, and its cores, still show
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, f"gpu_monitor_no_gpu_{lang}")


def test_the_charts_follow_the_window_they_show_and_pause_stops_them(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    """A new window reruns only the history, which sets its charts' timer anew: every second for 1 min,
    every 144 s for 24 h."""
    page.set_viewport_size({"width": 1440, "height": 2400})
    page.goto(f"{app_url}/monitor?demo=1&lang=en")
    page.wait_for_function(DRAWN, arg=2, timeout=60_000)

    def window(label: str) -> None:
        page.locator("button").filter(has_text=re.compile(f"^{label}$")).first.click()

    def moves(seconds: float) -> bool:
        before = page.evaluate(X_RANGE)
        page.wait_for_timeout(seconds * 1000)
        return page.evaluate(X_RANGE) != before

    window("1 min")
    page.wait_for_function(MOVED, arg=None, timeout=10_000)
    assert moves(3)
    window("24 h")
    page.wait_for_timeout(2000)  # the 24-hour figure replaces the one-minute one
    assert not moves(3)
    window("1 min")
    page.wait_for_timeout(2000)
    assert moves(3)
    page.get_by_text("Pause", exact=True).click()
    page.wait_for_timeout(2000)
    assert not moves(3)
    assert page.locator("[data-testid='stException']").count() == 0


def test_the_window_downloads_as_csv_from_its_menu(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    """The downloads sit folded in a menu; opened, they hand over the window the charts show."""
    page.goto(f"{app_url}/monitor?demo=1&lang=en")
    page.wait_for_function(DRAWN, arg=2, timeout=60_000)
    page.locator("button").filter(has_text=re.compile("^5 min$")).first.click()
    assert page.get_by_text("Current window as CSV").count() == 0
    page.get_by_text("Download this window").click()
    button = page.get_by_role("button", name=re.compile("Current window as CSV"))
    button.wait_for(timeout=10_000)
    with page.expect_download(timeout=20_000) as caught:
        button.click()
    download = caught.value
    assert download.suggested_filename == "gpu-monitor-demo-5min.csv"
    lines = open(download.path(), encoding="utf-8").read().splitlines()
    assert lines[0].startswith("time_utc,device,uuid,name,")
    assert {line.split(",")[1] for line in lines[1:]} >= {"gpu0", "host"}
    assert page.locator("[data-testid='stException']").count() == 0


def test_a_pair_of_history_charts_shares_one_legend_and_a_slide_gets_both(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    legends = f"() => document.querySelectorAll(\"{CHART} g.legend\").length"
    page.goto(f"{app_url}/monitor?demo=1&lang=en")
    page.wait_for_function(DRAWN, arg=2, timeout=60_000)
    page.wait_for_function(f"() => ({legends})() >= 1", timeout=10_000)
    assert page.evaluate(legends) == 1
    page.get_by_text("Presentation mode", exact=True).click()
    page.wait_for_function(f"() => ({legends})() == 2", timeout=20_000)
    assert page.locator("[data-testid='stException']").count() == 0
