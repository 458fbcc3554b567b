# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test serve lint bench clean chromium

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>$(VENV)/pip.log || { cat $(VENV)/pip.log; exit 1; }
	@# setuptools' notes about editable installs are noise here; the log is shown on failure
	$(BIN)/python -m pip install --quiet -e . 2>$(VENV)/pip.log || { cat $(VENV)/pip.log; exit 1; }
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]' 2>$(VENV)/pip.log || { cat $(VENV)/pip.log; exit 1; }
	touch $@

## demo: publish the sample show into public/ (then `make serve` to listen)
demo: $(VENV)/.installed
	$(BIN)/publisher publish
	@echo
	@echo "The sample show is in public/ (feed: public/feed.xml, site: public/index.html)."
	@echo "Listen on its public URL: make serve, then open http://127.0.0.1:8000/index.html"
	@echo "Run publisher itself: $(CURDIR)/$(BIN)/publisher --help (or: source $(VENV)/bin/activate);"
	@echo "to install it for everyday use and start your own show, see README.md, 'Your own show'."

serve: $(VENV)/.installed
	$(BIN)/publisher serve

## test: install what the tests need (Python packages, Debian's chromium), lint, run every test
test: $(VENV)/.installed-test chromium tests/node/node_modules/.installed
	$(BIN)/ruff check publisher tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# Podcast Index's feed parser (Node), for tests/test_partytime.py
tests/node/node_modules/.installed: tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --silent
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(VENV)/.installed-test
	$(BIN)/ruff check publisher tests bench scripts
	$(BIN)/ruff format --check publisher
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf _site public .publisher .pytest_cache .mypy_cache
