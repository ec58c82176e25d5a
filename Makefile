# Two commands from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8501

.PHONY: run test test-fast lint bench screenshots install clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# Beyond loopback (HOST=0.0.0.0) the app asks for PLANNER_PASSWORD, and refuses to start without one.
run: $(STAMP)
	$(BIN)/python -m core serve --host $(HOST) --port $(PORT)

# Everything: lint, types, and every test (browser and Prometheus ones included).
test: lint
	$(BIN)/python -m pytest

# The development loop: no browser, no Prometheus server.
test-fast: lint
	$(BIN)/python -m pytest -q -m "not browser and not prometheus"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

# The README's pictures: the browser suite takes them, this copies the ones the README shows.
SHOTS := artifacts/screenshots
screenshots: $(STAMP)
	$(BIN)/python -m pytest tests/browser -q
	mkdir -p docs/screenshots
	cp $(SHOTS)/home_en.png docs/screenshots/home.png
	cp $(SHOTS)/vram_calculator_en.png docs/screenshots/vram_calculator.png
	cp $(SHOTS)/recommendations_en.png docs/screenshots/recommendations.png
	cp $(SHOTS)/gpu_monitor_demo_2.png docs/screenshots/gpu_monitor.png
	cp $(SHOTS)/chat-round-trip-en.png docs/screenshots/chat.png
	cp $(SHOTS)/vram_calculator_present_dark.png docs/screenshots/presentation_mode.png
	cp $(SHOTS)/plan_report_ko.png docs/screenshots/plan_report.png

clean:
	rm -rf $(VENV) artifacts .pytest_cache
